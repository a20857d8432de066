/**
 * The store worker: a read-only connection, the column cache and the CPU-heavy read work (queries,
 * compaction planning) on the second core, so ingestion on the main thread never waits for a scan.
 * It also runs the WAL checkpoints: copying the WAL into the database took 40–130 ms per checkpoint on
 * the writer's thread (event-loop stalls that were the ingest p99), here it costs the writer nothing.
 */
import { Database } from "bun:sqlite";
import { statSync } from "node:fs";
import { opener } from "../crypto/crypto.ts";
import { openReader } from "../db/sqlite.ts";
import { afterEvents } from "../lib/gc-pacer.ts";
import { planBuffers } from "./compaction.ts";
import { StoreReader } from "./reader.ts";
import { callOp, type OpName, type OpResult } from "./reader-ops.ts";

declare const self: Worker;

/** OpRequest asks for one read operation (reader-ops.ts). */
type OpRequest = { id: number; op: OpName; args: unknown };
/** WorkerRequest is one call from the main thread. */
export type WorkerRequest =
  | OpRequest
  | { id: 0; init: string; longWalFrames?: number; openingKey?: Uint8Array }
  | { id: number; close: true }
  | { id: -1; walDone: true };
/** WorkerResponse answers one call; `wal` (id -1) is unasked: the WAL wants a restart, see startCheckpoints. */
export type WorkerResponse =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: string }
  | { id: -1; wal: "restart" | "truncate" };

let reader: StoreReader | null = null;
let readerDb: Database | null = null;
let checkpoints: { db: Database; timer: ReturnType<typeof setInterval>; tick: () => void; last: number } | null = null;
/**
 * Operations that arrived while the writer restarts the WAL (null otherwise): a read transaction here
 * would make the restart give up, and under a stream of queries the WAL had grown past 500 MB.
 */
let held: OpRequest[] | null = null;
/** HOLD_MS bounds the wait for the writer's answer. */
const HOLD_MS = 500;
let holdTimer: ReturnType<typeof setTimeout> | undefined;

/** CHECKPOINT_MS is how often the worker copies committed WAL frames into the database file. */
const CHECKPOINT_MS = 200;

/**
 * Compaction plans of this many rows and hashes in all are followed by a full collection of the worker's
 * heap: planning parses and re-encodes every row, and left to its own pace the heap held that garbage for
 * seconds. Measured at 4M ingested events, the process's peak RSS went from ~550–600 MB to ~470–490 MB, for
 * ~23 ms of this thread per plan (queries wait that long at most; ingestion does not wait at all). Counted
 * across plans: with plans of 32k rows the heap grew from 9 to 57 MB over five plans when each was judged
 * alone; at 50k, a merge that followed a partial tail plan of ~15k rows started on its garbage (+10 MB).
 */
const GC_AFTER_ROWS = 25_000;
let plannedTotal = 0;
const collectionDue = afterEvents(() => plannedTotal, GC_AFTER_ROWS);

/** planned counts a plan's segment rows and dedup run hashes. */
function planned(plan: OpResult<"compact">): number {
  return (plan?.segments.reduce((n, s) => n + s.rows, 0) ?? 0) + (plan?.runs.reduce((n, r) => n + r.hashes, 0) ?? 0);
}

/**
 * LONG_WAL_FRAMES: past this many frames (256 MB of 4 KB pages) the WAL is long. Restarting it costs the
 * writer's thread a few milliseconds (the checkpoint copies what this thread has not, and syncs the WAL and
 * the database file): at 64 MB that was a stall every second at full ingest rate, at 256 MB one every ~4 s.
 */
const LONG_WAL_FRAMES = 65_536;

/**
 * startCheckpoints checkpoints from a connection of its own: PASSIVE never waits for the writer or
 * readers. SQLite starts the WAL over only when a write transaction begins with every frame already
 * copied, which under continuous ingestion (a group commit every few milliseconds) almost never happens:
 * the WAL grew to 2.9 GB over 10M events, measured, beside a 320 MB database. So when a pass leaves a
 * long WAL, the worker tells the main thread, whose writer connection restarts it between two of its
 * transactions (restartWal in db/sqlite.ts), having only the frames committed since this pass to copy.
 * A RESTART from this connection instead would make a writer transaction that had read before its first
 * write fail with SQLITE_BUSY_SNAPSHOT (seen: a compaction publish failing with "database is locked").
 * Until the writer answers, this thread starts no read transaction (`held`) and no checkpoint. (A RESTART
 * checkpoint does not start the WAL over itself: it makes sure the next write transaction will.) The
 * restarted file keeps its size, to be written over; once nothing was committed for a tick and the file
 * is over a quarter of the long length, the writer truncates it (cheap then: nothing to copy).
 * A tick also runs after any operation when one is due: under a stream of queries (two dashboards
 * refreshing) the interval's timer did not fire for 13 s, and the WAL grew past 500 MB.
 */
