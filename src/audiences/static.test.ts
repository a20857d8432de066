/**
 * Protects static packs (an actors list saved as an audience): the pack holds exactly the listed
 * persons, its self-reading definition is no cycle for the nightly plan, recomputing it keeps the
 * members, and other packs can build on it like on any pack.
 */
import { expect, test } from "bun:test";
import { createAudience, readSnapshot } from "./audiences.repo.ts";
import { featureDb } from "./feature-db.fixture.ts";
import { computeAudienceNow, planNightly, type MaterialiseDeps } from "./materialise.job.ts";
import { populationEngine } from "./engine.ts";
import { populationFromSnapshots, type FixturePerson } from "./memory-population.fixture.ts";
import { withStoredMemberships } from "./stored-memberships.ts";
import { createStaticAudience } from "./static.ts";
import { isStatic } from "./static-pack.ts";

const people: FixturePerson[] = [1, 2, 3, 4, 5].map((id) => ({ id, traits: { city: id % 2 ? "Shanghai" : "Beijing" }, tags: new Map(), audiences: new Set(), events: [] }));

test("a static pack keeps its listed members through recomputation and serves other packs", async () => {
  const { db, k, s } = featureDb();
  const list = await createStaticAudience(s, { name: "Funnel drop-offs", createdBy: "analyst@example.com", members: Int32Array.from([4, 2, 4, 5]) }, 1000);
  expect(isStatic(list)).toBe(true);
  expect(list).toMatchObject({ name: "Funnel drop-offs", status: "paused", size: 3, createdBy: "analyst@example.com" });
  expect([...(await readSnapshot(s, list.id))!.members]).toEqual([2, 4, 5]);

  const shanghai = await createAudience(k, {
    name: "Shanghai drop-offs",
    definition: { kind: "and", children: [{ kind: "audience", audience: String(list.id), member: true }, { kind: "attr", property: "city", op: "eq", value: "Shanghai" }] },
  }, 1000);
  expect(await planNightly(k)).toEqual(["rollups", "merged-persons", `audience:${shanghai.id}`, "emit"]);

  const deps: MaterialiseDeps = {
    db, kdb: k, sink: { append: async () => {} }, timezone: "UTC", clock: () => 2000, rollups: async () => {},
    engine: populationEngine(() => withStoredMemberships(populationFromSnapshots(people), s)),
  };
  const again = await computeAudienceNow(deps, list.id);
  expect(again.status).toBe("done");
  expect([...(await readSnapshot(s, list.id))!.members]).toEqual([2, 4, 5]);
  await computeAudienceNow(deps, shanghai.id);
  expect([...(await readSnapshot(s, shanghai.id))!.members]).toEqual([5]);
});
