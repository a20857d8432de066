/**
 * Reference cases for retention (SPEC §5.3), ported from PostHog's own suite
 * (posthog/hogql_queries/insights/test/test_retention_query_runner.py): the same scenario data and expected
 * numbers, rebuilt end to end — Segment identifies and tracks through `POST /v1/batch`, then
 * `POST /api/query` (and `/api/query/actors`) with a retention query.
 *
 * Mapping of PostHog's query onto ours:
 * - `totalIntervals: N` with `date_to: D` = N cohort periods ending with the one containing D: our `dateTo` is
 *   D's day and `dateFrom` a day N−1 periods earlier; the lags reported are the same 0..N−1.
 * - PostHog now pads each cohort row with zeros to a full matrix; SPEC §5.3 answers the triangle ("Cohort i
 *   reports lags up to the last period that has begun by dateTo"), so PostHog's rows are cut to the triangle
 *   (`tri`); the cut cells are zeros in every case below.
 * - A PostHog person with distinct ids ["person1", "alias1"] is our user `person1` identified with anonymous
 *   id `alias1`; person properties are identify traits. Our identify also records an `$identify` event, so in
 *   "any event" cases it is sent at the instant of the person's first event, where it changes no cohort.
 * - An action with one event step is that event; PostHog's team default week start is Sunday.
 * Left out as PostHog-only: hour periods, minimumOccurrences, sampling, groups, cohort and event-property
 * breakdowns, test-account filters, the events-of-a-cell query.
 */
import { describe, expect, test } from "bun:test";
import { actorIds, identify as identifyMessage, referenceApp, track, type Actors, type Props } from "./harness.ts";

const WRITE_KEY = "wk_reference_retention_01";

/** Ev is one PostHog `_create_events` row: distinct id, time, extra properties. */
type Ev = [string, string, Props?];
type Cohort = { period: string; values: number[] };
type Result = { breakdownValue: string | null; cohorts: Cohort[] };

/** d is PostHog's `_date(day, hour=5, month=0)`: 2020-06-10 05:00 UTC shifted by days, hours and months. */
function d(day: number, hour = 5, month = 0): string {
  return new Date(Date.UTC(2020, 5 + month, 10 + day, hour)).toISOString();
}

/** tri cuts PostHog's zero-padded matrix to the triangle: row i keeps N − i cells. */
function tri(rows: number[][]): number[][] {
  return rows.map((r, i) => r.slice(0, rows.length - i));
}

/**
 * world is one fresh app. `anon` lists the PostHog distinct ids that are anonymous ids with us (the rest are
 * user ids).
 */
async function world(anon: string[] = []) {
  const h = await referenceApp(WRITE_KEY);
  const who = (id: string) => (anon.includes(id) ? { anonymousId: id } : { userId: id });

  return {
    /** identify links `anonymousId` (when given) to user `userId` and sets traits, at `at`. */
    async identify(userId: string, at: string, opts: { anonymousId?: string; traits?: Props } = {}): Promise<void> {
      await h.ingest([identifyMessage(userId, opts.anonymousId, at, opts.traits ?? {})]);
    },
    /** events is PostHog's `_create_events`: every even-indexed row also carries `$some_property: "value"`. */
    async events(rows: Ev[], event = "$pageview"): Promise<void> {
      await h.ingest(rows.map(([id, at, extra], i) =>
        track(who(id), event, at, { ...(i % 2 === 0 ? { $some_property: "value" } : {}), ...extra })));
    },
    async retention(q: Props): Promise<Result[]> {
      const body = { kind: "retention", timezone: "UTC", startEvent: { event: "$pageview" }, returnEvent: { event: "$pageview" }, ...q };
      return (await h.ok<{ results: Result[] }>("/api/query", body)).results;
    },
    /** actors lists the user ids of one cell, sorted. */
    async actors(q: Props, cell: { cohort: string; lag: number; breakdownValue?: string }): Promise<string[]> {
      const body = { kind: "retention", timezone: "UTC", startEvent: { event: "$pageview" }, returnEvent: { event: "$pageview" }, ...q, cell };
      return actorIds(await h.ok<Actors>("/api/query/actors", body));
    },
  };
}

