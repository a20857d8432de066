/**
 * Reference cases for audience packs (SPEC §6), rebuilt from PostHog's behavioural-cohort tests:
 * - ee/clickhouse/queries/test/test_cohort_query.py (the cohort query: performed event, multiple, did not,
 *   stopped / restarted performing, first time, sequences, regularly, person properties, nested groups)
 * - ee/clickhouse/models/test/test_cohort.py (cohort people: counts with operators, negated cohorts, changed
 *   properties, value lists)
 * Each case ingests the scenario through `POST /v1/batch` on a fresh app and asks `POST /api/audiences/preview`
 * (read access, so the analyst token) with `asOf` = the instant PostHog's test runs at. They protect who matches,
 * not how PostHog builds its SQL.
 *
 * Mapping of PostHog's cohort filters onto our grammar:
 * - "in the last N days/weeks" (`time_value`/`time_interval`) is `{"kind":"last","n":N,"unit":…}`, SPEC's
 *   (asOf − n·unit, asOf]; PostHog's `explicit_datetime` is an `absolute` window from that instant.
 * - `performed_event` is an `event` leaf with `count gte 1`; `performed_event_multiple` the same with PostHog's
 *   operator and value; `negation: true` on a behavioural leaf is `not` (or `did_not`).
 * - `stopped_performing_event` (T1, T2) is "did in (asOf − T1, asOf − T2]" and "did not in (asOf − T2, asOf]";
 *   `restarted_performing_event` adds "did at or before asOf − T1" (our `between_ago` reaching back
 *   100 000 days) with the middle period empty and the last one not; `performed_event_first_time` is "did in
 *   the window" and "did not before it" — the periods PostHog's enterprise cohort query counts over.
 * - `performed_event_sequence` (A, B, seq T, window W) is a `sequence` leaf; `performed_event_regularly`
 *   (k of n periods of length P) is an `or` over every choice of k periods, each an `and` of per-period
 *   `event` leaves on `last` / `between_ago` windows of P, which are PostHog's periods (now − (p+1)·P, now − p·P].
 *   PostHog's year is 12 of our months.
 * - A PostHog cohort referenced by id is inlined as the subtree of its definition; an action with one step
 *   (`$autocapture` on an exact URL) is an `event` leaf with a `where` on `$current_url`.
 * - A PostHog person is a user id identified with its properties as traits; one with several distinct ids
 *   is that user identified with the extra id as its anonymous id.
 * Left out (PostHog-only): static and precalculated cohorts, cohorts by id as such, groups, query snapshots,
 * the SQL push-down and earliest-date assertions, team/project scoping, HogQL-vs-legacy equivalence.
 */
import { describe, expect, test } from "bun:test";
import { actorIds, identify, referenceApp, track, type Actors, type Props } from "./harness.ts";

const WRITE_KEY = "wk_reference_audiences_cohorts_0123456789";

/** NOW is the instant each PostHog test runs at (its `datetime.now()`); previews are asked as of it. */
const NOW = Date.parse("2024-06-15T12:00:00.000Z");
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();
/** ago is PostHog's `datetime.now() - timedelta(days, hours, minutes)`. */
const ago = (days: number, hours = 0, minutes = 0) => iso(NOW - days * DAY - hours * HOUR - minutes * MINUTE);
/** BORN is when every person is created: before any event of any scenario. */
const BORN = ago(1000);

type Node = Record<string, unknown>;
type Unit = "minute" | "hour" | "day" | "week" | "month";
type Cmp = { op: "gte" | "gt" | "lte" | "lt" | "eq" | "between"; value: number; includeZero?: boolean };
type Preview = { count: number; sample: Actors["persons"] };

// ---- the grammar in one-line factories

const last = (n: number, unit: Unit = "day") => ({ kind: "last", n, unit });
const betweenAgo = (from: number, to: number, unit: Unit = "day", toUnit: Unit = unit) =>
  ({ kind: "between_ago", from: { n: from, unit }, to: { n: to, unit: toUnit } });
/** before is "at or before asOf − n·unit": as far back as a window reaches. */
const before = (n: number, unit: Unit) => ({ kind: "between_ago", from: { n: 100_000, unit: "day" }, to: { n, unit } });
const did = (event: string, window: Node, cmp: Cmp = { op: "gte", value: 1 }, where?: Node[]): Node =>
  ({ kind: "event", event, ...(where ? { where } : {}), window, measure: { fn: "count" }, cmp });
