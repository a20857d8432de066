/**
 * Completes a PopulationData (persons, traits, events from the store and identity rooms) into a
 * Population by answering `tag` and `audience` leaves from this feature's tables, as they stand when
 * first asked — so within a nightly run a pack sees the tags and packs computed before it. `s` runs
 * on the same snapshot as the data (the store worker's read connection).
 */
import type { SyncDb } from "../db/sync.ts";
import { tagMembers } from "../tags/tags.repo.ts";
import { readSnapshot } from "./audiences.repo.ts";
import { addRow, emptySet, type Bitset } from "./bitset.ts";
import type { Population, PopulationData } from "./population.ts";
import type { AudienceTagTables } from "./schema.ts";

/** rowsOf maps ascending person ids onto population rows (ids outside the population are dropped). */
export function rowsOf(personIds: Int32Array, members: Int32Array): Bitset {
  const out = emptySet(personIds.length);
  let i = 0;
  for (let j = 0; j < members.length && i < personIds.length; j++) {
    const id = members[j]!;
    while (i < personIds.length && personIds[i]! < id) i++;
    if (i < personIds.length && personIds[i] === id) addRow(out, i);
  }
  return out;
}

/** withStoredMemberships answers tag and audience membership from the database. */
export function withStoredMemberships(data: PopulationData, s: SyncDb<AudienceTagTables>): Population {
  const cache = new Map<string, Bitset>();
  const memo = (key: string, load: () => Bitset) => {
    let rows = cache.get(key);
    if (!rows) cache.set(key, (rows = load()));
    return rows;
  };
  return {
    personIds: data.personIds,
    trait: (property) => data.trait(property),
    events: (scan) => data.events(scan),
    tag: (name, value) =>
      memo(`t\u0000${name}\u0000${value ?? ""}\u0000${value === undefined}`, () => rowsOf(data.personIds, tagMembers(s, name, value))),
    audience: (id) =>
      memo(`a\u0000${id}`, () => {
        const snap = /^\d+$/.test(id) ? readSnapshot(s, Number(id)) : null;
        return snap ? rowsOf(data.personIds, snap.members) : emptySet(data.personIds.length);
      }),
  };
}