const grid = (results: Result[]) => results.map((r) => r.cohorts.map((c) => c.values));
const periods = (results: Result[]) => results[0]!.cohorts.map((c) => c.period);
const days = (from: number, n: number) => Array.from({ length: n }, (_, i) => `2020-06-${String(from + i).padStart(2, "0")}`);
const byValue = (results: Result[]) => Object.fromEntries(results.map((r) => [r.breakdownValue, r.cohorts.map((c) => c.values)]));

/** The ten page views most PostHog cases share: person1 (with alias1) on days 0,1,2,5,5,6; person2 on 1,2,3,6. */
const STANDARD: Ev[] = [
  ["person1", d(0)], ["person1", d(1)], ["person1", d(2)], ["person1", d(5)], ["alias1", d(5, 9)], ["person1", d(6)],
  ["person2", d(1)], ["person2", d(2)], ["person2", d(3)], ["person2", d(6)],
];
const STANDARD_GRID = [
  [1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0],
  [2, 2, 1, 0, 1, 2, 0, 0, 0, 0],
  [2, 1, 0, 1, 2, 0, 0, 0, 0],
  [1, 0, 0, 1, 0, 0, 0, 0],
  [0, 0, 0, 0, 0, 0, 0],
  [1, 1, 0, 0, 0, 0],
  [2, 0, 0, 0, 0],
  [0, 0, 0, 0],
  [0, 0, 0],
  [0, 0],
  [0],
];

/** standard loads STANDARD with `rows` in place of it; person1's identify sits at their first event. */
async function standard(rows: Ev[] = STANDARD, traits: Record<string, Props> = {}) {
  const w = await world(["alias1"]);
  await w.identify("person1", d(0), { anonymousId: "alias1", traits: traits.person1 ?? {} });
  await w.identify("person2", d(1), { traits: traits.person2 ?? {} });
  await w.events(rows);
  return w;
}

describe("day cohorts over a merged person (test_day_interval, test_all_events, people queries)", () => {
  const range = { dateFrom: "2020-06-10", dateTo: "2020-06-20" }; // date_to _date(10, hour=6), totalIntervals 11

  // PostHog: test_day_interval — the alias's page view counts for person1, once per day.
  test("recurring day cohorts", async () => {
    const w = await standard();
    const results = await w.retention(range);
    expect(periods(results)).toEqual(days(10, 11));
    expect(grid(results)).toEqual([tri(STANDARD_GRID)]);
  });

  // PostHog: test_all_events — "All events" as the start entity gives the same table.
  test("any event as the start event", async () => {
    const w = await standard();
    expect(grid(await w.retention({ ...range, startEvent: { event: "$all" } }))).toEqual([tri(STANDARD_GRID)]);
  });

  // PostHog: test_retention_people_basic — the Day 0 cohort is person1, who appears on days 0, 1, 2, not 3.
  test("actors of the first cohort", async () => {
    const w = await standard();
    expect(await w.actors(range, { cohort: "2020-06-10", lag: 0 })).toEqual(["person1"]);
    expect(await w.actors(range, { cohort: "2020-06-10", lag: 1 })).toEqual(["person1"]);
    expect(await w.actors(range, { cohort: "2020-06-10", lag: 2 })).toEqual(["person1"]);
    expect(await w.actors(range, { cohort: "2020-06-10", lag: 3 })).toEqual([]);
  });

  // PostHog: test_retention_people_in_period — one more page view (person2, day 7); the day-2 cohort holds
  // both, person2 appearing at lags 0, 1, 4, 5 and person1 at lags 0, 3, 4.
  test("actors of a later cohort, per lag", async () => {
    const w = await standard([...STANDARD, ["person2", d(7)]]);
    const cell = (lag: number) => w.actors(range, { cohort: "2020-06-12", lag });
    expect(await cell(0)).toEqual(["person1", "person2"]);
    expect(await cell(1)).toEqual(["person2"]);
    expect(await cell(2)).toEqual([]);
    expect(await cell(3)).toEqual(["person1"]);
    expect(await cell(4)).toEqual(["person1", "person2"]);
    expect(await cell(5)).toEqual(["person2"]);
  });
});