const didNot = (event: string, window: Node): Node => ({ kind: "did_not", event, window });
const attr = (property: string, value: unknown, op = "eq"): Node => ({ kind: "attr", property, op, value });
const and = (...children: Node[]): Node => ({ kind: "and", children });
const or = (...children: Node[]): Node => ({ kind: "or", children });
const not = (child: Node): Node => ({ kind: "not", child });
/** seq is PostHog's performed_event_sequence: `a` then `b` within `withinDays`, in the last `windowDays`. */
const seq = (a: string, b: string, withinDays: number, window: Node): Node =>
  ({ kind: "sequence", steps: [{ event: a }, { event: b }], within: { n: withinDays, unit: "day" }, window, completed: true });

/** stopped is PostHog's stopped_performing_event (time T1, seq T2). */
const stopped = (event: string, t1: number, t2: number, unit: Unit, seqUnit: Unit = unit) =>
  and(did(event, betweenAgo(t1, t2, unit, seqUnit)), didNot(event, last(t2, seqUnit)));
/** restarted is PostHog's restarted_performing_event (time T1, seq T2). */
const restarted = (event: string, t1: number, t2: number, unit: Unit, seqUnit: Unit = unit) =>
  and(did(event, before(t1, unit)), didNot(event, betweenAgo(t1, t2, unit, seqUnit)), did(event, last(t2, seqUnit)));
/** firstTime is PostHog's performed_event_first_time: the person's first `event` falls in the last n units. */
const firstTime = (event: string, n: number, unit: Unit, where?: Node[]) =>
  and(did(event, last(n, unit), { op: "gte", value: 1 }, where), { ...didNot(event, before(n, unit)), ...(where ? { where } : {}) });

/** period p of length n·unit, PostHog's (now − (p+1)·n, now − p·n]. */
const period = (p: number, n: number, unit: Unit) => (p === 0 ? last(n, unit) : betweenAgo((p + 1) * n, p * n, unit));
/** choose lists every k-subset of 0..n−1. */
const choose = (n: number, k: number): number[][] =>
  k === 0 ? [[]] : n < k ? [] : [...choose(n - 1, k), ...choose(n - 1, k - 1).map((s) => [...s, n - 1])];
/** regularly is PostHog's performed_event_regularly: `cmp` in at least `min` of the last `total` periods of n·unit. */
const regularly = (event: string, cmp: Cmp, n: number, unit: Unit, total: number, min: number) =>
  or(...choose(total, min).map((ps) => and(...ps.map((p) => did(event, period(p, n, unit), cmp)))));

// ---- scenario data

/** person is PostHog's `_create_person(distinct_ids=[id], properties)`. */
const person = (id: string, traits: Props = {}) => identify(id, undefined, BORN, traits);
/** ev is PostHog's `_create_event(distinct_id, event, timestamp, properties)`. */
const ev = (id: string, event: string, at: string, props: Props = {}) => track({ userId: id }, event, at, props);
/** sequence is PostHog's `_make_event_sequence`: per period p, `counts[p]` events at now − p·interval days − 1 h − i min. */
const sequence = (id: string, intervalDays: number, counts: number[], event = "$pageview", props: Props = {}) =>
  counts.flatMap((count, p) => Array.from({ length: count }, (_, i) => ev(id, event, ago(intervalDays * p, 1, i), props)));

/** world is a fresh app, clock at NOW, with `batch` ingested; `who` previews a definition as of NOW. */
async function world(batch: unknown[]) {
  const h = await referenceApp(WRITE_KEY, { now: iso(NOW) });
  await h.ingestAll(batch);
  return {
    /** send ingests a later batch (e.g. an identify that merges persons whose events are already stored). */
    send: h.ingestAll,
    /** preview is the raw answer of `POST /api/audiences/preview`. */
    preview: (definition: Node, asOf = NOW) =>
      h.post<Preview & { issues?: unknown[] }>("/api/audiences/preview", { definition, asOf: iso(asOf) }),
    /** who lists the matching persons by user id, sorted, and checks the count agrees with the sample. */
    async who(definition: Node, asOf = NOW): Promise<string[]> {
      const r = await h.ok<Preview>("/api/audiences/preview", { definition, asOf: iso(asOf) });
      expect(r.sample.length).toBe(r.count);
      return actorIds({ persons: r.sample });
    },
  };
}

const PV = "$pageview";
const EMAIL = { name: "test", email: "test@posthog.com" };

// ---- performed_event / performed_event_multiple

