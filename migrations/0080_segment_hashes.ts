/**
 * 0080_segment_hashes: every segment's message hashes, sorted and cut into ~2 KB blocks by their top bits
 * (src/store/dedup.ts). Dedup used to hold every stored hash in memory (~150 MB at 10M events); now only
 * a Bloom filter is in memory and a hit is checked exactly against these blocks. The blocks of existing
 * segments are built here from their msg_hi/msg_lo columns.
 */
import type { Database } from "bun:sqlite";
import { decodeColumn } from "../src/store/codec.ts";
import { hashBlocks } from "../src/store/dedup.ts";

export const name = "0080_segment_hashes";

export function up(db: Database): void {
  db.exec(`
    -- block = bits * 2^21 + the hash's top \`bits\` bits, where bits depends on the segment's size; a lookup
    -- asks for its block at every bits value in one query. keys: the block's hashes as sorted uint64 LE.
    CREATE TABLE segment_hashes (
      block INTEGER NOT NULL,
      segment_id INTEGER NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
      keys BLOB NOT NULL,
      PRIMARY KEY (block, segment_id)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX segment_hashes_segment ON segment_hashes(segment_id);
  `);
  const column = db.query<{ data: Uint8Array }, [number, string]>("SELECT data FROM segment_columns WHERE segment_id = ? AND name = ?");
  const insert = db.query("INSERT INTO segment_hashes (block, segment_id, keys) VALUES (?, ?, ?)");
  for (const { id } of db.query<{ id: number }, []>("SELECT id FROM segments").all()) {
    const hi = decodeColumn(column.get(id, "msg_hi")!.data) as Uint32Array;
    const lo = decodeColumn(column.get(id, "msg_lo")!.data) as Uint32Array;
    for (const [block, keys] of hashBlocks(hi, lo)) insert.run(block, id, keys);
  }
}
