/**
 * A second pass over PostHog's paths tests (SPEC §5.6; where it is silent Tessera follows PostHog's paths, see
 * src/query/README.md "Paths"), for cases paths.test.ts does not replay: a merged person whose anonymous id
 * leads the path, event kinds that leave one node (no edge) or none, a start event that is a path's last
 * node, include lists naming an event nobody sent, an exclude list that names no event, repeated events
 * collapsing into one node across 35 persons, the top-`edgeLimit` cut, and the persons on each edge of a
 * 35-person funnel-like walk. Sources:
 * - `posthog/hogql_queries/insights/test/test_paths_query_runner.py` (TestPaths)
 * - `posthog/hogql_queries/insights/test/test_paths_query_runner_ee.py` (BaseTestClickhousePaths), whose
 *   test_person_dropoffs, test_wildcard_groups_across_people and test_event_exclusion_filters_with_wildcard_groups
 *   replay the ClickHouse scenarios below under the names given here
 * - `ee/clickhouse/queries/test/test_paths.py` and `ee/clickhouse/views/test/test_clickhouse_paths.py`, the
 *   ClickHouse paths PostHog ran before the HogQL runner, for scenarios the runner's tests no longer hold.
 * Each case posts its events to `POST /v1/batch` on a fresh app and asks `POST /api/query` (or
 * `/api/query/actors`), checking PostHog's expected edges in our shape (SPEC §5.0: `{source, target,
 * persons}`; PostHog's `value` is our `persons`, both count paths).
 *
 * Mapping, as in paths.test.ts: an event name stands for PostHog's path item (a page view's URL, a screen's
 * name, a custom event's name), so `startPoint`/`endPoint` are `startEvent`/`endEvent` and
 * `includeEventTypes` is `includeEvents` naming the scenario's events of those kinds. PostHog's
 * `pathGroupings` relabel every item matching a glob with the glob before repeats collapse; we have no
 * groupings, so those scenarios send the glob itself as the event's name. Events PostHog
 * creates without a timestamp get timestamps one second apart, in creation order. Time zone UTC.
 */
import { describe, expect, test } from "bun:test";
import { identify, track, type Who } from "./harness.ts";
import { e, pathsWorld } from "./paths-world.ts";

const WRITE_KEY = "wk_reference_paths_2_01234";

/** walk gives one person's events, one per name, at the given UTC times. */
const walk = (who: Who, steps: [string, string][]) => steps.map(([event, ts]) => track(who, event, ts));

/** sequence stands in for PostHog's events created without a timestamp: one second apart, in creation order. */
function sequence(items: [Who, string][], base = SEQ_BASE) {
  const t0 = Date.parse(base);
  return items.map(([who, event], i) => track(who, event, new Date(t0 + i * 1000).toISOString()));
}
const SEQ_BASE = "2024-03-01T10:00:00Z";
/** SEQ_NOW is the clock for sequence scenarios: the same day, so PostHog's default range (-7d … today) holds them. */
const SEQ_NOW = "2024-03-01T12:00:00Z";

/** world is a fresh app (its clock at `now`, PostHog's frozen time) with the batch ingested. */
const world = (batch: unknown[], now?: string) => pathsWorld(WRITE_KEY, batch, now);

const people = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => `user_${from + k}`);

describe("paths, as PostHog's TestPaths (test_paths_query_runner.py)", () => {
  test("test_screen_paths: a merged person's anonymous id leads its path, the user id continues it", async () => {
    // person_2's first and last screens come from its anonymous id, the middle one from its user id.
    const w = await world([
      ...sequence([
        [{ userId: "person_1" }, "/"], [{ userId: "person_1" }, "/about"],
        [{ anonymousId: "person_2b" }, "/"], [{ userId: "person_2a" }, "/pricing"], [{ anonymousId: "person_2b" }, "/about"],
        [{ userId: "person_3" }, "/pricing"], [{ userId: "person_3" }, "/"],
        [{ userId: "person_4" }, "/"], [{ userId: "person_4" }, "/pricing"],
      ]),
      identify("person_2a", "person_2b", "2024-03-01T10:00:09Z"),
    ], SEQ_NOW);
    // includeEventTypes ["$screen"]: the three screen names (the identify's `$identify` row is no screen)
    expect(await w.paths({ includeEvents: ["/", "/about", "/pricing"] })).toEqual([
      e("1_/", "2_/pricing", 2), e("1_/", "2_/about", 1), e("1_/pricing", "2_/", 1), e("2_/pricing", "3_/about", 1),
    ]);
  });
});