describe("performed event in the last N days, with counts", () => {
  test("test_performed_event: explicit_datetime -1w = the last 7 days", async () => {
    const w = await world([person("p1", EMAIL), ev("p1", PV, ago(2)), person("p2", EMAIL), ev("p2", PV, ago(9))]);
    expect(await w.who(did(PV, last(7)))).toEqual(["p1"]);
    expect(await w.who(did(PV, last(1, "week")))).toEqual(["p1"]);
  });

  test("test_performed_event_with_event_filters_and_explicit_date: an absolute window from 3 days ago and a where", async () => {
    const w = await world([
      person("p1", EMAIL), ev("p1", PV, ago(2), { $filter_prop: "something" }),
      person("p2", EMAIL), ev("p2", PV, ago(2)), ev("p2", PV, ago(5), { $filter_prop: "something" }),
    ]);
    const where = [{ property: "$filter_prop", type: "event", op: "eq", value: "something" }];
    // explicit_datetime (now − 3 days) overrides the week: p2's matching event 5 days ago is out.
    expect(await w.who(did(PV, { kind: "absolute", from: ago(3) }, { op: "gte", value: 1 }, where))).toEqual(["p1"]);
  });

  test("test_performed_event_multiple (gte 1 in a week) and ..._with_event_filters (exact + icontains)", async () => {
    const w = await world([
      person("p1", EMAIL), ev("p1", PV, ago(2), { $filter_prop: "something" }), ev("p1", PV, ago(4), { $filter_prop: "something" }),
      person("p2", EMAIL), ev("p2", PV, ago(2)), ev("p2", PV, ago(4)), ev("p2", PV, ago(9), { $filter_prop: "something" }),
    ]);
    expect(await w.who(did(PV, last(1, "week")))).toEqual(["p1", "p2"]);
    const where = [
      { property: "$filter_prop", type: "event", op: "eq", value: "something" },
      { property: "$filter_prop", type: "event", op: "contains", value: "some" },
    ];
    expect(await w.who(did(PV, last(1, "week"), { op: "gte", value: 1 }, where))).toEqual(["p1"]);
  });

  test("test_performed_event_lte_1_times: a person without the event never matches 'at most 1'", async () => {
    const w = await world([
      person("p1", EMAIL),
      person("p2", EMAIL), ev("p2", PV, ago(0, 9)),
      person("p3", { name: "test3", email: "test3@posthog.com" }), ev("p3", PV, ago(0, 9)), ev("p3", PV, ago(0, 8)),
    ]);
    expect(await w.who(did(PV, last(1, "week"), { op: "lte", value: 1 }))).toEqual(["p2"]);
    // SPEC §6 "zero counts match only when asked": with includeZero the person with no pageview joins.
    expect(await w.who(did(PV, last(1, "week"), { op: "lte", value: 1, includeZero: true }))).toEqual(["p1", "p2"]);
  });

  test("test_can_handle_many_performed_multiple_filters: eq 1 or eq 2 (p3's two events under two of its ids)", async () => {
    const w = await world([
      person("p1", EMAIL), ev("p1", PV, ago(0, 9)),
      person("p2", EMAIL), ev("p2", PV, ago(0, 9)),
      // PostHog counts a person's events whichever distinct id sent them: p3's first pageview is anonymous.
      identify("p3", "p3_anon", BORN, { name: "test3", email: "test3@posthog.com" }),
      track({ anonymousId: "p3_anon" }, PV, ago(0, 9)), ev("p3", PV, ago(0, 8)),
    ]);
    const times = (value: number) => did(PV, last(1, "week"), { op: "eq", value });
    expect(await w.who(or(times(1), times(2)))).toEqual(["p1", "p2", "p3"]);
    expect(await w.who(times(2))).toEqual(["p3"]);
  });

  test("test_can_handle_many_performed_multiple_filters, merged late: two persons' events count once for the merged person", async () => {
    // The same scenario with p3's anonymous pageview and its user pageview stored as two persons first; the
    // identify that links them arrives afterwards. PostHog's person then has both distinct ids: eq 2, not two eq 1.
    const w = await world([
      person("p1", EMAIL), ev("p1", PV, ago(0, 9)),
      person("p2", EMAIL), ev("p2", PV, ago(0, 9)),
      track({ anonymousId: "p3_anon" }, PV, ago(0, 9)),
      person("p3", { name: "test3", email: "test3@posthog.com" }), ev("p3", PV, ago(0, 8)),
    ]);
    const times = (value: number) => did(PV, last(1, "week"), { op: "eq", value });
    expect((await w.who(times(1))).length).toBe(4);
    await w.send([identify("p3", "p3_anon", ago(0, 7))]);
    expect(await w.who(times(1))).toEqual(["p1", "p2"]);
    expect(await w.who(times(2))).toEqual(["p3"]);
    expect(await w.who(or(times(1), times(2)))).toEqual(["p1", "p2", "p3"]);
  });

  test("test_cohortpeople_action_count (test_cohort.py): gte 2 / lte 1 / eq 1 in the last 3 days", async () => {
    const w = await world([
      person("1"), ev("1", PV, ago(1, 12)), ev("1", PV, ago(0, 12)),
      person("2"), ev("2", PV, ago(1, 12)), ev("2", PV, ago(0, 12)),
      person("3"), ev("3", PV, ago(0, 12)),
      person("4"), person("5"),
    ]);
    expect(await w.who(did(PV, last(3), { op: "gte", value: 2 }))).toEqual(["1", "2"]);
    expect(await w.who(did(PV, last(3), { op: "lte", value: 1 }))).toEqual(["3"]);
    expect(await w.who(did(PV, last(3), { op: "eq", value: 1 }))).toEqual(["3"]);
  });

  test("test_performed_event_zero_times_: PostHog refuses 'exactly 0 times'; SPEC §6 answers it only when asked (b)", async () => {
    const w = await world([person("p1", EMAIL), person("p2", EMAIL), ev("p2", PV, ago(1))]);
    // (b) PostHog raises ValueError for operator_value 0. SPEC §6: "zero counts match only when asked", so
    // eq 0 is a valid comparison that nobody meets unless includeZero asks for the persons without events.
    expect(await w.who(did(PV, last(1, "week"), { op: "eq", value: 0 }))).toEqual([]);
    expect(await w.who(did(PV, last(1, "week"), { op: "eq", value: 0, includeZero: true }))).toEqual(["p1"]);
  });
});

