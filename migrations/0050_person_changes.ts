/**
 * 0050_person_changes: a log of persons whose traits changed, so the query worker refreshes its
 * person-property columns incrementally (one indexed read per query instead of re-reading 1M trait
 * documents). Triggers keep it without the identity room having to remember: an insert with traits
 * and an update that changes them append the person id. Deleting a person (a privacy request)
 * removes every row naming them and appends a row for person 0 (nobody): the gap it leaves makes
 * readers reload their columns, and `seq` — the plain rowid — keeps growing, so a reader never
 * takes a new row for one it has read. Pruning (the prune job) always keeps the newest row too.
 */
import type { Database } from "bun:sqlite";

export const name = "0050_person_changes";

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE person_changes (
      seq INTEGER PRIMARY KEY,
      person_id INTEGER NOT NULL
    ) STRICT;

    CREATE TRIGGER person_changes_insert AFTER INSERT ON persons WHEN new.traits != '{}'
    BEGIN INSERT INTO person_changes (person_id) VALUES (new.id); END;

    CREATE TRIGGER person_changes_update AFTER UPDATE OF traits ON persons WHEN old.traits IS NOT new.traits
    BEGIN INSERT INTO person_changes (person_id) VALUES (new.id); END;

    CREATE TRIGGER person_changes_delete AFTER DELETE ON persons
    BEGIN
      DELETE FROM person_changes WHERE person_id = old.id;
      INSERT INTO person_changes (person_id) VALUES (0);
    END;
  `);
}
