/**
 * Opening SQLite connections with the pragmas measured in reference/stack.md §2b.
 * One writer connection owns every write (group commit); readers are read-only and may live in workers.
 */
import { Database } from "bun:sqlite";

/** DB_FILE is the main database's file name inside the data directory. */
export const DB_FILE = "tessera.db";

// No mmap: mapped pages count in the process RSS (budget: 300 MB while ingesting), and the OS page cache
// serves re-reads just as well here (performance.md §2b: mmap only helped the first, cold run).
// Page caches stay small for the same reason; the analytic working set lives in the column cache. 4 MB
// rather than 16: in alternated 3M-event ingest runs it took ~25 MB off the RSS at the same rate, and the
// query benchmark's analyses (2M events) ran no slower (README, ingest benchmark).
const BUSY_TIMEOUT_MS = 10_000;

function common(db: Database): void {
  // busy_timeout first, so the connection waits instead of failing while another one switches to WAL.
  db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.exec("PRAGMA temp_store = MEMORY");
  db.exec("PRAGMA cache_size = -4096");
}

/** openWriter opens (creating if needed) the one read-write connection of the process. */
export function openWriter(file: string): Database {
  const db = new Database(file, { create: true, strict: true });
  common(db);
  if (file !== ":memory:") db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA foreign_keys = ON");
  // Above the 256 MB at which the WAL is restarted (restartWal): the file keeps its size and is written over
  // again. At 64 MB, the commit after each restart truncated ~200 MB, up to 90 ms on the writer's thread.
  db.exec("PRAGMA journal_size_limit = 335544320");
  // The server checkpoints from the store worker instead (src/store/worker.ts); this default serves the
  // CLI and tests, where nothing else would.
  db.exec("PRAGMA wal_autocheckpoint = 1000");
  return db;
}

/** openReader opens a read-only connection for analytic queries (never blocks the writer under WAL). */
export function openReader(file: string): Database {
  const db = new Database(file, { readonly: true, strict: true });
  common(db);
  return db;
}

/** integrityCheck runs SQLite's quick check and returns null when the file is sound. */
export function integrityCheck(db: Database): string | null {
  const row = db.query<{ quick_check: string }, []>("PRAGMA quick_check(1)").get();
  return row && row.quick_check !== "ok" ? row.quick_check : null;
}

/**
 * restartWal copies what is left of the WAL into the database so that the next write starts the WAL over
 * (with `truncate`, it starts it over at once and empties its file), from the writer connection between
 * its transactions: the store worker asks when its checkpoints leave a long WAL, or an idle one in a large
 * file. It never waits: a reader inside a read transaction on an older snapshot makes it give up (false),
 * and the next request tries again.
 */
export function restartWal(db: Database, truncate = false): boolean {
  try {
    if (db.inTransaction) return false;
    db.exec("PRAGMA busy_timeout = 0");
    try {
      return db.query<{ busy: number }, []>(`PRAGMA wal_checkpoint(${truncate ? "TRUNCATE" : "RESTART"})`).get()?.busy === 0;
    } finally {
      db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
  } catch {
    // Closed (shutdown) or refused (a full disk): the WAL stays as it is.
    return false;
  }
}
