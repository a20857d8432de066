/**
 * Every analysis end to end through HTTP on the real app: events and identifies posted to
 * `POST /v1/batch` with a write key (identity merges an anonymous visitor into a user, traits land on
 * persons), part of them compacted, then `POST /api/query` per kind with hand-computed answers,
 * actors with identifiers and paging, saving them as a static audience pack (operators only), the
 * 400s, the pickers' routes and the OpenAPI document. Times are UTC; the queries say so.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { syncDb } from "../db/sync.ts";
import { readSnapshot } from "../audiences/audiences.repo.ts";
import type { AudienceTagTables } from "../audiences/schema.ts";
import { silentLogger } from "../log.ts";
import { ensureDefaultSource } from "../sources/sources.ts";
import { testApp, type Caller } from "../../test/app-helpers.ts";

const WRITE_KEY = "wk_analytics_0123456789";
const t = testApp();
let analyst: Caller;
let operator: Caller;

const track = (who: { userId?: string; anonymousId?: string }, event: string, timestamp: string, properties: Record<string, unknown> = {}) =>
  ({ type: "track", ...who, event, timestamp, properties });
const identify = (userId: string, anonymousId: string | undefined, timestamp: string, traits: Record<string, unknown>) =>
  ({ type: "identify", userId, ...(anonymousId ? { anonymousId } : {}), timestamp, traits });

async function ingest(batch: unknown[]): Promise<void> {
  const res = await t.call("POST", "/v1/batch", { json: { batch }, headers: { authorization: `Basic ${btoa(`${WRITE_KEY}:`)}` } });
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ success: true });
}

beforeAll(async () => {
  await ensureDefaultSource(t.deps.db, t.deps.kdb, t.deps.crypto, WRITE_KEY, t.clock.now, silentLogger);
  analyst = await t.asToken("analyst");
  operator = await t.asToken("operator");
  await ingest([
    identify("u4", undefined, "2025-11-20T09:00:00Z", { city: "Hangzhou" }),
    track({ userId: "u4" }, "signup", "2025-11-20T09:01:00Z"),
    track({ anonymousId: "a1" }, "page_view", "2025-12-01T10:00:00Z", { browser: "Chrome" }),
    identify("u1", "a1", "2025-12-01T10:05:00Z", { city: "Shanghai", email: "u1@example.com" }),
    track({ userId: "u1" }, "signup", "2025-12-01T10:10:00Z"),
    track({ userId: "u2" }, "page_view", "2025-12-01T11:00:00Z", { browser: "Safari" }),
    identify("u2", undefined, "2025-12-01T11:05:00Z", { city: "Beijing" }),
  ]);
  await t.deps.events.store.compactNow(); // the first half in segments, the rest in the tail
  await ingest([
    track({ userId: "u1" }, "page_view", "2025-12-02T09:00:00Z", { browser: "Chrome" }),
    track({ userId: "u2" }, "signup", "2025-12-02T08:00:00Z"),
    track({ userId: "u3" }, "page_view", "2025-12-02T15:00:00Z", { browser: "Safari" }),
    identify("u3", undefined, "2025-12-02T15:05:00Z", { city: "Shanghai" }),
    track({ userId: "u1" }, "purchase", "2025-12-03T12:00:00Z", { amount: 30 }),
    track({ userId: "u4" }, "page_view", "2025-12-03T09:00:00Z"),
    track({ userId: "u3" }, "page_view", "2025-12-04T15:00:00Z", { browser: "Safari" }),
    track({ userId: "u3" }, "purchase", "2025-12-04T16:00:00Z", { amount: "50" }),
  ]);
});

const range = { dateFrom: "2025-12-01", dateTo: "2025-12-04", timezone: "UTC" };

async function query(body: unknown, who: Caller = analyst) {
  const res = await t.call("POST", "/api/query", { json: body, headers: who.headers });
  return { status: res.status, body: (await res.json()) as { results: Record<string, unknown>[]; totalPersons?: number; timing?: { ms: number }; issues?: unknown[] } };
}

describe("POST /api/query, one analysis at a time", () => {
  test("trends: daily counts and distinct persons (the merged visitor once), breakdown, person filter", async () => {
    const { status, body } = await query({ ...range, kind: "trends", series: [{ event: "page_view" }, { event: "page_view", math: "users" }] });
    expect(status).toBe(200);
    expect(body.results.map((l) => [l.series, (l.points as { value: number }[]).map((p) => p.value), l.total])).toEqual([
      ["A", [2, 2, 1, 1], 6],
      ["B", [2, 2, 1, 1], 4],
    ]);
    expect(body.timing!.ms).toBeGreaterThanOrEqual(0);
    const byBrowser = await query({ ...range, kind: "trends", series: [{ event: "page_view" }], breakdown: { property: "browser" } });
    expect(byBrowser.body.results.map((l) => [l.breakdownValue, l.total])).toEqual([["Safari", 3], ["Chrome", 2], ["", 1]]);
    const shanghai = await query({ ...range, kind: "trends", series: [{ event: "page_view" }], where: { property: "city", type: "person", op: "eq", value: "Shanghai" } });
    expect(shanghai.body.results[0]!.total).toBe(4);
    // e-mail is sealed at rest, yet filters like any trait (u1's page views, the merged visitor's included)
    const staff = await query({ ...range, kind: "trends", series: [{ event: "page_view" }], where: { property: "email", type: "person", op: "contains", value: "@example.com" } });
    expect(staff.body.results[0]!.total).toBe(2);
    const revenue = await query({ ...range, kind: "trends", series: [{ event: "purchase", math: "sum", property: "amount" }] });
    expect(revenue.body.results[0]!.total).toBe(80);
  });

  test("funnel: the anonymous first step converts once identified; steps, time to convert and trends views", async () => {
    const steps = [{ event: "page_view" }, { event: "signup" }, { event: "purchase" }];
    const { body } = await query({ ...range, kind: "funnel", steps });
    expect((body.results[0]!.steps as { count: number }[]).map((s) => s.count)).toEqual([4, 2, 1]);
    const ttc = await query({ ...range, kind: "funnel", steps: steps.slice(0, 2), view: "time_to_convert" });
    // u1 converts in 600 s, u2 in 21 h; ⌈∛2⌉ = 2 bins of ⌈(75600 − 600) / 2⌉ s
    expect(ttc.body.results).toEqual([{ averageSeconds: 38_100, medianSeconds: 38_100, bins: [[600, 1], [38_100, 0], [75_600, 1]] }]);
    const byDay = await query({ ...range, kind: "funnel", steps: steps.slice(0, 2), view: "trends", interval: "day" });
    expect(byDay.body.results.map((r) => [r.period, r.entered, r.converted, r.rate])).toEqual([
      ["2025-12-01", 2, 2, 100], ["2025-12-02", 2, 0, 0], ["2025-12-03", 1, 0, 0], ["2025-12-04", 1, 0, 0],
    ]);
  });

  test("retention: first-time cohorts leave out people first seen before the range", async () => {
    const { body } = await query({ ...range, kind: "retention", startEvent: { event: "$all" }, returnEvent: { event: "$all" }, mode: "first_time" });
    expect((body.results[0]!.cohorts as { period: string; values: number[] }[]).map((c) => [c.period, c.values])).toEqual([
      ["2025-12-01", [2, 2, 1, 0]], ["2025-12-02", [1, 0, 1]], ["2025-12-03", [0, 0]], ["2025-12-04", [0]],
    ]);
  });

  test("distribution, lifecycle and stickiness of page views", async () => {
    const dist = await query({ ...range, kind: "distribution", event: "page_view", buckets: [1, 2] });
    expect(dist.body).toMatchObject({ results: [{ from: 1, to: 2, persons: 2 }, { from: 2, to: null, persons: 2 }], totalPersons: 4 });
    const life = await query({ ...range, kind: "lifecycle", event: "page_view", interval: "day" });
    expect(life.body.results.map((r) => [r.period, r.new, r.returning, r.resurrecting, r.dormant])).toEqual([
      ["2025-12-01", 2, 0, 0, 0], ["2025-12-02", 1, 1, 0, -1], ["2025-12-03", 0, 0, 1, -2], ["2025-12-04", 0, 0, 1, -1],
    ]);
    const sticky = await query({ ...range, kind: "stickiness", event: "page_view", interval: "day" });
    expect(sticky.body.results).toEqual([{ intervals: 1, persons: 2 }, { intervals: 2, persons: 2 }, { intervals: 3, persons: 0 }, { intervals: 4, persons: 0 }]);
  });

  test("paths from the first page view, identifies left out", async () => {
    const { body } = await query({ ...range, kind: "paths", startEvent: { event: "page_view" }, excludeEvents: ["$identify"], sessionGapMinutes: null });
    expect(body.results).toEqual([
      { source: "1_page_view", target: "2_signup", persons: 2 },
      { source: "1_page_view", target: "2_purchase", persons: 1 },
      { source: "2_signup", target: "3_page_view", persons: 1 },
      { source: "3_page_view", target: "4_purchase", persons: 1 },
    ]);
  });

  test("invalid queries answer 400 with issues; a query that cannot run says why", async () => {
    const bad = await query({ kind: "funnel", steps: [{ event: "a" }] });
    expect(bad.status).toBe(400);
    expect(bad.body.issues).toContainEqual(expect.objectContaining({ path: "steps" }));
    const unknownKind = await query({ kind: "cohorts" });
    expect(unknownKind.status).toBe(400);
    const backwards = await query({ kind: "trends", dateFrom: "2025-12-04", dateTo: "2025-12-01", series: [{ event: "page_view" }] });
    expect(backwards.status).toBe(400);
    expect(JSON.stringify(backwards.body)).toContain("is not before");
  });
});

describe("POST /api/query/actors", () => {
  const dropOffs = { ...range, kind: "funnel", steps: [{ event: "page_view" }, { event: "signup" }], dropOffAfter: 1 };

  test("lists persons with their identifiers and traits, a page at a time", async () => {
    const res = await t.call("POST", "/api/query/actors", { json: { ...dropOffs, limit: 1 }, headers: analyst.headers });
    expect(res.status).toBe(200);
    const first = (await res.json()) as { persons: { id: string; identifiers: { type: string; value: string }[]; traits: Record<string, unknown> }[]; next: string; total: number };
    expect(first.total).toBe(2);
    expect(first.persons[0]!.identifiers).toContainEqual({ type: "user_id", value: "u4" });
    expect(first.persons[0]!.traits).toMatchObject({ city: "Hangzhou" });
    const res2 = await t.call("POST", "/api/query/actors", { json: { ...dropOffs, limit: 1, cursor: first.next }, headers: analyst.headers });
    const second = (await res2.json()) as { persons: { identifiers: { type: string; value: string }[] }[]; next: string | null };
    expect(second.persons[0]!.identifiers).toContainEqual({ type: "user_id", value: "u3" });
    expect(second.next).toBeNull();
  });

  test("the persons behind one period of funnel trends: entered then, converted", async () => {
    const byDay = { ...range, kind: "funnel", steps: [{ event: "page_view" }, { event: "signup" }], view: "trends", interval: "day" };
    const ids = async (selector: object) => {
      const res = await t.call("POST", "/api/query/actors", { json: { ...byDay, ...selector }, headers: analyst.headers });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { persons: { identifiers: { type: string; value: string }[] }[] };
      return body.persons.map((p) => p.identifiers.find((i) => i.type === "user_id")!.value).sort();
    };
    expect(await ids({ step: 2, period: "2025-12-01" })).toEqual(["u1", "u2"]); // the trends row: 2 entered, 2 converted
    expect(await ids({ step: 1, period: "2025-12-02" })).toEqual(["u1", "u3"]);
    expect(await ids({ step: 2, period: "2025-12-02" })).toEqual([]);
    const steps = await t.call("POST", "/api/query/actors", { json: { ...byDay, view: "steps", step: 1, period: "2025-12-01" }, headers: analyst.headers });
    expect(steps.status).toBe(400);
  });

  test("the persons behind each time-to-convert bin, as many as the histogram counts; saved as a pack", async () => {
    const ttc = { ...range, kind: "funnel", steps: [{ event: "page_view" }, { event: "signup" }], view: "time_to_convert" };
    const { body } = await query(ttc);
    const bins = body.results[0]!.bins as [number, number][];
    expect(bins).toEqual([[600, 1], [38_100, 0], [75_600, 1]]); // u1 in 600 s, u2 in 21 h
    const width = bins[1]![0] - bins[0]![0];
    const listed = await Promise.all(bins.map(async ([from], k) => {
      const bin = { from, to: bins[k + 1]?.[0] ?? from + width };
      const res = await t.call("POST", "/api/query/actors", { json: { ...ttc, bin }, headers: analyst.headers });
      expect(res.status).toBe(200);
      const out = (await res.json()) as { persons: { identifiers: { type: string; value: string }[] }[]; total: number };
      return [out.total, out.persons.map((p) => p.identifiers.find((i) => i.type === "user_id")!.value)] as const;
    }));
    expect(listed).toEqual([[1, ["u1"]], [0, []], [1, ["u2"]]]);
    const saved = await t.call("POST", "/api/query/actors", { json: { ...ttc, bin: { from: 75_600, to: 113_100 }, saveAs: { name: "Slow signups" } }, headers: operator.headers });
    expect(((await saved.json()) as { audience: { size: number } }).audience).toMatchObject({ name: "Slow signups", size: 1 });
    for (const bad of [{ ...ttc, view: "steps", bin: { from: 0, to: 60 } }, { ...ttc, bin: { from: 60, to: 60 } }, { ...ttc, bin: { from: 0, to: 60 }, step: 1 }]) {
      expect((await t.call("POST", "/api/query/actors", { json: bad, headers: analyst.headers })).status).toBe(400);
    }
  });

  test("saveAs creates a static audience pack of the whole selection; analysts may not", async () => {
    const denied = await t.call("POST", "/api/query/actors", { json: { ...dropOffs, saveAs: { name: "No signup" } }, headers: analyst.headers });
    expect(denied.status).toBe(403);
    const res = await t.call("POST", "/api/query/actors", { json: { ...dropOffs, limit: 1, saveAs: { name: "No signup" } }, headers: operator.headers });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { audience: { id: number; name: string; size: number }; persons: unknown[] };
    expect(body.persons).toHaveLength(1);
    expect(body.audience).toMatchObject({ name: "No signup", size: 2 });
    const snap = readSnapshot(syncDb(t.deps.db, t.deps.kdb.withTables<AudienceTagTables>()), body.audience.id);
    expect(snap!.members).toHaveLength(2);
  });
});

describe("pickers and documentation", () => {
  test("GET /api/events and /api/events/properties", async () => {
    const events = await t.call("GET", "/api/events", { headers: analyst.headers });
    const list = ((await events.json()) as { results: { name: string; count: number }[] }).results;
    expect(list.find((e) => e.name === "page_view")?.count).toBe(6);
    const props = await t.call("GET", "/api/events/properties?event=purchase", { headers: analyst.headers });
    const keys = ((await props.json()) as { results: { key: string; type: string; types: string[] }[] }).results;
    expect(keys.find((k) => k.key === "amount")).toMatchObject({ type: "event", types: ["number", "string"] });
    expect(keys.find((k) => k.key === "city")).toMatchObject({ type: "person" });
    expect(keys.find((k) => k.key === "email")).toMatchObject({ type: "person", count: 1, topValues: [] }); // never its values
  });

  test("the OpenAPI document describes the analytics routes with examples", async () => {
    const doc = (await (await t.call("GET", "/api/openapi.json", { headers: analyst.headers })).json()) as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { examples?: unknown[] } }> } }>> };
    for (const path of ["/api/query", "/api/query/actors", "/api/events", "/api/events/properties"]) expect(Object.keys(doc.paths)).toContain(path);
    const examples = doc.paths["/api/query"]!.post!.requestBody!.content["application/json"]!.schema.examples!;
    expect(examples.map((e) => (e as { kind: string }).kind)).toEqual(expect.arrayContaining(["trends", "funnel", "retention", "distribution", "lifecycle", "stickiness", "paths"]));
  });
});
