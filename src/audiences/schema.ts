/**
 * The Kysely view of the audience and tag tables together (materialisation and dependency checks
 * read both). Mapped type, because Kysely's `withTables` wants an index-signature-compatible record.
 */
import type { Kysely } from "kysely";
import type { TagTables } from "../tags/tags.table.ts";
import type { AudienceTables } from "./audiences.table.ts";

/** AudienceTagTables is every table of migrations 0030 and 0031. */
export type AudienceTagTables = { [K in keyof (AudienceTables & TagTables)]: (AudienceTables & TagTables)[K] };

/** AudienceTagDb is a Kysely handle that knows those tables (the project's `Kdb` once they are in schema.ts). */
export type AudienceTagDb = Kysely<AudienceTagTables>;
