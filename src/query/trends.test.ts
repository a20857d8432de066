/**
 * Event analysis numbers are the ones people paste into reports, so each math kind, the breakdown
 * top-N with "$other" and "", compare, formulas and the "distinct over the range, not a sum of days"
 * total are pinned by hand-computed cases; a seeded random cross-check compares every kind against a
 * brute force over plain objects that buckets each event with Intl on its own.
 */
import { describe, expect, test } from "bun:test";
import { type Ev, int, localLabel, ms, pick, rng, rowsOf } from "./fixtures.ts";
import type { TrendsResult } from "./results.ts";
import { TrendsQuery, type TrendsMath } from "./schema.ts";
import type { Codes } from "./stream.ts";
import { buckets, type Calendar, type Interval, previousRange, type Range } from "./time.ts";
import { trendsResults } from "./trends.ts";

const UTC: Calendar = { zone: "UTC", weekStart: "monday" };
const range = (a: string, b: string): Range => ({ from: ms(a), to: ms(b) });
const query = (q: object) => TrendsQuery.parse({ kind: "trends", ...q });
const points = (r: TrendsResult) => r.points.map((p) => p.value);

function run(q: object, events: Ev[], opts: { r?: Range; cal?: Calendar; codes?: number[]; labels?: string[]; values?: number[][] } = {}) {
  const tq = query(q);
  const r = opts.r ?? range("2024-01-01", "2024-01-03");
  const cal = opts.cal ?? UTC;
  const breakdown: Codes | undefined = opts.codes ? { codes: Int32Array.from(opts.codes), labels: opts.labels ?? [] } : undefined;
  const input = { rows: rowsOf(events), breakdown, values: opts.values?.map((v) => Float64Array.from(v)) };
  const prev = tq.compare ? buckets(cal, previousRange(cal, r, tq.interval), tq.interval) : undefined;
  return trendsResults(tq, input, buckets(cal, r, tq.interval), prev);
}

const A = { event: "a" };
const day1 = "2024-01-01T10:00";
const day2 = "2024-01-02T10:00";

describe("math", () => {
  const evs: Ev[] = [{ p: 0, t: day1, bits: 1 }, { p: 0, t: day1, bits: 1 }, { p: 1, t: day1, bits: 1 }, { p: 1, t: day2, bits: 1 }];

  test("total counts rows; users counts distinct persons per day and over the range", () => {
    const [total, users] = run({ series: [A, { event: "a", math: "users" }] }, evs.map((e) => ({ ...e, bits: 3 })));
    expect(points(total!)).toEqual([3, 1]);
    expect(total!.total).toBe(4);
    expect(points(users!)).toEqual([2, 1]);
    expect(users!.total).toBe(2); // not 3, the sum of the days
    expect(total!.points.map((p) => p.t)).toEqual(["2024-01-01", "2024-01-02"]);
  });

  test("per_user_avg is rows per distinct person; per_user_max the busiest person", () => {
    const [avg, max] = run({ series: [{ event: "a", math: "per_user_avg" }, { event: "a", math: "per_user_max" }] }, evs.map((e) => ({ ...e, bits: 3 })));
    expect(points(avg!)).toEqual([1.5, 1]);
    expect(avg!.total).toBe(2);
    expect(points(max!)).toEqual([2, 1]);
    expect(max!.total).toBe(2);
  });

  test.each([
    ["sum", [16, 0], 16],
    ["avg", [16 / 3, 0], 16 / 3],
    ["min", [1, 0], 1],
    ["max", [10, 0], 10],
    ["median", [5, 0], 5],
    ["p90", [9, 0], 9],
  ] as const)("%s of the property ignores rows without it; an empty day is 0", (math, want, total) => {
    const values = [[1, 10, 5, NaN]];
    const e: Ev[] = [{ p: 0, t: day1, bits: 1 }, { p: 0, t: day1, bits: 1 }, { p: 1, t: day1, bits: 1 }, { p: 1, t: day2, bits: 1 }];
    const [line] = run({ series: [{ event: "a", math, property: "amount" }] }, e, { values });
    expect(points(line!)).toEqual([...want]);
    expect(line!.total).toBeCloseTo(total, 10);
  });

  test("rows outside [dateFrom, dateTo) are ignored and empty buckets are 0", () => {
    const e: Ev[] = [{ p: 0, t: "2023-12-31T23:59:59.999", bits: 1 }, { p: 0, t: "2024-01-03T00:00", bits: 1 }, { p: 0, t: "2024-01-02T23:59:59.999", bits: 1 }];
    const [line] = run({ series: [A] }, e);
    expect(points(line!)).toEqual([0, 1]);
  });

  test("days are local: 23:30 UTC is the next day in Shanghai", () => {
    const cal: Calendar = { zone: "Asia/Shanghai", weekStart: "monday" };
    const [line] = run({ series: [A] }, [{ p: 0, t: "2024-01-01T23:30", bits: 1 }], { cal, r: range("2023-12-31T16:00", "2024-01-02T16:00") });
    expect(line!.points).toEqual([{ t: "2024-01-01", value: 0 }, { t: "2024-01-02", value: 1 }]);
  });

  test("distinct persons agree when the bitset would be too big (grouped pairs path)", () => {
    const q = query({ interval: "hour", series: [{ event: "a", math: "users" }, { event: "a", math: "per_user_max" }] });
    const r = range("2024-01-01", "2024-01-15"); // 336 hours × 1M persons > 2^28 bits
    const e: Ev[] = [{ p: 3, t: day1, bits: 3 }, { p: 3, t: day1, bits: 3 }, { p: 999_999, t: day1, bits: 3 }, { p: 3, t: day2, bits: 3 }];
    const b = buckets(UTC, r, "hour");
    const lines = trendsResults(q, { rows: rowsOf(e, 1_000_000) }, b);
    expect(lines.map((l) => [l.total, Math.max(...points(l))])).toEqual([[2, 2], [3, 2]]);
  });

  test("one row can feed several series", () => {
    const out = run({ series: [A, A, { event: "a", math: "users" }] }, [{ p: 0, t: day1, bits: 0b101 }]);
    expect(out.map((r) => r.total)).toEqual([1, 0, 1]);
  });
});

