/**
 * Distribution answers "how many persons did it how many times / on how many days": the measures
 * (times, local days, local hours, property sums), the bucket edges ([1,3) [3,10) [10,∞) with `to`
 * null, the leading bucket below the first edge), automatic edges and the per-interval variant are
 * pinned by hand; a seeded cross-check compares with a brute force that buckets days with Intl.
 */
import { describe, expect, test } from "bun:test";
import { autoEdges, distributionActors, distributionResults } from "./distribution.ts";
import { byPersonTime, type Ev, int, localLabel, ms, pick, rng, rowsOf } from "./fixtures.ts";
import { DistributionQuery } from "./schema.ts";
import { buckets, type Calendar, type Range } from "./time.ts";

const UTC: Calendar = { zone: "UTC", weekStart: "monday" };
const RANGE: Range = { from: ms("2024-01-01"), to: ms("2024-01-08") };

function frame(q: DistributionQuery, cal: Calendar, range: Range) {
  const units = q.measure === "active_days" ? buckets(cal, range, "day") : q.measure === "active_hours" ? buckets(cal, range, "hour") : undefined;
  return { range, units, periods: q.interval ? buckets(cal, range, q.interval) : undefined };
}

function run(q: object, events: (Ev & { v?: number })[], opts: { cal?: Calendar; range?: Range } = {}) {
  const dq = DistributionQuery.parse({ kind: "distribution", event: "e", ...q });
  const sorted = byPersonTime(events);
  const input = { rows: rowsOf(sorted), value: Float64Array.from(sorted, (e) => e.v ?? NaN) };
  const f = frame(dq, opts.cal ?? UTC, opts.range ?? RANGE);
  return { dq, input, f, res: distributionResults(dq, input, f) };
}

const times = (p: number, k: number, day = "2024-01-02"): Ev[] => Array.from({ length: k }, (_, i) => ({ p, t: `${day}T${String(i % 24).padStart(2, "0")}:00`, bits: 1 }));

describe("measures and custom buckets", () => {
  const ev = [...times(0, 1), ...times(1, 2), ...times(2, 3), ...times(3, 5), ...times(4, 12)];

  test("counts with edges [1,3,10]: [1,3) [3,10) [10,∞)", () => {
    expect(run({ buckets: [1, 3, 10] }, ev).res).toEqual({
      results: [{ from: 1, to: 3, persons: 2 }, { from: 3, to: 10, persons: 2 }, { from: 10, to: null, persons: 1 }],
      totalPersons: 5,
    });
  });

  test("rows of other events and outside the range are not counted", () => {
    const extra: Ev[] = [{ p: 0, t: "2024-01-02T05:00", bits: 2 }, { p: 0, t: "2023-12-31T23:59", bits: 1 }, { p: 0, t: "2024-01-08T00:00", bits: 1 }];
    expect(run({ buckets: [1, 2] }, [...times(0, 1), ...extra]).res.results).toEqual([{ from: 1, to: 2, persons: 1 }, { from: 2, to: null, persons: 0 }]);
  });

  test("active days are local days", () => {
    const cal = { zone: "Asia/Shanghai", weekStart: "monday" } as const;
    const ev: Ev[] = [{ p: 0, t: "2024-01-02T15:00", bits: 1 }, { p: 0, t: "2024-01-02T17:00", bits: 1 }, { p: 1, t: "2024-01-02T01:00", bits: 1 }, { p: 1, t: "2024-01-02T09:00", bits: 1 }];
    expect(run({ measure: "active_days", buckets: [1, 2] }, ev, { cal }).res.results).toEqual([{ from: 1, to: 2, persons: 1 }, { from: 2, to: null, persons: 1 }]);
  });

  test("active hours in a :45 zone", () => {
    const cal = { zone: "Asia/Kathmandu", weekStart: "monday" } as const;
    const ev: Ev[] = [{ p: 0, t: "2024-01-02T10:14", bits: 1 }, { p: 0, t: "2024-01-02T10:16", bits: 1 }, { p: 0, t: "2024-01-02T11:14", bits: 1 }]; // 15:59, 16:01, 16:59 local
    expect(run({ measure: "active_hours", buckets: [1, 2, 3] }, ev, { cal }).res.results).toEqual([
      { from: 1, to: 2, persons: 0 }, { from: 2, to: 3, persons: 1 }, { from: 3, to: null, persons: 0 },
    ]);
  });

  test("sums below the first edge get a leading bucket with from null", () => {
    const ev = [{ p: 0, t: "2024-01-02T01:00", bits: 1, v: 0.5 }, { p: 1, t: "2024-01-02T01:00", bits: 1 }, { p: 2, t: "2024-01-02T01:00", bits: 1, v: 2 }];
    expect(run({ measure: "sum", property: "amount", buckets: [1, 3] }, ev).res).toEqual({
      results: [{ from: null, to: 1, persons: 2 }, { from: 1, to: 3, persons: 1 }, { from: 3, to: null, persons: 0 }],
      totalPersons: 3,
    });
  });
});