describe("paths, as PostHog's ClickHouse insight endpoint (ee/clickhouse/views/test/test_clickhouse_paths.py)", () => {
  test("test_insight_paths_basic and test_insight_paths_basic_exclusions: one edge; an excluded middle event joins its neighbours", async () => {
    const w = await world(sequence([[{ userId: "person_1" }, "/"], [{ userId: "person_1" }, "/about"]]), SEQ_NOW);
    expect(await w.paths({})).toEqual([e("1_/", "2_/about", 1)]);
    const x = await world(sequence([
      [{ userId: "person_1" }, "first event"], [{ userId: "person_1" }, "second event"], [{ userId: "person_1" }, "third event"],
    ]), SEQ_NOW);
    // PostHog asserts one edge; the only one left is first → third
    expect(await x.paths({ excludeEvents: ["second event"] })).toEqual([e("1_first event", "2_third event", 1)]);
  });

  // One person's page views, screens and custom events, in that order.
  const mixed = (screens: string[]) => sequence([
    [{ userId: "person_1" }, "/"], [{ userId: "person_1" }, "/about"], [{ userId: "person_1" }, "/something else"],
    ...screens.map((s): [Who, string] => [{ userId: "person_1" }, s]),
    [{ userId: "person_1" }, "custom1"], [{ userId: "person_1" }, "custom2"],
  ]);
  const PAGES = ["/", "/about", "/something else"];
  const CUSTOM = ["custom1", "custom2"];

  test("test_backwards_compatible_path_types: one kind at a time; a kind with a single event gives no edge", async () => {
    const w = await world(mixed(["/screen1"]), SEQ_NOW);
    expect(await w.paths({ includeEvents: PAGES })).toHaveLength(2);
    expect(await w.paths({ includeEvents: PAGES })).toEqual([e("1_/", "2_/about", 1), e("2_/about", "3_/something else", 1)]);
    expect(await w.paths({ includeEvents: CUSTOM })).toEqual([e("1_custom1", "2_custom2", 1)]);
    expect(await w.paths({ includeEvents: ["/screen1"] })).toEqual([]);
  });

  test("test_backwards_compatible_start_point: a start event that is its kind's last event gives no edge", async () => {
    const w = await world(mixed(["/screen1", "/screen2"]), SEQ_NOW);
    expect(await w.paths({ includeEvents: PAGES, startEvent: { event: "/about" } })).toEqual([e("1_/about", "2_/something else", 1)]);
    expect(await w.paths({ includeEvents: CUSTOM, startEvent: { event: "custom2" } })).toEqual([]);
    expect(await w.paths({ includeEvents: ["/screen1", "/screen2"], startEvent: { event: "/screen1" } })).toEqual([e("1_/screen1", "2_/screen2", 1)]);
  });
});