describe("breakdown", () => {
  // labels: 0 Chrome, 1 Safari, 2 Firefox, 3 Edge; -1 missing
  const labels = ["Chrome", "Safari", "Firefox", "Edge"];
  const codes = [0, 0, 0, 1, 1, -1, 2, 3];
  const evs: Ev[] = codes.map((_, i) => ({ p: i % 3, t: day1, bits: 1 }));

  test("top N by volume, missing as \"\", the rest as $other", () => {
    const out = run({ series: [A], breakdown: { property: "$browser", limit: 2 } }, evs, { codes, labels });
    expect(out.map((r) => [r.breakdownValue, r.total])).toEqual([["Chrome", 3], ["Safari", 2], ["$other", 3]]);
  });

  test("without a limit hit there is no $other and the missing value competes as \"\"", () => {
    const out = run({ series: [A], breakdown: { property: "$browser", limit: 10 } }, evs, { codes, labels });
    expect(out.map((r) => [r.breakdownValue, r.total])).toEqual([["Chrome", 3], ["Safari", 2], ["", 1], ["Edge", 1], ["Firefox", 1]]);
  });

  test("codes passed without a breakdown in the query give one line", () => {
    expect(run({ series: [A] }, evs, { codes, labels }).map((r) => [r.breakdownValue, r.total])).toEqual([[null, 8]]);
  });

  test("users per breakdown value are distinct within the value", () => {
    const out = run({ series: [{ event: "a", math: "users" }], breakdown: { property: "$browser", limit: 1 } }, evs, { codes, labels });
    expect(out.map((r) => [r.breakdownValue, r.total])).toEqual([["Chrome", 3], ["$other", 3]]);
  });

  test("each series ranks its own values (PostHog's): no line for a value the series never saw", () => {
    // series A: the 8 rows above; series B: the Safari rows and the Edge row only
    const both = evs.map((e, i) => ({ ...e, bits: codes[i] === 1 || codes[i] === 3 ? 3 : 1 }));
    const out = run({ series: [A, { event: "b" }], breakdown: { property: "$browser", limit: 1 } }, both, { codes, labels });
    expect(out.map((r) => [r.series, r.breakdownValue, r.total])).toEqual([
      ["A", "Chrome", 3], ["A", "$other", 5],
      ["B", "Safari", 2], ["B", "$other", 1],
    ]);
    const all = run({ series: [A, { event: "b" }], breakdown: { property: "$browser", limit: 10 } }, both, { codes, labels });
    expect(all.filter((r) => r.series === "B").map((r) => [r.breakdownValue, r.total])).toEqual([["Safari", 2], ["Edge", 1]]);
  });

  test("a formula keeps its series on common lines", () => {
    const both = evs.map((e, i) => ({ ...e, bits: codes[i] === 1 ? 3 : 1 }));
    const out = run({ series: [A, { event: "b" }], formula: "A-B", breakdown: { property: "$browser", limit: 1 } }, both, { codes, labels });
    // ranked on both series' rows: Safari 2 + 2 beats Chrome 3; Safari = 2 − 2, $other = 6 − 0
    expect(out.map((r) => [r.breakdownValue, r.total])).toEqual([["Safari", 0], ["$other", 6]]);
  });
});