describe("month and week periods", () => {
  // PostHog: test_month_interval — date_to 2020-11-25, totalIntervals 11: cohorts January to November.
  test("month cohorts", async () => {
    const w = await world();
    await w.identify("person1", d(0, 5, -5), { traits: { email: "person1@test.com" } });
    await w.identify("person2", d(0, 5, -5), { traits: { email: "person2@test.com" } });
    await w.events([
      ["person1", d(0, 5, -5)], ["person2", d(0, 5, -5)], ["person1", d(0, 5, -4)], ["person2", d(0, 5, -4)],
      ["person1", d(0, 5, -3)], ["person2", d(0, 5, -3)], ["person1", d(0, 5, -1)], ["person1", d(0, 5, 0)],
      ["person2", d(0, 5, 0)], ["person2", d(0, 5, 1)], ["person1", d(0, 5, 3)], ["person2", d(0, 5, 5)],
    ]);
    const results = await w.retention({ period: "month", dateFrom: "2020-01-10", dateTo: "2020-11-25" });
    expect(periods(results)).toEqual(Array.from({ length: 11 }, (_, i) => `2020-${String(i + 1).padStart(2, "0")}-01`));
    expect(grid(results)).toEqual([tri([
      [2, 2, 2, 0, 1, 2, 1, 0, 1, 0, 1],
      [2, 2, 0, 1, 2, 1, 0, 1, 0, 1],
      [2, 0, 1, 2, 1, 0, 1, 0, 1],
      [0, 0, 0, 0, 0, 0, 0, 0],
      [1, 1, 0, 0, 1, 0, 0],
      [2, 1, 0, 1, 0, 1],
      [1, 0, 0, 0, 1],
      [0, 0, 0, 0],
      [1, 0, 0],
      [0, 0],
      [1],
    ])]);
  });

  const WEEKS: Ev[] = [
    ["person1", d(0)], ["person2", d(0)], ["person1", d(1)], ["person2", d(1)], ["person1", d(7)], ["person2", d(7)],
    ["person1", d(14)], ["person1", d(-6, 5, 1)], ["person2", d(-6, 5, 1)], ["person2", d(1, 5, 1)], ["person1", d(1, 5, 1)],
    ["person2", d(15, 5, 1)], // 2020-07-25: after dateTo, inside the last week
  ];
  const WEEK_GRID = [[2, 2, 1, 2, 2, 0, 1], [2, 1, 2, 2, 0, 1], [1, 1, 1, 0, 0], [2, 2, 0, 1], [2, 0, 1], [0, 0], [1]];
  async function weeks() {
    const w = await world();
    await w.identify("person1", d(0), { traits: { email: "person1@test.com" } });
    await w.identify("person2", d(0), { traits: { email: "person2@test.com" } });
    await w.events(WEEKS);
    return w;
  }

  // PostHog: test_week_interval — date_to 2020-07-20 (a Monday), 7 weeks, Sunday then Monday weeks; the same
  // counts, the last cohort being person2's visit of 2020-07-25, later in the week that contains date_to.
  test("week cohorts start on the configured day", async () => {
    const w = await weeks();
    const q = { period: "week", dateFrom: "2020-06-08", dateTo: "2020-07-20" };
    const sunday = await w.retention({ ...q, weekStart: "sunday" });
    expect(periods(sunday)).toEqual(["2020-06-07", "2020-06-14", "2020-06-21", "2020-06-28", "2020-07-05", "2020-07-12", "2020-07-19"]);
    expect(grid(sunday)).toEqual([tri(WEEK_GRID)]);
    const monday = await w.retention({ ...q, weekStart: "monday" });
    expect(periods(monday)).toEqual(["2020-06-08", "2020-06-15", "2020-06-22", "2020-06-29", "2020-07-06", "2020-07-13", "2020-07-20"]);
    expect(grid(monday)).toEqual([tri(WEEK_GRID)]);
  });

  // PostHog: test_interval_rounding — date_to mid-week (Friday 2020-07-24) rounds to the week's start.
  test("range ends mid-week round to whole weeks", async () => {
    const w = await weeks();
    const results = await w.retention({ period: "week", weekStart: "sunday", dateFrom: "2020-06-10", dateTo: "2020-07-24" });
    expect(periods(results)[0]).toBe("2020-06-07");
    expect(grid(results)).toEqual([tri(WEEK_GRID)]);
  });
});