// ---- did not perform

describe("did not perform (negated behavioural leaves)", () => {
  test("test_negation_raises: PostHog refuses a negation-only cohort; SPEC §6 has did_not as a leaf (b)", async () => {
    const w = await world([person("p1", EMAIL), ev("p1", PV, ago(2)), person("p2", EMAIL), ev("p2", PV, ago(10))]);
    // (b) PostHog raises ValueError; SPEC §6 lists `did_not` among the leaves, so the definition is valid.
    expect(await w.who(didNot(PV, last(1, "week")))).toEqual(["p2"]);
    expect(await w.who(not(did(PV, last(1, "week"))))).toEqual(["p2"]);
  });

  test("test_negation_with_simplify_filters: not pageview and feature flag called, both in 30 days", async () => {
    const w = await world([
      person("p1", EMAIL), ev("p1", PV, ago(2)),
      person("p2", EMAIL), ev("p2", PV, ago(10)),
      person("p3", EMAIL), ev("p3", "$feature_flag_called", ago(10)),
    ]);
    expect(await w.who(and(not(did(PV, last(30))), did("$feature_flag_called", last(30))))).toEqual(["p3"]);
  });

  test("test_negation_dynamic_time_bound_with_performed_event: new view this week, no pageview in two", async () => {
    const w = await world([
      person("p1", EMAIL), ev("p1", PV, ago(2)), ev("p1", "$new_view", ago(4)),
      person("p2", EMAIL), ev("p2", PV, ago(4)),
      person("p3", EMAIL), ev("p3", PV, ago(35)), ev("p3", "$new_view", ago(4)),
      person("p4", EMAIL), ev("p4", "$new_view", ago(4)),
    ]);
    expect(await w.who(and(did("$new_view", last(1, "week")), didNot(PV, last(2, "week"))))).toEqual(["p3", "p4"]);
  });
});

// ---- stopped, restarted, first time

