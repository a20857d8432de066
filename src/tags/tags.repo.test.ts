/**
 * Protects the tag catalogue and person tags: CRUD, manual assignment with coverage, tag → persons
 * (optionally by value), person → tags, and nightly replacement that writes only differences and
 * records value changes for event emission — silently on the tag's first computation.
 */
import { expect, test } from "bun:test";
import { featureDb } from "../audiences/feature-db.fixture.ts";
import {
  assignTag, createGroup, createTag, deleteGroup, deleteTag, getTag, getTagByName, listGroups, listTags,
  markTagChangesEmitted, pendingTagChanges, personTags, rehomeMergedTags, replaceTagValues, tagMembers, unassignTag, updateTag,
} from "./tags.repo.ts";

test("groups and tags: create, list, update, delete", async () => {
  const { k, s } = featureDb();
  const g = await createGroup(k, { name: "价值", position: 2 }, 1);
  await createGroup(k, { name: "Lifecycle", position: 1 }, 1);
  expect((await listGroups(k)).map((x) => x.name)).toEqual(["Lifecycle", "价值"]);
  const t = await createTag(k, { name: "rfm_class", label: "RFM 分层", groupId: g.id, kind: "computed", valueType: "string", definition: { fn: "rfm_class" } }, 5);
  expect(t).toMatchObject({ name: "rfm_class", label: "RFM 分层", groupId: g.id, kind: "computed", definition: { fn: "rfm_class" }, coverage: 0 });
  expect((await getTagByName(k, "rfm_class"))?.id).toBe(t.id);
  expect((await updateTag(k, t.id, { label: "RFM" }, 6))?.label).toBe("RFM");
  await deleteGroup(k, g.id);
  expect((await getTag(k, t.id))?.groupId).toBeNull();
  expect((await listTags(k)).map((x) => x.name)).toEqual(["rfm_class"]);
  await expect(createTag(k, { name: "manual_with_rule", kind: "manual", valueType: "boolean", definition: {} }, 7)).rejects.toThrow(/CHECK/);
  expect(await deleteTag(k, t.id)).toBe(true);
});

test("manual assignment, coverage and lookups both ways", async () => {
  const { k, s } = featureDb();
  const vip = await createTag(k, { name: "vip", kind: "manual", valueType: "boolean" }, 1);
  const tier = await createTag(k, { name: "tier", kind: "manual", valueType: "string" }, 1);
  expect(await assignTag(s, vip.id, [{ personId: 3, value: null }, { personId: 1, value: null }], "manual", 10)).toBe(2);
  expect(await assignTag(s, tier.id, [{ personId: 1, value: "gold" }, { personId: 2, value: "silver" }, { personId: 3, value: "gold" }], "import", 11)).toBe(3);
  expect(await assignTag(s, tier.id, [{ personId: 2, value: "gold" }], "manual", 12)).toBe(3);
  expect(await tagMembers(s, "vip")).toEqual(Int32Array.from([1, 3]));
  expect(await tagMembers(s, "tier", "gold")).toEqual(Int32Array.from([1, 2, 3]));
  expect(await personTags(k, 2)).toEqual([{ tagId: tier.id, name: "tier", label: null, value: "gold", source: "manual", updatedAt: 12 }]);
  expect(await unassignTag(s, vip.id, [3, 99])).toBe(1);
  expect((await getTag(k, vip.id))?.coverage).toBe(1);
});

test("nightly replacement writes differences and records changes after the first computation", async () => {
  const { k, s } = featureDb();
  const stage = await createTag(k, { name: "lifecycle", kind: "computed", valueType: "string", definition: { fn: "lifecycle" }, emitEvent: "lifecycle_changed" }, 1);
  const m = (entries: [number, string][]) => new Map<number, string | null>(entries);

  const first = await replaceTagValues(s, { tagId: stage.id, values: m([[1, "new"], [2, "active"], [3, "dormant"]]), source: "computed", runId: 1, now: 10 });
  expect(first).toEqual({ added: 3, removed: 0, changed: 0, coverage: 3 });
  expect(await pendingTagChanges(k, stage.id)).toEqual([]);

  const second = await replaceTagValues(s, { tagId: stage.id, values: m([[1, "active"], [2, "active"], [4, "new"]]), source: "computed", runId: 2, now: 20 });
  expect(second).toEqual({ added: 1, removed: 1, changed: 1, coverage: 3 });
  expect((await pendingTagChanges(k, stage.id)).map((c) => [c.personId, c.oldValue, c.newValue])).toEqual([
    [1, "new", "active"], [3, "dormant", null], [4, null, "new"],
  ]);
  expect(await tagMembers(s, "lifecycle", "active")).toEqual(Int32Array.from([1, 2]));
  expect(await personTags(k, 2)).toMatchObject([{ value: "active", updatedAt: 10 }]);
  await markTagChangesEmitted(k, 2, stage.id, 30);
  expect(await pendingTagChanges(k, stage.id)).toEqual([]);
});

