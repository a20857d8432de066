/** Row types of migration 0001 (settings, users, sessions, tokens, sources, audit log, jobs). */
import type { Generated } from "kysely";

export type Role = "admin" | "analyst" | "operator";

export interface SettingsTable { key: string; value: string }

export interface UsersTable {
  id: Generated<number>;
  email: string;
  name: string | null;
  password_hash: string;
  role: Role;
  locale: string | null;
  created_at: number;
  disabled_at: number | null;
}

export interface SessionsTable {
  id: string;
  user_id: number;
  csrf: string;
  created_at: number;
  expires_at: number;
  ip: string | null;
  user_agent: string | null;
}

export interface ApiTokensTable {
  id: Generated<number>;
  name: string;
  token_hash: string;
  prefix: string;
  role: Role;
  created_by: string | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface SourcesTable {
  id: Generated<number>;
  name: string;
  kind: Generated<string>;
  write_key_hash: string;
  write_key_enc: string;
  settings: Generated<string>;
  created_at: number;
  disabled_at: number | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  ts: number;
  actor: string;
  action: string;
  target: string | null;
  detail: string | null;
  ip: string | null;
}

export interface JobsTable {
  name: string;
  last_started_at: number | null;
  last_finished_at: number | null;
  last_status: string | null;
  last_error: string | null;
  last_duration_ms: number | null;
  next_run_at: number | null;
  /** last_summary and last_trigger come from migration 0010. */
  last_summary: string | null;
  last_trigger: string | null;
  /** JSON of the last run's JobMessage (migration 0090). */
  last_message: string | null;
}

export interface FoundationTables {
  settings: SettingsTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  sources: SourcesTable;
  audit_log: AuditLogTable;
  jobs: JobsTable;
}
