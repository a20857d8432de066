/**
 * ReaderClient calls read-side operations: in the store worker when the database is a file, in the
 * calling thread when it is in memory (a worker cannot open another thread's in-memory database).
 */
import type { Database } from "bun:sqlite";
import type { Crypto } from "../crypto/crypto.ts";
import { StoreReader } from "./reader.ts";
import { callOp, type OpArgs, type OpName, type OpResult } from "./reader-ops.ts";
import type { WorkerRequest, WorkerResponse } from "./worker.ts";

export interface ReaderClient {
  call<K extends OpName>(op: K, args: OpArgs<K>): Promise<OpResult<K>>;
  close(): Promise<void>;
}

/** localReader runs operations synchronously on the given connection. */
export function localReader(db: Database, crypto?: Crypto): ReaderClient {
  const reader = new StoreReader(db, crypto && ((s) => crypto.decrypt(s)));
  return {
    call: async (op, args) => callOp(reader, op, args),
    close: async () => {},
  };
}

/**
 * WalUpkeep restarts the WAL from the writer connection when the worker's checkpoints ask: it is longer
 * than `frames` (default in worker.ts), or it went idle and its file should shrink (`truncate`).
 */
export interface WalUpkeep {
  readonly frames?: number;
  readonly restart: (truncate: boolean) => void;
}

/**
 * workerReader starts the store worker on `file` and resolves once it has opened it. The worker also
 * checkpoints the WAL, so the caller should turn the writer's automatic checkpoints off and pass `wal`.
 */
export async function workerReader(file: string, wal?: WalUpkeep, crypto?: Crypto): Promise<ReaderClient> {
  // Inside the compiled binary every module is bundled at the root of src/, while the worker keeps its
  // own entry point at store/worker.ts (scripts/build.ts lists it).
  const compiled = import.meta.url.includes("/$bunfs/");
  const worker = new Worker(new URL(compiled ? "./store/worker.ts" : "./worker.ts", import.meta.url).href);
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 1;
  worker.onmessage = (e: MessageEvent<WorkerResponse>) => {
    if ("wal" in e.data) {
      wal?.restart(e.data.wal === "truncate");
      return worker.postMessage({ id: -1, walDone: true } satisfies WorkerRequest);
    }
    const w = waiting.get(e.data.id);
    if (!w) return;
    waiting.delete(e.data.id);
    if (e.data.ok) w.resolve(e.data.value);
    else w.reject(new Error(e.data.error));
  };
  worker.onerror = (e) => {
    for (const w of waiting.values()) w.reject(new Error(`store worker failed: ${e.message}`));
    waiting.clear();
  };
  const send = (msg: WorkerRequest) =>
    new Promise<unknown>((resolve, reject) => {
      waiting.set(msg.id, { resolve, reject });
      worker.postMessage(msg);
    });
  await send({ id: 0, init: file, longWalFrames: wal?.frames, openingKey: crypto?.openingKey() });
  return {
    call: (op, args) => send({ id: next++, op, args }) as Promise<never>,
    close: async () => {
      await send({ id: next++, close: true });
      worker.terminate();
    },
  };
}
