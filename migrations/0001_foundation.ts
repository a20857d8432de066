/** 0001_foundation: settings, dashboard users and sessions, API tokens, sources, audit log, job state. */
import type { Database } from "bun:sqlite";

export const name = "0001_foundation";

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;

    CREATE TABLE users (
      id INTEGER PRIMARY KEY,
      email TEXT NOT NULL UNIQUE,
      name TEXT,
      password_hash TEXT NOT NULL,
      role TEXT NOT NULL CHECK (role IN ('admin', 'analyst', 'operator')),
      locale TEXT,
      created_at INTEGER NOT NULL,
      disabled_at INTEGER
    ) STRICT;

    -- id is the SHA-256 of the cookie value: a stolen database does not yield live sessions.
    CREATE TABLE sessions (
      id TEXT PRIMARY KEY,
      user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      csrf TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      ip TEXT,
      user_agent TEXT
    ) STRICT;
    CREATE INDEX sessions_user ON sessions(user_id);

    -- token_hash is the SHA-256 of the bearer token; the token itself is shown once at creation.
    CREATE TABLE api_tokens (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      token_hash TEXT NOT NULL UNIQUE,
      prefix TEXT NOT NULL,
      role TEXT NOT NULL CHECK (role IN ('admin', 'analyst', 'operator')),
      created_by TEXT,
      created_at INTEGER NOT NULL,
      last_used_at INTEGER,
      revoked_at INTEGER
    ) STRICT;

    -- Write keys are looked up by keyed hash and kept encrypted so the dashboard can show them again.
    CREATE TABLE sources (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      kind TEXT NOT NULL DEFAULT 'http',
      write_key_hash TEXT NOT NULL UNIQUE,
      write_key_enc TEXT NOT NULL,
      settings TEXT NOT NULL DEFAULT '{}',
      created_at INTEGER NOT NULL,
      disabled_at INTEGER
    ) STRICT;

    CREATE TABLE audit_log (
      id INTEGER PRIMARY KEY,
      ts INTEGER NOT NULL,
      actor TEXT NOT NULL,
      action TEXT NOT NULL,
      target TEXT,
      detail TEXT,
      ip TEXT
    ) STRICT;

    CREATE TABLE jobs (
      name TEXT PRIMARY KEY,
      last_started_at INTEGER,
      last_finished_at INTEGER,
      last_status TEXT,
      last_error TEXT,
      last_duration_ms INTEGER,
      next_run_at INTEGER
    ) STRICT;
  `);
}
