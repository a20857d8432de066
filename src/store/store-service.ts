/**
 * StoreService runs the event store in the server: the writer on the main connection, the read side
 * (worker or local), and the compaction loop that seals a tail table, has the read side build
 * segments from it, and applies them. `compactNow()` lets tests and shutdown drive it synchronously.
 */
import type { Database } from "bun:sqlite";
import type { Crypto } from "../crypto/crypto.ts";
import { restartWal } from "../db/sqlite.ts";
import { afterEvents, paceCollections } from "../lib/gc-pacer.ts";
import { DEFAULT_COMPACTION, planBuffers, type CompactionOptions, type CompactionPlan, type Sealed } from "./compaction.ts";
import { EventStore } from "./event-store.ts";
import { localReader, workerReader, type ReaderClient } from "./reader-client.ts";
import type { IdentityResolver, WriterOptions } from "./writer.ts";

export interface StoreServiceOptions<I> {
  /** The database file, or null for an in-memory database (read side runs in-process). */
  readonly file: string | null;
  readonly resolve: IdentityResolver<I>;
  readonly compaction?: Partial<CompactionOptions>;
  readonly writer?: Partial<Omit<WriterOptions<I>, "resolve" | "dedup" | "names">>;
  readonly log?: (msg: string) => void;
  /** Opens sealed PII traits for person-property filters on the read side (without it they read as absent). */
  readonly crypto?: Crypto;
  /** WAL length in frames past which the writer restarts the WAL (tests; default in worker.ts). */
  readonly longWalFrames?: number;
}

/**
 * PACE_EVENTS: a full collection of the writer's thread is due after this many committed events, at most
 * one per tick (250 ms): at full ingest rate one a tick, under a trickle rarely, as the ~15 ms each
 * costs is only worth it when requests go through by the thousand.
 */
const PACE_EVENTS = 10_000;

export class StoreService<I> {
  readonly store: EventStore<I>;
  readonly reader: ReaderClient;
  readonly #options: CompactionOptions;
  readonly #log: (msg: string) => void;
  #rowsSinceSeal = 0;
  #lastSeal = Date.now();
  #running: Promise<void> | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;
  /** Stops the paced collections of the writer's thread. */
  #stopPacing: (() => void) | null = null;
  /** The read side is a worker (the server and the CLI): collections are paced, plans come in buffers of their own. */
  readonly #worker: boolean;
  #lastFailure: { message: string; at: number; repeats: number } | null = null;

  private constructor(store: EventStore<I>, reader: ReaderClient, opts: StoreServiceOptions<I>) {
    this.store = store;
    this.reader = reader;
    this.#options = { ...DEFAULT_COMPACTION, ...opts.compaction };
    this.#log = opts.log ?? (() => {});
    this.#worker = Boolean(opts.file);
  }

  /** open builds the writer side on `db` and starts the read side (a worker when `file` is given). */
  static async open<I>(db: Database, opts: StoreServiceOptions<I>): Promise<StoreService<I>> {
    if (!opts.file) return StoreService.#assemble(db, opts, localReader(db, opts.crypto));
    const wal = { frames: opts.longWalFrames, restart: (truncate: boolean) => restartWal(db, truncate) };
    const reader = await workerReader(opts.file, wal, opts.crypto);
    // The worker checkpoints (worker.ts): a checkpoint on this thread stalled ingestion for up to 130 ms.
    db.exec("PRAGMA wal_autocheckpoint = 0");
    return StoreService.#assemble(db, opts, reader);
  }

  /** local is `open` with the read side in this thread (in-memory databases, tests): synchronous. */
  static local<I>(db: Database, opts: Omit<StoreServiceOptions<I>, "file">): StoreService<I> {
    return StoreService.#assemble(db, { ...opts, file: null }, localReader(db, opts.crypto));
  }