describe("paths, as PostHog's ClickHouse paths (ee/clickhouse/queries/test/test_paths.py)", () => {
  // test_event_inclusion_exclusion_filters: p1's page views, p2's screens, p3's custom events.
  const threeKinds = () => [
    ...walk({ userId: "p1" }, [["/1", "2012-01-01T03:21:34Z"], ["/2", "2012-01-01T03:22:34Z"], ["/3", "2012-01-01T03:24:34Z"]]),
    ...walk({ userId: "p2" }, [["/screen1", "2012-01-01T03:21:34Z"], ["/screen2", "2012-01-01T03:22:34Z"], ["/screen3", "2012-01-01T03:24:34Z"]]),
    ...walk({ userId: "p3" }, [["/custom1", "2012-01-01T03:21:34Z"], ["/custom2", "2012-01-01T03:22:34Z"], ["/custom3", "2012-01-01T03:24:34Z"]]),
  ];
  const base = { dateFrom: "2012-01-01", stepLimit: 4 };

  test("test_event_inclusion_exclusion_filters (include_custom_events): named events only; a name nobody sent adds nothing", async () => {
    const w = await world(threeKinds(), "2023-05-23T11:00:00Z");
    expect(await w.paths({ ...base, includeEvents: ["/custom1", "/custom2"] })).toEqual([e("1_/custom1", "2_/custom2", 1)]);
    // /custom3 alone is a one-node path, and "blah" was never sent
    expect(await w.paths({ ...base, includeEvents: ["/custom3", "blah"] })).toEqual([]);
  });

  test("test_event_inclusion_exclusion_filters (all three kinds): equal edges ordered by step, then source, then target", async () => {
    const w = await world(threeKinds(), "2023-05-23T11:00:00Z");
    const all = ["/1", "/2", "/3", "/screen1", "/screen2", "/screen3", "/custom1", "/custom2", "/custom3"];
    expect(await w.paths({ ...base, includeEvents: all })).toEqual([
      e("1_/1", "2_/2", 1), e("1_/custom1", "2_/custom2", 1), e("1_/screen1", "2_/screen2", 1),
      e("2_/2", "3_/3", 1), e("2_/custom2", "3_/custom3", 1), e("2_/screen2", "3_/screen3", 1),
    ]);
  });

  test("test_event_inclusion_exclusion_filters_across_single_person (include_custom_events): one custom event joins the kinds", async () => {
    const w = await world(walk({ userId: "p1" }, [
      ["/1", "2012-01-01T03:21:34Z"], ["/2", "2012-01-01T03:22:34Z"], ["/3", "2012-01-01T03:24:34Z"],
      ["/screen1", "2012-01-01T03:25:34Z"], ["/screen2", "2012-01-01T03:26:34Z"], ["/screen3", "2012-01-01T03:28:34Z"],
      ["/custom1", "2012-01-01T03:29:34Z"], ["/custom2", "2012-01-01T03:30:34Z"], ["/custom3", "2012-01-01T03:32:34Z"],
    ]), "2023-05-23T11:00:00Z");
    // include_event_types [$pageview, $screen] plus include_custom_events ["/custom2"]
    expect(await w.paths({ dateFrom: "2012-01-01", stepLimit: 10, includeEvents: ["/1", "/2", "/3", "/screen1", "/screen2", "/screen3", "/custom2"] })).toEqual([
      e("1_/1", "2_/2", 1), e("2_/2", "3_/3", 1), e("3_/3", "4_/screen1", 1),
      e("4_/screen1", "5_/screen2", 1), e("5_/screen2", "6_/screen3", 1), e("6_/screen3", "7_/custom2", 1),
    ]);
  });

  // _create_sample_data_multiple_dropoffs with path_groupings ["between_step_1_*", "between_step_2_*", "step drop*"]
  // applied at the source: 5 persons step one → 1_a → 1_b → 1_c → step two → step three, 10 persons step one →
  // 1_a → 1_b → step two → 2_a → 2_b, 20 persons step one → dropoff1 → dropoff2 (→ step branch for the even ones).
  function groupedDropoffs() {
    const B1 = "between_step_1_*", B2 = "between_step_2_*", DROP = "step drop*";
    const at = (hms: string) => `2021-05-01T${hms}Z`;
    const batch = [];
    for (const u of people(0, 5)) {
      batch.push(...walk({ userId: u }, [["step one", at("00:00:00")], [B1, at("00:01:00")], [B1, at("00:02:00")], [B1, at("00:03:00")], ["step two", at("00:04:00")], ["step three", at("00:05:00")]]));
    }
    for (const u of people(5, 15)) {
      batch.push(...walk({ userId: u }, [["step one", at("00:00:00")], [B1, at("00:01:00")], [B1, at("00:02:00")], ["step two", at("00:03:00")], [B2, at("00:04:20")], [B2, at("00:05:40")]]));
    }
    for (let i = 15; i < 35; i++) {
      const u = `user_${i}`;
      batch.push(...walk({ userId: u }, [["step one", at("00:00:00")], [DROP, at("00:01:00")], [DROP, at("00:02:00")]]));
      if (i % 2 === 0) batch.push(track({ userId: u }, "step branch", at("00:03:00")));
    }
    return batch;
  }
  const MAY = { dateFrom: "2021-05-01T00:00:00Z", dateTo: "2021-05-07T00:00:00Z" };

  test("test_path_by_grouping (via test_path_min_edge_weight): grouped repeats are one node, across 35 persons", async () => {
    const w = await world(groupedDropoffs());
    // PostHog compares unordered; its SQL orders by count, then source, then target, which is this order
    expect(await w.paths(MAY)).toEqual([
      e("1_step one", "2_step drop*", 20),
      e("1_step one", "2_between_step_1_*", 15), e("2_between_step_1_*", "3_step two", 15),
      e("2_step drop*", "3_step branch", 10), e("3_step two", "4_between_step_2_*", 10),
      e("3_step two", "4_step three", 5),
    ]);
  });

  test("test_path_min_edge_weight (edge_limit 2): the two heaviest edges", async () => {
    // PostHog's query also sets min_edge_weight 15, which both kept edges pass; we have no edge weights.
    const w = await world(groupedDropoffs());
    expect(await w.paths({ ...MAY, edgeLimit: 2 })).toEqual([e("1_step one", "2_step drop*", 20), e("1_step one", "2_between_step_1_*", 15)]);
  });

  // test_path_grouping_across_people / test_event_exclusion_filters_with_wildcards: /1 → (a /bar/…/foo page) → /3.
  const barFoo = (middle: [string, string, string]) => middle.flatMap((m, i) =>
    walk({ userId: `p${i + 1}` }, [["/1", "2012-01-01T03:21:34Z"], [m, "2012-01-01T03:22:34Z"], ["/3", "2012-01-01T03:24:34Z"]]));
  const GROUP = "/bar/*/foo";

  test("test_path_grouping_across_people: three persons' grouped middle pages are one node", async () => {
    // "/2/bar/1/foo", "/bar/2/foo", "/bar/33/foo" all match the grouping (it is not anchored)
    const w = await world(barFoo([GROUP, GROUP, GROUP]), "2023-05-23T11:00:00Z");
    expect(await w.paths({ ...base, includeEvents: ["/1", GROUP, "/3"] })).toEqual([e("1_/1", `2_${GROUP}`, 3), e(`2_${GROUP}`, "3_/3", 3)]);
  });

  test("test_event_exclusion_filters_with_wildcards: excluding the group joins /1 to /3; an exclude naming no item excludes nothing", async () => {
    const grouped = await world(barFoo([GROUP, GROUP, GROUP]), "2023-05-23T11:00:00Z");
    expect(await grouped.paths({ ...base, excludeEvents: [GROUP] })).toEqual([e("1_/1", "2_/3", 3)]);
    // with an invalid grouping ("/xxx/invalid/*") the pages keep their own names and the exclude matches none of them
    const raw = await world(barFoo(["/2/bar/1/foo", "/bar/2/foo", "/bar/33/foo"]), "2023-05-23T11:00:00Z");
    const got = await raw.paths({ ...base, excludeEvents: [GROUP] });
    expect(got).toHaveLength(6);
    expect(got).toEqual([
      e("1_/1", "2_/2/bar/1/foo", 1), e("1_/1", "2_/bar/2/foo", 1), e("1_/1", "2_/bar/33/foo", 1),
      e("2_/2/bar/1/foo", "3_/3", 1), e("2_/bar/2/foo", "3_/3", 1), e("2_/bar/33/foo", "3_/3", 1),
    ]);
  });

  test("test_paths_person_dropoffs: the persons on each edge of a 5 / 10 / 20-person walk", async () => {
    const at = (hms: string) => `2021-05-01T${hms}Z`;
    const steps: [string, string][] = [["step one", at("00:00:00")], ["step two", at("00:04:00")], ["step three", at("00:05:00")], ["step four", at("00:06:00")]];
    const w = await world([
      ...people(0, 5).flatMap((u) => walk({ userId: u }, steps.slice(0, 2))),
      ...people(5, 15).flatMap((u) => walk({ userId: u }, steps.slice(0, 3))),
      ...people(15, 35).flatMap((u) => walk({ userId: u }, steps)),
    ]);
    expect(await w.paths(MAY)).toEqual([
      e("1_step one", "2_step two", 35), e("2_step two", "3_step three", 30), e("3_step three", "4_step four", 20),
    ]);
    // PostHog's path_end_key "k_x" (persons reaching node k_x) and path_start_key "k_x" (persons going on from it)
    // are, on this walk, the persons on the single edge into and out of k_x: 35 / 30, 30 / 20, 20 / 0.
    const into2 = await w.actors(MAY, "1_step one", "2_step two");
    const into3 = await w.actors(MAY, "2_step two", "3_step three");
    const into4 = await w.actors(MAY, "3_step three", "4_step four");
    expect([into2.length, into3.length, into4.length]).toEqual([35, 30, 20]);
    expect(into4).toEqual(people(15, 35).sort());
    expect((await w.paths(MAY)).filter((x) => x.source.startsWith("4_"))).toEqual([]);
    // path_dropoff_key: who stops at each node (reached less went on): 5, 10, 20
    expect([into2.length - into3.length, into3.length - into4.length, into4.length]).toEqual([5, 10, 20]);
    expect(into2.filter((u) => !into3.includes(u))).toEqual(people(0, 5).sort());
  });

  test("test_paths_start_and_end: from the start point to the end point, a long path folded around \"...\"", async () => {
    // person_3 reaches /about from /3, never from /5 or /2: no path
    const w = await world([
      ...walk({ userId: "person_1" }, [["/1", "2021-05-01T00:01:00Z"], ["/2", "2021-05-01T00:02:00Z"], ["/3", "2021-05-01T00:03:00Z"], ["/4", "2021-05-01T00:04:00Z"], ["/5", "2021-05-01T00:05:00Z"], ["/about", "2021-05-01T00:06:00Z"], ["/after", "2021-05-01T00:07:00Z"]]),
      ...walk({ userId: "person_2" }, [["/5", "2021-05-01T00:01:00Z"], ["/about", "2021-05-01T00:02:00Z"]]),
      ...walk({ userId: "person_3" }, [["/3", "2021-05-01T00:01:00Z"], ["/4", "2021-05-01T00:02:00Z"], ["/about", "2021-05-01T00:03:00Z"], ["/after", "2021-05-01T00:04:00Z"]]),
    ]);
    const q = { ...MAY, startEvent: { event: "/5" }, endEvent: { event: "/about" } };
    expect(await w.paths(q)).toEqual([{ source: "1_/5", target: "2_/about", persons: 2 }]);
    expect(await w.actors(q, "1_/5", "2_/about")).toEqual(["person_1", "person_2"]);
    // step_limit 4 from /2: /2 /3 /4 /5 /about keeps its first and last two nodes around "..."
    const long = { ...q, startEvent: { event: "/2" }, stepLimit: 4 };
    expect(await w.paths(long)).toEqual([
      { source: "1_/2", target: "2_/3", persons: 1 },
      { source: "2_/3", target: "3_...", persons: 1 },
      { source: "3_...", target: "4_/5", persons: 1 },
      { source: "4_/5", target: "5_/about", persons: 1 },
    ]);
    expect(await w.actors(long, "3_...", "4_/5")).toEqual(["person_1"]);
  });
});