describe("on or after (cumulative), any event", () => {
  async function five() {
    const w = await world();
    await w.events([
      ["person1", d(0)], ["person1", d(3)], ["person1", d(4)], ["person2", d(0)], ["person2", d(1)],
      ["person3", d(1)], ["person3", d(2)], ["person3", d(3)], ["person4", d(3)], ["person4", d(4)], ["person5", d(4)],
    ]);
    return w;
  }
  const any = { startEvent: { event: "$all" }, returnEvent: { event: "$all" }, cumulative: true };

  // PostHog: test_rolling_retention — date_to day 5, totalIntervals 5: day 0 is outside, the first cohort is day 1.
  test("a member counts at every lag up to their last return", async () => {
    const w = await five();
    const results = await w.retention({ ...any, dateFrom: "2020-06-11", dateTo: "2020-06-15" });
    expect(periods(results)).toEqual(days(11, 5));
    expect(grid(results)).toEqual([tri([[2, 1, 1, 0, 0], [1, 1, 0, 0], [3, 2, 0], [3, 0], [0]])]);
  });

  // PostHog: test_rolling_retention_doesnt_double_count_same_user — totalIntervals 6 takes day 0 in; person1
  // (days 0, 3, 4) counts once per lag up to lag 4.
  test("a member returning several times is counted once per lag", async () => {
    const w = await five();
    const results = await w.retention({ ...any, dateFrom: "2020-06-10", dateTo: "2020-06-15" });
    expect(grid(results)).toEqual([tri([[2, 2, 1, 1, 1, 0], [2, 1, 1, 0, 0], [1, 1, 0, 0], [3, 2, 0], [3, 0], [0]])]);
  });
});

describe("start and return events differ", () => {
  async function someEvent() {
    const w = await world();
    await w.events([
      ["person1", d(0)], ["person1", d(1)], ["person1", d(2)], ["person1", d(3)],
      ["person2", d(0)], ["person2", d(1)], ["person2", d(2)], ["person2", d(3)], ["person3", d(5)],
    ], "$some_event");
    await w.events([["person1", d(5)], ["person1", d(6)], ["person2", d(5)]], "$pageview");
    return w;
  }
  const range = { dateFrom: "2020-06-10", dateTo: "2020-06-16" }; // date_to _date(6, hour=6), totalIntervals 7

  // PostHog: test_retention_multiple_events — start $some_event, return $pageview.
  test("returns are only the return event", async () => {
    const w = await someEvent();
    const results = await w.retention({ ...range, startEvent: { event: "$some_event" } });
    expect(grid(results)).toEqual([tri([[2, 0, 0, 0, 0, 2, 1], [2, 0, 0, 0, 2, 1], [2, 0, 0, 2, 1], [2, 0, 2, 1], [0, 0, 0], [1, 0], [0]])]);
  });

  // PostHog: test_retention_any_event — any event as both start and return.
  test("any event as start and return", async () => {
    const w = await someEvent();
    const results = await w.retention({ ...range, startEvent: { event: "$all" }, returnEvent: { event: "$all" } });
    expect(grid(results)).toEqual([tri([[2, 2, 2, 2, 0, 2, 1], [2, 2, 2, 0, 2, 1], [2, 2, 0, 2, 1], [2, 0, 2, 1], [0, 0, 0], [3, 1], [1]])]);
  });

  // PostHog: test_retention_event_action — the "sign up" action (one event step) as start, $some_event as return.
  test("sign up then another event", async () => {
    const w = await world(["alias1"]);
    await w.identify("person1", d(0), { anonymousId: "alias1" });
    await w.events([
      ["person1", d(0)], ["person1", d(1)], ["person1", d(2)], ["person1", d(3)],
      ["person2", d(0)], ["person2", d(1)], ["person2", d(2)], ["person2", d(3)],
    ], "sign up");
    await w.events([["person1", d(3)], ["person2", d(5)]], "$some_event");
    const results = await w.retention({ ...range, startEvent: { event: "sign up" }, returnEvent: { event: "$some_event" } });
    expect(periods(results)[0]).toBe("2020-06-10");
    expect(grid(results)).toEqual([tri([[2, 0, 0, 1, 0, 1, 0], [2, 0, 1, 0, 1, 0], [2, 1, 0, 1, 0], [2, 0, 1, 0], [0, 0, 0], [0, 0], [0]])]);
  });
});

