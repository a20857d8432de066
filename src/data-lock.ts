/**
 * One writer per data directory: the identity index and the dedup set live in the writing process's
 * memory, so a second process writing the same database (a second `serve`, an `import` next to a running
 * server) would corrupt identity and duplicate events. A pid file taken with O_EXCL guards it; a stale one
 * (its process is gone, e.g. after kill -9) is taken over.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";

/** LOCK_FILE names the pid file inside the data directory. */
export const LOCK_FILE = "tessera.pid";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** lockDataDir takes the lock or throws naming the process that holds it; returns the release function. */
export function lockDataDir(dir: string): () => void {
  const file = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, "wx", 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(file, "utf8") === String(process.pid)) unlinkSync(file);
        } catch {
          // Already gone: nothing to release.
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const holder = Number(readFileSync(file, "utf8").trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
        throw new Error(`another Tessera process (pid ${holder}) is using this data directory`);
      }
      unlinkSync(file);
    }
  }
  throw new Error(`cannot take the lock ${file}`);
}
