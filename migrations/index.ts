/** The ordered list of migrations the binary embeds; add one line per migration, never reorder. */
import type { Migration } from "../src/db/migrate.ts";
import * as m0001 from "./0001_foundation.ts";
import * as m0002 from "./0002_events.ts";
import * as m0040 from "./0040_identity.ts";

export const migrations: readonly Migration[] = [m0001, m0002, m0040];
