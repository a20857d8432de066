/**
 * Database is the Kysely view of the schema, composed from per-feature `*.table.ts` files.
 * Hot paths (the ingest writer, the column store) use prepared statements instead.
 */
import type { AudienceTagTables } from "../audiences/schema.ts";
import type { IdentityTables } from "../identity/identity.table.ts";
import type { FoundationTables } from "./foundation.table.ts";

export interface Database extends FoundationTables, AudienceTagTables, IdentityTables {}