  static #assemble<I>(db: Database, opts: StoreServiceOptions<I>, reader: ReaderClient): StoreService<I> {
    let service: StoreService<I> | undefined;
    const store = new EventStore<I>(db, opts.resolve, {
      ...opts.writer,
      onCommit: (seq, rows) => {
        opts.writer?.onCommit?.(seq, rows);
        if (service) service.#committed(rows);
      },
      onRefusal: (r) => {
        opts.writer?.onRefusal?.(r);
        opts.log?.(r ? `the database refuses writes (${r.message}): ingestion answers 503 until it has space again` : "the database accepts writes again");
      },
    });
    service = new StoreService(store, reader, opts);
    return service;
  }

  /** start runs compaction in the background (every second it checks whether a seal is due). */
  start(): void {
    this.#timer ??= setInterval(() => {
      if (Date.now() - this.#lastSeal >= this.#options.maxAgeMs) void this.compactNow();
    }, 1000);
    this.#timer.unref?.();
    if (this.#worker && !this.#stopPacing) {
      // Due once PACE_EVENTS were committed since the last collection (gc-pacer.ts says why it pays).
      this.#stopPacing = paceCollections(afterEvents(() => this.store.writer.lastSeq, PACE_EVENTS));
    }
  }

  /** compactNow runs one compaction cycle (or joins the one running). */
  compactNow(): Promise<void> {
    this.#running ??= this.#cycle().finally(() => (this.#running = null));
    return this.#running;
  }

  /** close commits what is queued, finishes compaction in flight and stops the read side. */
  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#stopPacing?.();
    this.#stopPacing = null;
    await this.store.writer.close();
    await this.#running;
    await this.reader.close();
  }

  /** #failed logs a compaction failure, the same one at most every 10 minutes (a full disk fails every cycle). */
  #failed(message: string): void {
    const now = Date.now();
    const last = this.#lastFailure;
    if (last && last.message === message && now - last.at < 600_000) {
      last.repeats++;
      return;
    }
    const again = last && last.message === message && last.repeats > 0 ? ` (${last.repeats} more times since the last report)` : "";
    this.#log(`compaction failed: ${message}${again}`);
    this.#lastFailure = { message, at: now, repeats: 0 };
  }

  #committed(rows: number): void {
    this.#rowsSinceSeal += rows;
    if (this.#rowsSinceSeal >= this.#options.minRows) void this.compactNow();
  }

  async #cycle(): Promise<void> {
    // A compaction writes too: while the database refuses writes it would only fail (and log) every cycle.
    // The next commit that succeeds clears the refusal and triggers a cycle again.
    if (this.store.writer.refusal) return;
    try {
      // The rows committed meanwhile count from the seal: a backlog is sealed again as soon as this one is done.
      this.#lastSeal = Date.now();
      this.#rowsSinceSeal = 0;
      // A plan takes at most maxPlanRows of the sealed tail: the next one goes on with the rest right away.
      let sealed = this.store.seal();
      while (sealed) {
        const plan = await this.#step(sealed);
        sealed = plan?.sealed && !plan.sealed.drained ? this.store.seal() : null;
      }
      // Then merges, in plans of their own: small segments, else small dedup runs; then the runs if due.
      if (await this.#step(null)) await this.#step(null);
    } catch (err) {
      this.#failed(err instanceof Error ? err.message : String(err));
    }
  }

  /** #step has the read side make one compaction plan and applies it; returns the plan if it landed. */
  async #step(sealed: Sealed | null): Promise<CompactionPlan | null> {
    const plan = await this.reader.call("compact", { sealed, options: this.#options });
    if (!plan) return null;
    // Staged: the writer's group commits go on between the plan's short transactions.
    const landed = await this.store.applyStaged(plan, nextTurn);
    if (!landed) this.#log("compaction plan went stale; retrying on the next cycle");
    // A worker's plan came with buffers of their own (moved, not copied): freed now, not at this thread's
    // next collection, or they would still be held (up to ~30 MB) while the worker plans the next one.
    if (this.#worker) for (const b of planBuffers(plan)) b.transfer(0);
    return landed ? plan : null;
  }
}

const nextTurn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
