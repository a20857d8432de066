/**
 * Reference cases from PostHog's funnel suite (posthog/hogql_queries/insights/funnels/test/:
 * test_funnel_unordered.py, breakdown_cases.py and the exclusion cases of test_funnel.py), replayed
 * end to end: every case ingests its journeys through `POST /v1/batch` into a fresh app and asks
 * `POST /api/query` (and `/api/query/actors`) the same question PostHog's test asks. Each test names
 * its PostHog source; the scenario data and expected numbers are PostHog's. Where SPEC §5.2 says
 * otherwise, the SPEC answer is asserted and the difference is named in the test. Times are UTC.
 *
 * PostHog's defaults differ from ours (window 14 days vs 7, date range -7d), so every query states
 * its window and range; PostHog's "Other" is our "$other".
 */
import { describe, expect, test } from "bun:test";
import { actorIds, referenceApp, track, type Actors } from "./harness.ts";

const WRITE_KEY = "wk_reference_funnels_0123456789";

/** Ev is one event of a person's journey: name, UTC time, event properties. */
type Ev = [event: string, at: string, props?: Record<string, unknown>];

interface StepOut { event: string; count: number; avgSecondsFromPrevious: number | null; medianSecondsFromPrevious: number | null }
interface Line { breakdownValue: string | null; steps: StepOut[] }
interface TrendRow { period: string; entered: number; converted: number; rate: number }

/**
 * world ingests the journeys (keyed by user id; `extra` carries raw messages such as identifies)
 * into a fresh app and returns ways to ask it funnel questions.
 */
async function world(journeys: Record<string, Ev[]>, extra: object[] = []) {
  const h = await referenceApp(WRITE_KEY);
  const batch = [
    ...extra,
    ...Object.entries(journeys).flatMap(([userId, evs]) =>
      evs.map(([event, timestamp, properties]) => track({ userId }, event, timestamp, properties))),
  ];
  if (batch.length > 0) {
    const ack = await h.ingest(batch);
    expect(ack.rejected ?? []).toEqual([]);
  }

  return {
    /** status answers the HTTP status of a query (for the 400 cases). */
    async status(q: object): Promise<number> {
      return (await h.post("/api/query", q)).status;
    },
    /** lines runs a steps-view funnel and answers its lines. */
    async lines(q: object): Promise<Line[]> {
      return (await h.ok<{ results: Line[] }>("/api/query", q)).results;
    },
    /** trends runs a trends-view funnel. */
    async trends(q: object): Promise<TrendRow[]> {
      return (await h.ok<{ results: TrendRow[] }>("/api/query", { ...q, view: "trends" })).results;
    },
    /** actors answers the user ids of the persons selected by `sel` (step / dropOffAfter / breakdownValue), sorted. */
    async actors(q: object, sel: object): Promise<string[]> {
      return actorIds(await h.ok<Actors>("/api/query/actors", { ...q, ...sel, limit: 1000 }));
    },
  };
}

/** funnel is a funnel query over the named steps, in UTC. */
const funnel = (steps: string[], rest: object = {}) => ({ kind: "funnel", steps: steps.map((event) => ({ event })), timezone: "UTC", ...rest });
const counts = (lines: Line[]) => lines[0]!.steps.map((s) => s.count);
const avgs = (lines: Line[]) => lines[0]!.steps.map((s) => s.avgSecondsFromPrevious);
/** byValue maps each breakdown line to its step counts and averages (order-free comparison). */
const byValue = (lines: Line[]) =>
  Object.fromEntries(lines.map((l) => [l.breakdownValue ?? "null", { counts: l.steps.map((s) => s.count), avg: l.steps.map((s) => s.avgSecondsFromPrevious) }]));
/** seq lays events out one minute apart from 10:00 on `day`, in the order given (PostHog's "now" events). */
const seq = (day: string, ...events: string[]): Ev[] =>
  events.map((e, i) => [e, new Date(Date.parse(`${day}T10:00:00Z`) + i * 60_000).toISOString()]);
const days = (n: number) => 86_400_000 * n;
const iso = (ms: number) => new Date(ms).toISOString();

// Scenarios shared by several cases.

const FIVE_STEPS = ["user signed up", "$pageview", "insight viewed", "invite teammate", "pageview2"];
const at = (hhmm: string) => `2021-05-01T${hhmm}:00Z`;

/** test_funnel_exclusions_full_window: person2 does x between the two steps. */
const FULL_WINDOW_JOURNEYS: Record<string, Ev[]> = {
  p1: [["user signed up", at("01:00")], ["paid", at("02:00")]],
  p2: [["user signed up", at("03:00")], ["x", at("03:30")], ["paid", at("04:00")]],
  p3: [["user signed up", at("05:00")], ["paid", at("06:00")]],
};

/** test_advanced_funnel_multiple_exclusions_between_steps: x and y sprinkled over four people's full journeys. */
const MULTI_EXCLUSION_JOURNEYS: Record<string, Ev[]> = {
  p1: [["user signed up", at("01:00")], ["x", at("02:00")], ["$pageview", at("03:00")], ["insight viewed", at("04:00")], ["y", at("04:30")], ["invite teammate", at("05:00")], ["pageview2", at("06:00")]],
  p2: [["user signed up", at("01:00")], ["y", at("01:30")], ["$pageview", at("02:00")], ["insight viewed", at("04:00")], ["y", at("04:30")], ["invite teammate", at("05:00")], ["x", at("05:30")], ["pageview2", at("06:00")]],
  p3: [["user signed up", at("01:00")], ["x", at("01:30")], ["$pageview", at("02:00")], ["insight viewed", at("04:00")], ["invite teammate", at("05:00")], ["x", at("05:30")], ["pageview2", at("06:00")]],
  p4: [["user signed up", at("01:00")], ["$pageview", at("02:00")], ["insight viewed", at("04:00")], ["invite teammate", at("05:00")], ["pageview2", at("06:00")]],
  p5: [["user signed up", at("01:00")], ["x", at("01:30")], ["$pageview", at("02:00")], ["x", at("02:30")], ["insight viewed", at("04:00")], ["y", at("04:30")], ["invite teammate", at("05:00")], ["x", at("05:30")], ["pageview2", at("06:00")]],
};

