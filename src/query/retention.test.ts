/**
 * Retention tables drive product decisions, and the variants differ subtly: recurring vs first
 * time (lifetime, not in-range), lag 0 = cohort size, same-period returns not counting, calendar
 * (23:45 → 00:01 is day 1), on vs on-or-after, the triangle, person-property breakdown, local weeks.
 * Hand cases pin each rule; a seeded cross-check compares with a brute force over plain objects.
 */
import { describe, expect, test } from "bun:test";
import { byPersonTime, int, localLabel, ms, pick, rng, rowsOf } from "./fixtures.ts";
import { retentionActors, retentionResults } from "./retention.ts";
import { RetentionQuery } from "./schema.ts";
import { buckets, type Calendar, type Range } from "./time.ts";

const UTC: Calendar = { zone: "UTC", weekStart: "monday" };
const S = 1, R = 2, SR = 3;
const RANGE: Range = { from: ms("2020-06-10"), to: ms("2020-06-13") };
type Row = { p: number; t: string | number; bits: number };

function run(q: object, events: Row[], opts: { cal?: Calendar; range?: Range; firstStart?: number[]; codes?: number[]; labels?: string[] } = {}) {
  const rq = RetentionQuery.parse({ kind: "retention", startEvent: { event: "s" }, returnEvent: { event: "r" }, ...q });
  const periods = buckets(opts.cal ?? UTC, opts.range ?? RANGE, rq.period, true);
  const input = {
    rows: rowsOf(byPersonTime(events), 8),
    firstStart: opts.firstStart ? Float64Array.from(opts.firstStart) : undefined,
    breakdown: opts.codes ? { codes: Int32Array.from(opts.codes), labels: opts.labels ?? [] } : undefined,
  };
  return { rq, periods, input, results: retentionResults(rq, input, periods) };
}
const grid = (q: object, events: Row[], opts = {}) => run(q, events, opts).results.map((r) => r.cohorts.map((c) => c.values));

const events: Row[] = [
  { p: 0, t: "2020-06-10T09:00", bits: S }, { p: 0, t: "2020-06-11T09:00", bits: R }, { p: 0, t: "2020-06-12T09:00", bits: R },
  { p: 1, t: "2020-06-10T10:00", bits: S }, { p: 1, t: "2020-06-12T10:00", bits: R },
  { p: 2, t: "2020-06-11T10:00", bits: S }, { p: 2, t: "2020-06-12T11:00", bits: R },
];

