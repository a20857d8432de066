/**
 * Reference cases for lifecycle and stickiness (SPEC §5.5, "with PostHog's semantics"), rebuilt from the
 * scenarios of PostHog's own tests:
 * - `posthog/hogql_queries/insights/lifecycle/test/test_lifecycle_query_runner.py` (TestLifecycleQueryRunner)
 * - `posthog/hogql_queries/insights/stickiness/test/test_stickiness_query_runner.py` (TestStickinessQueryRunner)
 * - `posthog/queries/test/test_stickiness.py` (the older stickiness suite; its people share one fixture)
 * Each case posts the scenario's events to `POST /v1/batch` on a fresh app and asks `POST /api/query` (or
 * `/api/query/actors`), then checks PostHog's expected numbers in our response shape (SPEC §5.0). A PostHog
 * person with several distinct ids is one of our persons, linked by an identify (userId + anonymousId) sent at
 * an instant when that person is already active, so the extra `$identify` row moves no first-seen time and no
 * active period. PostHog's `created_at` in these tests is the person's first event, which is what our "new"
 * reads (SPEC §5.5: "the period of the person's first-ever event").
 * PostHog's default week starts on Sunday; cases that depend on it say `weekStart: "sunday"`.
 */
import { describe, expect, test } from "bun:test";
import { actorIds, identify, referenceApp, track, type Actors } from "./harness.ts";

const WRITE_KEY = "wk_reference_lifecycle_0123";

/** people turns PostHog's `(distinct_id, [timestamps])` lists into tracks of one event by user id. */
const people = (event: string, data: [string, string[]][], properties: Record<string, unknown> = {}) =>
  data.flatMap(([id, times]) => times.map((ts) => track({ userId: id }, event, ts, properties)));

/** world is a fresh app with the batch ingested, and ways to query it as an analyst. */
async function world(batch: unknown[]) {
  const h = await referenceApp(WRITE_KEY);
  const w = {
    ingest: h.ingest,
    setNow: h.setNow,
    async query(body: Record<string, unknown>) {
      return (await h.ok<{ results: Record<string, unknown>[] }>("/api/query", body)).results;
    },
    /** actors lists the user ids (or anonymous ids) of the persons behind a chart element, sorted. */
    async actors(body: Record<string, unknown>) {
      return actorIds(await h.ok<Actors>("/api/query/actors", { limit: 1000, ...body }));
    },
  };
  if (batch.length) await w.ingest(batch);
  return w;
}

/** columns turns our lifecycle rows into PostHog's shape: the period labels and one data array per status. */
function columns(results: Record<string, unknown>[]) {
  const col = (k: string) => results.map((r) => r[k] as number);
  return { days: col("period") as unknown as string[], new: col("new"), returning: col("returning"), resurrecting: col("resurrecting"), dormant: col("dormant") };
}

/** persons gives the stickiness bars as PostHog's `data` array (bar k = persons active in k intervals). */
function bars(results: Record<string, unknown>[]) {
  results.forEach((r, i) => expect(r.intervals).toBe(i + 1));
  return results.map((r) => r.persons as number);
}

// ---- lifecycle

/** The lifecycle suite's `_create_test_events`: four persons, each created at their first page view. */
const LIFECYCLE_PEOPLE: [string, string[]][] = [
  ["p1", ["2020-01-11T12:00:00Z", "2020-01-12T12:00:00Z", "2020-01-13T12:00:00Z", "2020-01-15T12:00:00Z", "2020-01-17T12:00:00Z", "2020-01-19T12:00:00Z"]],
  ["p2", ["2020-01-09T12:00:00Z", "2020-01-12T12:00:00Z"]],
  ["p3", ["2020-01-12T12:00:00Z"]],
  ["p4", ["2020-01-15T12:00:00Z"]],
];
const DAYS_12_19 = ["2020-01-12", "2020-01-13", "2020-01-14", "2020-01-15", "2020-01-16", "2020-01-17", "2020-01-18", "2020-01-19"];
/** The answer PostHog's lifecycle tests share for LIFECYCLE_PEOPLE over 2020-01-12 … 2020-01-19 by day. */
const TREND_12_19 = {
  days: DAYS_12_19,
  new: [1, 0, 0, 1, 0, 0, 0, 0],
  returning: [1, 1, 0, 0, 0, 0, 0, 0],
  resurrecting: [1, 0, 0, 1, 0, 1, 0, 1],
  dormant: [0, -2, -1, 0, -2, 0, -1, 0],
};

