/**
 * Funnel rules are where analytics tools quietly disagree, so every rule SPEC §5.2 states has a
 * small hand-computed case: window edges (inclusive, absolute ms, across DST), re-entry, [A, A],
 * identical timestamps, step 1 at the range edges, strict breaks, exclusions (boundary, voided
 * deepest attempt, clean attempts not hidden by voided ones), unordered, attribution, the three
 * views and actors. Bits: step k = 1 << k, exclusion e = 1 << (steps + e), 0 = another event.
 */
import { describe, expect, test } from "bun:test";
import { byPersonTime, type Ev, int, ms, rng, rowsOf } from "./fixtures.ts";
import { funnelActors, type FunnelPersons, funnelPersons, funnelSpec, funnelSteps, funnelTimeToConvert, funnelTrends } from "./funnel.ts";
import { FunnelQuery, funnelToStep } from "./schema.ts";
import type { Codes } from "./stream.ts";
import { buckets, type Range } from "./time.ts";

const H = 3_600_000;
const D = 24 * H;
const T0 = ms("2024-01-02T00:00");
const at = (h: number) => T0 + h * H;
const RANGE: Range = { from: ms("2024-01-01"), to: ms("2024-01-08") };
const steps = (n: number) => Array.from({ length: n }, (_, i) => ({ event: "abcdefgh"[i]! }));

function setup(q: object, events: Ev[], opts: { range?: Range; codes?: number[]; labels?: string[] } = {}) {
  const fq = FunnelQuery.parse({ kind: "funnel", steps: steps(3), ...q });
  const ordered = byPersonTime(events.map((e, i) => ({ ...e, i })));
  const input = {
    rows: rowsOf(ordered),
    breakdown: opts.codes ? { codes: Int32Array.from(ordered, (e) => opts.codes![e.i]!), labels: opts.labels ?? [] } : undefined,
  };
  const range = opts.range ?? RANGE;
  return { fq, input, range, fp: funnelPersons(input, funnelSpec(fq), range) };
}

function counts(q: object, events: Ev[], opts: { range?: Range } = {}): number[] {
  const { fq, fp } = setup(q, events, opts);
  return funnelSteps(fq, fp)[0]!.steps.map((s) => s.count);
}

const A = 1, B = 2, C = 4, X = 8; // X: the first exclusion of a 3-step funnel

