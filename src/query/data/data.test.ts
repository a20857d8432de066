/**
 * The read path's promises, one case each, through the worker ops on a real store: merged persons
 * count once (before and after the merge's events), fresh events are visible before compaction and
 * the result cache notices them, person-property changes reach filters without a restart, the
 * hourly rollups answer exactly what the rows answer, `$all` and `$event` work as series, filter and
 * breakdown, actors page with a cursor, and the pickers' catalogue reflects what was stored.
 */
import { describe, expect, test } from "bun:test";
import { queryStore } from "./store.fixture.ts";

const H = 3_600_000;
const D = 24 * H;
const T = Date.UTC(2024, 0, 1); // a Monday
const day = (d: number, h = 0) => T + d * D + h * H;
const NOW = day(9);
const range = { dateFrom: "2024-01-01", dateTo: "2024-01-07" };

const points = (r: { results: unknown[] }, i = 0) => (r.results[i] as { points: { value: number }[] }).points.map((p) => p.value);
const total = (r: { results: unknown[] }, i = 0) => (r.results[i] as { total: number }).total;

describe("persons", () => {
  test("a merged person counts once, across events sent before and after the merge", async () => {
    const s = await queryStore({ now: NOW });
    await s.track([
      { user: "anon-1", event: "view", ts: day(0, 1) },
      { user: "user-1", event: "view", ts: day(0, 2) },
      { user: "user-1", event: "signup", ts: day(1, 2) },
    ]);
    const q = { kind: "trends", ...range, series: [{ event: "view", math: "users" }] };
    expect(total(await s.query(q))).toBe(2);
    s.merge("user-1", "anon-1");
    expect(total(await s.query(q))).toBe(1);
    // a funnel whose first step was done anonymously converts once the identities are one person
    const funnel = await s.query({ kind: "funnel", ...range, steps: [{ event: "view" }, { event: "signup" }] });
    expect((funnel.results[0] as { steps: { count: number }[] }).steps.map((x) => x.count)).toEqual([1, 1]);
    await s.compact();
    expect(total(await s.query(q))).toBe(1);
  });

  test("person-property filters and breakdowns follow trait changes on the next query", async () => {
    const s = await queryStore({ now: NOW });
    await s.track([{ user: "a", event: "view", ts: day(0) }, { user: "b", event: "view", ts: day(0) }, { user: "c", event: "view", ts: day(1) }]);
    s.traits("a", { city: "Shanghai", address: { city: "Pudong" } });
    s.traits("b", { city: "Beijing" });
    const q = { kind: "trends", ...range, series: [{ event: "view" }], where: { property: "city", type: "person", op: "eq", value: "Shanghai" } };
    expect(total(await s.query(q))).toBe(1);
    s.traits("b", { city: "Shanghai" });
    expect(total(await s.query(q))).toBe(2);
    const nested = await s.query({ ...q, where: { property: "address.city", type: "person", op: "eq", value: "Pudong" } });
    expect(total(nested)).toBe(1);
    const byCity = await s.query({ kind: "trends", ...range, series: [{ event: "view" }], breakdown: { property: "city", type: "person" } });
    const lines = byCity.results as { breakdownValue: string; total: number }[];
    expect(lines.map((l) => [l.breakdownValue, l.total])).toEqual([["Shanghai", 2], ["", 1]]);
  });
});

describe("freshness and the result cache", () => {
  test("events are counted as soon as they are committed; the cache moves with the data", async () => {
    const s = await queryStore({ now: NOW });
    const q = { kind: "trends", ...range, series: [{ event: "view" }] };
    await s.track([{ user: "a", event: "view", ts: day(2) }]);
    await s.compact();
    const first = await s.query(q);
    expect([total(first), first.timing.cached]).toEqual([1, false]);
    const again = await s.query(q);
    expect([total(again), again.timing.cached]).toEqual([1, true]);
    await s.track([{ user: "b", event: "view", ts: day(2, 5) }]); // still in the tail
    const fresh = await s.query(q);
    expect([total(fresh), fresh.timing.cached]).toEqual([2, false]);
    await s.compact();
    expect(total(await s.query(q))).toBe(2);
  });

  test("a relative range resolves against the request's clock", async () => {
    const s = await queryStore({ now: NOW });
    await s.track([{ user: "a", event: "view", ts: day(8) }, { user: "a", event: "view", ts: day(2) }]);
    const q = { kind: "trends", dateFrom: "-1d", dateTo: "today", series: [{ event: "view" }] };
    expect(total(await s.query(q))).toBe(1);
    expect(total(await s.query(q, { now: day(3) }))).toBe(1);
    expect(total(await s.query(q, { now: day(5) }))).toBe(0);
  });
});

