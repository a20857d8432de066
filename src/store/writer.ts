/**
 * EventWriter is the group-commit writer: every ingest request appends its events and awaits the
 * commit of the transaction that contains them, so `200` is only sent for durable data. One
 * transaction serves many requests (a transaction per request was measured at ~23k ev/s; performance.md §6).
 * Memory is bounded: past `maxPending` queued events, append fails fast with `Overloaded` (→ 503).
 */
import type { Database, Statement } from "bun:sqlite";
import { EventNames } from "./event-names.ts";
import { messageHash, type Dedup } from "./dedup.ts";
import { PACK_COLUMNS, PackBuilder } from "./tail-pack.ts";

/** StoreEvent is one event as the store keeps it; `identity` is whatever the resolver consumes. */
export interface StoreEvent<I> {
  readonly source: number;
  readonly messageId: string;
  readonly event: string;
  /** Event time, ms since epoch (already skew-corrected and clamped by ingest). */
  readonly ts: number;
  readonly receivedAt: number;
  readonly props: Record<string, unknown>;
  readonly identity: I;
}

/** Tx lets code running inside a commit undo in-memory changes if the transaction rolls back. */
export interface Tx {
  readonly db: Database;
  readonly now: number;
  onRollback(undo: () => void): void;
  onCommit(apply: () => void): void;
  /**
   * beforeCommit runs `write` inside the transaction after its last event, so rows made one at a time can
   * be written together. Only the group commit offers it; without it, write at once.
   */
  readonly beforeCommit?: (write: () => void) => void;
}

/** Resolution is the identity id an event row stores, or a reason to reject the event. */
export type Resolution = number | { reject: string };

/** IdentityResolver runs inside the commit transaction, per event, in arrival order. */
export type IdentityResolver<I> = (identity: I, event: StoreEvent<I>, tx: Tx) => Resolution;

/** AppendResult reports per request what happened to each event (by index in the appended array). */
export interface AppendResult {
  readonly stored: number;
  readonly duplicates: number[];
  readonly rejected: { index: number; reason: string }[];
  /** The highest seq of the transaction that held these events (0 if it stored none): a reader that has
   * seen this seq has seen them (the live stream uses it to join its snapshot and what follows). */
  readonly lastSeq: number;
}

/** DiskRefusal: the database has refused every write since `since` (disk full, I/O error), in SQLite's words. */
export interface DiskRefusal {
  readonly since: number;
  readonly message: string;
}

/**
 * Overloaded means "retry later": the queue is full or the disk refused the write. `refused` tells the two
 * apart: a refusal lasts until someone frees space, so a batch job (import) stops instead of waiting.
 */
export class Overloaded extends Error {
  override name = "Overloaded";
  constructor(message: string, readonly retryAfterSeconds = 1, readonly refused = false) {
    super(message);
  }
}

export interface WriterOptions<I> {
  readonly resolve: IdentityResolver<I>;
  /** Which messages were stored before (loaded by the store at start). */
  readonly dedup: Dedup;
  readonly names: EventNames;
  /** Most queued events before append answers Overloaded. */
  readonly maxPending?: number;
  /** Most events per transaction. */
  readonly maxBatch?: number;
  /** How long the first queued request waits for company before the commit. */
  readonly delayMs?: number;
  readonly now?: () => number;
  /** Called after each commit with the highest seq written. */
  readonly onCommit?: (lastSeq: number, rows: number) => void;
  /**
   * Sync each group commit to the disk (SQLite `synchronous = FULL` for its transaction): acknowledged
   * events then survive a power loss too, not only a crash of the process. Measured here: 6–14% of the rate.
   */
  readonly syncEachCommit?: boolean;
  /** Called when the database starts refusing writes, and with null when a commit succeeds again. */
  readonly onRefusal?: (refusal: DiskRefusal | null) => void;
}

interface Pending<I> {
  readonly items: readonly StoreEvent<I>[];
  readonly resolve: (r: AppendResult) => void;
  readonly reject: (e: unknown) => void;
}

/**
 * Most events per pack: a commit of 5,000 events of 32 KB would otherwise be one 160 MB JSON string (and
 * SQLite's copy of it). Typical events make packs of ~400 KB.
 */
const MAX_PACK = 1000;

