/**
 * Completes a PopulationData (persons, traits, events from the store and identity rooms) into a
 * Population by answering `tag` and `audience` leaves from this feature's tables, as they stand at
 * call time — so within a nightly run a pack sees the tags and packs computed before it.
 */
import { emptySet, addRow, type Bitset } from "./bitset.ts";
import { readSnapshot } from "./audiences.repo.ts";
import type { Population, PopulationData } from "./population.ts";
import type { AudienceTagDb } from "./schema.ts";
import { getTagByName, tagMembers } from "../tags/tags.repo.ts";

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
export function withStoredMemberships(data: PopulationData, k: AudienceTagDb): Population {
  const cache = new Map<string, Promise<Bitset>>();
  const memo = (key: string, load: () => Promise<Bitset>) => {
    let p = cache.get(key);
    if (!p) cache.set(key, (p = load()));
    return p;
  };
  return {
    personIds: data.personIds,
    trait: (property) => data.trait(property),
    events: (scan) => data.events(scan),
    tag: (name, value) =>
      memo(`t\u0000${name}\u0000${value ?? ""}\u0000${value === undefined}`, async () => {
        const tag = await getTagByName(k, name);
        return tag ? rowsOf(data.personIds, await tagMembers(k, tag.id, value)) : emptySet(data.personIds.length);
      }),
    audience: (id) =>
      memo(`a\u0000${id}`, async () => {
        const snap = /^\d+$/.test(id) ? await readSnapshot(k, Number(id)) : null;
        return snap ? rowsOf(data.personIds, snap.members) : emptySet(data.personIds.length);
      }),
  };
}
