/**
 * Kysely builds, bun:sqlite runs. Multi-statement writes on the writer connection must be one
 * synchronous `db.transaction()` (docs/foundation.md): a Kysely transaction awaits between its
 * statements, and the store's group commit, which runs on the same connection, would land inside it —
 * its events then share the fate of a transaction they know nothing about (rolled back after their
 * 200 was sent). SyncDb keeps Kysely's typed builder and runs the compiled SQL synchronously, so a
 * repository function can read, decide and write inside one `transaction(() => …)`.
 *
 * @example
 * ```ts
 * const s = syncDb(db, kdb);
 * s.transaction(() => {
 *   const prev = s.first(s.k.selectFrom("audience_snapshots").select("members").where("audience_id", "=", id));
 *   s.run(s.k.insertInto("audience_sizes").values(row));
 * });
 * ```
 */
import type { Database, SQLQueryBindings } from "bun:sqlite";
import type { Compilable, Kysely } from "kysely";

/** SyncDb is a connection plus the typed builder whose queries it runs synchronously. */
export interface SyncDb<DB> {
  readonly db: Database;
  /** k only builds queries here; never `execute()` them inside `transaction`. */
  readonly k: Kysely<DB>;
  /** all runs a query (a SELECT or anything with RETURNING) and returns its rows. */
  all<R>(q: Compilable<R>): R[];
  /** first returns the first row, or undefined. */
  first<R>(q: Compilable<R>): R | undefined;
  /** run executes a statement and returns how many rows it changed. */
  run(q: Compilable<unknown>): number;
  /** transaction runs `fn` in one transaction (a savepoint when one is open) and returns its result. */
  transaction<T>(fn: () => T): T;
}

/** syncDb pairs a bun:sqlite connection with a Kysely instance over the same schema. */
export function syncDb<DB>(db: Database, k: Kysely<DB>): SyncDb<DB> {
  const prepare = (q: Compilable<unknown>) => {
    const c = q.compile();
    // db.query caches one statement per SQL text; batched writes keep the number of texts bounded (batches.ts).
    return { stmt: db.query(c.sql), params: c.parameters as SQLQueryBindings[] };
  };
  return {
    db,
    k,
    all<R>(q: Compilable<R>): R[] {
      const { stmt, params } = prepare(q);
      return stmt.all(...params) as R[];
    },
    first<R>(q: Compilable<R>): R | undefined {
      const { stmt, params } = prepare(q);
      return (stmt.get(...params) ?? undefined) as R | undefined;
    },
    run(q: Compilable<unknown>): number {
      const { stmt, params } = prepare(q);
      return stmt.run(...params).changes;
    },
    transaction<T>(fn: () => T): T {
      return db.transaction(fn)();
    },
  };
}