describe("automatic buckets and per interval", () => {
  test.each([
    [[1, 2, 7], true, [1, 2, 3, 4, 5]],
    [[1, 120], true, [1, 2, 3, 4, 5, 10, 20, 50, 100]],
    [[1], true, [1]],
    [[], true, [1]],
    [[0, 95], false, [0, 10, 20, 30, 40, 50, 60, 70, 80, 90]],
    [[-3, 4.2], false, [-3, -2, -1, 0, 1, 2, 3, 4]],
    [[0.1, 0.33], false, [0.1, 0.15, 0.2, 0.25, 0.3]],
    [[7, 7], false, [7]],
  ])("autoEdges(%p, integral %p)", (values, integral, want) => {
    expect(autoEdges(values, integral)).toEqual(want);
  });

  test("no rows: one empty bucket and nobody", () => {
    expect(run({}, []).res).toEqual({ results: [{ from: 1, to: null, persons: 0 }], totalPersons: 0 });
  });

  test("automatic count buckets end with an open bucket", () => {
    const ev = [...times(0, 1), ...times(1, 7)];
    expect(run({}, ev).res.results).toEqual([
      { from: 1, to: 2, persons: 1 }, { from: 2, to: 3, persons: 0 }, { from: 3, to: 4, persons: 0 },
      { from: 4, to: 5, persons: 0 }, { from: 5, to: null, persons: 1 },
    ]);
  });

  test("per interval: one histogram per period on shared edges; totalPersons over the range", () => {
    const ev = [...times(0, 2, "2024-01-01"), ...times(0, 1, "2024-01-02"), ...times(1, 1, "2024-01-02")];
    const { res } = run({ buckets: [1, 2], interval: "day" }, ev, { range: { from: ms("2024-01-01"), to: ms("2024-01-03") } });
    expect(res).toEqual({
      results: [
        { period: "2024-01-01", from: 1, to: 2, persons: 0 }, { period: "2024-01-01", from: 2, to: null, persons: 1 },
        { period: "2024-01-02", from: 1, to: 2, persons: 2 }, { period: "2024-01-02", from: 2, to: null, persons: 0 },
      ],
      totalPersons: 2,
    });
  });

  test("actors of a bucket", () => {
    const { dq, input, f } = run({ buckets: [1, 3, 10] }, [...times(0, 1), ...times(1, 2), ...times(2, 3)]);
    expect([...distributionActors(dq, input, f, { from: 1 })]).toEqual([0, 1]);
    expect([...distributionActors(dq, input, f, { from: 3 })]).toEqual([2]);
    expect([...distributionActors(dq, input, f, { from: 4 })]).toEqual([]);
  });
});

describe("randomized cross-check against a brute force", () => {
  for (let seed = 1; seed <= 60; seed++) {
    test(`seed ${seed}`, () => {
      const r = rng(seed * 31337);
      const measure = pick(r, ["count", "active_days", "active_hours", "sum"] as const);
      const cal: Calendar = { zone: pick(r, ["UTC", "America/New_York", "Asia/Kolkata"]), weekStart: "monday" };
      const range = { from: ms("2024-03-08T00:00") + int(r, 30) * 3_600_000, to: ms("2024-03-13T00:00") };
      const interval = r() < 0.4 ? pick(r, ["day", "week"] as const) : undefined;
      const edges = [...new Set(Array.from({ length: 1 + int(r, 4) }, () => int(r, 12)))].sort((a, b) => a - b);
      const ev = Array.from({ length: int(r, 90) }, () => ({
        p: int(r, 7), t: range.from - 86_400_000 + Math.floor(r() * 7 * 86_400_000), bits: int(r, 4) ? 1 : 2, v: r() < 0.2 ? NaN : int(r, 9) - 2,
      }));
      const { res } = run({ measure, property: "v", buckets: edges, interval }, ev, { cal, range });
      // brute force
      const inR = ev.filter((e) => e.bits & 1 && e.t >= range.from && e.t < range.to);
      const periodOf = (t: number) => (interval ? localLabel(t, cal.zone, interval, cal.weekStart) : "");
      const unitOf = (t: number) => localLabel(t, cal.zone, measure === "active_hours" ? "hour" : "day");
      const keys = [...new Set(inR.map((e) => `${e.p}|${periodOf(e.t)}`))];
      const value = (key: string) => {
        const es = inR.filter((e) => `${e.p}|${periodOf(e.t)}` === key);
        if (measure === "count") return es.length;
        if (measure === "sum") return es.reduce((s, e) => s + (Number.isNaN(e.v) ? 0 : e.v), 0);
        return new Set(es.map((e) => unitOf(e.t))).size;
      };
      const hist = (vals: number[]) => {
        const out: { from: number | null; to: number | null; persons: number }[] = [];
        const below = vals.filter((v) => v < edges[0]!).length;
        if (below) out.push({ from: null, to: edges[0]!, persons: below });
        edges.forEach((e, i) => out.push({ from: e, to: edges[i + 1] ?? null, persons: vals.filter((v) => v >= e && (i + 1 >= edges.length || v < edges[i + 1]!)).length }));
        return out;
      };
      const periods = interval ? buckets(cal, range, interval).labels : [""];
      const results = periods.flatMap((period) =>
        hist(keys.filter((k) => k.endsWith(`|${period}`)).map(value)).map((b) => (interval ? { period, ...b } : b)));
      expect(res).toEqual({ results, totalPersons: new Set(inR.map((e) => e.p)).size });
    });
  }
});
