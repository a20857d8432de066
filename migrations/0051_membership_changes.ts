/**
 * 0051_membership_changes: tag values and audience memberships are person properties of the query
 * engine (`$tag:<name>`, `$audience:<id>`, src/tags/person-properties.ts), so changing them must move
 * the worker's person columns like a trait change does: these triggers append the person to the
 * person_changes log (0050) whenever a tag value or a pack membership of theirs changes.
 */
import type { Database } from "bun:sqlite";

export const name = "0051_membership_changes";

export function up(db: Database): void {
  db.exec(`
    CREATE TRIGGER person_tags_log_insert AFTER INSERT ON person_tags
    BEGIN INSERT INTO person_changes (person_id) VALUES (new.person_id); END;

    CREATE TRIGGER person_tags_log_update AFTER UPDATE OF value, person_id ON person_tags
    WHEN old.value IS NOT new.value OR old.person_id != new.person_id
    BEGIN
      INSERT INTO person_changes (person_id) VALUES (old.person_id);
      INSERT INTO person_changes (person_id) VALUES (new.person_id);
    END;

    CREATE TRIGGER person_tags_log_delete AFTER DELETE ON person_tags
    BEGIN INSERT INTO person_changes (person_id) VALUES (old.person_id); END;

    CREATE TRIGGER audience_members_log_insert AFTER INSERT ON audience_members
    BEGIN INSERT INTO person_changes (person_id) VALUES (new.person_id); END;

    CREATE TRIGGER audience_members_log_delete AFTER DELETE ON audience_members
    BEGIN INSERT INTO person_changes (person_id) VALUES (old.person_id); END;
  `);
}