describe("stopped / restarted performing, performed for the first time", () => {
  test("test_stopped_performing_event: did 1–2 weeks ago, not in the last week", async () => {
    const w = await world([person("p1", EMAIL), ev("p1", PV, ago(10)), person("p2", EMAIL), ev("p2", PV, ago(3))]);
    expect(await w.who(stopped(PV, 2, 1, "week"))).toEqual(["p1"]);
  });

  test("test_stopped_performing_event_raises_if_seq_date_later_than_date: a between_ago window reaching back less than its end is a 400", async () => {
    const w = await world([person("p1", EMAIL)]);
    const r = await w.preview(and(did(PV, betweenAgo(1, 2)), didNot(PV, last(2))));
    expect(r.status).toBe(400);
    expect(r.body.issues).toEqual([expect.objectContaining({ path: "definition.children.0.window.from" })]);
  });

  test("test_restarted_performing_event: before the week, none in the week up to 2 days ago, again in 2 days", async () => {
    const w = await world([
      person("p1", EMAIL), ev("p1", PV, ago(20)), ev("p1", PV, ago(1)),
      // an event in the middle period: p2 never stopped
      person("p2", { name: "test2" }), ev("p2", PV, ago(20)), ev("p2", PV, ago(5)), ev("p2", PV, ago(1)),
      // only just started: not a restart
      person("p3", { name: "test3" }), ev("p3", PV, ago(1)),
    ]);
    expect(await w.who(restarted(PV, 1, 2, "week", "day"))).toEqual(["p1"]);
  });

  test("test_performed_event_first_time: the first pageview ever falls in the last week", async () => {
    const w = await world([
      person("p1", EMAIL), ev("p1", PV, ago(20)), ev("p1", PV, ago(4)),
      person("p2", { name: "test2" }), ev("p2", PV, ago(4)),
    ]);
    expect(await w.who(firstTime(PV, 1, "week"))).toEqual(["p2"]);
  });

  test("test_cohortpeople_with_not_in_cohort_operator_for_behavioural_cohorts (test_cohort.py): pageview in 2 years, not a first-time signup in 15 days", async () => {
    const w = await world([
      person("1", { $some_prop: "something" }), ev("1", "signup", ago(10)), ev("1", PV, ago(10)),
      person("2", { $some_prop: "something" }), ev("2", PV, ago(20)),
    ]);
    // cohort0 (first-time signup in 15 days) is inlined under the `not`.
    expect(await w.who(firstTime("signup", 15, "day"))).toEqual(["1"]);
    expect(await w.who(and(did(PV, last(24, "month")), not(firstTime("signup", 15, "day"))))).toEqual(["2"]);
  });
});

// ---- sequences

describe("performed event sequence: A then B within T, in the last W", () => {
  test("test_performed_event_sequence: two pageviews 2 days apart; one pageview cannot pair with itself", async () => {
    const w = await world([person("p1", EMAIL), ...sequence("p1", 2, [1, 1]), person("p2", EMAIL), ev("p2", PV, ago(2))]);
    expect(await w.who(seq(PV, PV, 3, last(7)))).toEqual(["p1"]);
  });

  test("test_performed_event_sequence_with_extra_conditions / _with_person_properties", async () => {
    const w = await world([
      person("p1", EMAIL), ...sequence("p1", 2, [1, 1]), ev("p1", "$some_event", ago(2)), ev("p1", "$some_event", ago(4)),
      person("p2", EMAIL), ev("p2", PV, ago(2)),
      person("p3", { name: "test22", email: "test22@posthog.com" }), ...sequence("p3", 2, [1, 1]),
      ev("p3", "$some_event", ago(2)), ev("p3", "$some_event", ago(4)),
    ]);
    const sequenceAndWeek = [seq(PV, PV, 3, last(7)), did(PV, last(1, "week"))];
    expect(await w.who(and(...sequenceAndWeek))).toEqual(["p1", "p3"]);
    expect(await w.who(and(...sequenceAndWeek, attr("email", "test@posthog.com")))).toEqual(["p1"]);
  });

  test("test_multiple_performed_event_sequence: two sequences must both hold", async () => {
    const w = await world([
      person("p1", EMAIL), ...sequence("p1", 2, [1, 1]), ev("p1", PV, ago(10)), ev("p1", "$new_view", ago(9)),
      person("p2", EMAIL), ev("p2", PV, ago(10)), ev("p2", "$new_view", ago(9)),
    ]);
    const def = and(seq(PV, PV, 3, last(7)), seq(PV, "$new_view", 2, last(2, "week")));
    expect(await w.who(def)).toEqual(["p1"]);
  });

  test("test_performed_event_sequence_and_clause_with_additional_event: a sequence or a new view", async () => {
    const w = await world([
      person("p1", EMAIL), ev("p1", PV, ago(6)), ev("p1", PV, ago(5)),
      person("p2", EMAIL), ev("p2", "$new_view", ago(3)),
    ]);
    expect(await w.who(or(seq(PV, PV, 3, last(7)), did("$new_view", last(1, "week"))))).toEqual(["p1", "p2"]);
  });

  test("test_performed_event_sequence_with_restarted: a sequence or a restarted new view", async () => {
    const w = await world([
      person("p1", EMAIL), ...sequence("p1", 2, [1, 1]),
      person("p2", EMAIL), ev("p2", "$new_view", ago(18)), ev("p2", "$new_view", ago(5)),
    ]);
    expect(await w.who(or(seq(PV, PV, 3, last(7)), restarted("$new_view", 2, 1, "week")))).toEqual(["p1", "p2"]);
  });

  test("test_negation_dynamic_time_bound_with_performed_event_sequence: new view this week and no pageview sequence", async () => {
    const w = await world([
      // a sequence today and 2 days ago: out
      person("p1", EMAIL), ...sequence("p1", 2, [1, 1]), ev("p1", "$new_view", ago(4)),
      // no new view: out
      person("p2", EMAIL), ...sequence("p2", 2, [1, 1]),
      // the sequence 35–37 days ago is outside the 8 days
      person("p3", EMAIL), ev("p3", PV, ago(35)), ev("p3", PV, ago(37)), ev("p3", "$new_view", ago(4)),
      person("p4", EMAIL), ev("p4", "$new_view", ago(4)),
      // one pageview is no sequence
      person("p5", EMAIL), ev("p5", PV, ago(5)), ev("p5", "$new_view", ago(4)),
      // pageviews 4 days apart: longer than the 3 days allowed
      person("p6", EMAIL), ...sequence("p6", 4, [1, 1]), ev("p6", "$new_view", ago(4)),
    ]);
    const def = and(did("$new_view", last(1, "week")), not(seq(PV, PV, 3, last(8))));
    expect(await w.who(def)).toEqual(["p3", "p4", "p5", "p6"]);
  });

  test("test_cohort_filter_with_another_cohort_with_event_sequence: the inner cohort inlined", async () => {
    const w = await world([
      person("p1", { name: "test", email: "test@gmail.com" }), ...sequence("p1", 2, [1, 1]),
      person("p2", EMAIL), ...sequence("p2", 2, [1, 1]), ...sequence("p2", 6, [1, 1], "$new_view"),
      person("p3", { email: "test@posthog.com" }), ...sequence("p3", 2, [1, 1]),
      person("p4", EMAIL), ...sequence("p4", 6, [1, 1]), ...sequence("p4", 6, [1, 1], "$new_view"),
    ]);
    const inner = and(attr("name", "test"), seq(PV, PV, 3, last(8)));
    expect(await w.who(inner)).toEqual(["p1", "p2"]);
    expect(await w.who(and(inner, seq("$new_view", "$new_view", 8, last(8))))).toEqual(["p2"]);
  });
});