describe("lifecycle, as PostHog's TestLifecycleQueryRunner", () => {
  test("test_lifecycle_query_whole_range / test_events_query_partial_range: every status per day, one day read before the range", async () => {
    const w = await world(people("$pageview", LIFECYCLE_PEOPLE));
    const whole = columns(await w.query({ kind: "lifecycle", event: "$pageview", dateFrom: "2020-01-09", dateTo: "2020-01-19", interval: "day", timezone: "UTC" }));
    expect(whole).toEqual({
      days: ["2020-01-09", "2020-01-10", "2020-01-11", ...DAYS_12_19],
      new: [1, 0, 1, 1, 0, 0, 1, 0, 0, 0, 0], // p2, p1, p3, p4
      returning: [0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0], // p1 on the 12th and 13th
      resurrecting: [0, 0, 0, 1, 0, 0, 1, 0, 1, 0, 1], // p2 on the 12th, then p1
      dormant: [0, -1, 0, 0, -2, -1, 0, -2, 0, -1, 0],
    });
    // the persons behind two dormant cells, as PostHog's events-query test names them
    const base = { kind: "lifecycle", event: "$pageview", dateFrom: "2020-01-09", dateTo: "2020-01-19", interval: "day", timezone: "UTC" };
    expect(await w.actors({ ...base, cell: { period: "2020-01-13", status: "dormant" } })).toEqual(["p2", "p3"]);
    expect(await w.actors({ ...base, cell: { period: "2020-01-16", status: "dormant" } })).toEqual(["p1", "p4"]);
    // partial range 12th–14th: p1 (active on the 11th) returns on the 12th
    const partial = columns(await w.query({ ...base, dateFrom: "2020-01-12", dateTo: "2020-01-14" }));
    expect(partial).toEqual({
      days: ["2020-01-12", "2020-01-13", "2020-01-14"],
      new: [1, 0, 0], returning: [1, 1, 0], resurrecting: [1, 0, 0], dormant: [0, -2, -1],
    });
  });

  test("test_lifecycle_trend: datetime bounds still report whole days, the 19th included", async () => {
    const w = await world(people("$pageview", LIFECYCLE_PEOPLE));
    const got = await w.query({ kind: "lifecycle", event: "$pageview", dateFrom: "2020-01-12T00:00:00Z", dateTo: "2020-01-19T00:00:00Z", interval: "day", timezone: "UTC" });
    expect(columns(got)).toEqual(TREND_12_19);
  });

  test("test_lifecycle_trend_all_events: any event ($all) mixes page views and other events", async () => {
    const w = await world([
      ...people("$pageview", LIFECYCLE_PEOPLE.slice(0, 2)),
      ...people("$other", LIFECYCLE_PEOPLE.slice(2)),
    ]);
    const got = await w.query({ kind: "lifecycle", event: "$all", dateFrom: "2020-01-12T00:00:00Z", dateTo: "2020-01-19T00:00:00Z", interval: "day", timezone: "UTC" });
    expect(columns(got)).toEqual(TREND_12_19);
  });

  test("test_lifecycle_trend_prop_filtering / test_lifecycle_trend_person_prop_filtering: only p1 matches; never new (first seen on the 11th)", async () => {
    const w = await world([
      identify("p1", undefined, "2020-01-11T12:00:00Z", { name: "p1" }),
      ...people("$pageview", LIFECYCLE_PEOPLE.slice(0, 1), { $number: 1 }),
      identify("p2", undefined, "2020-01-09T12:00:00Z", { name: "p2" }),
      identify("p3", undefined, "2020-01-12T12:00:00Z", { name: "p3" }),
      identify("p4", undefined, "2020-01-15T12:00:00Z", { name: "p4" }),
      ...people("$pageview", LIFECYCLE_PEOPLE.slice(1)),
    ]);
    const want = {
      days: DAYS_12_19,
      new: [0, 0, 0, 0, 0, 0, 0, 0],
      returning: [1, 1, 0, 0, 0, 0, 0, 0],
      resurrecting: [0, 0, 0, 1, 0, 1, 0, 1],
      dormant: [0, 0, -1, 0, -1, 0, -1, 0],
    };
    const base = { kind: "lifecycle", event: "$pageview", dateFrom: "2020-01-12T00:00:00Z", dateTo: "2020-01-19T00:00:00Z", interval: "day", timezone: "UTC" };
    expect(columns(await w.query({ ...base, where: { property: "$number", type: "event", op: "eq", value: "1" } }))).toEqual(want);
    expect(columns(await w.query({ ...base, where: { property: "name", type: "person", op: "eq", value: "p1" } }))).toEqual(want);
  });

  test("test_lifecycle_trends_distinct_id_repeat: two ids of one person count as one", async () => {
    const w = await world([
      identify("p1", "another_p1", "2020-01-12T12:00:00Z", { name: "p1" }),
      track({ userId: "p1" }, "$pageview", "2020-01-12T12:00:00Z"),
      track({ anonymousId: "another_p1" }, "$pageview", "2020-01-14T12:00:00Z"),
      track({ userId: "p1" }, "$pageview", "2020-01-15T12:00:00Z"),
      track({ userId: "p1" }, "$pageview", "2020-01-17T12:00:00Z"),
      track({ userId: "p1" }, "$pageview", "2020-01-19T12:00:00Z"),
    ]);
    const got = await w.query({ kind: "lifecycle", event: "$pageview", dateFrom: "2020-01-12T00:00:00Z", dateTo: "2020-01-19T00:00:00Z", interval: "day", timezone: "UTC" });
    expect(columns(got)).toEqual({
      days: DAYS_12_19,
      new: [1, 0, 0, 0, 0, 0, 0, 0],
      returning: [0, 0, 0, 1, 0, 0, 0, 0],
      resurrecting: [0, 0, 1, 0, 0, 1, 0, 1],
      dormant: [0, -1, 0, 0, -1, 0, -1, 0],
    });
  });

  test("test_lifecycle_trend_weeks_sunday / _monday: a mid-week dateFrom widens to its whole week, per week start", async () => {
    const w = await world(people("$pageview", [
      ["p1", ["2020-02-01T12:00:00Z", "2020-02-05T12:00:00Z", "2020-02-10T12:00:00Z", "2020-02-15T12:00:00Z", "2020-02-27T12:00:00Z", "2020-03-02T12:00:00Z"]],
      ["p2", ["2020-02-11T12:00:00Z", "2020-02-18T12:00:00Z"]],
      ["p3", ["2020-02-12T12:00:00Z"]],
      ["p4", ["2020-02-27T12:00:00Z"]],
    ]));
    const base = { kind: "lifecycle", event: "$pageview", dateFrom: "2020-02-05T00:00:00Z", dateTo: "2020-03-09T00:00:00Z", interval: "week", timezone: "UTC" };
    const statuses = {
      new: [0, 2, 0, 1, 0, 0],
      returning: [1, 1, 1, 0, 1, 0],
      resurrecting: [0, 0, 0, 1, 0, 0],
      dormant: [0, 0, -2, -1, -1, -1],
    };
    expect(columns(await w.query({ ...base, weekStart: "sunday" }))).toEqual({
      days: ["2020-02-02", "2020-02-09", "2020-02-16", "2020-02-23", "2020-03-01", "2020-03-08"], ...statuses,
    });
    expect(columns(await w.query({ ...base, weekStart: "monday" }))).toEqual({
      days: ["2020-02-03", "2020-02-10", "2020-02-17", "2020-02-24", "2020-03-02", "2020-03-09"], ...statuses,
    });
  });

  test("test_lifecycle_trend_months: months, with p2 first seen in December", async () => {
    const w = await world(people("$pageview", [
      ["p1", ["2020-01-11T12:00:00Z", "2020-02-12T12:00:00Z", "2020-03-13T12:00:00Z", "2020-05-15T12:00:00Z", "2020-07-17T12:00:00Z", "2020-09-19T12:00:00Z"]],
      ["p2", ["2019-12-09T12:00:00Z", "2020-02-12T12:00:00Z"]],
      ["p3", ["2020-02-12T12:00:00Z"]],
      ["p4", ["2020-05-15T12:00:00Z"]],
    ]));
    const got = await w.query({ kind: "lifecycle", event: "$pageview", dateFrom: "2020-02-01T00:00:00Z", dateTo: "2020-09-01T00:00:00Z", interval: "month", timezone: "UTC" });
    expect(columns(got)).toEqual({
      ...TREND_12_19,
      days: ["2020-02-01", "2020-03-01", "2020-04-01", "2020-05-01", "2020-06-01", "2020-07-01", "2020-08-01", "2020-09-01"],
    });
  });

  test("test_timezones: the same events by UTC days and by US/Pacific days", async () => {
    const w = await world(people("$pageview", [
      ["p1", ["2020-01-11T23:00:00Z", "2020-01-12T01:00:00Z", "2020-01-13T12:00:00Z", "2020-01-15T12:00:00Z", "2020-01-17T12:00:00Z", "2020-01-19T12:00:00Z"]],
      ...LIFECYCLE_PEOPLE.slice(1),
    ]));
    const base = { kind: "lifecycle", event: "$pageview", dateFrom: "2020-01-12", dateTo: "2020-01-19", interval: "day" };
    expect(columns(await w.query({ ...base, timezone: "UTC" }))).toEqual(TREND_12_19);
    // in Pacific time both of p1's first events fall on the 11th, so p1 is dormant on the 12th
    expect(columns(await w.query({ ...base, timezone: "US/Pacific" }))).toEqual({
      days: DAYS_12_19,
      new: [1, 0, 0, 1, 0, 0, 0, 0],
      returning: [0, 0, 0, 0, 0, 0, 0, 0],
      resurrecting: [1, 1, 0, 1, 0, 1, 0, 1],
      dormant: [-1, -2, -1, 0, -2, 0, -1, 0],
    });
  });

  test("test_dormant_on_dst: dormant on the day clocks spring forward (US/Pacific)", async () => {
    const w = await world(people("$pageview", [["p1", ["2025-03-09T12:00:00Z"]]]));
    const got = await w.query({ kind: "lifecycle", event: "$pageview", dateFrom: "2025-03-09T00:00:00Z", dateTo: "2025-03-12T00:00:00Z", interval: "day", timezone: "US/Pacific" });
    const c = columns(got);
    expect(c.days).toEqual(["2025-03-08", "2025-03-09", "2025-03-10", "2025-03-11"]);
    expect(c.new).toEqual([0, 1, 0, 0]);
    expect(c.dormant).toEqual([0, 0, -1, 0]);
  });

  test("test_lifecycle_interval_boundary_filtering: a mid-week or mid-month range reports whole intervals", async () => {
    const w = await world(people("$pageview", LIFECYCLE_PEOPLE));
    const base = { kind: "lifecycle", event: "$pageview", dateFrom: "2020-01-14", dateTo: "2020-01-19", timezone: "UTC", weekStart: "sunday" };
    expect(columns(await w.query({ ...base, interval: "week" }))).toEqual({
      days: ["2020-01-12", "2020-01-19"],
      new: [2, 0], returning: [2, 1], resurrecting: [0, 0], dormant: [0, -3],
    });
    expect(columns(await w.query({ ...base, interval: "month" }))).toEqual({
      days: ["2020-01-01"],
      new: [4], returning: [0], resurrecting: [0], dormant: [0],
    });
  });
});

