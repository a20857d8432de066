/** Row types of migration 0030 (audience packs, membership, sizes, changes, materialisation runs). */
import type { Generated } from "kysely";

export interface AudiencesTable {
  id: Generated<number>;
  name: string;
  description: string | null;
  definition: string;
  schedule: string | null;
  timezone: string | null;
  status: Generated<"active" | "paused">;
  size: number | null;
  last_as_of: number | null;
  last_computed_at: number | null;
  last_duration_ms: number | null;
  last_error: string | null;
  next_run_at: number | null;
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

export interface AudienceSnapshotsTable {
  audience_id: number;
  run_id: number | null;
  as_of: number;
  size: number;
  members: Uint8Array;
  computed_at: number;
}

export interface AudienceMembersTable {
  audience_id: number;
  person_id: number;
  since: number;
}

export interface AudienceSizesTable {
  id: Generated<number>;
  audience_id: number;
  run_id: number | null;
  as_of: number;
  size: number;
  entered: number;
  exited: number;
  computed_at: number;
  duration_ms: number;
}

export interface AudienceChangesTable {
  id: Generated<number>;
  audience_id: number;
  run_id: number | null;
  as_of: number;
  entered: Uint8Array;
  exited: Uint8Array;
  entered_count: number;
  exited_count: number;
  created_at: number;
  emitted_at: number | null;
}

export type RunKind = "nightly" | "manual";
export type RunStatus = "running" | "done" | "failed";

export interface MaterialiseRunsTable {
  id: Generated<number>;
  kind: RunKind;
  day: string;
  as_of: number;
  status: RunStatus;
  plan: string;
  started_at: number;
  finished_at: number | null;
  error: string | null;
}

export interface MaterialiseStepsTable {
  run_id: number;
  step: string;
  status: RunStatus;
  started_at: number;
  finished_at: number | null;
  detail: string | null;
  error: string | null;
}

/** AudienceTables is this feature's part of the Kysely `Database` interface. */
export interface AudienceTables {
  audiences: AudiencesTable;
  audience_snapshots: AudienceSnapshotsTable;
  audience_members: AudienceMembersTable;
  audience_sizes: AudienceSizesTable;
  audience_changes: AudienceChangesTable;
  materialise_runs: MaterialiseRunsTable;
  materialise_steps: MaterialiseStepsTable;
}
