/**
 * Protects the audience HTTP surface through app.request(): preview answers count + sample, invalid
 * input is a 400 whose issues name the path, references and cycles are checked, roles are asked of
 * the guard per route, recomputation records sizes and emits entered/exited events, and members
 * page and export as CSV.
 */
import { describe, expect, test } from "bun:test";
import { audienceRoutes } from "./audiences.routes.ts";
import { populationEngine } from "./engine.ts";
import type { PersonEvent } from "./evaluate-person.ts";
import { featureDb } from "./feature-db.fixture.ts";
import type { EventSink, SystemEvent } from "./materialise.job.ts";
import { populationFromSnapshots, type FixturePerson } from "./memory-population.fixture.ts";
import type { ActorPerson, PersonDirectory } from "./population.ts";
import { mountForTest } from "./routes.fixture.ts";
import { withStoredMemberships } from "./stored-memberships.ts";

const NOW = Date.parse("2024-03-15T12:00:00+08:00");
const DAY = 86_400_000;
const buy = (daysAgo: number): PersonEvent => ({ event: "purchase", ts: NOW - daysAgo * DAY, props: { amount: 10 } });

function world() {
  let people: FixturePerson[] = Array.from({ length: 30 }, (_, i) => ({
    id: 100 + i,
    traits: { city: i % 3 === 0 ? "Shanghai" : "Beijing", email: `p${i}@example.cn` },
    tags: new Map(),
    audiences: new Set(),
    events: i % 2 === 0 ? [buy(i % 10)] : [],
  }));
  const { db, k, s } = featureDb();
  const emitted: SystemEvent[] = [];
  const sink: EventSink = { append: async (events) => void emitted.push(...events) };
  const persons: PersonDirectory = {
    describe: async (ids) => ids.flatMap((id): ActorPerson[] => {
      const p = people.find((x) => x.id === id);
      return p ? [{ id: String(id), identifiers: [{ type: "user_id", value: `u${id}` }], traits: p.traits }] : [];
    }),
    // Everyone is reachable in the app; persons with an even id also by e-mail.
    channels: async (ids) => new Map([["app", ids.length], ["email", ids.filter((id) => id % 2 === 0).length]]),
  };
  const engine = populationEngine(() => withStoredMemberships(populationFromSnapshots(people, { chunkSize: 7 }), s));
  const app = mountForTest("/api/audiences", audienceRoutes({
    db, kdb: k, persons, sink, engine, timezone: async () => "Asia/Shanghai", now: () => NOW, sampleSize: 5,
  }));
  const call = async (method: string, path: string, body?: unknown, role = "operator") => {
    const res = await app.request(path, {
      method, headers: { "content-type": "application/json", ...(role ? { "x-role": role } : {}) },
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    let json: unknown = null;
    try { json = JSON.parse(text); } catch { json = text; }
    return { status: res.status, json: json as Record<string, unknown> & { issues?: { path: string; message: string }[] }, text, res };
  };
  return { k, call, emitted, setPeople: (f: (p: FixturePerson[]) => FixturePerson[]) => { people = f(people); } };
}

const shanghaiBuyers = {
  kind: "and",
  children: [
    { kind: "attr", property: "city", op: "eq", value: "Shanghai" },
    { kind: "event", event: "purchase", window: { kind: "last", n: 7, unit: "day" }, measure: { fn: "count" }, cmp: { op: "gte", value: 1 } },
  ],
};

describe("preview", () => {
  test("answers the count and a sample in the actors shape", async () => {
    const w = world();
    // Shanghai: i % 3 == 0; buyers: i even with i % 10 < 7 → i ∈ {0, 6, 12, 24} (18 bought 8 days ago).
    const r = await w.call("POST", "/api/audiences/preview", { definition: shanghaiBuyers }, "analyst");
    expect(r.status).toBe(200);
    expect(r.json.count).toBe(4);
    expect((r.json.sample as ActorPerson[]).map((p) => p.id)).toEqual(["100", "106", "112", "124"]);
    expect((r.json.sample as ActorPerson[])[0]).toEqual({ id: "100", identifiers: [{ type: "user_id", value: "u100" }], traits: { city: "Shanghai", email: "p0@example.cn" } });
    const earlier = await w.call("POST", "/api/audiences/preview", { definition: shanghaiBuyers, asOf: "2024-03-10T12:00:00+08:00" }, "analyst");
    // As of 5 days earlier only the purchases 6 and 8 days before NOW exist and fall in that week: 106, 118.
    expect(earlier.json.count).toBe(2);
  });

  test.each([
    ["bad window", { definition: { ...shanghaiBuyers, children: [shanghaiBuyers.children[0], { ...shanghaiBuyers.children[1], window: { kind: "last", n: 0, unit: "day" } }] } }, "definition.children.1.window.n"],
    ["unknown pack", { definition: { kind: "audience", audience: "77", member: true } }, "definition"],
    ["unknown tag", { definition: { kind: "or", children: [{ kind: "tag", tag: "ghost", present: true }] } }, "definition.children.0"],
    ["bad asOf", { definition: shanghaiBuyers, asOf: "yesterday" }, "asOf"],
    ["unknown field", { definition: shanghaiBuyers, limit: 3 }, ""],
  ])("%s → 400 naming %s", async (_name, body, path) => {
    const r = await world().call("POST", "/api/audiences/preview", body, "analyst");
    expect(r.status).toBe(400);
    expect(r.json.issues?.map((i) => i.path)).toContain(path);
  });

  test("a body that is not JSON → 400", async () => {
    const r = await world().call("POST", "/api/audiences/preview", "{", "analyst");
    expect(r).toMatchObject({ status: 400, json: { error: "the request body must be JSON" } });
  });
});

test("roles: reads and preview need read, writes operate", async () => {
  const w = world();
  expect((await w.call("POST", "/api/audiences/preview", { definition: shanghaiBuyers }, "")).status).toBe(401);
  expect((await w.call("GET", "/api/audiences", undefined, "analyst")).status).toBe(200);
  expect((await w.call("POST", "/api/audiences", { name: "x", definition: shanghaiBuyers }, "analyst")).status).toBe(403);
  expect((await w.call("DELETE", "/api/audiences/1", undefined, "analyst")).status).toBe(403);
});

test("create, read, update, delete with reference, cycle and schedule checks", async () => {
  const w = world();
  const a = await w.call("POST", "/api/audiences", { name: "Shanghai buyers", definition: shanghaiBuyers, schedule: "0 6 * * *" });
  expect(a.status).toBe(201);
  // A new pack is computed at once (its first computation emits nothing).
  expect(a.json).toMatchObject({ name: "Shanghai buyers", schedule: "0 6 * * *", nextRunAt: Date.parse("2024-03-16T06:00:00+08:00"), size: 4, lastAsOf: NOW });
  expect(w.emitted).toEqual([]);
  const id = a.json.id as number;
  expect((await w.call("POST", "/api/audiences", { name: "Shanghai buyers", definition: shanghaiBuyers })).status).toBe(409);
  const bad = await w.call("POST", "/api/audiences", { name: "y", definition: shanghaiBuyers, schedule: "every day" });
  expect(bad.json.issues?.[0]?.path).toBe("schedule");
  const badTz = await w.call("POST", "/api/audiences", { name: "y", definition: shanghaiBuyers, timezone: "Mars/Olympus" });
  expect(badTz.json.issues?.[0]?.path).toBe("timezone");

  const b = await w.call("POST", "/api/audiences", { name: "Not them", definition: { kind: "audience", audience: String(id), member: false } });
  expect(b.status).toBe(201);
  expect(b.json.lastAsOf).toBe(NOW); // computed at once: the pack it reads was
  const cycle = await w.call("PATCH", `/api/audiences/${id}`, { definition: { kind: "audience", audience: String(b.json.id), member: true } });
  expect(cycle.status).toBe(400);
  expect(cycle.json.issues?.[0]).toEqual({ path: "definition", message: `dependency cycle: audience ${id} → audience ${b.json.id} → audience ${id}` });
  const self = await w.call("PATCH", `/api/audiences/${id}`, { definition: { kind: "audience", audience: String(id), member: false } });
  expect(self.json.issues?.[0]?.message).toContain(`audience ${id} → audience ${id}`);

  const renamed = await w.call("PATCH", `/api/audiences/${id}`, { name: "SH buyers", schedule: null });
  expect(renamed.json).toMatchObject({ name: "SH buyers", schedule: null, nextRunAt: null });
  expect((await w.call("GET", `/api/audiences/${id}`, undefined, "analyst")).json.name).toBe("SH buyers");
  expect(((await w.call("GET", "/api/audiences", undefined, "analyst")).json.audiences as unknown[]).length).toBe(2);

  const refused = await w.call("DELETE", `/api/audiences/${id}`);
  expect(refused.status).toBe(409);
  expect(refused.json.dependents).toEqual([`audience:${b.json.id}`]);
  expect((await w.call("DELETE", `/api/audiences/${b.json.id}`)).status).toBe(204);
  expect((await w.call("DELETE", `/api/audiences/${id}`)).status).toBe(204);
  expect((await w.call("GET", `/api/audiences/${id}`, undefined, "analyst")).status).toBe(404);
});

test("compute records sizes, emits entered/exited, pages members and exports CSV", async () => {
  const w = world();
  const id = (await w.call("POST", "/api/audiences", { name: "SH", definition: shanghaiBuyers })).json.id as number;
  const first = await w.call("POST", `/api/audiences/${id}/compute`);
  expect(first.status).toBe(200);
  expect(first.json.audience).toMatchObject({ size: 4, lastAsOf: NOW });
  expect(w.emitted).toEqual([]);

  // Person 103 (Shanghai) buys; person 100 moves to Beijing.
  w.setPeople((ps) => ps.map((p) =>
    p.id === 103 ? { ...p, events: [buy(1)] } : p.id === 100 ? { ...p, traits: { ...p.traits, city: "Beijing" } } : p));
  const second = await w.call("POST", `/api/audiences/${id}/compute?asOf=${encodeURIComponent("2024-03-15T12:00:00+08:00")}`);
  expect(second.json.audience).toMatchObject({ size: 4 });
  expect(w.emitted.map((e) => `${e.event} ${e.personId}`).sort()).toEqual(["audience_entered 103", "audience_exited 100"]);

  const sizes = await w.call("GET", `/api/audiences/${id}/sizes`, undefined, "analyst");
  expect((sizes.json.results as { size: number; entered: number; exited: number }[]).map((s) => [s.size, s.entered, s.exited])).toEqual([[4, 4, 0], [4, 0, 0], [4, 1, 1]]);

  const page1 = await w.call("GET", `/api/audiences/${id}/persons?limit=3`, undefined, "analyst");
  expect((page1.json.persons as ActorPerson[]).map((p) => p.id)).toEqual(["103", "106", "112"]);
  expect(page1.json.next).toBe("3");
  const page2 = await w.call("GET", `/api/audiences/${id}/persons?offset=3&limit=3`, undefined, "analyst");
  expect(page2.json).toMatchObject({ persons: [{ id: "124" }], next: null, total: 4 });

  const analysis = await w.call("GET", `/api/audiences/${id}/analysis?traits=city,email&limit=2&channels=true`, undefined, "analyst");
  expect(analysis.json).toMatchObject({
    totalPersons: 4,
    results: [
      { dimension: "city", kind: "trait", buckets: [{ value: "Shanghai", persons: 4 }] },
      { dimension: "email", kind: "trait", buckets: [{ value: "p12@example.cn", persons: 1 }, { value: "p24@example.cn", persons: 1 }, { value: "$other", persons: 2 }] },
      { dimension: "channel", kind: "channel", buckets: [{ value: "app", persons: 4 }, { value: "email", persons: 3 }] },
    ],
  });

  const csv = await w.call("GET", `/api/audiences/${id}/export.csv?traits=email,city`, undefined, "analyst");
  expect(csv.res.headers.get("content-type")).toContain("text/csv");
  expect(csv.res.headers.get("content-disposition")).toBe(`attachment; filename="audience-${id}.csv"`);
  expect(csv.text).toBe([
    // Contact columns of their own (e-mail from the trait when there is no e-mail identifier), then the rest.
    "person_id,user_id,email,phone,identifiers,city",
    "103,u103,p3@example.cn,,user_id:u103,Shanghai",
    "106,u106,p6@example.cn,,user_id:u106,Shanghai",
    "112,u112,p12@example.cn,,user_id:u112,Shanghai",
    "124,u124,p24@example.cn,,user_id:u124,Shanghai",
    "",
  ].join("\r\n"));
});
