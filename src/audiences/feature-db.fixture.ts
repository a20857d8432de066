/**
 * Test fixture: an in-memory database with every migration plus this feature's (0030, 0031), until
 * they are listed in migrations/index.ts; the Kysely handle knows the audience and tag tables.
 */
import type { Database as BunDatabase } from "bun:sqlite";
import type { Kysely } from "kysely";
import * as m0030 from "../../migrations/0030_audiences.ts";
import * as m0031 from "../../migrations/0031_tags.ts";
import { migrations } from "../../migrations/index.ts";
import { createKysely } from "../db/kysely.ts";
import { migrate } from "../db/migrate.ts";
import type { Database } from "../db/schema.ts";
import { openWriter } from "../db/sqlite.ts";
import type { AudienceTagTables } from "./schema.ts";

/** FeatureDatabase is the schema the audience and tag code sees. */
export type FeatureDatabase = Database & AudienceTagTables;

/** featureDb returns a fresh migrated in-memory database and its typed Kysely handle. */
export function featureDb(): { db: BunDatabase; k: Kysely<FeatureDatabase> } {
  const db = openWriter(":memory:");
  const known = new Set(migrations.map((m) => m.name));
  migrate(db, [...migrations, ...[m0030, m0031].filter((m) => !known.has(m.name))]);
  return { db, k: createKysely(db).withTables<AudienceTagTables>() };
}