describe("ordered funnel", () => {
  test("A → B → C converts with times from the previous step", () => {
    const { fq, fp } = setup({}, [{ p: 0, t: at(0), bits: A }, { p: 0, t: at(1), bits: B }, { p: 0, t: at(3), bits: C }]);
    expect(funnelSteps(fq, fp)).toEqual([{
      breakdownValue: null,
      steps: [
        { event: "a", count: 1, avgSecondsFromPrevious: null, medianSecondsFromPrevious: null },
        { event: "b", count: 1, avgSecondsFromPrevious: 3600, medianSecondsFromPrevious: 3600 },
        { event: "c", count: 1, avgSecondsFromPrevious: 7200, medianSecondsFromPrevious: 7200 },
      ],
    }]);
  });

  test("a step event before step 1 does not count", () => {
    expect(counts({}, [{ p: 0, t: at(0), bits: B }, { p: 0, t: at(1), bits: A }, { p: 0, t: at(2), bits: C }])).toEqual([1, 0, 0]);
  });

  test("[A, A] needs two A events", () => {
    const q = { steps: [{ event: "a" }, { event: "a" }] };
    expect(counts(q, [{ p: 0, t: at(0), bits: 3 }])).toEqual([1, 0]);
    expect(counts(q, [{ p: 0, t: at(0), bits: 3 }, { p: 0, t: at(1), bits: 3 }])).toEqual([1, 1]);
    expect(counts(q, [{ p: 0, t: at(0), bits: 3 }, { p: 0, t: at(0), bits: 3 }])).toEqual([1, 1]);
  });

  test("a repeated step 1 converts from the most recent one", () => {
    const { fq, fp } = setup({ steps: steps(2) }, [{ p: 0, t: at(0), bits: A }, { p: 0, t: at(5 * 24), bits: A }, { p: 0, t: at(8 * 24), bits: B }], {
      range: { from: RANGE.from, to: ms("2024-01-20") },
    });
    const [r] = funnelSteps(fq, fp);
    expect(r!.steps.map((s) => s.count)).toEqual([1, 1]);
    expect(r!.steps[1]!.avgSecondsFromPrevious).toBe(3 * 86_400);
  });

  test.each([
    [7 * D, [1, 1]],
    [7 * D + 1, [1, 0]],
  ])("step 2 at %d ms after step 1 with a 7-day window", (dt, want) => {
    expect(counts({ steps: steps(2) }, [{ p: 0, t: T0, bits: A }, { p: 0, t: T0 + dt, bits: B }], { range: { from: T0, to: T0 + 30 * D } })).toEqual(want);
  });

  test("the window is absolute time across DST (New York, 1 day = 24 h, not 23)", () => {
    const a = ms("2024-03-09T17:00Z"); // 12:00 EST
    const q = { steps: steps(2), window: { n: 1, unit: "day" } };
    const r = { from: ms("2024-03-09T05:00Z"), to: ms("2024-03-11T04:00Z") };
    expect(counts(q, [{ p: 0, t: a, bits: A }, { p: 0, t: a + 24 * H, bits: B }], { range: r })).toEqual([1, 1]); // 13:00 EDT
    expect(counts(q, [{ p: 0, t: a, bits: A }, { p: 0, t: a + 24 * H + 1000, bits: B }], { range: r })).toEqual([1, 0]);
  });

  test("different events at the same instant convert in step order, whatever the row order", () => {
    expect(counts({}, [{ p: 0, t: at(0), bits: C }, { p: 0, t: at(0), bits: B }, { p: 0, t: at(0), bits: A }])).toEqual([1, 1, 1]);
  });

  test("one event matching two steps moves an attempt one step only", () => {
    expect(counts({}, [{ p: 0, t: at(0), bits: A }, { p: 0, t: at(1), bits: B | C }])).toEqual([1, 1, 0]);
  });

  test("step 1 at dateTo's last millisecond counts, later steps may follow after dateTo", () => {
    const r = { from: RANGE.from, to: ms("2024-01-03") };
    const last = r.to - 1;
    expect(counts({}, [{ p: 0, t: last, bits: A }, { p: 0, t: last + D, bits: B }, { p: 0, t: last + 2 * D, bits: C }], { range: r })).toEqual([1, 1, 1]);
    expect(counts({}, [{ p: 0, t: r.to, bits: A }, { p: 0, t: r.to + 1, bits: B }], { range: r })).toEqual([0, 0, 0]);
    expect(counts({}, [{ p: 0, t: r.from - 1, bits: A }, { p: 0, t: r.from + 1, bits: B }], { range: r })).toEqual([0, 0, 0]);
  });

  test("an empty range gives one result of zeros", () => {
    expect(counts({}, [])).toEqual([0, 0, 0]);
  });
});

describe("strict funnel", () => {
  test("any other event between steps breaks the attempt", () => {
    expect(counts({ order: "strict" }, [{ p: 0, t: at(0), bits: A }, { p: 0, t: at(1), bits: 0 }, { p: 0, t: at(2), bits: B }])).toEqual([1, 0, 0]);
    expect(counts({ order: "strict" }, [{ p: 0, t: at(0), bits: A }, { p: 0, t: at(2), bits: B }, { p: 0, t: at(3), bits: C }])).toEqual([1, 1, 1]);
  });

  test("a repeat of the step just reached does not break it (PostHog); a repeat of an earlier step does", () => {
    expect(counts({ order: "strict" }, [{ p: 0, t: at(0), bits: A }, { p: 0, t: at(1), bits: B }, { p: 0, t: at(2), bits: B }, { p: 0, t: at(3), bits: C }])).toEqual([1, 1, 1]);
    expect(counts({ order: "strict" }, [{ p: 0, t: at(0), bits: A }, { p: 0, t: at(1), bits: B }, { p: 0, t: at(2), bits: A }, { p: 0, t: at(3), bits: C }])).toEqual([1, 1, 0]);
  });

  test("a new step 1 after a break starts over", () => {
    const ev = [{ p: 0, t: at(0), bits: A }, { p: 0, t: at(1), bits: 0 }, { p: 0, t: at(2), bits: A }, { p: 0, t: at(3), bits: B }];
    expect(counts({ order: "strict" }, ev)).toEqual([1, 1, 0]);
  });

  test("an instant with different events breaks nothing; an instant of only other events does", () => {
    expect(counts({ order: "strict" }, [{ p: 0, t: at(0), bits: A }, { p: 0, t: at(1), bits: 0 }, { p: 0, t: at(1), bits: B }, { p: 0, t: at(2), bits: C }])).toEqual([1, 1, 1]);
    expect(counts({ order: "strict" }, [{ p: 0, t: at(0), bits: A }, { p: 0, t: at(1), bits: 0 }, { p: 0, t: at(1), bits: 0 }, { p: 0, t: at(2), bits: B }])).toEqual([1, 0, 0]);
  });
});

