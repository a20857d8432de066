/** Test fixture: a fresh migrated in-memory database and its typed Kysely handle. */
import type { Database as BunDatabase } from "bun:sqlite";
import type { Kysely } from "kysely";
import { freshDb } from "../../test/helpers.ts";
import { createKysely } from "../db/kysely.ts";
import type { Database } from "../db/schema.ts";

/** FeatureDatabase is the schema the audience and tag code sees. */
export type FeatureDatabase = Database;

/** featureDb returns a fresh migrated in-memory database and its typed Kysely handle. */
export function featureDb(): { db: BunDatabase; k: Kysely<FeatureDatabase> } {
  const db = freshDb();
  return { db, k: createKysely(db) };
}
