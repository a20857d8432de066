/**
 * 0080_dedup_runs: stored message hashes on disk, sorted, for the exact dedup check (src/store/dedup.ts).
 * Dedup used to hold every stored hash in memory (~150 MB at 10M events); now only a Bloom filter is in
 * memory and a hit is checked against these runs. Existing segments' hashes are gathered into runs here.
 */
import type { Database } from "bun:sqlite";
import { decodeColumn } from "../src/store/codec.ts";
import { insertRun } from "../src/store/compaction.ts";
import { buildRun } from "../src/store/dedup.ts";
import { sortPairs } from "../src/store/hash-pairs.ts";

export const name = "0080_dedup_runs";

/** Hashes per run built here (the compaction's largest merged run). */
const RUN = 1 << 21;

export function up(db: Database): void {
  db.exec(`
    -- A run: the sorted hashes of one compaction, or a merge of runs. bits: how many top bits of a hash pick
    -- its block (grows with the run's size). staged: 1 while being written, 2 once a merge replaced it.
    CREATE TABLE dedup_runs (
      id INTEGER PRIMARY KEY,
      hashes INTEGER NOT NULL,
      bits INTEGER NOT NULL,
      staged INTEGER NOT NULL DEFAULT 0
    ) STRICT;
    -- keys: the hashes whose top \`bits\` bits are \`block\`, as sorted uint64 LE. Keyed by run first, so a
    -- run's blocks are written and deleted as one contiguous range; a lookup seeks one block per run.
    CREATE TABLE dedup_blocks (
      run_id INTEGER NOT NULL REFERENCES dedup_runs(id) ON DELETE CASCADE,
      block INTEGER NOT NULL,
      keys BLOB NOT NULL,
      PRIMARY KEY (run_id, block)
    ) STRICT, WITHOUT ROWID;
  `);
  const column = db.query<{ data: Uint8Array }, [number, string]>("SELECT data FROM segment_columns WHERE segment_id = ? AND name = ?");
  let pairs = new Uint32Array(2 * RUN);
  let n = 0;
  const flush = () => {
    if (n > 0) insertRun(db, buildRun(sortPairs(pairs.slice(0, 2 * n))), 0);
    n = 0;
  };
  for (const { id } of db.query<{ id: number }, []>("SELECT id FROM segments").all()) {
    const hi = decodeColumn(column.get(id, "msg_hi")!.data);
    const lo = decodeColumn(column.get(id, "msg_lo")!.data);
    if (n + hi.length > RUN) flush();
    if (hi.length > pairs.length / 2) pairs = new Uint32Array(2 * hi.length);
    for (let i = 0; i < hi.length; i++) {
      pairs[2 * n] = lo[i]!;
      pairs[2 * n + 1] = hi[i]!;
      n++;
    }
  }
  flush();
}
