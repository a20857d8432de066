/**
 * Protects the tag HTTP surface through app.request(): catalogue CRUD with groups, definitions
 * validated per kind with paths, references and cycles through rule tags, manual assignment only on
 * manual tags with value checks, and CSV import that resolves identifiers, reports bad lines by
 * number and can create missing tags.
 */
import { describe, expect, test } from "bun:test";
import { createAudience } from "../audiences/audiences.repo.ts";
import { featureDb } from "../audiences/feature-db.fixture.ts";
import { mountForTest } from "../audiences/routes.fixture.ts";
import { personTags, tagMembers } from "./tags.repo.ts";
import { tagRoutes, type Identifier } from "./tags.routes.ts";

function world() {
  const { db, k, s } = featureDb();
  // The identity room's answers: identifiers, live person ids, and person 6 merged into 5.
  const directory = new Map([
    ["email:a@b.cn", 7], ["wx_openid:wx123:oXyz", 8], ["phone:+8613800138000", 9],
    ...[1, 2, 3, 5, 7, 8, 9, 42].map((p) => [`person:${p}`, p] as const), ["person:6", 5],
  ]);
  const app = mountForTest("/api/tags", tagRoutes({
    db, kdb: k, now: () => 1000,
    resolvePerson: (id: Identifier) => directory.get(`${id.type}:${id.value}`) ?? null,
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
  ].join("\r\n");
  const r = await call("POST", "/api/tags/import?create=true", csv, "operator", "text/csv");
  expect(r.status).toBe(200);
  expect(r.json).toEqual({
    imported: 4, // vip ×2, interest (created with a value: string), ghost (created without: boolean)
    created: ["interest", "ghost"],
    errors: [
      { line: 5, error: 'unknown person "13800138000" (write person:<id> or type:value, e.g. email:a@b.cn)' },
      { line: 6, error: 'unknown person "email:nobody@x.cn" (write person:<id> or type:value, e.g. email:a@b.cn)' },
      { line: 7, error: "tag rfm is computed: its values are computed" },
      { line: 8, error: "tag vip is boolean and takes no value" },
    ],
  });
  const vip = (await call("GET", "/api/tags", undefined, "analyst")).json.tags as { id: number; name: string; coverage: number }[];
  expect(vip.find((t) => t.name === "vip")?.coverage).toBe(2);
  expect(await tagMembers(s, "vip")).toEqual(Int32Array.from([7, 8]));
  expect(await personTags(k, 42)).toMatchObject([{ name: "interest", value: "tea, green", source: "import" }]);
  const noHeader = await call("POST", "/api/tags/import", "email:a@b.cn,vip\n", "operator", "text/csv");
  expect(noHeader.json.issues?.[0]?.path).toBe("(header)");
});