// ---- stickiness

/** The stickiness suite's `_create_test_events`: p1 every day 11th–19th, p2 every other day, each with a page leave. */
function stickinessPeople() {
  const p1Days = ["11", "12", "13", "14", "15", "16", "17", "18", "19"].map((d) => `2020-01-${d}T12:00:00Z`);
  const p2Days = ["11", "13", "15", "17", "19"].map((d) => `2020-01-${d}T12:00:00Z`);
  const p1Props = { $browser: "Chrome", prop: 10, bool_field: true };
  const p2Props = { $browser: "Firefox", prop: 10, bool_field: false };
  return [
    ...people("$pageview", [["p1", p1Days]], p1Props), ...people("$pageleave", [["p1", p1Days]], p1Props),
    ...people("$pageview", [["p2", p2Days]], p2Props), ...people("$pageleave", [["p2", p2Days]], p2Props),
  ];
}
/** PostHog's default stickiness range: 2020-01-11 … 2020-01-20. */
const S_RANGE = { kind: "stickiness", event: "$pageview", dateFrom: "2020-01-11", dateTo: "2020-01-20", timezone: "UTC" };

describe("stickiness, as PostHog's TestStickinessQueryRunner", () => {
  test("test_interval_day / test_days / test_count / test_any_event / test_property_filtering", async () => {
    const w = await world(stickinessPeople());
    // 10 bars; p2 active on 5 days, p1 on 9
    expect(bars(await w.query({ ...S_RANGE, interval: "day" }))).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 1, 0]);
    expect(bars(await w.query({ ...S_RANGE, interval: "day", event: "$all" }))).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 1, 0]);
    expect(bars(await w.query({ ...S_RANGE, interval: "day", where: { property: "$browser", type: "event", op: "eq", value: "Chrome" } })))
      .toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 0]);
  });

  test("test_interval_week / test_interval_month: whole weeks (Sunday) and months", async () => {
    const w = await world(stickinessPeople());
    expect(bars(await w.query({ ...S_RANGE, interval: "week", weekStart: "sunday" }))).toEqual([0, 0, 2]);
    expect(bars(await w.query({ ...S_RANGE, interval: "month" }))).toEqual([2]);
  });

  test("test_interval_full_weeks: -30d to now on 2020-01-23 spans five Sunday weeks", async () => {
    const w = await world(stickinessPeople());
    w.setNow("2020-01-23T12:00:00Z");
    expect(bars(await w.query({ ...S_RANGE, interval: "week", weekStart: "sunday", dateFrom: "-30d", dateTo: "now" }))).toEqual([0, 0, 2, 0, 0]);
  });

  test("test_interval_hour_last_days: -2d to now at 12:00 is 61 hours", async () => {
    const w = await world(stickinessPeople());
    w.setNow("2020-01-20T12:00:00Z");
    const want = Array<number>(61).fill(0);
    want[0] = 1; // p2: the 19th at 12:00
    want[1] = 1; // p1: the 18th and 19th at 12:00
    expect(bars(await w.query({ ...S_RANGE, interval: "hour", dateFrom: "-2d", dateTo: "now" }))).toEqual(want);
  });

  test("test_interval_hour: a day-only dateTo ends at the end of that day (SPEC §5), not at its midnight as in PostHog", async () => {
    // PostHog: 25 hourly bars (2020-01-11 00:00 … 2020-01-12 00:00), data[0] = 2.
    // SPEC §5 deliberately differs: '"2024-01-31" (a local day …; as dateTo it means the end of that day)', so the
    // range is 48 hours and p1's page view on the 12th at 12:00 is in it: p2 in 1 hour, p1 in 2.
    const w = await world(stickinessPeople());
    const want = Array<number>(48).fill(0);
    want[0] = 1;
    want[1] = 1;
    expect(bars(await w.query({ ...S_RANGE, interval: "hour", dateFrom: "2020-01-11", dateTo: "2020-01-12" }))).toEqual(want);
  });

  test("test_cumulative_stickiness / test_actor_query_cumulative / test_actor_query_non_cumulative / test_cumulative_stickiness_zero_days", async () => {
    const w = await world(people("$pageview", [
      ["p1", ["2020-01-11T12:00:00Z", "2020-01-12T12:00:00Z", "2020-01-13T12:00:00Z"]],
      ["p2", ["2020-01-11T12:00:00Z", "2020-01-12T12:00:00Z"]],
      ["p3", ["2020-01-11T12:00:00Z"]],
    ]));
    const q = { ...S_RANGE, dateFrom: "2020-01-11", dateTo: "2020-01-13", interval: "day" };
    expect(bars(await w.query({ ...q, cumulative: true }))).toEqual([3, 2, 1]);
    expect(bars(await w.query(q))).toEqual([1, 1, 1]);
    expect(await w.actors({ ...q, cumulative: true, bucket: { intervals: 1 } })).toEqual(["p1", "p2", "p3"]);
    expect(await w.actors({ ...q, cumulative: true, bucket: { intervals: 2 } })).toEqual(["p1", "p2"]);
    expect(await w.actors({ ...q, cumulative: true, bucket: { intervals: 3 } })).toEqual(["p1"]);
    expect(await w.actors({ ...q, bucket: { intervals: 1 } })).toEqual(["p3"]);
    expect(await w.actors({ ...q, bucket: { intervals: 2 } })).toEqual(["p2"]);
    expect(await w.actors({ ...q, bucket: { intervals: 3 } })).toEqual(["p1"]);
    // no events of the kind at all: every bar present, at zero
    expect(bars(await w.query({ ...q, event: "never_sent", cumulative: true }))).toEqual([0, 0, 0]);
  });

  test("test_cumulative_stickiness_with_intervals: hourly, datetime bounds include the hour of dateTo", async () => {
    const w = await world(people("$pageview", [
      ["p1", ["2020-01-11T12:00:00Z", "2020-01-11T13:00:00Z", "2020-01-11T14:00:00Z"]],
      ["p2", ["2020-01-11T12:00:00Z", "2020-01-11T13:00:00Z"]],
    ]));
    const got = await w.query({ ...S_RANGE, dateFrom: "2020-01-11T12:00:00Z", dateTo: "2020-01-11T14:00:00Z", interval: "hour", cumulative: true });
    expect(bars(got)).toEqual([2, 2, 1]);
  });

  test("test_cumulative_stickiness_with_property_filter", async () => {
    const w = await world([
      ...people("$pageview", [["p1", ["2020-01-11T12:00:00Z", "2020-01-12T12:00:00Z", "2020-01-13T12:00:00Z"]]], { browser: "Chrome" }),
      ...people("$pageview", [["p2", ["2020-01-11T12:00:00Z", "2020-01-12T12:00:00Z"]]], { browser: "Safari" }),
    ]);
    const got = await w.query({
      ...S_RANGE, dateFrom: "2020-01-11", dateTo: "2020-01-13", interval: "day", cumulative: true,
      where: { property: "browser", type: "event", op: "eq", value: "Chrome" },
    });
    expect(bars(got)).toEqual([1, 1, 1]);
  });
});

