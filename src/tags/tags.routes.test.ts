/**
 * Protects the tag HTTP surface through app.request(): catalogue CRUD with groups, definitions
 * validated per kind with paths, references and cycles through rule tags, manual assignment only on
 * manual tags with value checks, CSV import that resolves identifiers, reports bad lines by
 * number and can create missing tags, and the holders list: paged, valued, merged persons once.
 */
import { describe, expect, test } from "bun:test";
import { z } from "zod";
import { createAudience } from "../audiences/audiences.repo.ts";
import { featureDb } from "../audiences/feature-db.fixture.ts";
import { mountForTest } from "../audiences/routes.fixture.ts";
import type { ActorPerson } from "../audiences/population.ts";
import { personTags, tagMembers } from "./tags.repo.ts";
import { tagRoutes, type Identifier } from "./tags.routes.ts";

function world() {
  const { db, k, s } = featureDb();
  // The identity room's answers: identifiers, live person ids, and person 6 merged into 5.
  const directory = new Map([
    ["email:a@b.cn", 7], ["wx_openid:wx123:oXyz", 8], ["phone:+8613800138000", 9],
    ...[1, 2, 3, 5, 7, 8, 9, 42].map((p) => [`person:${p}`, p] as const), ["person:6", 5],
  ]);
  // The persons table agrees: 6 was merged into 5 (and 4 into 3, for the holders list).
  const live = [1, 2, 3, 5, 7, 8, 9, 42];
  db.query("INSERT INTO persons (id, created_at, updated_at, merged_into) SELECT value, 0, 0, NULL FROM json_each(?)").run(JSON.stringify(live));
  db.query("INSERT INTO persons (id, created_at, updated_at, merged_into) VALUES (6, 0, 0, 5), (4, 0, 0, 3)").run();
  const app = mountForTest("/api/tags", tagRoutes({
    db, kdb: k, now: () => 1000,
    resolvePerson: (id: Identifier) => directory.get(`${id.type}:${id.value}`) ?? null,
    persons: {
      describe: async (ids) => ids.flatMap((id): ActorPerson[] =>
        live.includes(id) ? [{ id: String(id), identifiers: [{ type: "user_id", value: `u${id}` }], traits: { n: id } }] : []),
    },
  }));
  const call = async (method: string, path: string, body?: unknown, role = "operator", type = "application/json") => {
    const res = await app.request(path, {
      method, headers: { "content-type": type, "x-role": role },
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    return { status: res.status, json: (await res.json().catch(() => null)) as Record<string, unknown> & { issues?: { path: string; message: string }[] } };
  };
  return { k, s, call };
}

const orders = { event: "purchase", amountProperty: "amount", window: { n: 12, unit: "month" } };

describe("catalogue", () => {
  test("groups and tags of every kind", async () => {
    const { call } = world();
    const g = await call("POST", "/api/tags/groups", { name: "价值", position: 1 });
    expect(g.status).toBe(201);
    expect((await call("POST", "/api/tags/groups", { name: "价值" })).status).toBe(409);
    const gid = g.json.id as number;
    expect((await call("PATCH", `/api/tags/groups/${gid}`, {})).json).toMatchObject({ id: gid, name: "价值", position: 1 });
    expect((await call("PATCH", "/api/tags/groups/999", {})).status).toBe(404);
    const manual = await call("POST", "/api/tags", { kind: "manual", name: "vip", label: "VIP", valueType: "boolean", groupId: gid });
    expect(manual.json).toMatchObject({ kind: "manual", valueType: "boolean", definition: null, emitEvent: null });
    const computed = await call("POST", "/api/tags", { kind: "computed", name: "rfm_class", definition: { fn: "rfm_class", orders } });
    expect(computed.json).toMatchObject({ valueType: "string", definition: { fn: "rfm_class" } });
    const life = await call("POST", "/api/tags", {
      kind: "computed", name: "lifecycle", definition: { fn: "lifecycle", activityEvents: ["purchase"], thresholds: { newDays: 7, activeDays: 30, dormantDays: 90 } },
    });
    expect(life.json.emitEvent).toBe("lifecycle_changed");
    const rule = await call("POST", "/api/tags", {
      kind: "rule", name: "vip_buyer", definition: { kind: "and", children: [{ kind: "tag", tag: "vip", present: true }, { kind: "tag", tag: "rfm_class", present: true, value: "重要价值客户" }] },
    });
    expect(rule.json).toMatchObject({ kind: "rule", valueType: "boolean" });
    expect(((await call("GET", `/api/tags?group=${gid}`, undefined, "analyst")).json.tags as unknown[]).length).toBe(1);
    expect(((await call("GET", "/api/tags", undefined, "analyst")).json.tags as unknown[]).length).toBe(4);
    expect((await call("PATCH", `/api/tags/${manual.json.id}`, { label: "贵宾" })).json.label).toBe("贵宾");
    expect((await call("DELETE", `/api/tags/groups/${gid}`)).status).toBe(204);
    expect((await call("GET", `/api/tags/${manual.json.id}`, undefined, "analyst")).json.groupId).toBeNull();
  });

  test.each([
    ["bad name", { kind: "manual", name: "has space", valueType: "boolean" }, "name"],
    ["rule without definition", { kind: "rule", name: "r" }, "definition"],
    ["rule with bad node", { kind: "rule", name: "r", definition: { kind: "tag", tag: "x" } }, "definition.present"],
    ["rule with unknown tag", { kind: "rule", name: "r", definition: { kind: "tag", tag: "ghost", present: true } }, "definition"],
    ["computed with bad thresholds", { kind: "computed", name: "l", definition: { fn: "lifecycle", activityEvents: ["x"], thresholds: { newDays: 7, activeDays: 90, dormantDays: 30 } } }, "definition.thresholds.dormantDays"],
    ["computed with bad tiers", { kind: "computed", name: "s", definition: { fn: "spending_power", orders, tiers: { basis: "score", high: 2, medium: 3 } } }, "definition.tiers.medium"],
    ["unknown group", { kind: "manual", name: "g", valueType: "boolean", groupId: 99 }, "groupId"],
  ])("%s → 400 naming %s", async (_name, body, path) => {
    const r = await world().call("POST", "/api/tags", body);
    expect(r.status).toBe(400);
    expect(r.json.issues?.map((i) => i.path)).toContain(path);
  });

  test("rule tags join the dependency graph: cycles through packs are refused, used tags are kept", async () => {
    const { k, call } = world();
    const vip = await call("POST", "/api/tags", { kind: "manual", name: "vip", valueType: "boolean" });
    const pack = await createAudience(k, { name: "VIPs", definition: { kind: "tag", tag: "vip", present: true } }, 0);
    const loyal = await call("POST", "/api/tags", { kind: "rule", name: "loyal", definition: { kind: "audience", audience: String(pack.id), member: true } });
    expect(loyal.status).toBe(201);
    // Making the pack read `loyal` would close pack → tag loyal → pack.
    await k.updateTable("audiences").set({ definition: JSON.stringify({ kind: "tag", tag: "loyal", present: true }) }).where("id", "=", pack.id).execute();
    const cyc = await call("PATCH", `/api/tags/${loyal.json.id}`, { definition: { kind: "audience", audience: String(pack.id), member: false } });
    expect(cyc.json.issues?.[0]?.message).toBe(`dependency cycle: tag loyal → audience ${pack.id} → tag loyal`);
    const used = await call("DELETE", `/api/tags/${loyal.json.id}`);
    expect(used).toMatchObject({ status: 409, json: { dependents: [`audience:${pack.id}`] } });
    expect((await call("DELETE", `/api/tags/${vip.json.id}`)).status).toBe(204);
    expect((await call("PATCH", `/api/tags/${vip.json.id}`, { label: "x" })).status).toBe(404);
  });
});

test("manual assignment: values checked against the tag type, computed tags refused, coverage kept", async () => {
  const { k, call } = world();
  const vip = (await call("POST", "/api/tags", { kind: "manual", name: "vip", valueType: "boolean" })).json.id as number;
  const tier = (await call("POST", "/api/tags", { kind: "manual", name: "tier", valueType: "string" })).json.id as number;
  const rfm = (await call("POST", "/api/tags", { kind: "computed", name: "rfm", definition: { fn: "rfm_class", orders } })).json.id as number;
  expect((await call("POST", `/api/tags/${vip}/assign`, { persons: [{ person: 1 }, { person: 2 }] })).json).toEqual({ coverage: 2 });
  const badValue = await call("POST", `/api/tags/${vip}/assign`, { persons: [{ person: 3, value: "yes" }] });
  expect(badValue.json.issues?.[0]?.path).toBe("persons.0.value");
  const nobody = await call("POST", `/api/tags/${vip}/assign`, { persons: [{ person: 3 }, { person: 77 }] });
  expect(nobody.json.issues).toEqual([{ path: "persons.1.person", message: "unknown person 77" }]);
  const noValue = await call("POST", `/api/tags/${tier}/assign`, { persons: [{ person: 3 }] });
  expect(noValue.json.issues?.[0]?.message).toBe("tag tier needs a value");
  expect((await call("POST", `/api/tags/${tier}/assign`, { persons: [{ person: 3, value: "gold" }] })).json).toEqual({ coverage: 1 });
  expect((await call("POST", `/api/tags/${rfm}/assign`, { persons: [{ person: 3, value: "x" }] })).status).toBe(409);
  expect((await call("POST", `/api/tags/${vip}/unassign`, { persons: [1] })).json).toEqual({ coverage: 1 });
  expect((await call("POST", `/api/tags/${vip}/assign`, { persons: [{ person: 1 }] }, "analyst")).status).toBe(403);
  expect(await personTags(k, 3)).toMatchObject([{ name: "tier", value: "gold", source: "manual" }]);
  // Person 6 was merged into 5: the tag lands on the person it became.
  await call("POST", `/api/tags/${tier}/assign`, { persons: [{ person: 6, value: "silver" }] });
  expect(await personTags(k, 5)).toMatchObject([{ name: "tier", value: "silver" }]);
  expect(await personTags(k, 6)).toEqual([]);
});

test("CSV import resolves identifiers, reports bad lines and can create tags", async () => {
  const { k, s, call } = world();
  await call("POST", "/api/tags", { kind: "manual", name: "vip", valueType: "boolean" });
  await call("POST", "/api/tags", { kind: "computed", name: "rfm", definition: { fn: "rfm_class", orders } });
  const csv = [
    "Person,Tag,Value",
    "email:a@b.cn,vip,",
    "wx_openid:wx123:oXyz,vip,",
    "person:42,interest,\"tea, green\"",
    "13800138000,vip,",
    "email:nobody@x.cn,vip,",
    "person:5,rfm,重要价值客户",
    "phone:+8613800138000,vip,yes",
    "person:5,ghost,",
    "bad line",
  ].join("\r\n");
  const r = await call("POST", "/api/tags/import?create=true", csv, "operator", "text/csv");
  expect(r.status).toBe(200);
  expect(r.json).toEqual({
    imported: 4, // vip ×2, interest (created with a value: string), ghost (created without: boolean)
    created: ["interest", "ghost"],
    errors: [
      { line: 5, code: "unknown_person", params: { person: "13800138000" }, error: 'unknown person "13800138000" (write person:<id> or type:value, e.g. email:a@b.cn)' },
      { line: 6, code: "unknown_person", params: { person: "email:nobody@x.cn" }, error: 'unknown person "email:nobody@x.cn" (write person:<id> or type:value, e.g. email:a@b.cn)' },
      { line: 7, code: "computed_tag", params: { tag: "rfm" }, error: "tag rfm is computed: its values are computed" },
      { line: 8, code: "takes_no_value", params: { tag: "vip" }, error: "tag vip is boolean and takes no value" },
      // a line of another shape is said to be one, not an unknown person
      { line: 10, code: "missing_column", params: {}, error: "no tag on this line: write person,tag[,value]" },
    ],
  });
  // Without create, an unknown tag is reported by name; a valued tag without its value too.
  const strict = await call("POST", "/api/tags/import", "person,tag,value\nperson:5,nosuch,\nperson:42,interest,", "operator", "text/csv");
  expect(strict.json.errors).toEqual([
    { line: 2, code: "unknown_tag", params: { tag: "nosuch" }, error: 'unknown tag "nosuch"' },
    { line: 3, code: "needs_value", params: { tag: "interest" }, error: "tag interest needs a value" },
  ]);
  const vip = (await call("GET", "/api/tags", undefined, "analyst")).json.tags as { id: number; name: string; coverage: number }[];
  expect(vip.find((t) => t.name === "vip")?.coverage).toBe(2);
  expect(await tagMembers(s, "vip")).toEqual(Int32Array.from([7, 8]));
  expect(await personTags(k, 42)).toMatchObject([{ name: "interest", value: "tea, green", source: "import" }]);
  const noHeader = await call("POST", "/api/tags/import", "email:a@b.cn,vip\n", "operator", "text/csv");
  expect(noHeader.json.issues?.[0]?.path).toBe("(header)");
});

describe("holders", () => {
  // Strict: a field the answer should not carry fails the parse, as it would fail the toEqual assertions.
  const Holders = z.strictObject({
    persons: z.array(z.strictObject({ id: z.string(), identifiers: z.array(z.unknown()), traits: z.unknown(), value: z.string().nullable(), since: z.number() })),
    next: z.string().nullable(),
    total: z.number(),
  });
  const holders = async (call: ReturnType<typeof world>["call"], path: string) => {
    const r = await call("GET", path, undefined, "analyst");
    expect(r.status).toBe(200);
    return Holders.parse(r.json);
  };

  test("a valued tag: each holder with its value and since when, paged across the cursor; a merged person once", async () => {
    const { k, call } = world();
    const tier = (await call("POST", "/api/tags", { kind: "manual", name: "tier", valueType: "string" })).json.id as number;
    // Rows as a merge leaves them before the nightly rehome: 6 (merged into 5, which has no row) and 4
    // (merged into 3, which has its own) still carry the tag.
    await k.insertInto("person_tags").values([
      { tag_id: tier, person_id: 1, value: "gold", source: "manual", updated_at: 100 },
      { tag_id: tier, person_id: 3, value: "silver", source: "import", updated_at: 300 },
      { tag_id: tier, person_id: 4, value: "gold", source: "manual", updated_at: 400 },
      { tag_id: tier, person_id: 6, value: "bronze", source: "manual", updated_at: 600 },
      { tag_id: tier, person_id: 7, value: "gold", source: "manual", updated_at: 700 },
    ]).execute();
    const first = await holders(call, `/api/tags/${tier}/holders?limit=3`);
    expect(first).toEqual({
      persons: [
        { id: "1", identifiers: [{ type: "user_id", value: "u1" }], traits: { n: 1 }, value: "gold", since: 100 },
        { id: "3", identifiers: [{ type: "user_id", value: "u3" }], traits: { n: 3 }, value: "silver", since: 300 },
        { id: "5", identifiers: [{ type: "user_id", value: "u5" }], traits: { n: 5 }, value: "bronze", since: 600 },
      ],
      next: "5",
      total: 4,
    });
    const second = await holders(call, `/api/tags/${tier}/holders?limit=3&cursor=${first.next}`);
    expect(second.persons.map((p) => [p.id, p.value, p.since])).toEqual([["7", "gold", 700]]);
    expect([second.next, second.total]).toEqual([null, 4]);
    // One page holding everyone ends without a cursor.
    expect((await holders(call, `/api/tags/${tier}/holders`)).persons.map((p) => p.id)).toEqual(["1", "3", "5", "7"]);
    expect((await holders(call, `/api/tags/${tier}/holders?limit=4`)).next).toBeNull();
  });

  test("a boolean tag's holders have no value; a tag nobody holds is an empty page", async () => {
    const { call } = world();
    const vip = (await call("POST", "/api/tags", { kind: "manual", name: "vip", valueType: "boolean" })).json.id as number;
    const none = (await call("POST", "/api/tags", { kind: "manual", name: "none", valueType: "boolean" })).json.id as number;
    await call("POST", `/api/tags/${vip}/assign`, { persons: [{ person: 2 }, { person: 9 }] });
    const page = await holders(call, `/api/tags/${vip}/holders`);
    expect(page.persons.map((p) => [p.id, p.value, p.since])).toEqual([["2", null, 1000], ["9", null, 1000]]);
    expect(await holders(call, `/api/tags/${none}/holders`)).toEqual({ persons: [], next: null, total: 0 });
  });

  test.each([
    ["an unknown tag", 404, "/api/tags/999/holders", "analyst"],
    ["a cursor that is not one", 400, "/api/tags/1/holders?cursor=abc", "analyst"],
    ["a limit over 500", 400, "/api/tags/1/holders?limit=501", "analyst"],
    ["no caller", 401, "/api/tags/1/holders", ""],
    ["an analyst", 200, "/api/tags/1/holders", "analyst"],
    ["an operator", 200, "/api/tags/1/holders", "operator"],
  ])("%s → %d", async (_name, status, path, role) => {
    const { call } = world();
    await call("POST", "/api/tags", { kind: "manual", name: "vip", valueType: "boolean" });
    expect((await call("GET", path, undefined, role)).status).toBe(status);
  });

  test.each([
    ["PATCH", "/api/tags/1", { label: "x" }],
    ["DELETE", "/api/tags/1", undefined],
    ["PATCH", "/api/tags/groups/1", { name: "x" }],
    ["DELETE", "/api/tags/groups/1", undefined],
  ])("an analyst who sees holders may not %s %s → 403", async (method, path, body) => {
    const { call } = world();
    await call("POST", "/api/tags/groups", { name: "g" });
    await call("POST", "/api/tags", { kind: "manual", name: "vip", valueType: "boolean" });
    expect((await call(method, path, body, "analyst")).status).toBe(403);
    expect((await call(method, path, body, "")).status).toBe(401);
  });
});