describe("first time", () => {
  /** PostHog's _create_first_time_retention_events. */
  async function firstTime() {
    const w = await world(["alias1"]);
    await w.identify("person1", d(-1), { anonymousId: "alias1" });
    await w.events([
      ["shouldnt_include", d(-5)], ["shouldnt_include", d(-1)], ["person1", d(-1)], ["person1", d(1)],
      ["person1", d(2)], ["person1", d(3)], ["person1", d(4)], ["person2", d(-1)],
    ], "$user_signed_up");
    await w.events(STANDARD);
    await w.events([["person3", d(0)]], "$user_signed_up");
    await w.events([["person3", d(1)], ["person3", d(3)], ["person3", d(4)], ["person3", d(5)]]);
    await w.events([["person4", d(2)]], "$user_signed_up");
    await w.events([["person4", d(3)], ["person4", d(5)]]);
    return w;
  }
  const signup = { mode: "first_time", startEvent: { event: "$user_signed_up" }, returnEvent: { event: "$pageview" } };

  // PostHog: test_first_time_retention — date_to day 5, 7 days (June 9..15); shouldnt_include signed up first
  // on June 5, so is in no cohort; person1's later sign-ups start nothing.
  test("day cohorts of the lifetime-first sign up", async () => {
    const w = await firstTime();
    const results = await w.retention({ ...signup, dateFrom: "2020-06-09", dateTo: "2020-06-15" });
    expect(periods(results)).toEqual(days(9, 7));
    expect(grid(results)).toEqual([tri([[2, 1, 2, 2, 1, 0, 1], [1, 1, 0, 1, 1, 1], [0, 0, 0, 0, 0], [1, 1, 0, 1], [0, 0, 0], [0, 0], [0]])]);
  });

  // PostHog: test_first_time_retention_weeks — Sunday weeks May 3..June 14: shouldnt_include is the May 31
  // week's cohort; four people start the June 7 week and all four return in the week containing date_to.
  test("week cohorts of the lifetime-first sign up", async () => {
    const w = await firstTime();
    const results = await w.retention({ ...signup, period: "week", weekStart: "sunday", dateFrom: "2020-05-04", dateTo: "2020-06-15" });
    expect(periods(results)[0]).toBe("2020-05-03");
    expect(grid(results)).toEqual([tri([[0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0], [1, 0, 0], [4, 4], [0]])]);
  });

  // PostHog: test_retention_people_first_time and test_retention_people_in_period_first_time — the June 10
  // cohort is person3 alone, appearing at lags 0, 1, 3, 4, 5; with date_to June 24 the first cohort is empty.
  test("actors of first-time cohorts", async () => {
    const w = await firstTime();
    const q = { ...signup, dateFrom: "2020-06-10", dateTo: "2020-06-20" };
    for (const lag of [0, 1, 3, 4, 5]) expect(await w.actors(q, { cohort: "2020-06-10", lag })).toEqual(["person3"]);
    expect(await w.actors(q, { cohort: "2020-06-10", lag: 2 })).toEqual([]);
    expect(await w.actors({ ...signup, dateFrom: "2020-06-14", dateTo: "2020-06-24" }, { cohort: "2020-06-14", lag: 0 })).toEqual([]);
  });

  // PostHog: test_all_events_target_first_time — first event2 on day 2, the last day of the range; its day-3
  // return is past the range. Any event or event2 as the return gives the same table.
  test("a first start on the last day, returning after dateTo", async () => {
    const w = await world();
    await w.events([["person1", d(0)], ["person1", d(1)], ["person1", d(2)]], "event1");
    await w.events([["person1", d(2)], ["person1", d(3)]], "event2");
    const q = { mode: "first_time", dateFrom: "2020-06-09", dateTo: "2020-06-12", startEvent: { event: "event2" } };
    const want = [tri([[0, 0, 0, 0], [0, 0, 0], [0, 0], [1]])];
    expect(grid(await w.retention({ ...q, returnEvent: { event: "event2" } }))).toEqual(want);
    expect(grid(await w.retention({ ...q, returnEvent: { event: "$all" } }))).toEqual(want);
  });
});

