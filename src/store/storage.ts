/**
 * What the data directory's disk holds and has left, and whether the database is refusing writes. A full
 * disk does not lose acknowledged data (a refused commit is rolled back and answered 503, and SDKs retry),
 * but it stops ingestion, so the dashboard warns before it happens and says so while it lasts.
 */
import { statfsSync, statSync } from "node:fs";
import { join } from "node:path";
import { DB_FILE } from "../db/sqlite.ts";
import type { DiskRefusal } from "./writer.ts";

/** Free space below either bound is "low": 5% of the disk, or 1 GiB on big disks' small remainders. */
const LOW_SHARE = 0.05;
const LOW_BYTES = 1024 ** 3;

export interface StorageStatus {
  /** The database file and its write-ahead log; null for an in-memory database. */
  readonly databaseBytes: number | null;
  /** Space the server's user may still write on the data directory's disk; null where it cannot be read. */
  readonly freeBytes: number | null;
  readonly totalBytes: number | null;
  readonly low: boolean;
  readonly refusing: DiskRefusal | null;
}

const sizeOf = (file: string): number | null => {
  try {
    return statSync(file).size;
  } catch {
    return null;
  }
};

/** storageStatus reads the data directory's disk now (two stat calls and a statfs: cheap enough per request). */
export function storageStatus(dataDir: string, refusing: DiskRefusal | null): StorageStatus {
  const db = sizeOf(join(dataDir, DB_FILE));
  const databaseBytes = db === null ? null : db + (sizeOf(join(dataDir, `${DB_FILE}-wal`)) ?? 0);
  let freeBytes: number | null = null;
  let totalBytes: number | null = null;
  try {
    const fs = statfsSync(dataDir);
    freeBytes = fs.bavail * fs.bsize;
    totalBytes = fs.blocks * fs.bsize;
  } catch {
    // No such directory (in-memory databases in tests) or a platform without statfs.
  }
  const low = freeBytes !== null && totalBytes !== null && (freeBytes < LOW_BYTES || freeBytes < totalBytes * LOW_SHARE);
  return { databaseBytes, freeBytes, totalBytes, low, refusing };
}