describe("compare and formula", () => {
  test("compare adds the previous period with its own dates", () => {
    const e: Ev[] = [{ p: 0, t: "2023-12-30T10:00", bits: 1 }, { p: 0, t: day2, bits: 1 }];
    const out = run({ series: [A], compare: true }, e);
    expect(out.map((r) => [r.compare, r.points.map((p) => `${p.t}=${p.value}`)])).toEqual([
      ["current", ["2024-01-01=0", "2024-01-02=1"]],
      ["previous", ["2023-12-30=1", "2023-12-31=0"]],
    ]);
  });

  test("a formula replaces the series; division by zero is 0", () => {
    const e: Ev[] = [{ p: 0, t: day1, bits: 3 }, { p: 1, t: day1, bits: 1 }, { p: 1, t: day2, bits: 1 }];
    const [f, ...rest] = run({ series: [A, { event: "b" }], formula: "B / A * 100" }, e);
    expect(rest).toEqual([]);
    expect([f!.series, f!.event]).toEqual(["B / A * 100", "$formula"]);
    expect(points(f!)).toEqual([50, 0]);
    expect(f!.total).toBeCloseTo(100 / 3, 10);
    const [z] = run({ series: [A, { event: "b" }], formula: "A/B" }, [{ p: 0, t: day2, bits: 1 }]);
    expect(points(z!)).toEqual([0, 0]);
  });
});

