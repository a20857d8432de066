/**
 * 0030_audiences: audience packs, their compact membership (one BLOB per pack plus a person → packs
 * index maintained from diffs), size history, per-run diffs that drive audience_entered/exited
 * events, and the materialisation run/step log that makes the nightly run idempotent and resumable.
 */
import type { Database } from "bun:sqlite";

export const name = "0030_audiences";

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE audiences (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      description TEXT,
      definition TEXT NOT NULL,              -- JSON of SPEC §6, validated by src/audiences/definition.ts
      schedule TEXT,                         -- cron pattern; NULL = only on demand
      timezone TEXT,                         -- NULL = the project time zone
      status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused')),
      size INTEGER,                          -- NULL until the first computation
      last_as_of INTEGER,
      last_computed_at INTEGER,
      last_duration_ms INTEGER,
      last_error TEXT,
      next_run_at INTEGER,
      created_by TEXT,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    ) STRICT;

    -- Current membership as one sorted, delta-varint, zstd BLOB (src/audiences/membership.ts):
    -- 1M members load in milliseconds for nested-pack evaluation and CSV export.
    CREATE TABLE audience_snapshots (
      audience_id INTEGER PRIMARY KEY REFERENCES audiences(id) ON DELETE CASCADE,
      run_id INTEGER,
      as_of INTEGER NOT NULL,
      size INTEGER NOT NULL,
      members BLOB NOT NULL,
      computed_at INTEGER NOT NULL
    ) STRICT;

    -- Person → packs for the person page and campaigns; written only from diffs, so a nightly run
    -- touches the persons who entered or exited, not every member.
    CREATE TABLE audience_members (
      audience_id INTEGER NOT NULL REFERENCES audiences(id) ON DELETE CASCADE,
      person_id INTEGER NOT NULL,
      since INTEGER NOT NULL,                -- as_of of the run that added the person
      PRIMARY KEY (audience_id, person_id)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX audience_members_person ON audience_members(person_id);

    CREATE TABLE audience_sizes (
      id INTEGER PRIMARY KEY,
      audience_id INTEGER NOT NULL REFERENCES audiences(id) ON DELETE CASCADE,
      run_id INTEGER,
      as_of INTEGER NOT NULL,
      size INTEGER NOT NULL,
      entered INTEGER NOT NULL,
      exited INTEGER NOT NULL,
      computed_at INTEGER NOT NULL,
      duration_ms INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX audience_sizes_audience ON audience_sizes(audience_id, computed_at);

    -- One row per computation that changed membership; emission of the entered/exited events reads
    -- pending rows and stamps emitted_at, with message ids derived from (change id, person) so a
    -- re-emission after a crash is deduplicated by the store.
    CREATE TABLE audience_changes (
      id INTEGER PRIMARY KEY,
      audience_id INTEGER NOT NULL REFERENCES audiences(id) ON DELETE CASCADE,
      run_id INTEGER,
      as_of INTEGER NOT NULL,
      entered BLOB NOT NULL,
      exited BLOB NOT NULL,
      entered_count INTEGER NOT NULL,
      exited_count INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      emitted_at INTEGER
    ) STRICT;
    CREATE INDEX audience_changes_pending ON audience_changes(id) WHERE emitted_at IS NULL;

    -- A nightly run is unique per local day; its plan (ordered step names) and as_of are fixed at
    -- start, so a run resumed after a crash skips finished steps and computes the rest as of the
    -- same instant.
    CREATE TABLE materialise_runs (
      id INTEGER PRIMARY KEY,
      kind TEXT NOT NULL CHECK (kind IN ('nightly', 'manual')),
      day TEXT NOT NULL,
      as_of INTEGER NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
      plan TEXT NOT NULL,
      started_at INTEGER NOT NULL,
      finished_at INTEGER,
      error TEXT
    ) STRICT;
    CREATE UNIQUE INDEX materialise_runs_nightly_day ON materialise_runs(day) WHERE kind = 'nightly';

    -- A step's database effects and its 'done' mark are committed in one transaction.
    CREATE TABLE materialise_steps (
      run_id INTEGER NOT NULL REFERENCES materialise_runs(id) ON DELETE CASCADE,
      step TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
      started_at INTEGER NOT NULL,
      finished_at INTEGER,
      detail TEXT,
      error TEXT,
      PRIMARY KEY (run_id, step)
    ) STRICT, WITHOUT ROWID;
  `);
}
