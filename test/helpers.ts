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