// ---- performed regularly

describe("performed event regularly: k of the last n periods", () => {
  test("test_performed_event_regularly: at least once per 3 days in 3 of the last 3 periods", async () => {
    const w = await world([person("p1", EMAIL), ...sequence("p1", 3, [1, 1, 1, 1])]);
    expect(await w.who(regularly(PV, { op: "gte", value: 1 }, 3, "day", 3, 3))).toEqual(["p1"]);
  });

  test("test_performed_event_regularly_with_variable_event_counts_in_each_period", async () => {
    const w = await world([
      person("p1", EMAIL), ...sequence("p1", 3, [0, 1, 2]),
      person("p2", { name: "test2" }), ...sequence("p2", 3, [1, 2, 2]),
    ]);
    expect(await w.who(regularly(PV, { op: "gte", value: 2 }, 3, "day", 3, 2))).toEqual(["p2"]);
    expect(await w.who(regularly(PV, { op: "gte", value: 1 }, 3, "day", 3, 2))).toEqual(["p1", "p2"]);
  });

  test("test_performed_event_regularly_month: twice per 2 months in 2 of the last 3 periods", async () => {
    const w = await world([person("p1", EMAIL), ...sequence("p1", 28, Array.from({ length: 20 }, () => 1))]);
    expect(await w.who(regularly(PV, { op: "gte", value: 2 }, 2, "month", 3, 2))).toEqual(["p1"]);
  });

  test("test_performed_event_regularly_years_interval: twice a year in 2 of the last 2 years (a year = 12 months)", async () => {
    const opened = "Application Opened";
    const w = await world([
      person("p1", { name: "test1" }), ev("p1", opened, ago(2)), ev("p1", opened, ago(1)), ev("p1", opened, ago(400)), ev("p1", opened, ago(401)),
      person("p2", { name: "test2" }), ev("p2", opened, ago(1)),
      person("p3", { name: "test3" }), ev("p3", opened, ago(2)), ev("p3", opened, ago(1)), ev("p3", opened, ago(400)), ev("p3", "Other", ago(401)),
    ]);
    expect(await w.who(regularly(opened, { op: "gte", value: 2 }, 12, "month", 2, 2))).toEqual(["p1"]);
  });
});

// ---- person properties and nested groups