describe("rollups, $all and $event", () => {
  test("counts from the hourly rollups equal counts from the rows, in a zone with DST", async () => {
    const s = await queryStore({ now: Date.UTC(2024, 2, 20), calendar: { zone: "America/New_York", weekStart: "sunday" } });
    const events = Array.from({ length: 200 }, (_, i) => ({
      user: `u${i % 13}`, event: i % 3 ? "view" : "buy", ts: Date.UTC(2024, 2, 5) + ((i * 7_919_113) % (12 * D)),
    }));
    await s.track(events.slice(0, 120));
    await s.compact();
    await s.track(events.slice(120));
    const base = { kind: "trends", dateFrom: "2024-03-05", dateTo: "2024-03-16", interval: "hour", compare: true };
    const rollup = await s.query({ ...base, series: [{ event: "view" }, { event: "$all" }] });
    // a filter every row passes forces the row path
    const always = { property: "nothing", op: "is_not_set" };
    const rows = await s.query({ ...base, series: [{ event: "view", where: always }, { event: "$all", where: always }] });
    expect([rollup.source, rows.source]).toEqual(["rollup", "events"]);
    expect(rollup.results).toEqual(rows.results);
    expect(total(rollup, 1)).toBeGreaterThan(0);
  });

  test("$all as a series and $event as a breakdown and a filter", async () => {
    const s = await queryStore({ now: NOW });
    await s.track([
      { user: "a", event: "view", ts: day(0) }, { user: "a", event: "view", ts: day(1) }, { user: "b", event: "buy", ts: day(1) },
      { user: "b", event: "refund", ts: day(2) },
    ]);
    const r = await s.query({ kind: "trends", ...range, series: [{ event: "$all" }], breakdown: { property: "$event" }, where: { property: "$event", op: "neq", value: "refund" } });
    expect(r.results.map((l) => [(l as { breakdownValue: string }).breakdownValue, (l as { total: number }).total])).toEqual([["view", 2], ["buy", 1]]);
    const unknown = await s.query({ kind: "trends", ...range, series: [{ event: "never-sent" }] });
    expect(points(unknown)).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });
});

describe("actors and the catalogue", () => {
  test("actors page through the selection with a cursor", async () => {
    const s = await queryStore({ now: NOW });
    await s.track(Array.from({ length: 7 }, (_, i) => ({ user: `u${i}`, event: "view", ts: day(1, i) })));
    const ask = { kind: "trends", ...range, series: [{ event: "view" }], point: { series: "A", period: "2024-01-02" }, limit: 3 };
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { ids: Int32Array; next: string | null; total: number } = await s.actors({ ...ask, cursor });
      expect(page.total).toBe(7);
      seen.push(...page.ids);
      cursor = page.next;
    } while (cursor !== null);
    expect(seen).toEqual(Array.from({ length: 7 }, (_, i) => s.person(`u${i}`)));
    expect((await s.actors({ ...ask, point: { series: "A", period: "2024-01-03" } })).total).toBe(0);
  });

  test("events list names by volume with their last time; properties list keys, types and top values", async () => {
    const s = await queryStore({ now: NOW });
    await s.track([
      { user: "a", event: "view", ts: day(0), props: { $browser: "Chrome", n: 1 } },
      { user: "b", event: "view", ts: day(3), props: { $browser: "Chrome" } },
      { user: "b", event: "buy", ts: day(2), props: { price: 5 } },
    ]);
    await s.compact();
    await s.track([{ user: "c", event: "view", ts: day(4), props: { $browser: "Safari" } }]);
    s.traits("a", { plan: "pro" });
    const events = await s.svc.reader.call("events", { now: NOW });
    const iso = (t: number) => new Date(t).toISOString();
    expect(events.results.map((e) => [e.name, e.count, e.last30Days, e.firstSeen, e.lastSeen])).toEqual([
      ["view", 3, 3, iso(day(0)), iso(day(4))],
      ["buy", 1, 1, iso(day(2)), iso(day(2))],
    ]);
    const props = await s.svc.reader.call("eventProperties", { event: "view" });
    expect(props.results).toEqual([
      { key: "$browser", type: "event", types: ["string"], count: 3, topValues: [{ value: "Chrome", count: 2 }, { value: "Safari", count: 1 }] },
      { key: "n", type: "event", types: ["number"], count: 1, topValues: [{ value: "1", count: 1 }] },
      { key: "plan", type: "person", types: ["string"], count: 1, topValues: [{ value: "pro", count: 1 }] },
    ]);
  });
});