/** The step-attribution journeys of breakdown_cases.py (person4's first $browser is the number 0). */
const STEP_JOURNEYS: Record<string, Ev[]> = {
  p1: [["sign up", "2020-01-01T12:00:00Z", { $browser: "Chrome" }], ["buy", "2020-01-01T13:00:00Z"]],
  p2: [["sign up", "2020-01-01T13:00:00Z"], ["buy", "2020-01-02T13:00:00Z", { $browser: "Safari" }]],
  p3: [["sign up", "2020-01-02T14:00:00Z", { $browser: "Mac" }], ["buy", "2020-01-02T15:00:00Z"]],
  p4: [["sign up", "2020-01-02T15:00:00Z", { $browser: 0 }], ["buy", "2020-01-02T16:00:00Z", { $browser: "alakazam" }]],
};

// ------------------------------------------------------------------------------------------------
// Unordered funnels — test_funnel_unordered.py
// ------------------------------------------------------------------------------------------------

describe("unordered funnels (test_funnel_unordered.py)", () => {
  const SIGNUP = "user signed up", PV = "$pageview", INSIGHT = "insight viewed", BLAH = "blaah blaa";

  // test_basic_unordered_funnel: "completed ≥ k steps" whatever the order; actors and drop-offs.
  test("test_basic_unordered_funnel: 8 / 5 / 3 with the same persons per step", async () => {
    const d = "2021-05-03";
    const w = await world({
      p1: seq(d, SIGNUP),
      p2: seq(d, PV, SIGNUP),
      p3: seq(d, SIGNUP, PV, BLAH, INSIGHT),
      p4: seq(d, INSIGHT, PV, SIGNUP),
      p5: seq(d, PV, SIGNUP, BLAH, INSIGHT),
      p6: seq(d, BLAH, INSIGHT),
      p7: seq(d, PV, BLAH),
      p8: seq(d, INSIGHT, PV),
    });
    const q = funnel([SIGNUP, PV, INSIGHT], { order: "unordered", dateFrom: "2021-05-01", dateTo: "2021-05-07", window: { n: 14, unit: "day" } });
    expect(counts(await w.lines(q))).toEqual([8, 5, 3]);
    expect(await w.actors(q, { step: 1 })).toEqual(["p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8"]);
    expect(await w.actors(q, { step: 2 })).toEqual(["p2", "p3", "p4", "p5", "p8"]);
    expect(await w.actors(q, { step: 3 })).toEqual(["p3", "p4", "p5"]);
    expect(await w.actors(q, { dropOffAfter: 1 })).toEqual(["p1", "p6", "p7"]);
    expect(await w.actors(q, { dropOffAfter: 2 })).toEqual(["p2", "p8"]);
  });

  test("test_big_multi_step_unordered_funnel: 8 / 5 / 3 / 1", async () => {
    const d = "2021-05-03";
    const w = await world({
      p1: seq(d, SIGNUP),
      p2: seq(d, PV, "crying"),
      p3: seq(d, SIGNUP, PV, BLAH, INSIGHT),
      p4: seq(d, INSIGHT, "crying", SIGNUP),
      p5: seq(d, PV, SIGNUP, "crying", INSIGHT),
      p6: seq(d, BLAH, INSIGHT),
      p7: seq(d, PV, BLAH),
      p8: seq(d, INSIGHT, PV),
    });
    const q = funnel([SIGNUP, PV, INSIGHT, "crying"], { order: "unordered", dateFrom: "2021-05-01", dateTo: "2021-05-07", window: { n: 14, unit: "day" } });
    expect(counts(await w.lines(q))).toEqual([8, 5, 3, 1]);
    expect(await w.actors(q, { step: 2 })).toEqual(["p2", "p3", "p4", "p5", "p8"]);
    expect(await w.actors(q, { step: 3 })).toEqual(["p3", "p4", "p5"]);
    expect(await w.actors(q, { step: 4 })).toEqual(["p5"]);
  });

  // The UDF branch of the PostHog test: the first conversion counts, not an average of all of them.
  test("test_basic_unordered_funnel_conversion_times: 1-day window, averages 5400 s and 7200 s", async () => {
    const w = await world({
      p1: [[SIGNUP, "2021-05-02T00:00:00Z"]],
      p2: [[PV, "2021-05-02T00:00:00Z"], [SIGNUP, "2021-05-02T01:00:00Z"]],
      p3: [
        [INSIGHT, "2021-05-02T00:00:00Z"], [SIGNUP, "2021-05-02T02:00:00Z"], [PV, "2021-05-02T04:00:00Z"],
        [PV, "2021-05-03T00:00:00Z"], [INSIGHT, "2021-05-03T03:00:00Z"], [SIGNUP, "2021-05-03T06:00:00Z"],
      ],
    });
    const q = funnel([SIGNUP, PV, INSIGHT], { order: "unordered", dateFrom: "2021-05-01", dateTo: "2021-05-07", window: { n: 1, unit: "day" } });
    const lines = await w.lines(q);
    expect(counts(lines)).toEqual([3, 2, 1]);
    expect(avgs(lines)).toEqual([null, 5400, 7200]);
    expect(await w.actors(q, { step: 1 })).toEqual(["p1", "p2", "p3"]);
    expect(await w.actors(q, { step: 2 })).toEqual(["p2", "p3"]);
    expect(await w.actors(q, { step: 3 })).toEqual(["p3"]);
  });

  test.each(["UTC", "America/Los_Angeles"])("test_funnel_window_ignores_dst_transition (unordered), %s: 1 207 020 s fits a 14-day window", async (timezone) => {
    const w = await world({ u1: [[PV, "2024-03-01T15:10:00Z"], [SIGNUP, "2024-03-15T14:27:00Z"]] });
    const lines = await w.lines(funnel([PV, SIGNUP], { order: "unordered", dateFrom: "2024-02-17", dateTo: "2024-03-18", window: { n: 14, unit: "day" }, timezone }));
    expect(lines[0]!.steps[1]).toMatchObject({ count: 1, avgSecondsFromPrevious: 1_207_020, medianSecondsFromPrevious: 1_207_020 });
  });

  test("test_unordered_exclusion_after_completion: an exclusion after the funnel completed changes nothing", async () => {
    const w = await world({
      p1: [
        [SIGNUP, "2021-05-01T01:00:00Z"], ["paid", "2021-05-01T02:00:00Z"], ["left", "2021-05-01T03:00:00Z"],
        ["x", "2021-05-01T04:00:00Z"], ["left", "2021-05-01T05:00:00Z"],
      ],
    });
    const q = funnel([SIGNUP, "paid", "left"], {
      order: "unordered", dateFrom: "2021-05-01", dateTo: "2021-05-14", window: { n: 14, unit: "day" },
      exclusions: [{ event: "x", fromStep: 0, toStep: 2 }],
    });
    expect(counts(await w.lines(q))).toEqual([1, 1, 1]);
  });

  test("test_funnel_exclusions_invalid_params (unordered): empty ranges and partial windows are refused", async () => {
    const w = await world({});
    const q = (fromStep: number, toStep: number) =>
      funnel([SIGNUP, "paid", "blah"], { order: "unordered", window: { n: 14, unit: "day" }, exclusions: [{ event: "x", fromStep, toStep }] });
    expect(await w.status(q(1, 1))).toBe(400);
    expect(await w.status(q(0, 1))).toBe(400); // PostHog: "Partial Exclusions not allowed in unordered funnels"
    expect(await w.status(q(0, 2))).toBe(200);
  });

  // test_funnel_step_breakdown_with_step_one_attribution (UDF branch): only step 0 may attribute.
  test("unordered funnels attribute breakdowns only to step 0 (400 otherwise)", async () => {
    const w = await world({});
    const q = (step: number) => funnel(["sign up", "buy"], { order: "unordered", breakdown: { property: "$browser", attribution: "step", step } });
    expect(await w.status(q(1))).toBe(400);
    expect(await w.status(q(0))).toBe(200);
  });

  // PostHog answers 6 lines here: in unordered funnels any step's event may be "step 0", so a person
  // lands under every value their events carry. SPEC §5.2 differs on purpose: "Breakdown: one bucket
  // per person". PostHog's one assertion on the actors (Mac → person3) still holds.
  test("test_funnel_step_breakdown_with_step_attribution (unordered, step 0): one bucket per person (SPEC)", async () => {
    const w = await world(STEP_JOURNEYS);
    const q = funnel(["sign up", "buy"], {
      order: "unordered", dateFrom: "2020-01-01", dateTo: "2020-01-08", window: { n: 7, unit: "day" },
      breakdown: { property: "$browser", attribution: "step", step: 0 },
    });
    const lines = await w.lines(q);
    expect(lines.reduce((n, l) => n + l.steps[0]!.count, 0)).toBe(4);
    expect(lines.reduce((n, l) => n + l.steps[1]!.count, 0)).toBe(4);
    expect(await w.actors(q, { step: 1, breakdownValue: "Mac" })).toEqual(["p3"]);
  });

  // Funnel trends: an unordered attempt enters in the period of its first event; it converts when
  // all steps follow within the window.
  test("test_unordered_trend: day-by-day entries and conversions of five users", async () => {
    const start = Date.parse("2024-03-01T10:00:00Z");
    const e3 = (ds: number[]): Ev[] => ds.map((d) => ["event 3", iso(start + days(d))]);
    const tail: Ev[] = [["event 1", iso(start + days(7) + 3_600_000)], ["event 2", iso(start + days(7) + 7_200_000)]];
    const w = await world({
      u1: [...e3([0, 1, 2, 3, 4, 5, 6, 7]), ...tail],
      u2: [...e3([0, 2, 4, 6]), ...tail],
      u3: [...e3([0, 4]), ...tail],
      u4: [...e3([0]), ...tail],
      u5: tail,
    });
    const rows = await w.trends(funnel(["event 1", "event 2", "event 3"], {
      order: "unordered", window: { n: 8, unit: "day" }, dateFrom: "2024-03-01", dateTo: "2024-03-08", interval: "day",
    }));
    expect(rows.map((r) => r.period)).toEqual(["2024-03-01", "2024-03-02", "2024-03-03", "2024-03-04", "2024-03-05", "2024-03-06", "2024-03-07", "2024-03-08"]);
    expect(rows.map((r) => r.entered)).toEqual([4, 1, 2, 1, 3, 1, 2, 5]);
    expect(rows.map((r) => r.converted)).toEqual([4, 1, 2, 1, 3, 1, 2, 1]);
    expect(rows.map((r) => r.rate)).toEqual([100, 100, 100, 100, 100, 100, 100, 20]);
  });

  test("test_unordered_trend_second_step: from step 1 to step 2, 2 entered and 1 converted every day", async () => {
    const start = Date.parse("2024-03-01T10:00:00Z");
    const daily: Ev[] = Array.from({ length: 8 }, (_, d) => ["event 3", iso(start + days(d))]);
    const e1: Ev = ["event 1", iso(start + days(7) + 3_600_000)];
    const w = await world({ u1: [...daily, e1], u2: [...daily, e1, ["event 2", iso(start + days(7) + 7_200_000)]] });
    const rows = await w.trends(funnel(["event 1", "event 2", "event 3"], {
      order: "unordered", window: { n: 8, unit: "day" }, dateFrom: "2024-03-01", dateTo: "2024-03-08", fromStep: 1, toStep: 2,
    }));
    expect(rows).toHaveLength(8);
    expect(rows.map((r) => [r.entered, r.converted, r.rate])).toEqual(Array.from({ length: 8 }, () => [2, 1, 50]));
  });

  test("test_unordered_trend_one_user: the steps available from each day's first event", async () => {
    const start = Date.parse("2024-12-01T10:00:00Z");
    const w = await world({
      u1: [
        ...Array.from({ length: 8 }, (_, d): Ev => ["event 3", iso(start + days(d))]),
        ...Array.from({ length: 4 }, (_, d): Ev => ["event 2", iso(start + days(d) + 3_600_000)]),
        ...Array.from({ length: 2 }, (_, d): Ev => ["event 1", iso(start + days(d) + 7_200_000)]),
      ],
    });
    const rows = await w.trends(funnel(["event 1", "event 2", "event 3"], {
      order: "unordered", window: { n: 8, unit: "day" }, dateFrom: "2024-12-01", dateTo: "2024-12-08", fromStep: 1, toStep: 2,
    }));
    expect(rows.map((r) => r.entered)).toEqual([1, 1, 1, 1, 0, 0, 0, 0]);
    expect(rows.map((r) => r.converted)).toEqual([1, 1, 0, 0, 0, 0, 0, 0]);
  });
});