function startCheckpoints(file: string, longWalFrames: number): void {
  const db = new Database(file, { strict: true });
  db.exec("PRAGMA busy_timeout = 0");
  const idleBytes = (longWalFrames * 4096) / 4;
  let lastLog = -1;
  const ask = (wal: "restart" | "truncate") => {
    held ??= [];
    holdTimer = setTimeout(release, HOLD_MS);
    self.postMessage({ id: -1, wal } satisfies WorkerResponse);
  };
  const tick = () => {
    if (held) return;
    if (checkpoints) checkpoints.last = performance.now();
    try {
      const wal = db.query<{ log: number; checkpointed: number }, []>("PRAGMA wal_checkpoint(PASSIVE)").get();
      if (!wal) return;
      const idle = wal.log === lastLog && wal.checkpointed === wal.log;
      lastLog = wal.log;
      // Idle first: a RESTART checkpoint only lets the next write start the WAL over, and none comes.
      if (idle && (statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0) > idleBytes) ask("truncate");
      else if (wal.log >= longWalFrames) {
        // One more pass copies what the writer committed during this one and syncs the WAL: the writer's
        // restart then has only a few milliseconds of frames left to copy and sync (measured: 3.5–11 ms on
        // its thread instead of 11–45 ms).
        db.query("PRAGMA wal_checkpoint(PASSIVE)").get();
        ask("restart");
      }
    } catch {
      // Busy: the next tick tries again.
    }
  };
  checkpoints = { db, timer: setInterval(tick, CHECKPOINT_MS), tick, last: performance.now() };
}

/**
 * closeAll closes the worker's connections before it is terminated: while they are open the writer's final
 * `wal_checkpoint(TRUNCATE)` at shutdown cannot empty the WAL.
 */
function closeAll(): void {
  if (checkpoints) {
    clearInterval(checkpoints.timer);
    checkpoints.db.close();
    checkpoints = null;
  }
  readerDb?.close();
  readerDb = null;
  reader = null;
}

/** release runs the operations held while the writer restarted the WAL, in their order (a new hold keeps the rest). */
function release(): void {
  clearTimeout(holdTimer);
  const ops = held ?? [];
  held = null;
  for (const op of ops) {
    const again = held as OpRequest[] | null; // run() may have asked for another restart
    if (again) again.push(op);
    else run(op);
  }
}

function run(msg: OpRequest): void {
  try {
    if (!reader) throw new Error("store worker used before init");
    const value = callOp(reader, msg.op, msg.args as never);
    const plan = msg.op === "compact" ? (value as OpResult<"compact">) : null;
    // The plan's buffers move to the writer instead of being copied (a full run merge is 16 MB).
    self.postMessage({ id: msg.id, ok: true, value } satisfies WorkerResponse, plan ? planBuffers(plan) : []);
    plannedTotal += planned(plan);
    if (plan && collectionDue()) Bun.gc(true);
  } catch (err) {
    self.postMessage({ id: msg.id, ok: false, error: err instanceof Error ? err.message : String(err) } satisfies WorkerResponse);
  }
  if (checkpoints && performance.now() - checkpoints.last >= CHECKPOINT_MS) checkpoints.tick();
}

self.onmessage = (e: MessageEvent<WorkerRequest>) => {
  const msg = e.data;
  if ("walDone" in msg) return release();
  if ("init" in msg) {
    readerDb = openReader(msg.init);
    reader = new StoreReader(readerDb, msg.openingKey ? opener(msg.openingKey) : undefined);
    startCheckpoints(msg.init, msg.longWalFrames ?? LONG_WAL_FRAMES);
    self.postMessage({ id: 0, ok: true, value: null } satisfies WorkerResponse);
    return;
  }
  if ("close" in msg) {
    release();
    closeAll();
    self.postMessage({ id: msg.id, ok: true, value: null } satisfies WorkerResponse);
    return;
  }
  if (held) held.push(msg);
  else run(msg);
};