describe("property filters", () => {
  const range = { dateFrom: "2020-06-10", dateTo: "2020-06-20" }; // date_to _date(10, hour=0), totalIntervals 11
  const target = { property: "$target_event_property", type: "event", op: "eq", value: "value" };
  const zeros = (from: number) => Array.from({ length: 11 - from }, (_, i) => Array<number>(11 - from - i).fill(0));
  /** STANDARD with `$target_event_property` on the rows at `at`. */
  const marked = (...at: number[]): Ev[] => STANDARD.map(([id, t], i) => (at.includes(i) ? [id, t, { $target_event_property: "value" }] : [id, t]));

  // PostHog: test_retention_with_properties — a global filter on $some_property (even rows) applies to start
  // and return events alike.
  test("a global event filter applies to start and return", async () => {
    const w = await standard();
    const results = await w.retention({ ...range, where: { property: "$some_property", type: "event", op: "eq", value: "value" } });
    expect(grid(results)).toEqual([tri([
      [1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0],
      [1, 0, 1, 0, 0, 0, 0, 0, 0, 0],
      [1, 0, 0, 1, 0, 0, 0, 0, 0],
      [1, 0, 0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0, 0],
      [1, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0],
      [0, 0],
      [0],
    ])]);
  });

  // PostHog: test_retention_with_properties_on_start_event — only person1's day-0 view starts a cohort.
  test("a filter on the start event", async () => {
    const w = await standard(marked(0));
    const results = await w.retention({ ...range, startEvent: { event: "$pageview", where: target } });
    expect(grid(results)).toEqual([[[1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0], ...zeros(1)]]);
  });

  // PostHog: test_retention_with_properties_on_start_event_for_first_time — first time is the first
  // *matching* start (person1's day-2 view), returns on days 5 and 6.
  test("a filter on the start event, first time", async () => {
    const w = await standard(marked(2, 3));
    const results = await w.retention({ ...range, mode: "first_time", startEvent: { event: "$pageview", where: target } });
    expect(grid(results)).toEqual([[...zeros(0).slice(0, 2), [1, 0, 0, 1, 1, 0, 0, 0, 0], ...zeros(3)]]);
  });

  // PostHog: test_retention_with_properties_on_return_event — the only matching return is person1's day 1.
  test("a filter on the return event", async () => {
    const w = await standard(marked(1));
    const results = await w.retention({ ...range, returnEvent: { event: "$pageview", where: target } });
    expect(grid(results)).toEqual([tri([
      [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0],
      [2, 0, 0, 0, 0, 0, 0, 0, 0, 0],
      [2, 0, 0, 0, 0, 0, 0, 0, 0],
      [1, 0, 0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0, 0],
      [1, 0, 0, 0, 0, 0],
      [2, 0, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0],
      [0, 0],
      [0],
    ])]);
  });

  // PostHog: test_retention_with_properties_on_return_event_with_first_time — person1 (first day 0) returns
  // with the property on day 5; person2 (first day 1) never does.
  test("a filter on the return event, first time", async () => {
    const w = await standard(marked(3));
    const results = await w.retention({ ...range, mode: "first_time", returnEvent: { event: "$pageview", where: target } });
    expect(grid(results)).toEqual([[[1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0, 0, 0, 0], ...zeros(2)]]);
  });

  const person1Email = { property: "email", type: "person", op: "eq", value: "person1@test.com" };
  const emails = { person1: { email: "person1@test.com" }, person2: { email: "person2@test.com" } };
  const week = { dateFrom: "2020-06-10", dateTo: "2020-06-16" }; // date_to _date(6, hour=0), totalIntervals 7
  const PERSON1_ONLY = [[1, 1, 1, 0, 0, 1, 1], [1, 1, 0, 0, 1, 1], [1, 0, 0, 1, 1], [0, 0, 0, 0], [0, 0, 0], [1, 1], [1]];

  // PostHog: test_retention_with_user_properties — a global person filter keeps person1 only.
  // `email` is sealed at rest (persons.pii); SPEC §5 gives one filter grammar over person properties with no PII
  // exception, so the worker opens it (this case matched nobody until it did).
  test("a global person-property filter", async () => {
    const w = await standard(STANDARD, emails);
    expect(grid(await w.retention({ ...week, where: person1Email }))).toEqual([tri(PERSON1_ONLY)]);
  });

  // PostHog: test_retention_with_user_properties_via_action — the person filter on the start event only
  // (an action step with a person property); returns are anyone's page views, which here changes nothing.
  test("a person-property filter on the start event", async () => {
    const w = await standard(STANDARD, emails);
    expect(grid(await w.retention({ ...week, startEvent: { event: "$pageview", where: person1Email } }))).toEqual([tri(PERSON1_ONLY)]);
  });

  // Control for the two cases above (not a PostHog case): the same filters on a trait that is not PII.
  test("the same person filters on a non-PII trait", async () => {
    const w = await standard(STANDARD, { person1: { handle: "person1" }, person2: { handle: "person2" } });
    const handle = { property: "handle", type: "person", op: "eq", value: "person1" };
    expect(grid(await w.retention({ ...week, where: handle }))).toEqual([tri(PERSON1_ONLY)]);
    expect(grid(await w.retention({ ...week, startEvent: { event: "$pageview", where: handle } }))).toEqual([tri(PERSON1_ONLY)]);
  });
});

