/**
 * EventStore assembles the writer side of the store on the one writer connection: the event-name
 * dictionary, dedup (loaded from every stored message hash at start), the group-commit writer, and the
 * application of compaction plans.
 */
import type { Database } from "bun:sqlite";
import { applyCompaction, applyCompactionStaged, dropStaged, type CompactionPlan, type Sealed } from "./compaction.ts";
import { EventNames } from "./event-names.ts";
import { Dedup, type DedupOptions } from "./dedup.ts";
import { EventWriter, type IdentityResolver, type WriterOptions } from "./writer.ts";

export class EventStore<I> {
  readonly names: EventNames;
  readonly dedup: Dedup;
  readonly writer: EventWriter<I>;
  readonly #db: Database;

  constructor(
    db: Database,
    resolve: IdentityResolver<I>,
    options: Partial<Omit<WriterOptions<I>, "resolve" | "dedup" | "names">> = {},
    dedup: DedupOptions = {},
  ) {
    this.#db = db;
    dropStaged(db);
    this.names = new EventNames(db);
    this.dedup = new Dedup(db, dedup);
    this.writer = new EventWriter<I>(db, { ...options, resolve, dedup: this.dedup, names: this.names });
  }

  /**
   * seal returns the tail table compaction should empty next: the already sealed one if a previous
   * plan did not land or did not drain it, else the active one after rotating the writer away from it
   * (null if empty).
   */
  seal(): Sealed | null {
    // max(seq) reads one B-tree path (seq is the rowid); count(*) scanned the table, ~9 ms on the writer's
    // thread per seal at 50k rows.
    const last = (t: number) =>
      this.#db.query<{ s: number | null }, []>(`SELECT max(seq) AS s FROM events_tail_${t}`).get()!.s;
    const other = this.writer.table === 0 ? 1 : 0;
    const pending = last(other);
    if (pending !== null) return { table: other, upToSeq: pending };
    const active = last(this.writer.table);
    if (active === null) return null;
    const sealed = this.writer.rotate();
    this.dedup.sealed(sealed);
    return { table: sealed, upToSeq: active };
  }

  /** apply writes a compaction plan made by a reader in one transaction; false when it went stale. */
  apply(plan: CompactionPlan): boolean {
    return this.#landed(plan, applyCompaction(this.#db, plan));
  }

  /** applyStaged is `apply` in short transactions with `pause()` between them (compaction.ts). */
  async applyStaged(plan: CompactionPlan, pause: () => Promise<void>): Promise<boolean> {
    return this.#landed(plan, await applyCompactionStaged(this.#db, plan, pause));
  }

  /**
   * #landed hands a published plan's drained tail to dedup. Until then its hashes stay in the tail's exact
   * set, which is correct either way: they are in the plan's dedup run from the moment it is published.
   */
  #landed(plan: CompactionPlan, ok: boolean): boolean {
    if (ok && plan.sealed?.drained) this.dedup.compacted(plan.sealed.table);
    return ok;
  }
}