// PostHog's unordered funnel clears its state at an exclusion and lets the events after it start
// over, so a person whose full window was excluded still counts at the depth of the clean remainder.
// SPEC §5.2 states one rule for every order: "an exclusion event inside the window between fromStep
// and toStep of an attempt voids that attempt; a person whose deepest attempt is voided is removed
// from every step unless a clean attempt reaches the same depth." These cases assert the SPEC answer;
// PostHog's expected numbers are in the comments.
describe("unordered exclusions: SPEC §5.2's removal rule where PostHog counts the clean remainder", () => {
  const SIGNUP = "user signed up";

  test("test_funnel_exclusions_full_window (unordered): person2 removed — PostHog [3, 2], SPEC [2, 2]", async () => {
    const w = await world(FULL_WINDOW_JOURNEYS);
    const q = funnel([SIGNUP, "paid"], {
      order: "unordered", dateFrom: "2021-05-01", dateTo: "2021-05-14", window: { n: 14, unit: "day" },
      exclusions: [{ event: "x", fromStep: 0, toStep: 1 }],
    });
    expect(counts(await w.lines(q))).toEqual([2, 2]);
    expect(await w.actors(q, { step: 1 })).toEqual(["p1", "p3"]); // PostHog: p1, p2, p3
    expect(await w.actors(q, { step: 2 })).toEqual(["p1", "p3"]);
  });

  test("test_advanced_funnel_multiple_exclusions_between_steps (unordered): PostHog [5, 2, 1, 1, 1], SPEC [1, 1, 1, 1, 1]", async () => {
    const w = await world(MULTI_EXCLUSION_JOURNEYS);
    const q = funnel(FIVE_STEPS, {
      order: "unordered", dateFrom: "2021-05-01", dateTo: "2021-05-14", window: { n: 14, unit: "day" },
      exclusions: [{ event: "x", fromStep: 0, toStep: 4 }, { event: "y", fromStep: 0, toStep: 4 }],
    });
    expect(counts(await w.lines(q))).toEqual([1, 1, 1, 1, 1]);
    expect(await w.actors(q, { step: 1 })).toEqual(["p4"]); // PostHog: p1..p5; step 2: p1, p4
  });

  test("test_unordered_trend_with_partial_steps_and_exclusion: PostHog steps [2, 1, 1] and trend 50 %, SPEC [1, 1, 1] and 100 %", async () => {
    const w = await world({
      user_1: [["step 1", "2024-03-01T10:00:00Z"], ["step 2", "2024-03-01T11:00:00Z"], ["exclusion event", "2024-03-01T12:00:00Z"], ["step 3", "2024-03-01T13:00:00Z"]],
      user_2: [["step 1", "2024-03-01T10:00:00Z"], ["step 2", "2024-03-01T11:00:00Z"], ["step 3", "2024-03-01T12:00:00Z"]],
    });
    const q = funnel(["step 1", "step 2", "step 3"], {
      order: "unordered", window: { n: 6, unit: "hour" }, dateFrom: "2024-03-01", dateTo: "2024-03-01",
      exclusions: [{ event: "exclusion event", fromStep: 0, toStep: 2 }],
    });
    expect(counts(await w.lines(q))).toEqual([1, 1, 1]);
    expect(await w.trends({ ...q, toStep: 1 })).toEqual([{ period: "2024-03-01", entered: 1, converted: 1, rate: 100 }]);
  });
});