// PostHog: test_timezones — the same events in UTC and in US/Pacific (UTC−7 in June); the Pacific cohorts are
// Pacific days, so person1's first day is June 10 18:00 local, and person2's two views fall on June 15 and 16.
test("time zone of the query decides the days (test_timezones)", async () => {
  const w = await world();
  await w.events([["person1", d(-1, 1)], ["person1", d(0, 1)], ["person1", d(1, 1)], ["person2", d(6, 1)], ["person2", d(6, 9)]]);
  const range = { dateFrom: "2020-06-10", dateTo: "2020-06-20" };
  const blank = (n: number) => Array<number>(n).fill(0);
  const utc = await w.retention({ ...range, timezone: "UTC" });
  expect(grid(utc)).toEqual([tri([
    [1, 1, ...blank(9)], [1, ...blank(9)], blank(9), blank(8), blank(7), blank(6), [1, ...blank(4)], blank(4), blank(3), blank(2), blank(1),
  ])]);
  const pacific = await w.retention({ ...range, timezone: "US/Pacific" });
  expect(periods(pacific)[0]).toBe("2020-06-10");
  expect(grid(pacific)).toEqual([tri([
    [1, ...blank(10)], blank(10), blank(9), blank(8), blank(7), [1, 1, ...blank(4)], [1, ...blank(4)], blank(4), blank(3), blank(2), blank(1),
  ])]);
});