describe("recurring cohorts", () => {
  test("lag 0 is the cohort size, lag k the members returning k periods later, the triangle shrinks", () => {
    const { results } = run({}, events);
    expect(results).toEqual([{
      breakdownValue: null,
      cohorts: [{ period: "2020-06-10", values: [2, 1, 2] }, { period: "2020-06-11", values: [1, 1] }, { period: "2020-06-12", values: [0] }],
    }]);
  });

  test("cumulative counts a member at every lag up to their last return", () => {
    expect(grid({ cumulative: true }, events)).toEqual([[[2, 2, 2], [1, 1], [0]]]);
  });

  test("a return in the same period does not count; a person can be in several cohorts", () => {
    expect(grid({}, [{ p: 0, t: "2020-06-10T01:00", bits: SR }, { p: 0, t: "2020-06-11T01:00", bits: SR }])).toEqual([[[1, 1, 0], [1, 0], [0]]]);
  });

  test("calendar periods: 23:45 then 00:01 is retained on day 1", () => {
    expect(grid({}, [{ p: 0, t: "2020-06-10T23:45", bits: S }, { p: 0, t: "2020-06-11T00:01", bits: R }])[0]![0]).toEqual([1, 1, 0]);
  });

  test("no rows: every cohort is there, with zeros", () => {
    expect(grid({}, [])).toEqual([[[0, 0, 0], [0, 0], [0]]]);
  });

  test("intervals caps the lags reported", () => {
    expect(grid({ intervals: 1 }, events)).toEqual([[[2, 1], [1, 1], [0]]]);
  });

  test("periods follow the query zone across DST", () => {
    const cal = { zone: "America/New_York", weekStart: "monday" } as const;
    const range = { from: ms("2024-03-09T05:00"), to: ms("2024-03-12T04:00") };
    const ev = [{ p: 0, t: "2024-03-10T12:00", bits: S }, { p: 0, t: "2024-03-11T03:30", bits: R }]; // 23:30 EDT on the 10th
    expect(grid({}, ev, { cal, range })).toEqual([[[0, 0, 0], [1, 0], [0]]]);
  });

  test("weeks start on the configured day", () => {
    const range = { from: ms("2024-01-07"), to: ms("2024-01-21") }; // Sun 7 .. Sat 20
    const ev = [{ p: 0, t: "2024-01-07T10:00", bits: S }, { p: 0, t: "2024-01-08T10:00", bits: R }];
    const sunday = run({ period: "week" }, ev, { range, cal: { zone: "UTC", weekStart: "sunday" } }).results[0]!.cohorts;
    expect(sunday).toEqual([{ period: "2024-01-07", values: [1, 0] }, { period: "2024-01-14", values: [0] }]);
    const monday = run({ period: "week" }, ev, { range }).results[0]!.cohorts;
    expect(monday).toEqual([{ period: "2024-01-01", values: [1, 1, 0] }, { period: "2024-01-08", values: [0, 0] }, { period: "2024-01-15", values: [0] }]);
  });
});

describe("first time", () => {
  test("only the period of the lifetime-first start event; earlier starters are in no cohort", () => {
    const ev: Row[] = [
      { p: 0, t: "2020-06-10T09:00", bits: S }, { p: 0, t: "2020-06-11T09:00", bits: SR },
      { p: 1, t: "2020-06-11T09:00", bits: S }, { p: 1, t: "2020-06-12T09:00", bits: R },
    ];
    const firstStart = [ms("2020-06-10T09:00"), ms("2020-05-01T00:00")];
    expect(grid({ mode: "first_time" }, ev, { firstStart })).toEqual([[[1, 1, 0], [0, 0], [0]]]);
  });
});

describe("breakdown and actors", () => {
  const labels = ["Shanghai", "Beijing"];

  test("person-property breakdown, top N by cohort memberships, missing as \"\"", () => {
    const { results } = run({ breakdown: { property: "city" } }, events, { codes: [0, 0, -1], labels });
    expect(results.map((r) => [r.breakdownValue, r.cohorts.map((c) => c.values)])).toEqual([
      ["Shanghai", [[2, 1, 2], [0, 0], [0]]],
      ["", [[0, 0, 0], [1, 1], [0]]],
    ]);
    const limited = run({ breakdown: { property: "city", limit: 1 } }, events, { codes: [0, 1, -1], labels }).results;
    expect(limited.map((r) => [r.breakdownValue, r.cohorts[0]!.values[0]])).toEqual([["", 0], ["$other", 2]]); // ties rank by label
  });

  test("actors of a cell: the cohort at lag 0, the returners at lag k", () => {
    const { rq, periods, input } = run({}, events);
    expect([...retentionActors(rq, input, periods, { cohort: "2020-06-10", lag: 0 })]).toEqual([0, 1]);
    expect([...retentionActors(rq, input, periods, { cohort: "2020-06-10", lag: 1 })]).toEqual([0]);
    expect([...retentionActors(rq, input, periods, { cohort: "2020-06-11", lag: 1 })]).toEqual([2]);
    expect([...retentionActors(rq, input, periods, { cohort: "2020-06-09", lag: 0 })]).toEqual([]);
  });
});

