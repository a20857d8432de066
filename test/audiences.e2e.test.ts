/**
 * Audiences and tags end to end on the real app and store (issue 6): events and identifies posted to
 * `POST /v1/batch` with a write key — identity merging an anonymous buyer into a user, a string
 * amount, events on both sides of the window edges and after asOf — then a three-leaf preview whose
 * count is worked out by hand below, before and after compaction; the pack saved, computed, paged and
 * exported; tags imported by identifier and used as person properties in `POST /api/query`; the
 * person page showing tags and packs.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { silentLogger } from "../src/log.ts";
import { ensureDefaultSource } from "../src/sources/sources.ts";
import { testApp, type Caller } from "./app-helpers.ts";

const WRITE_KEY = "wk_audiences_e2e_0123456789";
const t = testApp();
let analyst: Caller;
let operator: Caller;

type Props = Record<string, unknown>;
const track = (who: { userId?: string; anonymousId?: string }, event: string, timestamp: string, properties: Props = {}) =>
  ({ type: "track", ...who, event, timestamp, properties });
const identify = (userId: string, anonymousId: string | undefined, timestamp: string, traits: Props) =>
  ({ type: "identify", userId, ...(anonymousId ? { anonymousId } : {}), timestamp, traits });

async function ingest(batch: unknown[]): Promise<void> {
  const res = await t.call("POST", "/v1/batch", { json: { batch }, headers: { authorization: `Basic ${btoa(`${WRITE_KEY}:`)}` } });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ success: true });
}

// asOf is the end of 31 March 2026 in the project time zone (Asia/Shanghai); "last 30 days" is
// (1 March 23:59:59.999, 31 March 23:59:59.999] local time.
const AS_OF = "2026-03-31T23:59:59.999+08:00";
const at = (local: string) => `${local}+08:00`;
const buy = (userId: string, local: string, amount: unknown) => track({ userId }, "purchase", at(local), { amount });

beforeAll(async () => {
  t.clock.now = Date.parse("2026-04-02T12:00:00Z"); // after the data: ingestion clamps future timestamps to now
  await ensureDefaultSource(t.deps.db, t.deps.kdb, t.deps.crypto, WRITE_KEY, t.clock.now, silentLogger);
  analyst = await t.asToken("analyst");
  operator = await t.asToken("operator");
  const cities: [string, string][] = [
    ["u1", "Shanghai"], ["u2", "Shanghai"], ["u3", "Shanghai"], ["u4", "Beijing"], ["u6", "Shanghai"],
    ["u7", "Shanghai"], ["u8", "Shanghai"], ["u9", "Shanghai"], ["u10", "Shanghai"],
  ];
  await ingest([
    ...cities.map(([u, city]) => identify(u, undefined, at("2026-01-05T09:00:00"), { city, ...(u === "u1" ? { email: "U1@Example.cn" } : {}) })),
    buy("u1", "2026-03-20T10:00:00", 60), buy("u1", "2026-03-25T10:00:00", 50), // 110: in
    buy("u2", "2026-03-28T10:00:00", 120), track({ userId: "u2" }, "refund", at("2026-03-29T10:00:00")), // refunded: out
    buy("u3", "2026-02-10T10:00:00", 150), // before the window: out
    buy("u4", "2026-03-30T10:00:00", 200), // Beijing: out
    // u5 buys as an anonymous visitor, then identifies: the purchase is theirs (in)
    track({ anonymousId: "a5" }, "purchase", at("2026-03-15T10:00:00"), { amount: 100 }),
  ]);
  await t.deps.events.store.compactNow(); // half in segments, half in the tail
  await ingest([
    identify("u5", "a5", at("2026-03-16T10:00:00"), { city: "Shanghai" }),
    buy("u6", "2026-03-31T12:00:00", "70"), buy("u6", "2026-03-31T23:59:59", 40), // "70" + 40 = 110: in
    buy("u6", "2026-04-01T00:00:01", 500), // after asOf: not counted
    buy("u7", "2026-03-30T10:00:00", 99.5), // below 100: out
    track({ userId: "u8" }, "refund", at("2026-02-20T10:00:00")), buy("u8", "2026-03-02T10:00:00", 100), // refund outside: in
    buy("u9", "2026-03-01T23:59:59.999", 100), // exactly asOf − 30 days: outside the half-open window
    buy("u10", "2026-03-02T00:00:00.000", 100), // the first instant inside: in
  ]);
});

const definition = {
  kind: "and",
  children: [
    { kind: "attr", property: "city", op: "eq", value: "Shanghai" },
    { kind: "event", event: "purchase", window: { kind: "last", n: 30, unit: "day" }, measure: { fn: "sum", property: "amount" }, cmp: { op: "gte", value: 100 } },
    { kind: "did_not", event: "refund", window: { kind: "last", n: 30, unit: "day" } },
  ],
};
const EXPECTED = ["u1", "u10", "u5", "u6", "u8"];

const userIds = (persons: { identifiers: { type: string; value: string }[] }[]) =>
  persons.map((p) => p.identifiers.find((i) => i.type === "user_id")!.value).sort();

async function previewNow() {
  const res = await t.call("POST", "/api/audiences/preview", { json: { definition, asOf: AS_OF }, headers: analyst.headers });
  expect(res.status).toBe(200);
  return (await res.json()) as { count: number; sample: { id: string; identifiers: { type: string; value: string }[]; traits: Props }[]; timing: { ms: number } };
}

describe("preview over ingested events", () => {
  test("the count and sample equal the hand-computed answer, before and after compaction", async () => {
    const before = await previewNow();
    expect(before.count).toBe(EXPECTED.length);
    expect(userIds(before.sample)).toEqual(EXPECTED);
    expect(before.sample.find((p) => userIds([p])[0] === "u5")!.identifiers).toContainEqual({ type: "anonymous_id", value: "a5" });
    await t.deps.events.store.compactNow();
    const after = await previewNow();
    expect(after.count).toBe(EXPECTED.length);
    expect(userIds(after.sample)).toEqual(EXPECTED);
  });

  test("a saved pack computes, pages its members and exports them as CSV", async () => {
    const created = await t.call("POST", "/api/audiences", { json: { name: "Shanghai spenders", definition }, headers: operator.headers });
    expect(created.status).toBe(201);
    const id = ((await created.json()) as { id: number }).id;
    const computed = await t.call("POST", `/api/audiences/${id}/compute?asOf=${encodeURIComponent(AS_OF)}`, { headers: operator.headers });
    expect(((await computed.json()) as { audience: { size: number } }).audience.size).toBe(EXPECTED.length);
    const page = await t.call("GET", `/api/audiences/${id}/persons?limit=2`, { headers: analyst.headers });
    expect(await page.json()).toMatchObject({ next: "2", total: EXPECTED.length });
    const csv = await (await t.call("GET", `/api/audiences/${id}/export.csv?traits=city`, { headers: analyst.headers })).text();
    const lines = csv.trim().split("\r\n");
    expect(lines[0]).toBe("person_id,user_id,email,phone,identifiers,city");
    expect(lines.slice(1).map((l) => /user_id:(u\d+)/.exec(l)![1]).sort()).toEqual(EXPECTED);
    expect(lines.slice(1).every((l) => l.endsWith(",Shanghai"))).toBe(true);
    const breakdown = await t.call("GET", `/api/audiences/${id}/analysis?traits=city&channels=true`, { headers: analyst.headers });
    expect(await breakdown.json()).toMatchObject({
      totalPersons: 5,
      results: [
        { dimension: "city", buckets: [{ value: "Shanghai", persons: 5 }] },
        { dimension: "channel", buckets: [{ value: "app", persons: 5 }, { value: "email", persons: 1 }] }, // u1's e-mail
      ],
    });
  });
});

describe("tags", () => {
  test("imported by identifier, shown on the person page, and usable as a person property in analyses", async () => {
    const csv = "person,tag,value\nuser_id:u1,vip,\nuser_id:u4,vip,\nanonymous_id:a5,tier,gold\nuser_id:u1,tier,silver\nuser_id:nobody,vip,\n";
    const imported = await t.call("POST", "/api/tags/import?create=true", { body: csv, headers: { ...operator.headers, "content-type": "text/csv" } });
    expect(await imported.json()).toMatchObject({ imported: 4, created: ["vip", "tier"], errors: [{ line: 6 }] });

    const u1 = t.deps.events.identity.lookup("user_id", "u1")!.person;
    const page = (await (await t.call("GET", `/api/persons/${u1}`, { headers: analyst.headers })).json()) as { tags: { name: string; value: string | null }[]; audiences: { name: string }[] };
    expect(page.tags.map((x) => [x.name, x.value])).toEqual([["tier", "silver"], ["vip", null]]);
    expect(page.audiences.map((a) => a.name)).toEqual(["Shanghai spenders"]);

    const range = { dateFrom: "2026-03-01", dateTo: "2026-03-31", timezone: "Asia/Shanghai" };
    const query = async (body: Props) => {
      const res = await t.call("POST", "/api/query", { json: { ...range, kind: "trends", series: [{ event: "purchase" }], ...body }, headers: analyst.headers });
      expect(res.status).toBe(200);
      return ((await res.json()) as { results: { breakdownValue: string | null; total: number }[] }).results;
    };
    // u1's two purchases and u4's one
    expect((await query({ where: { property: "$tag:vip", type: "person", op: "is_set" } }))[0]!.total).toBe(3);
    const byTier = await query({ breakdown: { property: "$tag:tier", type: "person" } });
    expect(Object.fromEntries(byTier.map((r) => [r.breakdownValue, r.total]))).toMatchObject({ silver: 2, gold: 1 });
    const props = (await (await t.call("GET", "/api/events/properties", { headers: analyst.headers })).json()) as { results: { key: string; type: string }[] };
    expect(props.results).toContainEqual(expect.objectContaining({ key: "$tag:vip", type: "person" }));
    // a tag leaf in a definition reads the same values
    const res = await t.call("POST", "/api/audiences/preview", { json: { definition: { kind: "tag", tag: "tier", present: true, value: "gold" }, asOf: AS_OF }, headers: analyst.headers });
    expect(userIds(((await res.json()) as { sample: { identifiers: { type: string; value: string }[] }[] }).sample)).toEqual(["u5"]);
  });
});