// ------------------------------------------------------------------------------------------------
// Exclusions in ordered funnels — test_funnel.py
// ------------------------------------------------------------------------------------------------

describe("exclusions in ordered funnels (test_funnel.py)", () => {
  const SIGNUP = "user signed up";
  const range = { dateFrom: "2021-05-01", dateTo: "2021-05-14" };

  test("test_funnel_exclusions_invalid_params: from must be below to, both inside the funnel", async () => {
    const w = await world({});
    const q = (fromStep: number, toStep: number) => funnel([SIGNUP, "paid"], { ...range, exclusions: [{ event: "x", fromStep, toStep }] });
    for (const [from, to] of [[1, 1], [1, 2], [2, 1], [0, 2]] as const) expect(await w.status(q(from, to))).toBe(400);
    expect(await w.status(q(0, 1))).toBe(200);
  });

  test("test_funnel_exclusion_no_end_event: 1-day window; an exclusion after the window does not void", async () => {
    const w = await world({
      p1: [[SIGNUP, at("01:00")], ["paid", at("02:00")]],
      p2: [[SIGNUP, at("03:00")], ["x", at("03:30")], ["paid", at("04:00")]],
      p3: [[SIGNUP, at("05:00")], ["x", at("06:00")]], // voided although nothing follows x
      p4: [[SIGNUP, at("07:00")], ["x", "2021-05-02T08:00:00Z"]], // x 25 h later: outside the window
    });
    const q = funnel([SIGNUP, "paid"], { ...range, window: { n: 1, unit: "day" }, exclusions: [{ event: "x", fromStep: 0, toStep: 1 }] });
    expect(counts(await w.lines(q))).toEqual([2, 1]);
    expect(await w.actors(q, { step: 1 })).toEqual(["p1", "p4"]);
    expect(await w.actors(q, { step: 2 })).toEqual(["p1"]);
  });

  test.each([
    ["test_funnel_exclusion_multiple_possible_no_end_event1", [0, 1, 31], ["step one", "exclusion", "step one"], [1, 0]],
    ["test_funnel_exclusion_multiple_possible_no_end_event2", [0, 31, 32], ["step one", "step one", "exclusion"], [1, 0]],
    ["test_funnel_exclusion_multiple_possible_no_end_event3", [0, 1, 2], ["step one", "step one", "exclusion"], [0, 0]],
  ] as const)("%s: 10-second window", async (_name, secs, events, want) => {
    const w = await world({ user_one: events.map((e, i): Ev => [e, iso(Date.parse(at("00:00")) + secs[i]! * 1000)]) });
    const q = funnel(["step one", "step two"], {
      dateFrom: "2021-05-01", dateTo: "2021-05-13", window: { n: 10, unit: "second" },
      exclusions: [{ event: "exclusion", fromStep: 0, toStep: 1 }],
    });
    expect(counts(await w.lines(q))).toEqual([...want]);
  });

  test("test_funnel_exclusions_full_window: the excluded person leaves every step", async () => {
    const w = await world(FULL_WINDOW_JOURNEYS);
    const q = funnel([SIGNUP, "paid"], { ...range, window: { n: 14, unit: "day" }, exclusions: [{ event: "x", fromStep: 0, toStep: 1 }] });
    expect(counts(await w.lines(q))).toEqual([2, 2]);
    expect(await w.actors(q, { step: 1 })).toEqual(["p1", "p3"]);
    expect(await w.actors(q, { step: 2 })).toEqual(["p1", "p3"]);
  });

  describe("test_advanced_funnel_exclusions_between_steps", () => {
    const journeys: Record<string, Ev[]> = {
      p1: [[SIGNUP, at("01:00")], ["$pageview", at("02:00")], ["x", at("03:00")], ["insight viewed", at("04:00")], ["x", at("04:30")], ["invite teammate", at("05:00")], ["x", at("05:30")], ["pageview2", at("06:00")]],
      p2: [[SIGNUP, at("01:00")], ["$pageview", at("02:00")], ["insight viewed", at("04:00")], ["x", at("04:30")], ["invite teammate", at("05:00")], ["x", at("05:30")], ["pageview2", at("06:00")]],
      p3: [[SIGNUP, at("01:00")], ["x", at("01:30")], ["$pageview", at("02:00")], ["insight viewed", at("04:00")], ["invite teammate", at("05:00")], ["x", at("05:30")], ["pageview2", at("06:00")]],
    };
    test.each([
      [0, 1, ["p1", "p2"]],
      [1, 2, ["p2", "p3"]],
      [2, 3, ["p3"]],
      [3, 4, []],
      [1, 3, ["p3"]],
    ] as const)("x between steps %d and %d", async (fromStep, toStep, kept) => {
      const w = await world(journeys);
      const q = funnel(FIVE_STEPS, { ...range, window: { n: 14, unit: "day" }, exclusions: [{ event: "x", fromStep, toStep }] });
      const c = counts(await w.lines(q));
      expect([c[0], c[4]]).toEqual([kept.length, kept.length]);
      expect(await w.actors(q, { step: 1 })).toEqual([...kept]);
    });
  });

  test.each([
    ["x 0→1, y 2→3", [["x", 0, 1], ["y", 2, 3]]],
    ["x 0→1, y 0→1", [["x", 0, 1], ["y", 0, 1]]],
    ["x 0→4, y 0→4", [["x", 0, 4], ["y", 0, 4]]],
  ] as const)("test_advanced_funnel_multiple_exclusions_between_steps, %s: only person4 stays", async (_name, ex) => {
    const w = await world(MULTI_EXCLUSION_JOURNEYS);
    const q = funnel(FIVE_STEPS, { ...range, window: { n: 14, unit: "day" }, exclusions: ex.map(([event, fromStep, toStep]) => ({ event, fromStep, toStep })) });
    const c = counts(await w.lines(q));
    expect([c[0], c[4]]).toEqual([1, 1]);
    expect(await w.actors(q, { step: 1 })).toEqual(["p4"]);
  });

  test("test_short_exclusions: the voided attempt gives way to a later clean one (29 s)", async () => {
    const w = await world({
      user_one: [
        ["step one", "2021-05-01T00:00:00Z"], ["exclusion", "2021-05-01T00:00:01Z"], ["step two", "2021-05-01T00:00:31Z"],
        ["step one", "2021-05-01T01:00:00Z"], ["step two", "2021-05-01T01:00:29Z"],
      ],
    });
    const lines = await w.lines(funnel(["step one", "step two"], {
      dateFrom: "2021-05-01", dateTo: "2021-05-13", window: { n: 30, unit: "second" }, exclusions: [{ event: "exclusion", fromStep: 0, toStep: 1 }],
    }));
    expect(lines[0]!.steps[1]).toMatchObject({ count: 1, avgSecondsFromPrevious: 29 });
  });

  test("test_excluded_completion: the only completing attempt is voided, so the person is gone", async () => {
    const w = await world({
      user_one: [
        ["step one", "2021-05-01T00:00:00Z"], ["exclusion", "2021-05-01T00:00:11Z"], ["step one", "2021-05-01T00:00:12Z"],
        ["exclusion", "2021-05-01T00:00:13Z"], ["step two", "2021-05-01T00:00:14Z"],
      ],
    });
    const lines = await w.lines(funnel(["step one", "step two"], {
      dateFrom: "2021-05-01", dateTo: "2021-05-13", window: { n: 10, unit: "second" }, exclusions: [{ event: "exclusion", fromStep: 0, toStep: 1 }],
    }));
    expect(counts(lines)).toEqual([0, 0]);
  });

  test("test_exclusion_with_property_filter: only exclusion events matching their filter void", async () => {
    const t0 = "2021-05-01T00:00:00Z", t1 = "2021-05-01T00:00:01Z", t2 = "2021-05-01T00:00:02Z";
    const w = await world({
      user_excluded: [["step one", t0], ["exclusion", t1, { exclude_me: "true" }], ["step two", t2]],
      user_excluded_also: [["step one", t0], ["exclusion", t1, { exclude_me: "yes" }], ["step two", t2]],
      user_first_step: [["step one", t0]],
      user_included: [["step one", t0], ["exclusion", t1, { exclude_me: "false" }], ["step two", t2]],
    });
    const only = (value: string) => ({ property: "exclude_me", type: "event", op: "eq", value });
    const lines = await w.lines(funnel(["step one", "step two"], {
      dateFrom: "2021-05-01", dateTo: "2021-05-01", window: { n: 10, unit: "second" },
      exclusions: [{ event: "exclusion", where: only("true"), fromStep: 0, toStep: 1 }, { event: "exclusion", where: only("yes"), fromStep: 0, toStep: 1 }],
    }));
    expect(counts(lines)).toEqual([2, 1]);
  });

  test.each([[0, 1], [1, 2]] as const)("test_multiple_events_same_timestamp_exclusions, exclusion %d→%d: an exclusion sharing the steps' instant does not void", async (fromStep, toStep) => {
    const w = await world({
      test: [
        ["step zero", "2024-01-10T12:00:00Z"],
        ...Array.from({ length: 30 }, (): Ev => ["step one", "2024-01-10T12:01:00Z"]),
        ["exclusion", "2024-01-10T12:01:00Z"], ["step two", "2024-01-10T12:01:00Z"],
        ["step three", "2024-01-10T12:02:00Z"],
      ],
    });
    const lines = await w.lines(funnel(["step zero", "step one", "step two", "step three"], {
      dateFrom: "2024-01-10", dateTo: "2024-01-12", exclusions: [{ event: "exclusion", fromStep, toStep }],
    }));
    expect(lines[0]!.steps).toHaveLength(4);
    expect(lines[0]!.steps[3]!.count).toBe(1);
  });
});

