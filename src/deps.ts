/**
 * CoreDeps are the process-wide things every room receives explicitly (no globals): the writer
 * connection, Kysely over it, the configuration, the secret-key crypto, the logger and the clock.
 * Tests build them with `testDeps()` and move `now` to fake time.
 */
import type { Database } from "bun:sqlite";
import type { Config } from "./config.ts";
import type { Crypto } from "./crypto/crypto.ts";
import type { Kdb } from "./db/kysely.ts";
import type { Logger } from "./log.ts";

export interface CoreDeps {
  /** db is the one read-write bun:sqlite connection; the event store's group commit also runs on it. */
  readonly db: Database;
  /** kdb is Kysely over `db`. Keep transactions synchronous (db.transaction) so they never interleave with a group commit. */
  readonly kdb: Kdb;
  readonly config: Config;
  readonly crypto: Crypto;
  readonly log: Logger;
  /** now is the clock in epoch milliseconds. */
  readonly now: () => number;
}
