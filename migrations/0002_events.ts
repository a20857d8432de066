/**
 * 0002_events: the event store (docs/architecture.md "The event store").
 * `events_tail_0/1` are append-only with no secondary index (inserts stay flat as it grows); compaction moves
 * its rows into immutable columnar `segments`. `identities` maps every identifier to its current person.
 */
import type { Database } from "bun:sqlite";

export const name = "0002_events";

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE event_names (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      first_seen INTEGER NOT NULL
    ) STRICT;

    -- Two tail tables take turns: the writer appends to the active one while compaction empties the
    -- sealed one with a whole-table DELETE (7-10x cheaper than deleting a rowid range, measured).
    ${[0, 1].map((n) => `
    CREATE TABLE events_tail_${n} (
      seq INTEGER PRIMARY KEY,
      ts INTEGER NOT NULL,
      event INTEGER NOT NULL,
      identity INTEGER NOT NULL,
      source INTEGER NOT NULL,
      msg_hi INTEGER NOT NULL,
      msg_lo INTEGER NOT NULL,
      received_at INTEGER NOT NULL,
      props TEXT NOT NULL
    ) STRICT;`).join("\n")}

    -- One segment holds the events of one UTC day, sorted by (event, identity, ts). directory is JSON:
    -- {"events": {"<eventId>": [firstRow, rowCount, [count per UTC hour x 24], [property keys]]}}.
    -- Columns are named ts, identity, source, msg_hi, msg_lo, and p:<key> / d:<key> per property key.
    CREATE TABLE segments (
      id INTEGER PRIMARY KEY,
      day INTEGER NOT NULL,
      rows INTEGER NOT NULL,
      min_ts INTEGER NOT NULL,
      max_ts INTEGER NOT NULL,
      directory TEXT NOT NULL,
      bytes INTEGER NOT NULL,
      created_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX segments_day ON segments(day);

    CREATE TABLE segment_columns (
      segment_id INTEGER NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
      name TEXT NOT NULL,
      data BLOB NOT NULL,
      PRIMARY KEY (segment_id, name)
    ) STRICT;

    -- compacted_seq: every tail row with seq <= it lives in a segment (and was deleted from the tail).
    -- version: bumped whenever the set of segments changes; epoch: bumped when events are deleted.
    CREATE TABLE store_state (key TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
    -- tail: which events_tail_N the writer appends to.
    INSERT INTO store_state (key, value) VALUES ('compacted_seq', 0), ('version', 0), ('epoch', 0), ('tail', 0);

    CREATE TABLE persons (
      id INTEGER PRIMARY KEY,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      merged_into INTEGER,
      traits TEXT NOT NULL DEFAULT '{}'
    ) STRICT;

    -- value_hash: keyed hash of (ns, value) for lookups; value is encrypted for PII namespaces.
    CREATE TABLE identities (
      id INTEGER PRIMARY KEY,
      ns TEXT NOT NULL,
      value_hash TEXT NOT NULL,
      value TEXT NOT NULL,
      person_id INTEGER NOT NULL,
      first_seen INTEGER NOT NULL
    ) STRICT;

    -- Every re-pointing of an identity to another person (merge, split) is logged so readers can
    -- refresh their identity → person map incrementally.
    CREATE TABLE identity_changes (
      seq INTEGER PRIMARY KEY,
      identity_id INTEGER NOT NULL,
      person_id INTEGER NOT NULL
    ) STRICT;
  `);
}