describe("breakdown by a person property", () => {
  // PostHog: test_retention_with_breakdown_with_person_properties — one table per country.
  test("one table per value", async () => {
    const w = await world();
    for (const [p, country] of [["person1", "US"], ["person2", "UK"], ["person3", "US"], ["person4", "Germany"]] as const) {
      await w.identify(p, d(-1), { traits: { country } });
    }
    await w.events([
      ["person1", d(0)], ["person1", d(1)], ["person1", d(3)], ["person3", d(0)], ["person3", d(2)],
      ["person2", d(0)], ["person2", d(1)], ["person2", d(4)], ["person4", d(0)], ["person4", d(5)],
    ]);
    const results = await w.retention({ dateFrom: "2020-06-10", dateTo: "2020-06-15", breakdown: { property: "country", type: "person" } });
    expect(new Set(results.map((r) => r.breakdownValue))).toEqual(new Set(["US", "UK", "Germany"]));
    const by = byValue(results);
    expect(by.US).toEqual(tri([[2, 1, 1, 1, 0, 0], [1, 0, 1, 0, 0, 0], [1, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0]]));
    expect(by.UK).toEqual(tri([[1, 1, 0, 0, 1, 0], [1, 0, 0, 1, 0, 0], [0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0]]));
    expect(by.Germany).toEqual(tri([[1, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0]]));
  });

  // PostHog: test_retention_actor_query_with_breakdown — the US members of the day-0 cohort are person1
  // (appearing at 0, 1, 2) and person3 (0, 1); the UK day-1 cohort's lag-1 returner is person2.
  test("actors of a cell within one value", async () => {
    const w = await world();
    for (const [p, country] of [["person1", "US"], ["person2", "UK"], ["person3", "US"]] as const) await w.identify(p, d(-1), { traits: { country } });
    await w.events([
      ["person1", d(0)], ["person1", d(1)], ["person1", d(2)], ["person2", d(0)], ["person2", d(1)], ["person2", d(2)],
      ["person3", d(0)], ["person3", d(1)],
    ]);
    const q = { dateFrom: "2020-06-10", dateTo: "2020-06-12", breakdown: { property: "country", type: "person" } };
    expect(await w.actors(q, { cohort: "2020-06-10", lag: 0, breakdownValue: "US" })).toEqual(["person1", "person3"]);
    expect(await w.actors(q, { cohort: "2020-06-10", lag: 1, breakdownValue: "US" })).toEqual(["person1", "person3"]);
    expect(await w.actors(q, { cohort: "2020-06-10", lag: 2, breakdownValue: "US" })).toEqual(["person1"]);
    expect(await w.actors(q, { cohort: "2020-06-11", lag: 0, breakdownValue: "UK" })).toEqual(["person2"]);
    expect(await w.actors(q, { cohort: "2020-06-11", lag: 1, breakdownValue: "UK" })).toEqual(["person2"]);
  });

  // PostHog: test_retention_with_breakdown_limit — there the browser is an event property; every person uses
  // one browser, so it is the same grouping as a person property. Top 2 by size, the rest together (PostHog
  // labels it "$$_posthog_breakdown_other_$$", we "$other" as in trends).
  test("breakdown limit puts the rest in $other", async () => {
    const w = await world();
    const browser: Record<string, string> = {
      p_chrome_1: "Chrome", p_chrome_2: "Chrome", p_chrome_3: "Chrome", p_safari_1: "Safari", p_safari_2: "Safari", p_firefox_1: "Firefox", p_edge_1: "Edge",
    };
    for (const [p, b] of Object.entries(browser)) await w.identify(p, d(-1), { traits: { browser: b } });
    await w.events([
      ["p_chrome_1", d(0)], ["p_chrome_1", d(1)], ["p_chrome_2", d(0)], ["p_chrome_2", d(2)], ["p_chrome_3", d(0)],
      ["p_safari_1", d(0)], ["p_safari_1", d(1)], ["p_safari_2", d(0)], ["p_firefox_1", d(0)], ["p_firefox_1", d(3)],
      ["p_edge_1", d(0)], ["p_edge_1", d(4)],
    ]);
    const results = await w.retention({ dateFrom: "2020-06-10", dateTo: "2020-06-15", breakdown: { property: "browser", type: "person", limit: 2 } });
    expect(new Set(results.map((r) => r.breakdownValue))).toEqual(new Set(["Chrome", "Safari", "$other"]));
    const by = byValue(results);
    const z = [0, 0, 0, 0, 0, 0];
    expect(by.Chrome).toEqual(tri([[3, 1, 1, 0, 0, 0], [1, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0], z, z, z]));
    expect(by.Safari).toEqual(tri([[2, 1, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0], z, z, z, z]));
    expect(by.$other).toEqual(tri([[2, 0, 0, 1, 1, 0], z, z, [1, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0], z]));
  });
});

// PostHog: test_month_interval_with_person_on_events_v2 — two people active in alternate months, then merged
// (there a person-id override person1 → person2; here person1's anonymous history identified as user
// person2 after the fact): one person active every month, 1 in every cell.
test("persons merged after their events count once (test_month_interval_with_person_on_events_v2)", async () => {
  const w = await world(["person1"]);
  const rows: Ev[] = Array.from({ length: 11 }, (_, i) => [i % 2 === 0 ? "person1" : "person2", d(0, 5, i - 5)]);
  await w.events(rows);
  await w.events(rows); // PostHog creates the same page views twice
  await w.identify("person2", d(0, 6, 5), { anonymousId: "person1" });
  const results = await w.retention({ period: "month", dateFrom: "2020-01-10", dateTo: "2020-11-10" });
  expect(grid(results)).toEqual([Array.from({ length: 11 }, (_, i) => Array<number>(11 - i).fill(1))]);
});

// PostHog: test_retention_with_all_users_cohort_breakdown — the "all users" cohort is everyone, i.e. no
// breakdown: date_to day 4, totalIntervals 5.
test("everyone (test_retention_with_all_users_cohort_breakdown)", async () => {
  const w = await world();
  await w.events([
    ["person1", d(0)], ["person2", d(0)], ["person3", d(0)], ["person1", d(1)], ["person2", d(1)], ["person1", d(2)], ["person3", d(3)],
  ]);
  const results = await w.retention({ dateFrom: "2020-06-10", dateTo: "2020-06-14" });
  expect(grid(results)).toEqual([tri([[3, 2, 1, 1, 0], [2, 1, 0, 0], [1, 0, 0], [1, 0], [0]])]);
});