/** EventWriter owns every insert into events_tail. */
export class EventWriter<I> {
  readonly #db: Database;
  readonly #o: Required<Omit<WriterOptions<I>, "onCommit" | "onRefusal">> & Pick<WriterOptions<I>, "onCommit" | "onRefusal">;
  #insert!: Statement;
  readonly #pack = new PackBuilder();
  #table: 0 | 1;
  #queue: Pending<I>[] = [];
  #queued = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #closed = false;
  /** Seqs are assigned here, not by SQLite: once compaction empties the tail, rowids would restart. */
  #nextSeq: number;
  #refusal: DiskRefusal | null = null;

  constructor(db: Database, options: WriterOptions<I>) {
    this.#db = db;
    // 50k queued events bound the queue to ~100 MB of messages; 5k events per transaction keep one commit
    // (which blocks the event loop) to ~20–30 ms. A 2 ms wait for company measured best: 0 ms and 6 ms
    // both lost 7–14% of the rate (README, ingest benchmark).
    this.#o = { maxPending: 50_000, maxBatch: 5_000, delayMs: 2, now: Date.now, syncEachCommit: false, ...options };
    this.#table = db.query<{ value: 0 | 1 }, []>("SELECT value FROM store_state WHERE key = 'tail'").get()!.value;
    this.#prepare();
    this.#nextSeq = nextSeq(db);
  }