describe("exclusions", () => {
  const ex = (fromStep: number, toStep: number) => ({ exclusions: [{ event: "x", fromStep, toStep }] });

  test("an exclusion between the steps removes the person from every step", () => {
    expect(counts(ex(0, 1), [{ p: 0, t: at(0), bits: A }, { p: 0, t: at(1), bits: X }, { p: 0, t: at(2), bits: B }])).toEqual([0, 0, 0]);
  });

  test("an exclusion after the span or before step 1 does not", () => {
    expect(counts(ex(0, 1), [{ p: 0, t: at(0), bits: A }, { p: 0, t: at(1), bits: B }, { p: 0, t: at(2), bits: X }])).toEqual([1, 1, 0]);
    expect(counts(ex(1, 2), [{ p: 0, t: at(0), bits: A }, { p: 0, t: at(1), bits: X }, { p: 0, t: at(2), bits: B }, { p: 0, t: at(3), bits: C }])).toEqual([1, 1, 1]);
  });

  test.each([
    [7 * D, [0, 0, 0]],
    [7 * D + 1, [1, 0, 0]],
  ])("an exclusion %d ms after step 1 (window 7 days, inclusive)", (dt, want) => {
    expect(counts(ex(0, 1), [{ p: 0, t: T0, bits: A }, { p: 0, t: T0 + dt, bits: X }], { range: { from: T0, to: T0 + D } })).toEqual(want);
  });

  test("an exclusion at the same instant as a step event is ignored (PostHog); alone at its instant it voids", () => {
    expect(counts(ex(0, 1), [{ p: 0, t: at(0), bits: X }, { p: 0, t: at(0), bits: A }, { p: 0, t: at(1), bits: B }])).toEqual([1, 1, 0]);
    expect(counts(ex(0, 1), [{ p: 0, t: at(0), bits: A }, { p: 0, t: at(1), bits: X }, { p: 0, t: at(1), bits: B }])).toEqual([1, 1, 0]);
    expect(counts(ex(0, 1), [{ p: 0, t: at(0), bits: A }, { p: 0, t: at(1), bits: X }, { p: 0, t: at(1), bits: X }, { p: 0, t: at(2), bits: B }])).toEqual([0, 0, 0]);
  });

  test("a later clean attempt reaching the same depth keeps the person", () => {
    const ev = [{ p: 0, t: at(0), bits: A }, { p: 0, t: at(1), bits: X }, { p: 0, t: at(2), bits: B }, { p: 0, t: at(10), bits: A }, { p: 0, t: at(11), bits: B }];
    const { fq, fp } = setup(ex(0, 1), ev);
    const [r] = funnelSteps(fq, fp);
    expect(r!.steps.map((s) => s.count)).toEqual([1, 1, 0]);
    expect(r!.steps[1]!.avgSecondsFromPrevious).toBe(3600);
  });

  test("a voided deepest attempt removes the person even if a shallower one is clean", () => {
    const ev = [{ p: 0, t: at(0), bits: A }, { p: 0, t: at(1), bits: B }, { p: 0, t: at(2), bits: X }, { p: 0, t: at(20), bits: A }];
    expect(counts(ex(1, 2), ev)).toEqual([0, 0, 0]);
  });

  test("a clean older attempt is not hidden by a voided newer one", () => {
    const ev = [A, B, C, A, B, X << 1, C, 8].map((bits, h) => ({ p: 0, t: at(h), bits })); // steps a b c d, exclusion bit 16
    const q = { steps: steps(4), exclusions: [{ event: "x", fromStep: 1, toStep: 2 }] };
    expect(counts(q, ev)).toEqual([1, 1, 1, 1]);
  });
});