/**
 * The older suite's `_create_multiple_people`, one `period` apart from 2020-01-01 12:00 UTC: person1 once;
 * person2 at 0 and twice at +1; person3 (two distinct ids, one person) at 0, +1, +2; person4 (Safari) at +4.
 * Person3's ids are linked by an identify at +0, when person3 is active anyway.
 */
function multiplePeople(add: (n: number) => string, opts: { person1Anonymous?: boolean } = {}) {
  const chrome = { $browser: "Chrome" };
  // an anonymous person1 (to be merged later) gets no identify: a user_id of its own would block the merge
  const person1 = opts.person1Anonymous
    ? [track({ anonymousId: "person1" }, "watched movie", add(0), chrome)]
    : [identify("person1", undefined, add(0), { name: "person1" }), track({ userId: "person1" }, "watched movie", add(0), chrome)];
  return [
    ...person1,
    identify("person2", undefined, add(0), { name: "person2" }),
    track({ userId: "person2" }, "watched movie", add(0), chrome),
    track({ userId: "person2" }, "watched movie", add(1), chrome),
    track({ userId: "person2" }, "watched movie", add(1), chrome),
    identify("person3b", "person3a", add(0), { name: "person3" }),
    track({ anonymousId: "person3a" }, "watched movie", add(0), chrome),
    track({ userId: "person3b" }, "watched movie", add(1), chrome),
    track({ anonymousId: "person3a" }, "watched movie", add(2), chrome),
    identify("person4", undefined, add(4), { name: "person4" }),
    track({ userId: "person4" }, "watched movie", add(4), { $browser: "Safari" }),
  ];
}
const BASE = Date.parse("2020-01-01T12:00:00Z");
const plusDays = (n: number) => new Date(BASE + n * 86_400_000).toISOString();
const plusHours = (n: number) => new Date(BASE + n * 3_600_000).toISOString();
const plusWeeks = (n: number) => new Date(BASE + n * 7 * 86_400_000).toISOString();
const plusMonths = (n: number) => `2020-${String(1 + n).padStart(2, "0")}-01T12:00:00.000Z`;
const MOVIES = { kind: "stickiness", event: "watched movie", dateFrom: "2020-01-01", dateTo: "2020-01-08", interval: "day", timezone: "UTC" };

