/**
 * Protects audience analysis: members (not the whole population) are counted per trait and tag
 * value, with top-N, "$other" and "" for missing, as in trends breakdowns.
 */
import { expect, test } from "bun:test";
import { createTag, assignTag } from "../tags/tags.repo.ts";
import { tagDistribution, traitDistribution } from "./analysis.ts";
import { featureDb } from "./feature-db.fixture.ts";
import { populationFromSnapshots } from "./memory-population.fixture.ts";
import { rowsOf } from "./stored-memberships.ts";

const people = [
  { id: 1, city: "Shanghai" }, { id: 2, city: "Shanghai" }, { id: 3, city: "Beijing" }, { id: 4 },
  { id: 5, city: "Hangzhou" }, { id: 6, city: "Shanghai" },
].map(({ id, city }) => ({ id, traits: city ? { city } : {}, tags: new Map(), audiences: new Set<string>(), events: [] }));
const members = Int32Array.from([1, 2, 3, 4, 5]); // person 6 is not a member

test("trait distribution over members with top-N, $other and missing", async () => {
  const pop = populationFromSnapshots(people);
  const d = traitDistribution(pop, rowsOf(pop.personIds, members), "city", 1);
  expect(d).toEqual({
    dimension: "city", kind: "trait",
    buckets: [{ value: "Shanghai", persons: 2 }, { value: "$other", persons: 2 }, { value: "", persons: 1 }],
  });
});

test("tag distribution: values, true for boolean tags, '' for members without the tag", async () => {
  const { k, s } = featureDb();
  const tier = await createTag(k, { name: "tier", kind: "manual", valueType: "string" }, 0);
  const vip = await createTag(k, { name: "vip", kind: "manual", valueType: "boolean" }, 0);
  await assignTag(s, tier.id, [{ personId: 1, value: "gold" }, { personId: 2, value: "gold" }, { personId: 6, value: "gold" }, { personId: 3, value: "silver" }], "manual", 0);
  await assignTag(s, vip.id, [{ personId: 5, value: null }], "manual", 0);
  expect((await tagDistribution(k, members, "tier", 10)).buckets).toEqual([
    { value: "gold", persons: 2 }, { value: "silver", persons: 1 }, { value: "", persons: 2 },
  ]);
  expect((await tagDistribution(k, members, "vip", 10)).buckets).toEqual([{ value: "true", persons: 1 }, { value: "", persons: 4 }]);
  expect((await tagDistribution(k, members, "ghost", 10)).buckets).toEqual([{ value: "", persons: 5 }]);
});