describe("unordered funnel", () => {
  const q = { order: "unordered" };

  test("steps in any order within the window count as completed steps", () => {
    const { fq, fp } = setup(q, [{ p: 0, t: at(0), bits: C }, { p: 0, t: at(2), bits: A }, { p: 0, t: at(3), bits: B }]);
    const [r] = funnelSteps(fq, fp);
    expect(r!.steps.map((s) => [s.count, s.avgSecondsFromPrevious])).toEqual([[1, null], [1, 7200], [1, 3600]]);
  });

  test("the window bounds the attempt", () => {
    expect(counts({ ...q, window: { n: 1, unit: "hour" } }, [{ p: 0, t: at(0), bits: C }, { p: 0, t: at(1), bits: A }, { p: 0, t: at(2) + 1, bits: B }])).toEqual([1, 1, 0]);
  });

  test("an event matching two steps completes one of them", () => {
    expect(counts(q, [{ p: 0, t: at(0), bits: A | B }])).toEqual([1, 0, 0]);
    expect(counts(q, [{ p: 0, t: at(0), bits: A | B }, { p: 0, t: at(1), bits: A }, { p: 0, t: at(2), bits: B | C }])).toEqual([1, 1, 1]);
  });

  test("an exclusion inside an incomplete window removes the person", () => {
    const exq = { ...q, exclusions: [{ event: "x", fromStep: 0, toStep: 2 }] };
    expect(counts(exq, [{ p: 0, t: at(0), bits: B }, { p: 0, t: at(1), bits: X }, { p: 0, t: at(2), bits: A }])).toEqual([0, 0, 0]);
    expect(counts(exq, [{ p: 0, t: at(0), bits: B }, { p: 0, t: at(1), bits: C }, { p: 0, t: at(2), bits: A }, { p: 0, t: at(3), bits: X }])).toEqual([1, 1, 1]);
  });
});

describe("breakdown attribution", () => {
  const labels = ["Chrome", "Safari"];
  const ev: Ev[] = [
    { p: 0, t: at(0), bits: A }, { p: 0, t: at(1), bits: 0 }, { p: 0, t: at(2), bits: B }, { p: 0, t: at(3), bits: C },
    { p: 1, t: at(0), bits: A },
  ];
  const codes = [-1, 0, 1, 0, 0];
  const run = (breakdown: object) => {
    const { fq, fp, input } = setup({ breakdown: { property: "$browser", ...breakdown } }, ev, { codes, labels });
    return funnelSteps(fq, fp, input.breakdown).map((r) => [r.breakdownValue, r.steps.map((s) => s.count)]);
  };

  test("first_touch takes the first non-empty value over step events; lines ranked by completions", () => {
    expect(run({})).toEqual([["Safari", [1, 1, 1]], ["Chrome", [1, 0, 0]]]);
  });

  test("last_touch takes the last one", () => {
    expect(run({ attribution: "last_touch" })).toEqual([["Chrome", [2, 1, 1]]]);
  });

  test("step N takes the value on that step's event; a person never reaching step N is dropped (PostHog)", () => {
    expect(run({ attribution: "step", step: 1 })).toEqual([["Safari", [1, 1, 1]]]);
    expect(run({ attribution: "step", step: 0 })).toEqual([["", [1, 1, 1]], ["Chrome", [1, 0, 0]]]);
  });

  test("beyond the limit values share $other", () => {
    expect(run({ limit: 1 })).toEqual([["Safari", [1, 1, 1]], ["$other", [1, 0, 0]]]);
  });
});