describe("stickiness, as PostHog's older test_stickiness.py", () => {
  test("test_stickiness / test_stickiness_any_event: a person with two ids counts once, across both ids' days", async () => {
    const w = await world(multiplePeople(plusDays));
    expect(bars(await w.query(MOVIES))).toEqual([2, 1, 1, 0, 0, 0, 0, 0]);
    expect(bars(await w.query({ ...MOVIES, event: "$all" }))).toEqual([2, 1, 1, 0, 0, 0, 0, 0]);
  });

  test("test_stickiness_with_person_on_events_v2: merging person1 into person2 afterwards counts them as one person", async () => {
    const w = await world(multiplePeople(plusDays, { person1Anonymous: true }));
    expect(bars(await w.query(MOVIES))).toEqual([2, 1, 1, 0, 0, 0, 0, 0]);
    // person2 identifies with person1's anonymous id; person1's day joins person2's two
    await w.ingest([identify("person2", "person1", plusDays(1))]);
    expect(bars(await w.query(MOVIES))).toEqual([1, 1, 1, 0, 0, 0, 0, 0]);
  });

  test("test_stickiness_hours / test_stickiness_weeks / test_stickiness_months", async () => {
    const hours = await world(multiplePeople(plusHours));
    expect(bars(await hours.query({ ...MOVIES, dateFrom: "2020-01-01T12:00:00.00Z", dateTo: "2020-01-01T20:00:00.00Z", interval: "hour" })))
      .toEqual([2, 1, 1, 0, 0, 0, 0, 0, 0]);
    const weeks = await world(multiplePeople(plusWeeks));
    expect(bars(await weeks.query({ ...MOVIES, dateFrom: "2020-01-01", dateTo: "2020-02-15", interval: "week", weekStart: "sunday" })))
      .toEqual([2, 1, 1, 0, 0, 0, 0]);
    const months = await world(multiplePeople(plusMonths));
    expect(bars(await months.query({ ...MOVIES, dateFrom: "2020-01-01", dateTo: "2020-09-08", interval: "month" })))
      .toEqual([2, 1, 1, 0, 0, 0, 0, 0, 0]);
  });

  test("test_stickiness_prop_filter / test_stickiness_entity_person_filter", async () => {
    const w = await world(multiplePeople(plusDays));
    expect(bars(await w.query({ ...MOVIES, where: { property: "$browser", type: "event", op: "eq", value: "Chrome" } })))
      .toEqual([1, 1, 1, 0, 0, 0, 0, 0]);
    expect(bars(await w.query({ ...MOVIES, where: { property: "name", type: "person", op: "eq", value: "person1" } })))
      .toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
  });

  test("test_stickiness_people_endpoint / test_stickiness_people_with_entity_filter: who was active on exactly one day", async () => {
    const w = await world(multiplePeople(plusDays));
    expect(await w.actors({ ...MOVIES, bucket: { intervals: 1 } })).toEqual(["person1", "person4"]);
    expect(await w.actors({ ...MOVIES, where: { property: "$browser", type: "event", op: "eq", value: "Chrome" }, bucket: { intervals: 1 } }))
      .toEqual(["person1"]);
  });
});
