/**
 * The store worker: a read-only connection, the column cache and the CPU-heavy read work (queries,
 * compaction planning) on the second core, so ingestion on the main thread never waits for a scan.
 * It also runs the WAL checkpoints: copying the WAL into the database took 40–130 ms per checkpoint on
 * the writer's thread (event-loop stalls that were the ingest p99), here it costs the writer nothing.
 */
import { Database } from "bun:sqlite";
import { openReader } from "../db/sqlite.ts";
import { StoreReader } from "./reader.ts";
import { callOp, type OpName, type OpResult } from "./reader-ops.ts";

declare const self: Worker;

/** WorkerRequest is one call from the main thread. */
export type WorkerRequest = { id: number; op: OpName; args: unknown } | { id: 0; init: string } | { id: number; close: true };
/** WorkerResponse answers one call. */
export type WorkerResponse = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

let reader: StoreReader | null = null;
let readerDb: Database | null = null;
let checkpoints: { db: Database; timer: ReturnType<typeof setInterval> } | null = null;

/** CHECKPOINT_MS is how often the worker copies committed WAL frames into the database file. */
const CHECKPOINT_MS = 200;

/**
 * A compaction plan of this many rows is followed by a full collection of the worker's heap: planning
 * parses and re-encodes every row, and left to its own pace the heap held that garbage for seconds. Measured
 * at 4M ingested events, the process's peak RSS went from ~550–600 MB to ~470–490 MB, for ~23 ms of this
 * thread per plan (queries wait that long at most; ingestion does not wait at all).
 */
const GC_AFTER_ROWS = 50_000;

function plannedRows(plan: OpResult<"compact">): number {
  return plan?.segments.reduce((n, s) => n + s.rows, 0) ?? 0;
}

/**
 * startCheckpoints checkpoints from a connection of its own: PASSIVE never waits for the writer or
 * readers, and once a pass has caught up the writer restarts the WAL from its beginning.
 */
function startCheckpoints(file: string): void {
  const db = new Database(file, { strict: true });
  db.exec("PRAGMA busy_timeout = 0");
  const timer = setInterval(() => {
    try {
      db.query("PRAGMA wal_checkpoint(PASSIVE)").get();
    } catch {
      // Busy: the next tick tries again.
    }
  }, CHECKPOINT_MS);
  checkpoints = { db, timer };
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

self.onmessage = (e: MessageEvent<WorkerRequest>) => {
  const msg = e.data;
  if ("init" in msg) {
    readerDb = openReader(msg.init);
    reader = new StoreReader(readerDb);
    startCheckpoints(msg.init);
    self.postMessage({ id: 0, ok: true, value: null } satisfies WorkerResponse);
    return;
  }
  if ("close" in msg) {
    closeAll();
    self.postMessage({ id: msg.id, ok: true, value: null } satisfies WorkerResponse);
    return;
  }
  try {
    if (!reader) throw new Error("store worker used before init");
    const value = callOp(reader, msg.op, msg.args as never);
    self.postMessage({ id: msg.id, ok: true, value } satisfies WorkerResponse);
    if (msg.op === "compact" && plannedRows(value as OpResult<"compact">) >= GC_AFTER_ROWS) Bun.gc(true);
  } catch (err) {
    self.postMessage({ id: msg.id, ok: false, error: err instanceof Error ? err.message : String(err) } satisfies WorkerResponse);
  }
};