// ------------------------------------------------------------------------------------------------
// Breakdown attribution — breakdown_cases.py (run by PostHog for ordered and unordered) and
// test_funnel.py::test_breakdown_step_attributions
// ------------------------------------------------------------------------------------------------

describe("breakdown attribution (breakdown_cases.py)", () => {
  const base = { dateFrom: "2020-01-01", dateTo: "2020-01-08", window: { n: 7, unit: "day" } };
  const by = (attribution: object) => ({ breakdown: { property: "$browser", type: "event", ...attribution } });
  const H = 3600, D = 86_400;

  // person2's sign up comes from an anonymous id identified later (our addition: one person, one bucket, across ids).
  describe.each(["ordered", "unordered"])("%s", (order) => {
    test("test_funnel_step_breakdown_with_first_touch_attribution: the first non-empty value over the person's funnel events", async () => {
      const w = await world({
        p1: [["sign up", "2020-01-01T12:00:00Z", { $browser: "Chrome" }], ["buy", "2020-01-01T13:00:00Z"]],
        p2: [["buy", "2020-01-02T13:00:00Z", { $browser: "Safari" }]],
        p3: [["sign up", "2020-01-02T14:00:00Z", { $browser: "Mac" }], ["buy", "2020-01-02T15:00:00Z"]],
        p4: [["sign up", "2020-01-02T15:00:00Z", { $browser: 0 }], ["buy", "2020-01-02T16:00:00Z", { $browser: "alakazam" }]],
        p5: [["sign up", "2020-01-02T15:00:00Z"], ["buy", "2020-01-02T16:00:00Z"]],
      }, [
        { type: "track", anonymousId: "anon-p2", event: "sign up", timestamp: "2020-01-01T13:00:00Z", properties: {} },
        { type: "identify", userId: "p2", anonymousId: "anon-p2", timestamp: "2020-01-01T13:30:00Z", traits: {} },
      ]);
      const q = funnel(["sign up", "buy"], { ...base, order, ...by({ attribution: "first_touch" }) });
      expect(byValue(await w.lines(q))).toEqual({
        "": { counts: [1, 1], avg: [null, H] },
        "0": { counts: [1, 1], avg: [null, H] },
        Chrome: { counts: [1, 1], avg: [null, H] },
        Mac: { counts: [1, 1], avg: [null, H] },
        Safari: { counts: [1, 1], avg: [null, D] },
      });
      expect(await w.actors(q, { step: 1, breakdownValue: "" })).toEqual(["p5"]);
      expect(await w.actors(q, { step: 1, breakdownValue: "0" })).toEqual(["p4"]);
      expect(await w.actors(q, { step: 1, breakdownValue: "Safari" })).toEqual(["p2"]);
    });

    test("test_funnel_step_breakdown_with_last_touch_attribution: the last non-empty value", async () => {
      const w = await world({
        p1: [["sign up", "2020-01-01T12:00:00Z", { $browser: "Chrome" }], ["buy", "2020-01-01T13:00:00Z"]],
        p2: [["sign up", "2020-01-01T13:00:00Z"], ["buy", "2020-01-02T13:00:00Z", { $browser: "Safari" }]],
        p3: [["sign up", "2020-01-02T14:00:00Z", { $browser: "Mac" }], ["buy", "2020-01-02T15:00:00Z"]],
        p4: [["sign up", "2020-01-02T15:00:00Z", { $browser: 0 }], ["buy", "2020-01-02T16:00:00Z", { $browser: "Alakazam" }]],
        p5: [["sign up", "2020-01-02T15:00:00Z"], ["buy", "2020-01-02T16:00:00Z"]],
      });
      const q = funnel(["sign up", "buy"], { ...base, order, ...by({ attribution: "last_touch" }) });
      expect(byValue(await w.lines(q))).toEqual({
        "": { counts: [1, 1], avg: [null, H] },
        Alakazam: { counts: [1, 1], avg: [null, H] },
        Chrome: { counts: [1, 1], avg: [null, H] },
        Mac: { counts: [1, 1], avg: [null, H] },
        Safari: { counts: [1, 1], avg: [null, D] },
      });
      expect(await w.actors(q, { step: 1, breakdownValue: "Alakazam" })).toEqual(["p4"]);
    });
  });

  test("test_funnel_step_breakdown_with_step_attribution (step 0): the value on the step-0 event", async () => {
    const w = await world(STEP_JOURNEYS);
    const q = funnel(["sign up", "buy"], { ...base, ...by({ attribution: "step", step: 0 }) });
    expect(byValue(await w.lines(q))).toEqual({
      "": { counts: [1, 1], avg: [null, D] },
      "0": { counts: [1, 1], avg: [null, H] },
      Chrome: { counts: [1, 1], avg: [null, H] },
      Mac: { counts: [1, 1], avg: [null, H] },
    });
    expect(await w.actors(q, { step: 1, breakdownValue: "" })).toEqual(["p2"]);
    expect(await w.actors(q, { step: 1, breakdownValue: "Mac" })).toEqual(["p3"]);
  });

  test("test_funnel_step_breakdown_with_step_one_attribution (step 1): the value on the step-1 event", async () => {
    const w = await world(STEP_JOURNEYS);
    const q = funnel(["sign up", "buy"], { ...base, ...by({ attribution: "step", step: 1 }) });
    expect(byValue(await w.lines(q))).toEqual({
      "": { counts: [2, 2], avg: [null, H] },
      Safari: { counts: [1, 1], avg: [null, D] },
      alakazam: { counts: [1, 1], avg: [null, H] },
    });
    expect(await w.actors(q, { step: 1, breakdownValue: "" })).toEqual(["p1", "p3"]);
  });

  test("test_funnel_step_breakdown_with_step_one_attribution_incomplete_funnel: persons never reaching step 1 drop out", async () => {
    const w = await world({
      p1: STEP_JOURNEYS.p1!,
      p2: [["sign up", "2020-01-01T13:00:00Z"]],
      p3: [["sign up", "2020-01-02T14:00:00Z", { $browser: "Mac" }]],
      p4: STEP_JOURNEYS.p4!,
    });
    const q = funnel(["sign up", "buy"], { ...base, ...by({ attribution: "step", step: 1 }) });
    expect(byValue(await w.lines(q))).toEqual({
      "": { counts: [1, 1], avg: [null, H] },
      alakazam: { counts: [1, 1], avg: [null, H] },
    });
    expect(await w.actors(q, { step: 1, breakdownValue: "" })).toEqual(["p1"]);
    expect(await w.actors(q, { step: 1, breakdownValue: "alakazam" })).toEqual(["p4"]);
  });

  describe("a step with a property filter (test_funnel_breakdown_correct_breakdown_props_are_chosen*)", () => {
    const journeys: Record<string, Ev[]> = {
      p1: [["sign up", "2020-01-01T12:00:00Z", { $browser: "Chrome", $version: "xyz" }], ["buy", "2020-01-01T13:00:00Z", { $browser: "Chrome" }]],
      p2: [["sign up", "2020-01-01T13:00:00Z"], ["buy", "2020-01-02T13:00:00Z", { $browser: "Safari", $version: "xyz" }]],
      p3: [["sign up", "2020-01-02T14:00:00Z", { $browser: "Mac" }], ["buy", "2020-01-02T15:00:00Z", { $version: "xyz", $browser: "Mac" }]],
      p5: [["sign up", "2020-01-02T15:00:00Z"], ["buy", "2020-01-02T16:00:00Z"]],
    };
    const steps = (attribution: object) => ({
      kind: "funnel", timezone: "UTC", ...base, ...by(attribution),
      steps: [{ event: "sign up" }, { event: "buy", where: { property: "$version", type: "event", op: "eq", value: "xyz" } }],
    });

    test("first touch: Mac, Chrome, Safari and ''", async () => {
      const w = await world(journeys);
      const lines = await w.lines(steps({ attribution: "first_touch" }));
      expect(lines.map((l) => l.breakdownValue).sort()).toEqual(["", "Chrome", "Mac", "Safari"]);
    });

    test("step 1: only Mac and Safari — the others never reach the filtered step", async () => {
      const w = await world(journeys);
      const lines = await w.lines(steps({ attribution: "step", step: 1 }));
      expect(lines.map((l) => l.breakdownValue).sort()).toEqual(["Mac", "Safari"]);
    });
  });

  // PostHog puts person1 in 4 lines (Chrome, Safari, Mac, 0), one per step-0 event. SPEC §5.2 differs
  // on purpose: "Breakdown: one bucket per person".
  test("test_funnel_step_breakdown_event_single_person_multiple_breakdowns (step 0): one bucket per person (SPEC)", async () => {
    const w = await world({
      person1: [
        ["sign up", "2020-01-01T12:00:00Z", { $browser: "Chrome" }], ["sign up", "2020-01-01T13:00:00Z", { $browser: "Safari" }],
        ["sign up", "2020-01-02T14:00:00Z", { $browser: "Mac" }], ["sign up", "2020-01-02T15:00:00Z", { $browser: 0 }],
      ],
    });
    const lines = await w.lines(funnel(["sign up", "other event"], { ...base, ...by({ attribution: "step", step: 0 }) }));
    expect(lines).toHaveLength(1);
    expect(counts(lines)).toEqual([1, 0]);
  });

  // PostHog answers two lines for step 1 (Safari and Chrome, each [1, 1, 1]): the person carries both
  // values on step-two events. SPEC §5.2: "one bucket per person"; `step` = the value on step N's
  // event, i.e. the step-two event the attempt advanced on (Safari, the first one).
  test("test_breakdown_step_attributions: first touch, step 0, step 1 (SPEC: one bucket), step 2", async () => {
    const w = await world({
      user_one: [
        ["step one", "2021-05-01T00:00:00Z", { $browser: "Chrome" }], ["step two", "2021-05-01T00:00:01Z", { $browser: "Safari" }],
        ["step two", "2021-05-01T00:00:02Z", { $browser: "Chrome" }], ["step three", "2021-05-01T00:00:03Z", { $browser: "Chrome" }],
      ],
    });
    const q = (attribution: object) => funnel(["step one", "step two", "step three"], {
      dateFrom: "2021-05-01", dateTo: "2021-05-02", window: { n: 30, unit: "second" }, ...by(attribution),
    });
    const lines = async (a: object) => (await w.lines(q(a))).map((l) => [l.breakdownValue, l.steps.map((s) => s.count)]);
    expect(await lines({})).toEqual([["Chrome", [1, 1, 1]]]);
    expect(await lines({ attribution: "step", step: 0 })).toEqual([["Chrome", [1, 1, 1]]]);
    expect(await lines({ attribution: "step", step: 1 })).toEqual([["Safari", [1, 1, 1]]]);
    expect(await lines({ attribution: "step", step: 2 })).toEqual([["Chrome", [1, 1, 1]]]);
  });
});

