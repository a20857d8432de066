/**
 * Migrations are a static ordered list (migrations/index.ts) compiled into the binary and applied at start.
 * Each runs in its own transaction and is recorded in `_migrations`; a file scan would break inside
 * `bun build --compile` (reference/stack.md §2c).
 */
import type { Database } from "bun:sqlite";
import { migrations } from "../../migrations/index.ts";

/** Migration is one schema step; `up` must be idempotent only in the sense of running once. */
export interface Migration {
  readonly name: string;
  readonly up: (db: Database) => void;
}

/** migrate applies every migration not yet recorded and returns the names it applied. */
export function migrate(db: Database, list: readonly Migration[] = migrations): string[] {
  db.exec(
    "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT",
  );
  const done = new Set(
    db.query<{ name: string }, []>("SELECT name FROM _migrations").all().map((r) => r.name),
  );
  const known = new Set(list.map((m) => m.name));
  const unknown = [...done].filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new Error(
      `the database was migrated by a newer Tessera (unknown migrations: ${unknown.join(", ")}); upgrade the binary`,
    );
  }
  const applied: string[] = [];
  for (const m of list) {
    if (done.has(m.name)) continue;
    db.transaction(() => {
      m.up(db);
      db.query("INSERT INTO _migrations (name, applied_at) VALUES (?, ?)").run(m.name, Date.now());
    })();
    applied.push(m.name);
  }
  return applied;
}