  #prepare(): void {
    // One row per commit (tail-pack.ts): a row per event cost ~2x the inserts' time on this thread.
    this.#insert = this.#db.prepare(`INSERT INTO events_tail_${this.#table} ${PACK_COLUMNS} VALUES (?, ?, ?, ?)`);
  }

  /** table is the events_tail_N the writer appends to. */
  get table(): 0 | 1 {
    return this.#table;
  }

  /** lastSeq is the highest seq committed so far. */
  get lastSeq(): number {
    return this.#nextSeq - 1;
  }

  /**
   * rotate makes the other tail table the active one and returns the sealed one; commits are
   * synchronous, so no transaction is open when this runs.
   */
  rotate(): 0 | 1 {
    const sealed = this.#table;
    this.#table = sealed === 0 ? 1 : 0;
    this.#db.query("UPDATE store_state SET value = ? WHERE key = 'tail'").run(this.#table);
    this.#prepare();
    return sealed;
  }

  /** refusal is set while the database refuses writes (the dashboard warns; ingest answers 503). */
  get refusal(): DiskRefusal | null {
    return this.#refusal;
  }

  /** pending is the number of events waiting for a commit. */
  get pending(): number {
    return this.#queued;
  }

  /** append queues events and resolves after the transaction holding them committed. */
  append(items: readonly StoreEvent<I>[]): Promise<AppendResult> {
    if (this.#closed) return Promise.reject(new Overloaded("the server is shutting down", 5));
    if (items.length === 0) return Promise.resolve({ stored: 0, duplicates: [], rejected: [], lastSeq: 0 });
    if (this.#queued + items.length > this.#o.maxPending && this.#queued > 0) {
      return Promise.reject(new Overloaded(`ingest queue full (${this.#queued} events waiting)`));
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ items, resolve, reject });
      this.#queued += items.length;
      if (this.#queued >= this.#o.maxBatch) this.#schedule(0);
      else this.#schedule(this.#o.delayMs);
    });
  }

  /** flush commits everything queued now (tests, shutdown). */
  async flush(): Promise<void> {
    while (this.#queue.length > 0) this.#commit();
  }

  /** close refuses new events and commits what is queued. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.flush();
  }

  #schedule(delay: number): void {
    if (this.#timer) {
      if (delay > 0) return;
      clearTimeout(this.#timer);
    }
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#commit();
      if (this.#queue.length > 0) this.#schedule(0);
    }, delay);
  }

  #insertPack(): void {
    const p = this.#pack.take();
    this.#insert.run(p.seq, p.n, p.cols, p.props);
  }

  /** #commit writes one transaction of whole requests (a request is never split across commits). */
  #commit(): void {
    const batch: Pending<I>[] = [];
    let n = 0;
    while (this.#queue.length > 0 && (n === 0 || n + this.#queue[0]!.items.length <= this.#o.maxBatch)) {
      const p = this.#queue.shift()!;
      batch.push(p);
      n += p.items.length;
    }
    this.#queued -= n;
    const now = this.#o.now();
    const undo: (() => void)[] = [];
    const apply: (() => void)[] = [];
    const last: (() => void)[] = [];
    const tx: Tx = {
      db: this.#db, now, onRollback: (f) => undo.push(f), onCommit: (f) => apply.push(f), beforeCommit: (f) => last.push(f),
    };
    const results: Omit<AppendResult, "lastSeq">[] = [];
    const hashes: number[] = [];
    const dedup = this.#o.dedup;
    const table = this.#table;
    const firstSeq = this.#nextSeq;
    // Set outside the transaction (SQLite refuses inside one); the WAL sync at this commit also makes every
    // earlier commit durable, so the writes between group commits keep the cheaper setting.
    const sync = this.#o.syncEachCommit;
    if (sync) this.#db.exec("PRAGMA synchronous = FULL");
    try {
      this.#db.transaction(() => {
        const pack = this.#pack;
        for (const p of batch) {
          const duplicates: number[] = [];
          const rejected: { index: number; reason: string }[] = [];
          let stored = 0;
          p.items.forEach((e, index) => {
            const [hi, lo] = messageHash(e.source, e.messageId);
            // One call both checks and claims the hash; a rejected event gives it back, and a rolled-back
            // transaction gives back all of them.
            if (!dedup.claim(table, hi, lo)) return void duplicates.push(index);
            hashes.push(hi, lo);
            const identity = this.#o.resolve(e.identity, e, tx);
            if (typeof identity !== "number") {
              dedup.release(table, hi, lo);
              hashes.length -= 2;
              return void rejected.push({ index, reason: identity.reject });
            }
            const event = this.#o.names.id(e.event, tx);
            pack.add(this.#nextSeq++, Math.round(e.ts), event, identity, e.source, hi, lo, e.receivedAt, e.props);
            stored++;
            if (pack.length === MAX_PACK) this.#insertPack();
          });
          results.push({ stored, duplicates, rejected });
        }
        if (pack.length > 0) this.#insertPack();
        for (const f of last) f();
      })();
    } catch (err) {
      this.#pack.clear();
      this.#nextSeq = firstSeq;
      for (let i = 0; i < hashes.length; i += 2) dedup.release(table, hashes[i]!, hashes[i + 1]!);
      for (const f of undo.reverse()) f();
      let e = err;
      const trouble = storageTrouble(err);
      if (trouble) {
        const message = (err as Error).message;
        e = new Overloaded(`the database refused the write (${message})`, 30, trouble === "refusal");
        if (trouble === "refusal" && !this.#refusal) {
          this.#refusal = { since: now, message };
          this.#o.onRefusal?.(this.#refusal);
        }
      }
      for (const p of batch) p.reject(e);
      return;
    } finally {
      if (sync) this.#db.exec("PRAGMA synchronous = NORMAL");
    }
    if (this.#refusal) {
      this.#refusal = null;
      this.#o.onRefusal?.(null);
    }
    for (const f of apply) f();
    const lastSeq = this.#nextSeq > firstSeq ? this.#nextSeq - 1 : 0;
    batch.forEach((p, i) => p.resolve({ ...results[i]!, lastSeq }));
    if (lastSeq > 0) this.#o.onCommit?.(lastSeq, this.#nextSeq - firstSeq);
  }
}

/** nextSeq continues after both the tail and everything compaction already moved out of it. */
function nextSeq(db: Database): number {
  const row = db
    .query<{ s: number }, []>(
      `SELECT max(coalesce((SELECT max(seq) FROM events_tail_0), 0), coalesce((SELECT max(seq) FROM events_tail_1), 0),
                  (SELECT value FROM store_state WHERE key = 'compacted_seq')) AS s`,
    )
    .get();
  return (row?.s ?? 0) + 1;
}

/** storageTrouble classifies what makes a retry later worth it: a lock held too long passes by itself, a full
 * or failing disk (a "refusal") needs someone to act. */
function storageTrouble(err: unknown): "lock" | "refusal" | null {
  const code = String((err as { code?: unknown })?.code ?? "");
  if (/SQLITE_(BUSY|LOCKED)/.test(code)) return "lock";
  return /SQLITE_(FULL|IOERR|READONLY|CANTOPEN)/.test(code) ? "refusal" : null;
}