describe("breakdown limit (breakdown_cases.py)", () => {
  const steps = ["sign up", "play movie", "buy"];
  const base = { dateFrom: "2020-01-01", dateTo: "2020-01-08", window: { n: 7, unit: "day" } };

  // PostHog keeps Safari — the value most persons entered with (2) — and folds Chrome (the only one
  // completing) into Other. SPEC §5.2 has no rule of its own for the limit; the one SPEC rule for
  // breakdown limits (§5.1) is "top N by volume, the rest "$other"", and a funnel line's volume is
  // the persons who entered it, which is PostHog's answer.
  test("test_funnel_step_breakdown_event_with_other: limit 1 keeps Safari, the rest is $other", async () => {
    const w = await world({
      person1: [["sign up", "2020-01-01T12:00:00Z", { $browser: "Chrome" }], ["play movie", "2020-01-01T13:00:00Z", { $browser: "Chrome" }], ["buy", "2020-01-01T15:00:00Z", { $browser: "Chrome" }]],
      person2: [["sign up", "2020-01-02T14:00:00Z", { $browser: "Safari" }], ["play movie", "2020-01-02T16:00:00Z", { $browser: "Safari" }]],
      person3: [["sign up", "2020-01-02T14:00:00Z", { $browser: "Safari" }]],
      person4: [["sign up", "2020-01-02T14:00:00Z", { $browser: "random" }]],
      person5: [["sign up", "2020-01-02T15:00:00Z", { $browser: "another one" }]],
    });
    const q = funnel(steps, { ...base, breakdown: { property: "$browser", limit: 1 } });
    expect(byValue(await w.lines(q))).toEqual({
      Safari: { counts: [2, 1, 0], avg: [null, 7200, null] },
      $other: { counts: [3, 1, 1], avg: [null, 3600, 7200] },
    });
    expect(await w.actors(q, { step: 1, breakdownValue: "$other" })).toEqual(["person1", "person4", "person5"]);
  });

  const limitJourneys = () => {
    const j: Record<string, Ev[]> = {};
    const journey = (props: Record<string, unknown>): Ev[] => [
      ["sign up", "2020-01-01T12:00:00Z", props], ["play movie", "2020-01-01T13:00:00Z", props], ["buy", "2020-01-01T15:00:00Z", props],
    ];
    for (let num = 1; num < 5; num++) for (let i = 0; i < num; i++) j[`person_${num}_${i}`] = journey({ some_breakdown_val: String(num) });
    j.person_null = journey({});
    return j;
  };

  test("test_funnel_step_custom_breakdown_limit_with_nulls: limit 3 keeps 2, 3, 4; '' and 1 go to $other", async () => {
    const w = await world(limitJourneys());
    const q = funnel(steps, { ...base, breakdown: { property: "some_breakdown_val", limit: 3 } });
    expect((await w.lines(q)).map((l) => l.breakdownValue).sort()).toEqual(["$other", "2", "3", "4"]);
    expect(await w.actors(q, { step: 1, breakdownValue: "$other" })).toContain("person_null");
  });

  test("test_funnel_step_custom_breakdown_limit_with_nulls_included: limit 6 shows '' as a value of its own", async () => {
    const w = await world(limitJourneys());
    const q = funnel(steps, { ...base, breakdown: { property: "some_breakdown_val", limit: 6 } });
    expect((await w.lines(q)).map((l) => l.breakdownValue).sort()).toEqual(["", "1", "2", "3", "4"]);
    for (let i = 1; i < 5; i++) expect(await w.actors(q, { step: 3, breakdownValue: String(i) })).toHaveLength(i);
    expect(await w.actors(q, { step: 1, breakdownValue: "" })).toEqual(["person_null"]);
    expect(await w.actors(q, { step: 3, breakdownValue: "" })).toEqual(["person_null"]);
  });
});
