/**
 * Protects "tag values appear in every filter and breakdown": `$tag:<name>` and `$audience:<id>` are
 * person properties of the query worker's columns — loaded from the tag and membership tables, and
 * kept current through the person change log when tags are assigned, recomputed or removed and when
 * a pack is recomputed.
 */
import { expect, test } from "bun:test";
import { createAudience, saveComputation } from "../audiences/audiences.repo.ts";
import { featureDb } from "../audiences/feature-db.fixture.ts";
import { PersonColumns } from "../query/data/person-columns.ts";
import { membershipProperty } from "./person-properties.ts";
import { assignTag, createTag, replaceTagValues, unassignTag } from "./tags.repo.ts";

test("property names", () => {
  expect(membershipProperty("$tag:rfm_class")).toEqual({ kind: "tag", name: "rfm_class" });
  expect(membershipProperty("$audience:12")).toEqual({ kind: "audience", id: 12 });
  for (const p of ["$tag:", "$audience:x", "$audience:0", "city", "tag:vip"]) expect(membershipProperty(p)).toBeNull();
});

test("tag values and pack membership as person columns, refreshed from the change log", async () => {
  const { db, k, s } = featureDb();
  for (let id = 1; id <= 5; id++) db.query("INSERT INTO persons (id, created_at, updated_at) VALUES (?, 0, 0)").run(id);
  const cols = new PersonColumns();
  const read = (key: string) => {
    cols.refresh(db);
    const c = cols.column(db, key);
    return Array.from({ length: 6 }, (_, id) => (id < c.codes.length && c.codes[id] ? c.values[c.codes[id]! - 1] : undefined));
  };
  const vip = await createTag(k, { name: "vip", kind: "manual", valueType: "boolean" }, 0);
  const tier = await createTag(k, { name: "tier", kind: "computed", valueType: "string", definition: { fn: "rfm_class" } }, 0);
  assignTag(s, vip.id, [{ personId: 2, value: null }], "manual", 1);
  replaceTagValues(s, { tagId: tier.id, values: new Map([[1, "gold"], [3, "silver"]]), source: "computed", runId: null, now: 1 });
  expect(read("$tag:vip")).toEqual([undefined, undefined, true, undefined, undefined, undefined]);
  expect(read("$tag:tier")).toEqual([undefined, "gold", undefined, "silver", undefined, undefined]);
  expect(read("$tag:ghost")).toEqual(Array(6).fill(undefined));

  assignTag(s, vip.id, [{ personId: 4, value: null }], "manual", 2);
  unassignTag(s, vip.id, [2]);
  replaceTagValues(s, { tagId: tier.id, values: new Map([[1, "silver"], [5, "gold"]]), source: "computed", runId: null, now: 2 });
  expect(read("$tag:vip")).toEqual([undefined, undefined, undefined, undefined, true, undefined]);
  expect(read("$tag:tier")).toEqual([undefined, "silver", undefined, undefined, undefined, "gold"]);

  const pack = await createAudience(k, { name: "p", definition: { kind: "tag", tag: "vip", present: true } }, 0);
  const key = `$audience:${pack.id}`;
  saveComputation(s, { audienceId: pack.id, runId: null, asOf: 1, members: Int32Array.from([1, 2]), computedAt: 1, durationMs: 0 });
  expect(read(key)).toEqual([undefined, true, true, undefined, undefined, undefined]);
  saveComputation(s, { audienceId: pack.id, runId: null, asOf: 2, members: Int32Array.from([2, 5]), computedAt: 2, durationMs: 0 });
  expect(read(key)).toEqual([undefined, undefined, true, undefined, undefined, true]);
});
