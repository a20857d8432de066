/**
 * Where audiences and tags meet the identity room: describing persons in the actors shape (samples,
 * member pages, CSV export), resolving the person column of a tag import, and the person page's tags
 * and audience memberships.
 */
import type { Kdb } from "../db/kysely.ts";
import { channelOf } from "../identity/identifier.ts";
import type { IdentityService } from "../identity/identity-service.ts";
import { summary } from "../identity/persons.repo.ts";
import { rootOf } from "../identity/privacy.ts";
import { personTags, type PersonTag } from "../tags/tags.repo.ts";
import type { Identifier } from "../tags/tags.routes.ts";
import { personAudiences } from "./audiences.repo.ts";
import type { PersonDirectory } from "./population.ts";

/** personDirectory describes live persons; ids merged away or deleted since they were stored are left out. */
export function personDirectory(identity: IdentityService): PersonDirectory {
  const index = identity.graph.index;
  return {
    describe: async (ids) => ids.filter((id) => index.sizeOf(id) > 0).map((id) => summary(identity, id)),
    async channels(ids) {
      const nsIds = new Set(index.namespaces.map((ns) => index.nsId(ns)));
      const channelOfNs = new Map([...nsIds].map((id) => [id, channelOf(index.nsName(id))]));
      const counts = new Map<string, number>();
      const held = new Map<number, number>();
      const seen = new Set<string>();
      for (let i = 0; i < ids.length; i++) {
        // The in-memory index answers without SQL; yield now and then so a 1M pack does not hold the thread.
        if (i % 50_000 === 49_999) await Bun.sleep(0);
        held.clear();
        seen.clear();
        index.countNs(ids[i]!, nsIds, held);
        for (const ns of held.keys()) seen.add(channelOfNs.get(ns)!);
        for (const ch of seen) counts.set(ch, (counts.get(ch) ?? 0) + 1);
      }
      return counts;
    },
  };
}

/**
 * resolvePerson names the surviving person of an import line: `person:<id>` (a merged id gives the
 * person it became) or a namespaced identifier looked up by the identity room; null when no one.
 */
export function resolvePerson(identity: IdentityService): (id: Identifier) => number | null {
  return ({ type, value }) => {
    if (type === "person") return /^[1-9]\d{0,14}$/.test(value) ? rootOf(identity.graph, Number(value)) : null;
    return identity.lookup(type, value)?.person ?? null;
  };
}

/** PersonExtras is what the person page shows from this room (a type, so it is a plain JSON record). */
export type PersonExtras = {
  readonly tags: readonly PersonTag[];
  readonly audiences: readonly { readonly id: number; readonly name: string; readonly since: number }[];
};

/** personExtras reads a person's tags (with values) and the packs they are currently in. */
export function personExtras(kdb: Kdb): (person: number) => Promise<PersonExtras> {
  return async (person) => {
    const memberships = await personAudiences(kdb, person);
    const names = new Map(
      (await kdb.selectFrom("audiences").select(["id", "name"]).where("id", "in", [0, ...memberships.map((m) => m.audienceId)]).execute())
        .map((a) => [a.id, a.name]),
    );
    return {
      tags: await personTags(kdb, person),
      audiences: memberships.flatMap((m) => {
        const name = names.get(m.audienceId);
        return name === undefined ? [] : [{ id: m.audienceId, name, since: m.since }];
      }),
    };
  };
}
