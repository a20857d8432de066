/**
 * 0040_identity: the identity graph around the `persons` / `identities` / `identity_changes` tables of 0002
 * (src/identity/README.md). Edges are an append-only log so a wrong merge can be undone by recomputing one
 * component; conflicts are links the guards refused; suppressions hold keyed hashes only, never values.
 */
import type { Database } from "bun:sqlite";

export const name = "0040_identity";

export function up(db: Database): void {
  db.exec(`
    -- pii: AES-GCM sealed JSON of the PII traits (email, phone); traits holds the rest in clear for search.
    -- trait_meta: per trait {t: event time, s: source id, op: set|set_once|unset, i: identity id}.
    ALTER TABLE persons ADD COLUMN pii TEXT;
    ALTER TABLE persons ADD COLUMN trait_meta TEXT NOT NULL DEFAULT '{}';
    -- Only merged persons are indexed: "who was merged into X" without a per-insert index cost.
    CREATE INDEX persons_merged_into ON persons(merged_into) WHERE merged_into IS NOT NULL;

    -- flags: 1 = junk value (stored for the events that carry only it, never linked).
    -- origin_person: the person the identity was created in; an unmerge uses it to restore a merged person.
    -- link_to / link_kind: the edge that attached this identity when it was first seen (to the identifier it
    -- arrived with). Most links are such attachments; keeping them in the row saves an insert per new link.
    ALTER TABLE identities ADD COLUMN flags INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE identities ADD COLUMN origin_person INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE identities ADD COLUMN source INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE identities ADD COLUMN link_to INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE identities ADD COLUMN link_kind TEXT;

    -- The rest of the edge log, a < b: links between two identifiers that already existed (merges), admin
    -- links, and every removed edge (an attachment moves here when an admin removes it). Only b is indexed:
    -- an index on a as well fell from 1M to 155k inserts/s at 6M rows. Every live edge of a person has its b
    -- among the person's identities, so b alone finds a component's edges.
    CREATE TABLE identity_edges (
      id INTEGER PRIMARY KEY,
      a INTEGER NOT NULL,
      b INTEGER NOT NULL,
      kind TEXT NOT NULL,
      source INTEGER NOT NULL,
      ts INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      removed_at INTEGER,
      removed_by TEXT
    ) STRICT;
    CREATE INDEX identity_edges_b ON identity_edges(b);

    -- A link the guards refused (different user_ids, a namespace cap, size, an admin's unmerge); one row per
    -- pair: a is the identifier the event was sent with, b the one it could not be linked to.
    CREATE TABLE identity_conflicts (
      id INTEGER PRIMARY KEY,
      a INTEGER NOT NULL,
      b INTEGER NOT NULL,
      reason TEXT NOT NULL,
      kind TEXT NOT NULL,
      source INTEGER NOT NULL,
      ts INTEGER NOT NULL,
      created_at INTEGER NOT NULL
    ) STRICT;

    -- value_hash is the keyed fingerprint of (ns, value); the value itself is gone with the person.
    CREATE TABLE identity_suppressions (
      id INTEGER PRIMARY KEY,
      ns TEXT NOT NULL,
      value_hash TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      UNIQUE (ns, value_hash)
    ) STRICT;

    -- Counters that must never go backwards after a deletion (identity ids, person ids and change seqs are
    -- read incrementally by the store reader; reusing one would attach new events to a deleted person).
    CREATE TABLE identity_state (key TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
  `);
}
