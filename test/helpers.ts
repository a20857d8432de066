/** Test helpers: a fresh migrated database in one call (GoatCounter's gctest.DB). */
import type { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrate } from "../src/db/migrate.ts";
import { openReader, openWriter } from "../src/db/sqlite.ts";
import { StoreReader } from "../src/store/reader.ts";

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

/** storedValues reads one property of every stored event (repeats included) straight from a database file. */
export function storedValues(file: string, prop: string): unknown[] {
  const db = openReader(file);
  try {
    const reader = new StoreReader(db);
    return reader.read(() => {
      const out: unknown[] = [];
      for (const c of reader.chunks({ from: 0, to: 8.64e15 })) {
        const p = c.prop(prop);
        for (let i = 0; i < c.n; i++) out.push(p && p.codes[i] ? p.dict[p.codes[i]! - 1] : undefined);
      }
      return out;
    });
  } finally {
    db.close();
  }
}