describe("randomized cross-check against a brute force", () => {
  const zones = ["UTC", "America/New_York", "Asia/Kolkata", "Europe/Berlin"];
  const maths: TrendsMath[] = ["total", "users", "per_user_avg", "per_user_max", "sum", "avg", "min", "max", "median", "p90", "p95", "p99"];

  function brute(ev: { p: number; t: number; bits: number; code: number; v: number[] }[], q: TrendsQuery, cal: Calendar, r: Range, labelsT: string[], codeLabels: string[]) {
    const inRange = ev.filter((e) => e.t >= r.from && e.t < r.to);
    const lab = (c: number) => (c < 0 ? "" : codeLabels[c]!);
    // each series ranks its own breakdown values (PostHog builds each series on its own)
    const shownOf = (s: number) => {
      const vol = new Map<string, number>();
      for (const e of inRange) if (e.bits & (1 << s)) vol.set(lab(e.code), (vol.get(lab(e.code)) ?? 0) + 1);
      const ranked = [...vol].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([l]) => l);
      const limit = q.breakdown?.limit ?? 25;
      const shown = q.breakdown ? ranked.slice(0, limit) : [""];
      if (q.breakdown && ranked.length > limit) shown.push("$other");
      return shown;
    };
    const slotOf = (e: { code: number }, shown: string[]) => (!q.breakdown ? "" : shown.includes(lab(e.code)) && lab(e.code) !== "$other" ? lab(e.code) : "$other");
    const agg = (m: TrendsMath, es: typeof ev, s: number): number => {
      const vals = es.map((e) => e.v[s]!).filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
      const per = new Map<number, number>();
      for (const e of es) per.set(e.p, (per.get(e.p) ?? 0) + 1);
      const q = (p: number) => { if (!vals.length) return 0; const h = (vals.length - 1) * p; const lo = Math.floor(h); return lo + 1 < vals.length ? vals[lo]! + (h - lo) * (vals[lo + 1]! - vals[lo]!) : vals[lo]!; };
      switch (m) {
        case "total": return es.length;
        case "users": return per.size;
        case "per_user_avg": return per.size ? es.length / per.size : 0;
        case "per_user_max": return Math.max(0, ...per.values());
        case "sum": return vals.reduce((a, b) => a + b, 0);
        case "avg": return vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : 0;
        case "min": return vals.length ? vals[0]! : 0;
        case "max": return vals.length ? vals[vals.length - 1]! : 0;
        case "median": return q(0.5);
        case "p90": return q(0.9);
        case "p95": return q(0.95);
        case "p99": return q(0.99);
      }
    };
    const out: [string | null, string, number[], number][] = [];
    const line = (s: number, slot: string, shown: string[]) => {
      const se = q.series[s]!;
      const es = inRange.filter((e) => e.bits & (1 << s) && slotOf(e, shown) === slot);
      for (const e of es) expect(labelsT).toContain(localLabel(e.t, cal.zone, q.interval, cal.weekStart));
      const pts = labelsT.map((l) => agg(se.math, es.filter((e) => localLabel(e.t, cal.zone, q.interval, cal.weekStart) === l), s));
      out.push([q.breakdown ? slot : null, String.fromCharCode(65 + s), pts, agg(se.math, es, s)]);
    };
    // within a series, lines are shown by their summed points (stable: ties keep the volume order), $other last
    const byDrawn = (lines: typeof out) => lines.map((l, i) => ({ l, i, sum: (l[2] as number[]).reduce((a, b) => a + b, 0) }))
      .sort((x, y) => Number(x.l[0] === "$other") - Number(y.l[0] === "$other") || y.sum - x.sum || x.i - y.i).map((x) => x.l);
    if (q.breakdown) {
      q.series.forEach((_, s) => {
        const shown = shownOf(s);
        const from = out.length;
        for (const slot of shown) line(s, slot, shown);
        out.push(...byDrawn(out.splice(from)));
      });
    }
    else q.series.forEach((_, s) => line(s, "", [""]));
    return out;
  }

  for (let seed = 1; seed <= 80; seed++) {
    test(`seed ${seed}`, () => {
      const r = rng(seed);
      const zoneName = pick(r, zones);
      const interval: Interval = pick(r, ["hour", "day", "day", "week", "month"] as const);
      const cal: Calendar = { zone: zoneName, weekStart: pick(r, ["monday", "sunday"] as const) };
      const span = { hour: 3, day: 12, week: 40, month: 120 }[interval] * 86_400_000 / (interval === "hour" ? 24 / 30 : 1);
      const base = ms("2024-03-05T00:00") + int(r, 240) * 3_600_000; // near the March and April DST changes
      const rg = { from: base + int(r, 50) * 60_000, to: base + span };
      const S = 1 + int(r, 3);
      const series = Array.from({ length: S }, () => {
        const math = pick(r, maths);
        return { event: "e", math, property: "v" };
      });
      const codeLabels = ["x", "y", "z", "w"];
      const ev = Array.from({ length: int(r, 120) }, () => ({
        p: int(r, 9), t: rg.from - span / 10 + Math.floor(r() * span * 1.2), bits: 1 + int(r, (1 << S) - 1),
        code: int(r, 6) - 2 < 0 ? -1 : int(r, 4), v: Array.from({ length: S }, () => (r() < 0.2 ? NaN : Math.round(r() * 100) - 20)),
      }));
      const q = query({ series, interval, breakdown: r() < 0.5 ? { property: "b", limit: 1 + int(r, 6) } : undefined }); // limits 5–6 take every value: the direct slots
      const b = buckets(cal, rg, interval);
      const input = {
        rows: rowsOf(ev.map((e) => ({ p: e.p, t: e.t, bits: e.bits }))),
        breakdown: q.breakdown ? { codes: Int32Array.from(ev, (e) => e.code), labels: codeLabels } : undefined,
        values: series.map((_, s) => Float64Array.from(ev, (e) => e.v[s]!)),
      };
      const got = trendsResults(q, input, b).map((x) => [x.breakdownValue, x.series, points(x), x.total]);
      const want = brute(ev, q, cal, rg, b.labels, codeLabels);
      expect(got.length).toBe(want.length);
      got.forEach((g, i) => {
        const w = want[i]!;
        expect(g.slice(0, 2)).toEqual(w.slice(0, 2));
        (g[2] as number[]).forEach((v, j) => expect(v).toBeCloseTo((w[2] as number[])[j]!, 9));
        expect(g[3] as number).toBeCloseTo(w[3] as number, 9);
      });
    });
  }
});
