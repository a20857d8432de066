/**
 * EventStore assembles the writer side of the store on the one writer connection: the event-name
 * dictionary, the dedup set (rebuilt from every stored message hash at start), the group-commit writer,
 * and the application of compaction plans.
 */
import type { Database } from "bun:sqlite";
import { decodeColumn } from "./codec.ts";
import { applyCompaction, applyCompactionStaged, dropStaged, type CompactionPlan } from "./compaction.ts";
import { EventNames } from "./event-names.ts";
import { ShardedHashSet64 } from "./hash-set64.ts";
import { COL } from "./segment.ts";
import { EventWriter, type IdentityResolver, type WriterOptions } from "./writer.ts";

export class EventStore<I> {
  readonly names: EventNames;
  readonly seen: ShardedHashSet64;
  readonly writer: EventWriter<I>;
  readonly #db: Database;

  constructor(
    db: Database,
    resolve: IdentityResolver<I>,
    options: Partial<Omit<WriterOptions<I>, "resolve" | "seen" | "names">> = {},
  ) {
    this.#db = db;
    dropStaged(db);
    this.names = new EventNames(db);
    this.seen = loadSeen(db);
    this.writer = new EventWriter<I>(db, { ...options, resolve, seen: this.seen, names: this.names });
  }

  /**
   * seal returns the tail table compaction should empty next: the already sealed one if a previous
   * plan did not land, else the active one after rotating the writer away from it (null if empty).
   */
  seal(): CompactionPlan["sealed"] {
    // max(seq) reads one B-tree path (seq is the rowid); count(*) scanned the table, ~9 ms on the writer's
    // thread per seal at 50k rows.
    const last = (t: number) =>
      this.#db.query<{ s: number | null }, []>(`SELECT max(seq) AS s FROM events_tail_${t}`).get()!.s;
    const other = 1 - this.writer.table;
    const pending = last(other);
    if (pending !== null) return { table: other, upToSeq: pending };
    const active = last(this.writer.table);
    if (active === null) return null;
    return { table: this.writer.rotate(), upToSeq: active };
  }

  /** apply writes a compaction plan made by a reader in one transaction; false when it went stale. */
  apply(plan: CompactionPlan): boolean {
    return applyCompaction(this.#db, plan);
  }

  /** applyStaged is `apply` in short transactions with `pause()` between them (compaction.ts). */
  applyStaged(plan: CompactionPlan, pause: () => Promise<void>): Promise<boolean> {
    return applyCompactionStaged(this.#db, plan, pause);
  }
}

/** loadSeen collects the message hash of every stored event (segments and tail). */
function loadSeen(db: Database): ShardedHashSet64 {
  const count = db.query<{ n: number }, []>(
    `SELECT (SELECT coalesce(sum(rows), 0) FROM segments) + (SELECT count(*) FROM events_tail_0)
            + (SELECT count(*) FROM events_tail_1) AS n`,
  ).get()!.n;
  const seen = new ShardedHashSet64(Math.max(1 << 16, count * 1.05));
  const cols = db.query<{ data: Uint8Array }, [number, string]>(
    "SELECT data FROM segment_columns WHERE segment_id = ? AND name = ?",
  );
  for (const { id } of db.query<{ id: number }, []>("SELECT id FROM segments").all()) {
    const hi = decodeColumn(cols.get(id, COL.msgHi)!.data);
    const lo = decodeColumn(cols.get(id, COL.msgLo)!.data);
    for (let i = 0; i < hi.length; i++) seen.add(hi[i]!, lo[i]!);
  }
  for (const t of [0, 1]) {
    for (const r of db.query<{ h: number; l: number }, []>(`SELECT msg_hi AS h, msg_lo AS l FROM events_tail_${t}`).iterate()) {
      seen.add(r.h, r.l);
    }
  }
  return seen;
}
