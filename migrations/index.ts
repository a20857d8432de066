/** The ordered list of migrations the binary embeds; add one line per migration, never reorder. */
import type { Migration } from "../src/db/migrate.ts";
import * as m0001 from "./0001_foundation.ts";
import * as m0002 from "./0002_events.ts";
import * as m0010 from "./0010_jobs_extra.ts";
import * as m0020 from "./0020_ingest_stats.ts";
import * as m0030 from "./0030_audiences.ts";
import * as m0031 from "./0031_tags.ts";
import * as m0040 from "./0040_identity.ts";
import * as m0050 from "./0050_person_changes.ts";
import * as m0051 from "./0051_membership_changes.ts";
import * as m0060 from "./0060_insights.ts";
import * as m0070 from "./0070_segment_staging.ts";
import * as m0080 from "./0080_dedup_runs.ts";
import * as m0090 from "./0090_job_message.ts";
import * as m0100 from "./0100_tail_packs.ts";
import * as m0110 from "./0110_person_changes_pii.ts";

export const migrations: readonly Migration[] = [m0001, m0002, m0010, m0020, m0030, m0031, m0040, m0050, m0051, m0060, m0070, m0080, m0090, m0100, m0110];
