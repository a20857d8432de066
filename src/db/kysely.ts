/**
 * Kysely over bun:sqlite through a 20-line adapter (reference/stack.md §2c): Kysely's built-in dialect
 * silently returns no rows on Bun < 1.4 because `Statement.reader` is missing; the adapter decides from
 * `columnNames` instead and reuses Bun's per-SQL statement cache.
 */
import type { Database as BunDatabase, SQLQueryBindings } from "bun:sqlite";
import { Kysely, SqliteDialect, type SqliteDatabase, type SqliteStatement } from "kysely";
import type { Database } from "./schema.ts";

/** asKyselySqlite wraps a bun:sqlite Database in the interface Kysely's SqliteDialect expects. */
export function asKyselySqlite(db: BunDatabase): SqliteDatabase {
  return {
    close: () => db.close(),
    prepare(sqlText: string): SqliteStatement {
      const stmt = db.query(sqlText);
      const p = (x: ReadonlyArray<unknown>) => x as SQLQueryBindings[];
      return {
        reader: stmt.columnNames.length > 0,
        all: (x) => stmt.all(...p(x)),
        run: (x) => {
          const r = stmt.run(...p(x));
          return { changes: r.changes, lastInsertRowid: r.lastInsertRowid };
        },
        iterate: (x) => stmt.iterate(...p(x)),
      };
    },
  };
}

/** Kdb is the typed query builder used by every repository function. */
export type Kdb = Kysely<Database>;

/** createKysely builds a typed Kysely instance over an open bun:sqlite connection. */
export function createKysely(db: BunDatabase): Kdb {
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: asKyselySqlite(db) }) });
}