describe("views and actors", () => {
  test("time to convert: the SPEC example (60 s and 360 s)", () => {
    const ev = [{ p: 0, t: at(0), bits: A }, { p: 0, t: at(0) + 60_000, bits: B }, { p: 1, t: at(0), bits: A }, { p: 1, t: at(0) + 360_000, bits: B }];
    const { fq, fp } = setup({ steps: steps(2), view: "time_to_convert" }, ev);
    expect(funnelTimeToConvert(fq, fp)).toEqual([{ averageSeconds: 210, medianSeconds: 210, bins: [[60, 1], [210, 0], [360, 1]] }]);
  });

  test("steps view: zero-second gaps are left out of average and median (PostHog); time to convert keeps them", () => {
    const ev = [{ p: 0, t: at(0), bits: A }, { p: 0, t: at(0), bits: B }, { p: 1, t: at(0), bits: A }, { p: 1, t: at(1), bits: B }];
    const { fq, fp } = setup({ steps: steps(2) }, ev);
    expect(funnelSteps(fq, fp)[0]!.steps[1]).toEqual({ event: "b", count: 2, avgSecondsFromPrevious: 3600, medianSecondsFromPrevious: 3600 });
    const ttc = setup({ steps: steps(2), view: "time_to_convert" }, ev);
    expect(funnelTimeToConvert(ttc.fq, ttc.fp)).toEqual([{ averageSeconds: 1800, medianSeconds: 1800, bins: [[0, 1], [1800, 0], [3600, 1]] }]);
  });

  test("time to convert between chosen steps, nobody converting", () => {
    const { fq, fp } = setup({ fromStep: 1, toStep: 2 }, [{ p: 0, t: at(0), bits: A }, { p: 0, t: at(1), bits: B }]);
    expect(funnelTimeToConvert(fq, fp)).toEqual([{ averageSeconds: null, medianSeconds: null, bins: [] }]);
  });

  test("trends: attempts by the period of their step 1, re-entry within a period once, rate with 2 decimals", () => {
    const day = (d: number, h: number) => T0 + d * D + h * H;
    const ev = [
      { p: 0, t: day(0, 1), bits: A }, { p: 0, t: day(0, 2), bits: A }, // day 0: entered twice, no conversion
      { p: 0, t: day(1, 1), bits: A }, { p: 0, t: day(1, 5), bits: B }, // day 1: converts
      { p: 1, t: day(1, 1), bits: A }, { p: 2, t: day(1, 1), bits: A },
    ];
    const q = FunnelQuery.parse({ kind: "funnel", steps: steps(2), view: "trends", window: { n: 12, unit: "hour" } });
    const sorted = byPersonTime(ev);
    const range = { from: T0, to: T0 + 3 * D };
    const periods = buckets({ zone: "UTC", weekStart: "monday" }, range, "day");
    const fp = funnelPersons({ rows: rowsOf(sorted) }, funnelSpec(q), range, periods);
    expect(funnelTrends(q, fp, periods)).toEqual([
      { period: "2024-01-02", entered: 1, converted: 0, rate: 0 },
      { period: "2024-01-03", entered: 3, converted: 1, rate: 33.33 },
      { period: "2024-01-04", entered: 0, converted: 0, rate: 0 },
    ]);
    // the persons behind a period's numbers: entered = reached step 1, converted = reached step 2
    expect([...funnelActors(q, fp, { step: 1, inPeriod: 0 })]).toEqual([0]);
    expect([...funnelActors(q, fp, { step: 1, inPeriod: 1 })]).toEqual([0, 1, 2]);
    expect([...funnelActors(q, fp, { step: 2, inPeriod: 1 })]).toEqual([0]);
    expect([...funnelActors(q, fp, { step: 2, inPeriod: 0 })]).toEqual([]);
  });

  test("breakdown values split trends and actors; time to convert ignores them, as PostHog's", () => {
    const ev = [
      { p: 0, t: at(0), bits: A }, { p: 0, t: at(1), bits: B },
      { p: 1, t: at(0), bits: A }, { p: 1, t: at(3), bits: B },
      { p: 2, t: at(0), bits: A },
    ];
    const q = { steps: steps(2), breakdown: { property: "$os" } };
    const { fq, fp, input } = setup(q, ev, { codes: [0, 0, 1, 1, 0], labels: ["iOS", "Android"] });
    expect(funnelTimeToConvert(fq, fp)).toEqual([{ averageSeconds: 7200, medianSeconds: 7200, bins: [[3600, 1], [7200, 0], [10800, 1]] }]);
    const periods = buckets({ zone: "UTC", weekStart: "monday" }, { from: T0, to: T0 + D }, "day");
    const byDay = funnelPersons(input, funnelSpec(fq), { from: T0, to: T0 + D }, periods);
    expect(funnelTrends(fq, byDay, periods, input.breakdown)).toEqual([
      { period: "2024-01-02", entered: 2, converted: 1, rate: 50, breakdownValue: "iOS" },
      { period: "2024-01-02", entered: 1, converted: 1, rate: 100, breakdownValue: "Android" },
    ]);
    expect([...funnelActors(fq, fp, { step: 1, breakdownValue: "iOS" }, input.breakdown)]).toEqual([0, 2]);
    expect([...funnelActors(fq, fp, { step: 1, breakdownValue: "Linux" }, input.breakdown)]).toEqual([]);
    // a time-to-convert bin lists every converter in it, whatever the breakdown; a value narrows it
    expect(binActors(fq, fp, input.breakdown)).toEqual([[0], [], [1]]);
    expect([...funnelActors(fq, fp, { bin: { from: 0, to: 86_400 }, breakdownValue: "Android" }, input.breakdown)]).toEqual([1]);
  });

  test("actors: reached step k (1-based) and dropped off after step k", () => {
    const ev = [
      { p: 0, t: at(0), bits: A },
      { p: 1, t: at(0), bits: A }, { p: 1, t: at(1), bits: B },
      { p: 2, t: at(0), bits: A }, { p: 2, t: at(1), bits: B }, { p: 2, t: at(2), bits: C },
    ];
    const { fq, fp } = setup({}, ev);
    expect([...funnelActors(fq, fp, { step: 2 })]).toEqual([1, 2]);
    expect([...funnelActors(fq, fp, { dropOffAfter: 1 })]).toEqual([0]);
    expect([...funnelActors(fq, fp, { dropOffAfter: 2 })]).toEqual([1]);
  });
});