test("a merge records no change of its own: the survivor carries the merged person's value", async () => {
  const { db, k, s } = featureDb();
  for (const id of [1, 2, 3, 4]) db.query("INSERT INTO persons (id, created_at, updated_at) VALUES (?, 0, 0)").run(id);
  const rfm = await createTag(k, { name: "rfm", kind: "computed", valueType: "string", definition: { fn: "lifecycle" }, emitEvent: "rfm_changed" }, 1);
  const m = (entries: [number, string][]) => new Map<number, string | null>(entries);
  replaceTagValues(s, { tagId: rfm.id, values: m([[1, "A"], [2, "B"], [3, "C"]]), source: "computed", runId: 1, now: 10 });
  // 2 merged into 1 (which has its own value); 3 into 4 (which had none).
  db.query("UPDATE persons SET merged_into = 1 WHERE id = 2").run();
  db.query("UPDATE persons SET merged_into = 4 WHERE id = 3").run();
  replaceTagValues(s, { tagId: rfm.id, values: m([[1, "A"], [4, "C"]]), source: "computed", runId: 2, now: 20 });
  expect(await pendingTagChanges(k, rfm.id)).toEqual([]);
  expect(await tagMembers(s, "rfm", "C")).toEqual(Int32Array.from([4]));
  // Later moves are the survivor's own: 4 goes from its value to D; 1, merged into it, records nothing.
  db.query("UPDATE persons SET merged_into = 4 WHERE id = 1").run();
  replaceTagValues(s, { tagId: rfm.id, values: m([[4, "D"]]), source: "computed", runId: 3, now: 30 });
  expect((await pendingTagChanges(k, rfm.id)).map((c) => [c.personId, c.oldValue, c.newValue])).toEqual([[4, "C", "D"]]);
});

test("manual tags of merged persons move to the person they became; the survivor's own value wins", async () => {
  const { db, k, s } = featureDb();
  // 3 was merged into 2, later 2 into 1.
  for (const [id, into] of [[1, null], [2, 1], [3, 2], [4, null]] as const) {
    db.query("INSERT INTO persons (id, created_at, updated_at, merged_into) VALUES (?, 0, 0, ?)").run(id, into);
  }
  const vip = await createTag(k, { name: "vip", kind: "manual", valueType: "boolean" }, 1);
  const tier = await createTag(k, { name: "tier", kind: "manual", valueType: "string" }, 1);
  const rule = await createTag(k, { name: "buyer", kind: "rule", valueType: "boolean", definition: { kind: "tag", tag: "vip", present: true } }, 1);
  assignTag(s, vip.id, [{ personId: 3, value: null }, { personId: 4, value: null }], "manual", 10);
  assignTag(s, tier.id, [{ personId: 1, value: "gold" }, { personId: 2, value: "silver" }], "import", 11);
  replaceTagValues(s, { tagId: rule.id, values: new Map([[2, null]]), source: "rule", runId: null, now: 12 });
  expect(rehomeMergedTags(s)).toBe(2);
  expect(await tagMembers(s, "vip")).toEqual(Int32Array.from([1, 4]));
  expect(await personTags(k, 1)).toMatchObject([{ name: "tier", value: "gold", source: "import" }, { name: "vip", value: null, source: "manual", updatedAt: 10 }]);
  expect(await tagMembers(s, "buyer")).toEqual(Int32Array.from([2])); // recomputed at night, not moved
  expect((await getTag(k, tier.id))?.coverage).toBe(1);
  expect(rehomeMergedTags(s)).toBe(0);
});