describe("person properties and nested and / or / not", () => {
  test("test_person_props_only: or(or(email, email), and(name, email))", async () => {
    const w = await world([
      person("p1", { name: "test", email: "test1@posthog.com" }),
      person("p2", { name: "test", email: "test2@posthog.com" }),
      person("p3", { name: "test3", email: "test3@posthog.com" }),
      person("p4", { name: "test3", email: "test4@posthog.com" }),
    ]);
    const def = or(
      or(attr("email", "test1@posthog.com"), attr("email", "test2@posthog.com")),
      and(attr("name", "test3"), attr("email", "test3@posthog.com")),
    );
    expect(await w.who(def)).toEqual(["p1", "p2", "p3"]);
  });

  test("test_person: a $-prefixed person property or a pageview, for a person without events", async () => {
    const w = await world([person("p1", { name: "test", $sample_field: "test@posthog.com" })]);
    expect(await w.who(or(did(PV, last(1, "week")), attr("$sample_field", "test@posthog.com")))).toEqual(["p1"]);
  });

  test("test_person_property_with_value_list: in a list of values", async () => {
    const w = await world([
      person("p1", { email: "test1@example.com" }),
      person("p2", { email: "test2@example.com" }),
      person("p3", { email: "other@example.com" }),
    ]);
    expect(await w.who(attr("email", ["test1@example.com", "test2@example.com"], "in"))).toEqual(["p1", "p2"]);
  });

  test("test_recalculate_cohort_empty_string_property (test_cohort.py): exact [''] finds the empty value", async () => {
    const w = await world([person("matching_user", { organization_id: "" }), person("other_org", { organization_id: "b2c4e6f8" })]);
    // PostHog's `exact` with a list is our `in`; the empty string is one of the values.
    expect(await w.who(attr("organization_id", ["", "0f1e2d3c", "4b5a6978"], "in"))).toEqual(["matching_user"]);
  });

  test("test_basic_query / test_person_properties_with_pushdowns: (pageview or name) and (first-time action and email)", async () => {
    const url = { $current_url: "https://posthog.com/feedback/123" };
    const w = await world([
      person("p1", EMAIL), ev("p1", "$autocapture", ago(2), url), ev("p1", PV, ago(1)),
      // the action 3 weeks ago is not a first time in the last 2 weeks
      person("p2", EMAIL), ev("p2", "$autocapture", ago(21), url), ev("p2", PV, ago(1)),
      person("p3", { name: "special", email: "test@posthog.com" }), ev("p3", "$autocapture", ago(2), url),
      person("p4", { name: "test", email: "testXX@posthog.com" }), ev("p4", "$autocapture", ago(2), url), ev("p4", PV, ago(1)),
    ]);
    const action = [{ property: "$current_url", type: "event", op: "eq", value: url.$current_url }];
    const firstAction = and(firstTime("$autocapture", 2, "week", action), attr("email", "test@posthog.com"));
    // test_basic_query (p4 is its p3: wrong email)
    expect(await w.who(and(or(did(PV, last(1)), did(PV, last(2, "week"))), firstAction))).toEqual(["p1"]);
    // test_person_properties_with_pushdowns
    expect(await w.who(and(or(did(PV, last(1)), did(PV, last(2, "week")), attr("name", "special")), firstAction))).toEqual(["p1", "p3"]);
  });

  test("test_unwrap_with_negated_cohort / test_unwrap_multiple_levels: negated cohorts inlined", async () => {
    const w = await world([
      person("p1", { name: "test2", email: "test@posthog.com" }), ev("p1", "$new_view", ago(6)), ev("p1", "$some_event", ago(6)),
      person("p2", { name: "test", email: "test@posthog.com" }), ev("p2", "$some_event", ago(6)),
      person("p3", { name: "test2", email: "test@posthog.com" }), ev("p3", "$some_event", ago(6)),
      person("p4", { name: "test3", email: "test@posthog.com" }), ev("p4", "$target_event", ago(6)),
    ]);
    const cohort1 = did("$new_view", last(7));
    const cohort2 = and(did("$some_event", last(7)), not(attr("name", "test2")), not(cohort1));
    const cohort3 = and(attr("name", "test3"), not(cohort2));
    expect(await w.who(cohort2)).toEqual(["p2"]);
    expect(await w.who(cohort3)).toEqual(["p4"]);
  });

  test("test_cohort_with_inclusion_and_exclusion_and_nested_negation (test_cohort.py): is_not matches a missing email", async () => {
    const w = await world([
      person("user1", { email: "exclude1", in_cohort_1: "yes" }),
      person("user2", { email: "exclude2", in_cohort_1: "yes" }),
      person("user3", { email: "include", in_cohort_1: "yes" }),
      person("user4", { in_cohort_1: "yes" }),
    ]);
    const cohort1 = attr("in_cohort_1", "yes");
    const cohort2 = and(and(attr("email", "exclude1", "neq"), attr("email", "exclude2", "neq")), or(cohort1));
    expect(await w.who(cohort2)).toEqual(["user3", "user4"]);
    expect(await w.who(and(cohort1, not(cohort2)))).toEqual(["user1", "user2"]);
  });

  test("test_cohortpeople_prop_changed (test_cohort.py): a later identify overwrites the traits", async () => {
    const props = { $some_prop: "something", $another_prop: "something" };
    const w = await world([
      person("1", props), person("2", props),
      identify("2", undefined, ago(2), { $some_prop: "another", $another_prop: "another" }),
    ]);
    const def = and(attr("$some_prop", "something"), attr("$another_prop", "something"));
    expect(await w.who(def)).toEqual(["1"]);
  });
});