/** binActors lists each time-to-convert bin's persons through the `bin` selector: [start, next start), the last [start, start + width). */
function binActors(fq: FunnelQuery, fp: FunnelPersons, bd?: Codes): number[][] {
  const bins = funnelTimeToConvert(fq, fp)[0]!.bins;
  const width = bins[1]![0] - bins[0]![0];
  return bins.map(([from], k) => [...funnelActors(fq, fp, { bin: { from, to: bins[k + 1]?.[0] ?? from + width } }, bd)]);
}

describe("time-to-convert actors: a bin lists exactly the persons it counts", () => {
  const after = (sec: number) => at(0) + sec * 1000;

  test("bin edges: a conversion at an edge instant is in the bin it starts; from the most recent step 1; the window", () => {
    const conv = (p: number, sec: number) => [{ p, t: at(0), bits: A }, { p, t: after(sec), bits: B }];
    const ev = [
      ...conv(0, 60), ...conv(1, 120), ...conv(2, 150), ...conv(3, 240), // 150 s: the second bin's start
      { p: 4, t: at(0), bits: A }, // never converts
      ...conv(5, 600.001), // 1 ms past the 10-minute window
      { p: 6, t: at(0), bits: A }, ...conv(6, 190).map((e) => ({ ...e, t: e.t + (e.bits === A ? 100_000 : 0) })), // 90 s from its second step 1
      ...conv(7, 149.999), // 1 ms before the edge
    ];
    const { fq, fp } = setup({ steps: steps(2), view: "time_to_convert", window: { n: 10, unit: "minute" } }, ev);
    // 6 converters: ⌈∛6⌉ = 2 bins from 60 s by ⌈(240 − 60) / 2⌉ = 90 s: [60, 150) [150, 240) [240, 330)
    expect(funnelTimeToConvert(fq, fp)[0]!.bins).toEqual([[60, 4], [150, 1], [240, 1]]);
    expect(binActors(fq, fp)).toEqual([[0, 1, 6, 7], [2], [3]]);
    expect([...funnelActors(fq, fp, { bin: { from: 0, to: 1e9 } })]).toEqual([0, 1, 2, 3, 6, 7]);
  });

  test("between fromStep and toStep; a person an exclusion removes is in no bin", () => {
    const ev = [
      { p: 0, t: at(0), bits: A }, { p: 0, t: at(1), bits: B }, { p: 0, t: at(1) + 60_000, bits: C }, // 60 s from b to c
      { p: 1, t: at(0), bits: A }, { p: 1, t: at(1), bits: B }, { p: 1, t: at(1) + 10_000, bits: X }, { p: 1, t: at(1) + 100_000, bits: C },
      { p: 2, t: at(0), bits: A }, { p: 2, t: at(1), bits: B },
      { p: 3, t: at(0), bits: A }, { p: 3, t: at(1), bits: B }, { p: 3, t: at(1) + 120_000, bits: C }, // 120 s
    ];
    const q = { view: "time_to_convert", fromStep: 1, toStep: 2, exclusions: [{ event: "x", fromStep: 1, toStep: 2 }] };
    const { fq, fp } = setup(q, ev);
    expect(funnelTimeToConvert(fq, fp)[0]!.bins).toEqual([[60, 1], [90, 0], [120, 1]]);
    expect(binActors(fq, fp)).toEqual([[0], [], [3]]);
    expect([...funnelActors(fq, fp, { bin: { from: 0, to: 1e9 } })]).toEqual([0, 3]);
  });

  test("step attribution drops a converter who never reached the attributed step, from the bins too", () => {
    const ev = [
      { p: 0, t: at(0), bits: A }, { p: 0, t: after(60), bits: B }, // converts a → b but never reaches c
      { p: 1, t: at(0), bits: A }, { p: 1, t: after(120), bits: B }, { p: 1, t: after(180), bits: C },
    ];
    const q = { view: "time_to_convert", toStep: 1, breakdown: { property: "$os", attribution: "step", step: 2 } };
    const { fq, fp, input } = setup(q, ev, { codes: [0, 0, 0, 0, 0], labels: ["iOS"] });
    expect(funnelTimeToConvert(fq, fp)[0]!.bins).toEqual([[120, 1], [180, 0]]); // one bin; width 0 → 60 s
    expect(binActors(fq, fp, input.breakdown)).toEqual([[1], []]);
  });

  test.each([1, 2, 3, 4, 5])("random data, seed %d: the bins' persons partition the converters, as many as each bin counts", (seed) => {
    const r = rng(seed);
    const ev: Ev[] = [];
    for (let p = 0; p < 200; p++) {
      const t0 = at(int(r, 48));
      ev.push({ p, t: t0, bits: A });
      // whole seconds half the time, so conversions land on bin edges; any millisecond otherwise
      const gap = r() < 0.5 ? int(r, 600) * 1000 : int(r, 600_000);
      if (r() < 0.7) ev.push({ p, t: t0 + gap, bits: B });
      if (r() < 0.5) ev.push({ p, t: t0 + gap + int(r, 900_000), bits: C });
    }
    for (const q of [{}, { toStep: 1 }, { fromStep: 1 }, { bins: 7 }, { bins: 1 }]) {
      const { fq, fp } = setup({ view: "time_to_convert", window: { n: 20, unit: "minute" }, ...q }, ev);
      const bins = funnelTimeToConvert(fq, fp)[0]!.bins;
      const lists = binActors(fq, fp);
      expect(lists.map((l) => l.length)).toEqual(bins.map(([, n]) => n));
      const all = lists.flat().sort((a, b) => a - b);
      expect(new Set(all).size).toBe(all.length);
      expect(all).toEqual([...funnelActors(fq, fp, { bin: { from: -1, to: 1e9 } })]);
      expect(all.length).toBe([...funnelActors(fq, fp, { step: funnelToStep(fq) + 1 })].length);
    }
  });
});
