/**
 * EventStore assembles the writer side of the store on the one writer connection: the event-name
 * dictionary, the dedup set (rebuilt from every stored message hash at start), the group-commit writer,
 * and the application of compaction plans.
 */
import type { Database } from "bun:sqlite";
import { decodeColumn } from "./codec.ts";
import { applyCompaction, type CompactionPlan } from "./compaction.ts";
import { EventNames } from "./event-names.ts";
import { HashSet64 } from "./hash-set64.ts";
import { COL } from "./segment.ts";
import { EventWriter, type IdentityResolver, type WriterOptions } from "./writer.ts";

export class EventStore<I> {
  readonly names: EventNames;
  readonly seen: HashSet64;
  readonly writer: EventWriter<I>;
  readonly #db: Database;

  constructor(
    db: Database,
    resolve: IdentityResolver<I>,
    options: Partial<Omit<WriterOptions<I>, "resolve" | "seen" | "names">> = {},
  ) {
    this.#db = db;
    this.names = new EventNames(db);
    this.seen = loadSeen(db);
    this.writer = new EventWriter<I>(db, { ...options, resolve, seen: this.seen, names: this.names });
  }

  /** apply writes a compaction plan made by a reader; false when it went stale. */
  apply(plan: CompactionPlan): boolean {
    return applyCompaction(this.#db, plan);
  }
}

/** loadSeen collects the message hash of every stored event (segments and tail). */
function loadSeen(db: Database): HashSet64 {
  const count = db.query<{ n: number }, []>(
    "SELECT (SELECT coalesce(sum(rows), 0) FROM segments) + (SELECT count(*) FROM events_tail) AS n",
  ).get()!.n;
  const seen = new HashSet64(Math.max(1 << 16, count * 1.2));
  const cols = db.query<{ data: Uint8Array }, [number, string]>(
    "SELECT data FROM segment_columns WHERE segment_id = ? AND name = ?",
  );
  for (const { id } of db.query<{ id: number }, []>("SELECT id FROM segments").all()) {
    const hi = decodeColumn(cols.get(id, COL.msgHi)!.data);
    const lo = decodeColumn(cols.get(id, COL.msgLo)!.data);
    for (let i = 0; i < hi.length; i++) seen.add(hi[i]!, lo[i]!);
  }
  for (const r of db.query<{ h: number; l: number }, []>("SELECT msg_hi AS h, msg_lo AS l FROM events_tail").iterate()) {
    seen.add(r.h, r.l);
  }
  return seen;
}
