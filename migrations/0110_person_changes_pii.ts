/**
 * 0110_person_changes_pii: person-property filters read sealed PII traits (e-mail, phone) too, so a change
 * of `persons.pii` alone (a first e-mail on a person with no other traits, a new phone) must reach the
 * person_changes log like a change of `traits`. The delete trigger is unchanged.
 */
import type { Database } from "bun:sqlite";

export const name = "0110_person_changes_pii";

export function up(db: Database): void {
  db.exec(`
    DROP TRIGGER person_changes_insert;
    CREATE TRIGGER person_changes_insert AFTER INSERT ON persons WHEN new.traits != '{}' OR new.pii IS NOT NULL
    BEGIN INSERT INTO person_changes (person_id) VALUES (new.id); END;

    DROP TRIGGER person_changes_update;
    CREATE TRIGGER person_changes_update AFTER UPDATE OF traits, pii ON persons
      WHEN old.traits IS NOT new.traits OR old.pii IS NOT new.pii
    BEGIN INSERT INTO person_changes (person_id) VALUES (new.id); END;
  `);
}
