/** Test fixture: a fresh migrated in-memory database and its typed Kysely handle. */
import type { Database as BunDatabase } from "bun:sqlite";
import type { Kysely } from "kysely";
import { freshDb } from "../../test/helpers.ts";
import { createKysely } from "../db/kysely.ts";
import { syncDb, type SyncDb } from "../db/sync.ts";
import type { Database } from "../db/schema.ts";

/** FeatureDatabase is the schema the audience and tag code sees. */
export type FeatureDatabase = Database;

/** featureDb returns a fresh migrated in-memory database, its typed Kysely handle and the synchronous runner over both. */
export function featureDb(): { db: BunDatabase; k: Kysely<FeatureDatabase>; s: SyncDb<FeatureDatabase> } {
  const db = freshDb();
  const k = createKysely(db);
  return { db, k, s: syncDb(db, k) };
}