describe("randomized cross-check against a brute force", () => {
  for (let seed = 1; seed <= 80; seed++) {
    test(`seed ${seed}`, () => {
      const r = rng(seed * 104729);
      const period = pick(r, ["day", "day", "week", "month"] as const);
      const cal: Calendar = { zone: pick(r, ["UTC", "America/New_York", "Asia/Kathmandu", "Europe/Berlin"]), weekStart: pick(r, ["monday", "sunday"] as const) };
      const days = { day: 9, week: 40, month: 100 }[period];
      const base = ms("2024-02-20T00:00") + int(r, 48) * 3_600_000;
      const range = { from: base, to: base + days * 86_400_000 };
      const persons = 1 + int(r, 8);
      const ev: { p: number; t: number; bits: number }[] = [];
      for (let i = int(r, 80); i > 0; i--) ev.push({ p: int(r, persons), t: base - days * 0.3 * 86_400_000 + Math.floor(r() * days * 1.6 * 86_400_000), bits: 1 + int(r, 3) });
      const firstStart = Array.from({ length: persons }, (_, p) => Math.min(...ev.filter((e) => e.p === p && e.bits & S).map((e) => e.t)));
      const mode = pick(r, ["recurring", "first_time"] as const);
      const cumulative = r() < 0.5;
      const intervals = r() < 0.3 ? 1 + int(r, 4) : undefined;
      const codes = Array.from({ length: persons }, () => int(r, 4) - 1);
      const breakdown = r() < 0.4 ? { property: "c", limit: 1 + int(r, 3) } : undefined;
      const { results, periods } = run({ period, mode, cumulative, intervals, breakdown }, ev, {
        cal, range, firstStart: firstStart.map((t) => (Number.isFinite(t) ? t : NaN)), codes, labels: ["a", "b", "c"],
      });

      // brute force: label every event with Intl, then apply the definitions literally
      const labels = periods.labels;
      const idx = (t: number) => (t >= periods.lo && t < periods.hi ? labels.indexOf(localLabel(t, cal.zone, period, cal.weekStart)) : -1);
      for (const e of ev) if (e.t >= periods.lo && e.t < periods.hi) expect(idx(e.t)).toBeGreaterThanOrEqual(0);
      const C = labels.length;
      const maxLag = intervals ?? C - 1;
      const lab = (p: number) => (codes[p]! < 0 ? "" : ["a", "b", "c"][codes[p]!]!);
      const vol = new Map<string, number>();
      const memberships = (p: number) => {
        if (mode === "first_time") return Number.isFinite(firstStart[p]!) && idx(firstStart[p]!) >= 0 ? [idx(firstStart[p]!)] : [];
        return [...new Set(ev.filter((e) => e.p === p && e.bits & S).map((e) => idx(e.t)).filter((k) => k >= 0))];
      };
      for (let p = 0; p < persons; p++) vol.set(lab(p), (vol.get(lab(p)) ?? 0) + memberships(p).length);
      const ranked = [...vol].filter(([, v]) => v > 0).sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)).map(([l]) => l);
      const shown = breakdown ? ranked.slice(0, breakdown.limit) : [""];
      if (breakdown && ranked.length > breakdown.limit) shown.push("$other");
      const slotOf = (p: number) => (!breakdown ? "" : shown.slice(0, breakdown.limit).includes(lab(p)) ? lab(p) : "$other");
      const want = shown.map((label) => ({
        breakdownValue: breakdown ? label : null,
        cohorts: labels.map((l, i) => ({
          period: l,
          values: Array.from({ length: Math.min(maxLag, C - 1 - i) + 1 }, (_, lag) => {
            let count = 0;
            for (let p = 0; p < persons; p++) {
              if (slotOf(p) !== label || !memberships(p).includes(i)) continue;
              const rets = ev.filter((e) => e.p === p && e.bits & R).map((e) => idx(e.t)).filter((k) => k >= 0);
              if (lag === 0 || rets.some((k) => (cumulative ? k - i >= lag : k - i === lag))) count++;
            }
            return count;
          }),
        })),
      }));
      expect(results).toEqual(want);
    });
  }
});
