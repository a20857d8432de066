/** Test helpers: a fresh migrated database in one call (GoatCounter's gctest.DB). */
import type { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrate } from "../src/db/migrate.ts";
import { openWriter } from "../src/db/sqlite.ts";

/** freshDb returns an in-memory database with every migration applied. */
export function freshDb(): Database {
  const db = openWriter(":memory:");
  migrate(db);
  return db;
}

/** tempDir makes a scratch directory and returns it with a cleanup function. */
export function tempDir(prefix = "tessera-test-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** onFile runs `fn` against a migrated database file in a temporary directory (restarts reopen `file`). */
export async function onFile(fn: (file: string, db: Database) => Promise<void>): Promise<void> {
  const { dir, cleanup } = tempDir();
  try {
    const file = `${dir}/t.db`;
    const db = openWriter(file);
    migrate(db);
    await fn(file, db);
  } finally {
    cleanup();
  }
}