// ---- edge instants: where PostHog's boundaries and SPEC's differ only at one instant

describe("edge instants of windows and sequences", () => {
  test("an event exactly at asOf counts in 'the last 7 days' (b: PostHog's performed_event needs timestamp < now())", async () => {
    const w = await world([person("p1"), ev("p1", PV, iso(NOW)), person("p2"), ev("p2", PV, iso(NOW - 1))]);
    // (b) SPEC §6: "`last` is the interval (asOf − n·unit, asOf]". PostHog's countIf(timestamp > now() − 7 day
    // AND timestamp < now()) leaves p1 out.
    expect(await w.who(did(PV, last(7)))).toEqual(["p1", "p2"]);
  });

  test("an event exactly at asOf − 7 days is outside 'the last 7 days' (agrees with PostHog's timestamp > now() − 7 day)", async () => {
    const w = await world([person("p1"), ev("p1", PV, iso(NOW - 7 * DAY)), person("p2"), ev("p2", PV, iso(NOW - 7 * DAY + 1))]);
    expect(await w.who(did(PV, last(7)))).toEqual(["p2"]);
    expect(await w.who(did(PV, last(1, "week")))).toEqual(["p2"]);
  });

  test("a first event exactly at asOf − 1 week is not a first time in the last week (b: PostHog's minIf(timestamp) >= now() − 1 week)", async () => {
    const w = await world([person("p1"), ev("p1", PV, iso(NOW - 7 * DAY)), person("p2"), ev("p2", PV, iso(NOW - 7 * DAY + 1))]);
    // (b) SPEC §6's `last` window opens after asOf − n·unit; PostHog's first-time test includes that instant (p1).
    expect(await w.who(firstTime(PV, 1, "week"))).toEqual(["p2"]);
  });

  test("stopped performing: an event exactly at asOf − 1 week belongs to the earlier period (agrees with PostHog)", async () => {
    // PostHog: was-happening = (now − 2w, now − 1w], stopped = (now − 1w, now]; SPEC's between_ago and last give the same.
    const w = await world([person("p1"), ev("p1", PV, iso(NOW - 7 * DAY)), person("p2"), ev("p2", PV, iso(NOW - 7 * DAY + 1))]);
    expect(await w.who(stopped(PV, 2, 1, "week"))).toEqual(["p1"]);
  });

  test("sequence: B exactly T after A converts, A at the window start does not; A and B at one instant convert (b: PostHog needs A < B)", async () => {
    const w = await world([
      person("exact"), ev("exact", "add_to_cart", ago(5)), ev("exact", "pay", ago(2)),
      person("over"), ev("over", "add_to_cart", ago(5)), ev("over", "pay", iso(NOW - 2 * DAY + 1)),
      person("same"), ev("same", "add_to_cart", ago(1)), ev("same", "pay", ago(1)),
      // A exactly at the window's start is outside it, as in PostHog's step_0 (timestamp > now() − 7 day)
      person("edge"), ev("edge", "add_to_cart", ago(7)), ev("edge", "pay", ago(6)),
      person("inside"), ev("inside", "add_to_cart", iso(NOW - 7 * DAY + 1)), ev("inside", "pay", ago(6)),
    ]);
    // PostHog: latest_1 <= latest_0 + INTERVAL 3 day, inclusive, as SPEC §5.2's window: "exact" converts, "over"
    // (3 days + 1 ms) does not. (b) "same": PostHog requires latest_0 < latest_1; README's "A then B within T (elapsed
    // time, as in funnels)" points to SPEC §5.2: "Different events at the same instant may satisfy consecutive steps
    // in step order."
    expect(await w.who(seq("add_to_cart", "pay", 3, last(7)))).toEqual(["exact", "inside", "same"]);
  });
});
