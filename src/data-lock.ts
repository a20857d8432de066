/**
 * One writer per data directory: the identity index and the dedup set live in the writing process's
 * memory, so a second process writing the same database (a second `serve`, an `import` next to a running
 * server) would corrupt identity and duplicate events.
 *
 * The lock is a kernel lock, not a pid check: a SQLite file (`tessera.lock`) held in an exclusive
 * transaction for the life of the process. SQLite takes it with POSIX fcntl locks, which the kernel drops
 * when the process dies (kill -9 included) and which hold across pid namespaces — two containers on one
 * volume see each other, where pid 1 in one container says nothing about pid 1 in the other. The pid file
 * beside it only names the holder in the refusal.
 */
import { Database } from "bun:sqlite";
import { readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** LOCK_FILE names the pid file inside the data directory (informational; the lock is LOCK_DB). */
export const LOCK_FILE = "tessera.pid";
const LOCK_DB = "tessera.lock";

/**
 * held keeps every lock's connection reachable until released: a connection nothing refers to is closed
 * when the collector finalises it, and with it the lock (a caller that dropped the release function lost
 * its lock at a random moment).
 */
const held = new Set<Database>();

/** DataDirBusy says another process holds the data directory. */
export class DataDirBusy extends Error {
  override name = "DataDirBusy";
}

/** lockDataDir takes the lock or throws DataDirBusy naming the process that holds it; returns the release function. */
export function lockDataDir(dir: string): () => void {
  const lock = new Database(join(dir, LOCK_DB), { create: true });
  try {
    lock.exec("PRAGMA busy_timeout = 0");
    lock.exec("BEGIN EXCLUSIVE");
  } catch (e) {
    lock.close();
    if (!/locked|busy/i.test(String((e as Error).message))) throw e;
    let holder = "";
    try {
      holder = readFileSync(join(dir, LOCK_FILE), "utf8").trim();
    } catch {
      // The holder has not written its pid yet, or cannot.
    }
    throw new DataDirBusy(`another Tessera process${/^\d+$/.test(holder) ? ` (pid ${holder})` : ""} is using this data directory`);
  }
  held.add(lock);
  const pidFile = join(dir, LOCK_FILE);
  writeFileSync(pidFile, String(process.pid), { mode: 0o600 });
  return () => {
    try {
      if (readFileSync(pidFile, "utf8") === String(process.pid)) unlinkSync(pidFile);
    } catch {
      // Already gone: nothing to remove.
    }
    held.delete(lock);
    lock.close();
  };
}
