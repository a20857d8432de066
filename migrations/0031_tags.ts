/**
 * 0031_tags: the tag catalogue (groups, manual / rule / computed tags, boolean or value-carrying),
 * person tags with indexes for tag → persons, tag = value → persons and person → tags, and the
 * per-run value changes that become events such as lifecycle_changed.
 */
import type { Database } from "bun:sqlite";

export const name = "0031_tags";

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE tag_groups (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      description TEXT,
      position INTEGER NOT NULL DEFAULT 0,
      created_at INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE tags (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,             -- what definitions reference: {"kind":"tag","tag":name}
      label TEXT,                            -- display name, e.g. 高消费力
      description TEXT,
      group_id INTEGER REFERENCES tag_groups(id) ON DELETE SET NULL,
      kind TEXT NOT NULL CHECK (kind IN ('manual', 'rule', 'computed')),
      value_type TEXT NOT NULL CHECK (value_type IN ('boolean', 'string')),
      definition TEXT,                       -- rule: audience definition JSON; computed: ComputedSpec JSON
      emit_event TEXT,                       -- event name emitted on value changes (lifecycle_changed)
      coverage INTEGER NOT NULL DEFAULT 0,   -- persons carrying the tag
      last_computed_at INTEGER,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      CHECK ((kind = 'manual') = (definition IS NULL))
    ) STRICT;

    CREATE TABLE person_tags (
      tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
      person_id INTEGER NOT NULL,
      value TEXT,                            -- NULL for boolean tags
      source TEXT NOT NULL,                  -- manual | import | rule | computed | connector:<name>
      updated_at INTEGER NOT NULL,
      PRIMARY KEY (tag_id, person_id)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX person_tags_person ON person_tags(person_id);
    CREATE INDEX person_tags_value ON person_tags(tag_id, value);

    -- Value changes of tags with emit_event, written in the step that recomputes the tag and
    -- stamped when emitted (message ids from (run, tag, person) make re-emission harmless).
    CREATE TABLE tag_changes (
      run_id INTEGER NOT NULL,
      tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
      person_id INTEGER NOT NULL,
      old_value TEXT,
      new_value TEXT,
      emitted_at INTEGER,
      PRIMARY KEY (run_id, tag_id, person_id)
    ) STRICT, WITHOUT ROWID;
  `);
}
