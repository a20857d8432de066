/**
 * EventNames is the dictionary of event names: events store a small integer, the name lives once here.
 * New names are inserted inside the writer's transaction and forgotten again if it rolls back.
 */
import type { Database } from "bun:sqlite";
import type { Tx } from "./writer.ts";

export class EventNames {
  readonly #byName = new Map<string, number>();
  readonly #byId = new Map<number, string>();

  constructor(db: Database) {
    for (const r of db.query<{ id: number; name: string }, []>("SELECT id, name FROM event_names").all()) {
      this.#byName.set(r.name, r.id);
      this.#byId.set(r.id, r.name);
    }
  }

  /** id returns the name's id, inserting it (inside `tx`) when new. */
  id(name: string, tx: Tx): number {
    const known = this.#byName.get(name);
    if (known !== undefined) return known;
    const row = tx.db
      .query<{ id: number }, [string, number]>("INSERT INTO event_names (name, first_seen) VALUES (?, ?) RETURNING id")
      .get(name, tx.now)!;
    this.#byName.set(name, row.id);
    this.#byId.set(row.id, name);
    tx.onRollback(() => {
      this.#byName.delete(name);
      this.#byId.delete(row.id);
    });
    return row.id;
  }

  /** lookup returns the id of a known name without inserting. */
  lookup(name: string): number | undefined {
    return this.#byName.get(name);
  }

  /** name returns the name of an id. */
  name(id: number): string | undefined {
    return this.#byId.get(id);
  }
}
