/**
 * backupDatabase writes a consistent copy of a live database with `VACUUM INTO`: it reads one snapshot
 * (WAL readers never block the writer), so ingestion keeps running during a backup, and the copy is
 * compacted and needs no -wal file beside it.
 */
import type { Database } from "bun:sqlite";
import { Database as Sqlite } from "bun:sqlite";
import { existsSync, statSync } from "node:fs";
import { integrityCheck } from "./sqlite.ts";

/** backupDatabase copies `db` into the new file `target` and checks the copy; it returns its size. */
export function backupDatabase(db: Database, target: string): { bytes: number } {
  if (existsSync(target)) throw new Error(`${target} already exists; choose a new file name`);
  db.query("VACUUM INTO ?").run(target);
  const copy = new Sqlite(target, { readonly: true });
  try {
    const problem = integrityCheck(copy);
    if (problem !== null) throw new Error(`the backup ${target} failed its integrity check: ${problem}`);
  } finally {
    copy.close();
  }
  return { bytes: statSync(target).size };
}
