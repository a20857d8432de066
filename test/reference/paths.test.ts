/**
 * Reference cases for paths (SPEC §5.6; where it is silent Tessera follows PostHog's paths, see
 * src/query/README.md "Paths"), rebuilt from the scenarios of PostHog's own tests:
 * - `posthog/hogql_queries/insights/test/test_paths_query_runner.py` (TestPaths)
 * - `posthog/hogql_queries/insights/test/test_paths_query_runner_ee.py` (BaseTestClickhousePaths)
 * Each case posts the scenario's events to `POST /v1/batch` on a fresh app and asks `POST /api/query`
 * (or `/api/query/actors`), then checks PostHog's expected edges in our shape (SPEC §5.0:
 * `{source, target, persons}`; PostHog's `value` is our `persons`, both count paths).
 *
 * Mapping. PostHog's default path item of a `$pageview` is its `$current_url` (of a `$screen`, its
 * `$screen_name`); ours is the event name. So a page view of "/about" becomes an event named "/about", and
 * PostHog's `startPoint`/`endPoint` become `startEvent`/`endEvent`. PostHog strips one trailing slash from
 * URLs ("/about/" = "/about"); that is URL cleaning we do not have, so the scenarios name the cleaned URL.
 * `includeEventTypes` (a kind of event: page views, screens, custom events) becomes `includeEvents` naming
 * the events of that kind in the scenario. Events PostHog creates without a timestamp ("now", in creation
 * order) get timestamps one second apart, in creation order. A PostHog person with several distinct ids
 * is one of ours, linked by an identify (userId + anonymousId); the identify writes a `$identify` row,
 * which those cases leave out with `excludeEvents`. PostHog's frozen "now" is our fake clock, so its
 * default range (-7d … today) is ours too. Time zone UTC, as PostHog's test team.
 */
import { describe, expect, test } from "bun:test";
import { identify, track, type Who } from "./harness.ts";
import { e, pathsWorld } from "./paths-world.ts";

const WRITE_KEY = "wk_reference_paths_0123456";

/** walk gives one person's events, one per name, at the given UTC times. */
const walk = (who: Who, steps: [string, string][], properties: Record<string, unknown> = {}) =>
  steps.map(([event, ts]) => track(who, event, ts, properties));

/** sequence stands in for PostHog's events created without a timestamp: one second apart, in creation order. */
function sequence(items: [Who, string, Record<string, unknown>?][], base = "2024-03-01T10:00:00Z") {
  const t0 = Date.parse(base);
  return items.map(([who, event, props], i) => track(who, event, new Date(t0 + i * 1000).toISOString(), props ?? {}));
}
const SEQ_RANGE = { dateFrom: "2024-02-23", dateTo: "2024-03-01" };

/** world is a fresh app (its clock at `now`, PostHog's frozen time) with the batch ingested. */
const world = (batch: unknown[], now?: string) => pathsWorld(WRITE_KEY, batch, now);

const NO_IDENTIFY = { excludeEvents: ["$identify"] };

describe("paths, as PostHog's TestPaths (test_paths_query_runner.py)", () => {
  // test_current_url_paths_and_logic: frozen at 2012-01-15T03:21:34Z, PostHog's default range -7d … today.
  const currentUrl = () => [
    ...walk({ userId: "fake" }, [["/", "2012-01-01T03:21:34Z"], ["/about", "2012-01-01T03:21:34Z"]]), // before the range
    identify("person_1", undefined, "2012-01-14T03:21:34Z", { email: "test@posthog.com" }),
    ...walk({ userId: "person_1" }, [["/", "2012-01-14T03:21:34Z"], ["/about", "2012-01-14T03:28:34Z"]]),
    track({ userId: "person_2a" }, "/", "2012-01-14T03:21:34Z"),
    track({ anonymousId: "person_2b" }, "/pricing", "2012-01-14T03:28:34Z"),
    identify("person_2a", "person_2b", "2012-01-14T03:28:34Z"),
    track({ userId: "person_2a" }, "/about", "2012-01-14T03:29:34Z"),
    ...walk({ userId: "person_3" }, [["/pricing", "2012-01-14T03:21:34Z"], ["/", "2012-01-14T03:28:34Z"]]),
    ...walk({ userId: "person_4" }, [["/", "2012-01-14T03:21:34Z"], ["/pricing", "2012-01-14T03:28:34Z"]]),
  ];
  const FOUR = [e("1_/", "2_/pricing", 2), e("1_/", "2_/about", 1), e("1_/pricing", "2_/", 1), e("2_/pricing", "3_/about", 1)];

  test("test_current_url_paths_and_logic: one path per person, a merged person's ids in one path, ties by source then target", async () => {
    const w = await world(currentUrl(), "2012-01-15T03:21:34Z");
    expect(await w.paths({ ...NO_IDENTIFY })).toEqual(FOUR);
    expect(await w.paths({ ...NO_IDENTIFY, dateFrom: "2012-01-08" })).toHaveLength(4);
    expect(await w.paths({ ...NO_IDENTIFY, dateTo: "2012-01-15" })).toHaveLength(4);
    expect(await w.paths({ ...NO_IDENTIFY, dateTo: "2012-01-08" })).toHaveLength(0); // -7d … the 8th: nothing yet
    expect(await w.paths({ ...NO_IDENTIFY, dateFrom: "2012-01-08", dateTo: "2012-01-22" })).toEqual(FOUR);
    // filterTestAccounts: PostHog's default test-account filter (person e-mail not containing @posthog.com),
    // persons without an e-mail kept; person_1's "/" → "/about" goes.
    expect(await w.paths({
      ...NO_IDENTIFY, dateFrom: "2012-01-08", dateTo: "2012-01-22",
      where: { property: "email", type: "person", op: "not_contains", value: "@posthog.com" },
    })).toEqual([e("1_/", "2_/pricing", 2), e("1_/pricing", "2_/", 1), e("2_/pricing", "3_/about", 1)]);
    // A range starting after today (PostHog: date_from +7d; and date_from +7d, date_to -7d) gives PostHog no
    // edges; ours refuses a range whose start is not before its end (400), as SPEC §5 answers invalid
    // queries. Deliberate, not a paths number.
    expect((await w.raw({ ...NO_IDENTIFY, dateFrom: "2012-01-22" })).status).toBe(400);
    expect((await w.raw({ ...NO_IDENTIFY, dateFrom: "2012-01-22", dateTo: "2012-01-08" })).status).toBe(400);
  });

  test("test_custom_event_paths: only the custom events (the page view left out)", async () => {
    const w = await world(sequence([
      [{ userId: "person_1" }, "custom_event_1"], [{ userId: "person_1" }, "custom_event_3"], [{ userId: "person_1" }, "$pageview"],
      [{ userId: "person_2" }, "custom_event_1"], [{ userId: "person_2" }, "custom_event_2"], [{ userId: "person_2" }, "custom_event_3"],
      [{ userId: "person_3" }, "custom_event_2"], [{ userId: "person_3" }, "custom_event_1"],
      [{ userId: "person_4" }, "custom_event_1"], [{ userId: "person_4" }, "custom_event_2"],
    ]));
    const want = [
      e("1_custom_event_1", "2_custom_event_2", 2), e("1_custom_event_1", "2_custom_event_3", 1),
      e("1_custom_event_2", "2_custom_event_1", 1), e("2_custom_event_2", "3_custom_event_3", 1),
    ];
    expect(await w.paths({ ...SEQ_RANGE, includeEvents: ["custom_event_1", "custom_event_2", "custom_event_3"] })).toEqual(want);
    expect(await w.paths({ ...SEQ_RANGE, excludeEvents: ["$pageview"] })).toEqual(want);
  });

  test("test_paths_properties_filter: an event filter keeps only the Chrome page views", async () => {
    const chrome = { $browser: "Chrome" };
    const w = await world(sequence([
      [{ userId: "person_1" }, "/", chrome], [{ userId: "person_1" }, "/about", chrome],
      [{ userId: "person_2" }, "/", chrome], [{ userId: "person_2" }, "/pricing", chrome], [{ userId: "person_2" }, "/about", chrome],
      [{ userId: "person_3" }, "/pricing"], [{ userId: "person_3" }, "/"],
      [{ userId: "person_4" }, "/"], [{ userId: "person_4" }, "/pricing"],
    ]));
    expect(await w.paths({ ...SEQ_RANGE, where: { property: "$browser", type: "event", op: "eq", value: "Chrome" } })).toEqual([
      e("1_/", "2_/about", 1), e("1_/", "2_/pricing", 1), e("2_/pricing", "3_/about", 1),
    ]);
  });

  test("test_paths_start: paths from the first start event; a later repeat (not adjacent) is a new node", async () => {
    // URLs with PostHog's trailing slash already stripped ("/about/" → "/about", "/pricing/" → "/pricing").
    const w = await world([
      ...sequence([
        [{ userId: "person_1" }, "/"], [{ userId: "person_1" }, "/about"],
        [{ userId: "person_2" }, "/"], [{ userId: "person_2" }, "/pricing"], [{ userId: "person_2" }, "/about"],
        [{ userId: "person_3" }, "/pricing"], [{ userId: "person_3" }, "/"], [{ userId: "person_3" }, "/about"],
        [{ userId: "person_4" }, "/"], [{ userId: "person_4" }, "/pricing"],
        [{ userId: "person_5a" }, "/pricing"], [{ anonymousId: "person_5b" }, "/about"], [{ userId: "person_5a" }, "/pricing"], [{ anonymousId: "person_5b" }, "/help"],
      ]),
      identify("person_5a", "person_5b", "2024-03-01T10:00:13Z"),
    ]);
    expect(await w.paths({ ...SEQ_RANGE, ...NO_IDENTIFY, startEvent: { event: "/pricing" } })).toEqual([
      e("1_/pricing", "2_/about", 2), e("1_/pricing", "2_/", 1), e("2_/", "3_/about", 1), e("2_/about", "3_/pricing", 1), e("3_/pricing", "4_/help", 1),
    ]);
    expect(await w.paths({ ...SEQ_RANGE, ...NO_IDENTIFY, startEvent: { event: "/" } })).toEqual([
      e("1_/", "2_/about", 2), e("1_/", "2_/pricing", 2), e("2_/pricing", "3_/about", 1),
    ]);
  });

  test("test_paths_in_window: the same walk on two days is two paths of one person", async () => {
    const w = await world(walk({ userId: "person_1" }, [
      ["/", "2020-04-14T03:25:34Z"], ["/about", "2020-04-14T03:30:34Z"], ["/", "2020-04-15T03:25:34Z"], ["/about", "2020-04-15T03:30:34Z"],
    ]), "2020-04-20T12:00:00Z");
    const got = await w.paths({ dateFrom: "2020-04-13" });
    expect(got[0]).toEqual(e("1_/", "2_/about", 2));
  });
});

describe("paths, as PostHog's BaseTestClickhousePaths (test_paths_query_runner_ee.py)", () => {
  const fourPages = (who: Who) =>
    walk(who, [["/1", "2012-01-01T03:21:34Z"], ["/2", "2012-01-01T03:22:34Z"], ["/3", "2012-01-01T03:24:34Z"], ["/4", "2012-01-01T03:27:34Z"]]);

  test("test_step_limit: stepLimit nodes per path, and the persons on an edge", async () => {
    const w = await world(fourPages({ userId: "fake" }), "2012-01-07T03:21:34Z");
    expect(await w.paths({ stepLimit: 2 })).toEqual([e("1_/1", "2_/2", 1)]);
    expect(await w.actors({ stepLimit: 2 }, "1_/1", "2_/2")).toEqual(["fake"]);
    expect(await w.actors({ stepLimit: 2 }, "2_/2", "3_/3")).toEqual([]);
    expect(await w.paths({ stepLimit: 3 })).toEqual([e("1_/1", "2_/2", 1), e("2_/2", "3_/3", 1)]);
    expect(await w.actors({ stepLimit: 3 }, "2_/2", "3_/3")).toEqual(["fake"]);
    expect(await w.paths({ stepLimit: 4 })).toEqual([e("1_/1", "2_/2", 1), e("2_/2", "3_/3", 1), e("3_/3", "4_/4", 1)]);
    for (const [s, t] of [["1_/1", "2_/2"], ["2_/2", "3_/3"], ["3_/3", "4_/4"]] as const) {
      expect(await w.actors({ stepLimit: 4 }, s, t)).toEqual(["fake"]);
    }
  });

  test("test_step_conversion_times: edge counts of two walks of different lengths", async () => {
    const w = await world([
      ...fourPages({ userId: "fake" }),
      ...walk({ userId: "fake2" }, [["/1", "2012-01-01T03:21:34Z"], ["/2", "2012-01-01T03:23:34Z"], ["/3", "2012-01-01T03:27:34Z"]]),
    ], "2023-05-23T11:00:00Z");
    expect(await w.paths({ dateFrom: "2012-01-01", stepLimit: 4 })).toEqual([
      e("1_/1", "2_/2", 2), e("2_/2", "3_/3", 2), e("3_/3", "4_/4", 1),
    ]);
  });

  test("test_event_ordering: 50 identical walks, half of them branching, stay in order", async () => {
    const batch = [];
    for (let i = 0; i < 50; i++) {
      const who = { userId: `user_${i}` };
      batch.push(...walk(who, [["step one", "2021-05-01T00:00:00Z"], ["step two", "2021-05-01T00:01:00Z"], ["step three", "2021-05-01T00:02:00Z"]]));
      if (i % 2 === 0) batch.push(track(who, "step branch", "2021-05-01T00:03:00Z"));
    }
    const w = await world(batch);
    expect(await w.paths({ dateFrom: "2021-05-01", dateTo: "2021-05-03" })).toEqual([
      e("1_step one", "2_step two", 50), e("2_step two", "3_step three", 50), e("3_step three", "4_step branch", 25),
    ]);
  });

  test("test_end: the last stepLimit (5) nodes up to the end event, numbered from 1", async () => {
    const w = await world([
      ...walk({ userId: "person_1" }, [
        ["/1", "2021-05-01T00:01:00Z"], ["/2", "2021-05-01T00:02:00Z"], ["/3", "2021-05-01T00:03:00Z"], ["/4", "2021-05-01T00:04:00Z"],
        ["/5", "2021-05-01T00:05:00Z"], ["/about", "2021-05-01T00:06:00Z"], ["/after", "2021-05-01T00:07:00Z"],
      ]),
      ...walk({ userId: "person_2" }, [["/5", "2021-05-01T00:01:00Z"], ["/about", "2021-05-01T00:02:00Z"]]),
      ...walk({ userId: "person_3" }, [["/3", "2021-05-01T00:01:00Z"], ["/4", "2021-05-01T00:02:00Z"], ["/about", "2021-05-01T00:03:00Z"], ["/after", "2021-05-01T00:04:00Z"]]),
    ]);
    expect(await w.paths({ dateFrom: "2021-05-01T00:00:00Z", dateTo: "2021-05-07T00:00:00Z", endEvent: { event: "/about" } })).toEqual([
      e("1_/2", "2_/3", 1), e("1_/3", "2_/4", 1), e("1_/5", "2_/about", 1), e("2_/3", "3_/4", 1),
      e("2_/4", "3_/about", 1), e("3_/4", "4_/5", 1), e("4_/5", "5_/about", 1),
    ]);
  });

  // test_event_inclusion_exclusion_filters: p1's page views, p2's screens, p3's custom events.
  const threeKinds = () => [
    ...walk({ userId: "p1" }, [["/1", "2012-01-01T03:21:34Z"], ["/2", "2012-01-01T03:22:34Z"], ["/3", "2012-01-01T03:24:34Z"]]),
    ...walk({ userId: "p2" }, [["/screen1", "2012-01-01T03:21:34Z"], ["/screen2", "2012-01-01T03:22:34Z"], ["/screen3", "2012-01-01T03:24:34Z"]]),
    ...walk({ userId: "p3" }, [["/custom1", "2012-01-01T03:21:34Z"], ["/custom2", "2012-01-01T03:22:34Z"], ["/custom3", "2012-01-01T03:24:34Z"]]),
  ];
  const ALL_NINE = ["/1", "/2", "/3", "/screen1", "/screen2", "/screen3", "/custom1", "/custom2", "/custom3"];

  test("test_event_inclusion_exclusion_filters: included kinds, and excluded events moving where a path starts", async () => {
    const w = await world(threeKinds(), "2023-05-23T11:00:00Z");
    const base = { dateFrom: "2012-01-01", stepLimit: 4 };
    expect(await w.paths({ ...base, includeEvents: ["/1", "/2", "/3"] })).toEqual([e("1_/1", "2_/2", 1), e("2_/2", "3_/3", 1)]);
    expect(await w.paths({ ...base, includeEvents: ["/screen1", "/screen2", "/screen3"] })).toEqual([e("1_/screen1", "2_/screen2", 1), e("2_/screen2", "3_/screen3", 1)]);
    expect(await w.paths({ ...base, includeEvents: ["/custom1", "/custom2", "/custom3"] })).toEqual([e("1_/custom1", "2_/custom2", 1), e("2_/custom2", "3_/custom3", 1)]);
    // all three kinds, minus /custom1, /1, /2, /3: p3's path now starts at /custom2, p1 has none
    expect(await w.paths({ ...base, excludeEvents: ["/custom1", "/1", "/2", "/3"] })).toEqual([
      e("1_/custom2", "2_/custom3", 1), e("1_/screen1", "2_/screen2", 1), e("2_/screen2", "3_/screen3", 1),
    ]);
  });

  test("test_event_inclusion_exclusion_filters (include and exclude together): PostHog applies both", async () => {
    // PostHog's query names includeEventTypes [$pageview, $screen, custom_event] and excludeEvents together; the
    // kinds map to includeEvents naming all nine events. Expected: the include list minus the exclude list.
    const w = await world(threeKinds(), "2023-05-23T11:00:00Z");
    expect(await w.paths({ dateFrom: "2012-01-01", stepLimit: 4, includeEvents: ALL_NINE, excludeEvents: ["/custom1", "/1", "/2", "/3"] })).toEqual([
      e("1_/custom2", "2_/custom3", 1), e("1_/screen1", "2_/screen2", 1), e("2_/screen2", "3_/screen3", 1),
    ]);
  });

  test("test_event_inclusion_exclusion_filters_across_single_person: stepLimit 10 numbers nine nodes; include/exclude on one walk", async () => {
    const w = await world(walk({ userId: "p1" }, [
      ["/1", "2012-01-01T03:21:34Z"], ["/2", "2012-01-01T03:22:34Z"], ["/3", "2012-01-01T03:24:34Z"],
      ["/screen1", "2012-01-01T03:25:34Z"], ["/screen2", "2012-01-01T03:26:34Z"], ["/screen3", "2012-01-01T03:28:34Z"],
      ["/custom1", "2012-01-01T03:29:34Z"], ["/custom2", "2012-01-01T03:30:34Z"], ["/custom3", "2012-01-01T03:32:34Z"],
    ]), "2023-05-23T11:00:00Z");
    const base = { dateFrom: "2012-01-01", stepLimit: 10 };
    const chain = ALL_NINE.slice(1).map((n, i) => e(`${i + 1}_${ALL_NINE[i]}`, `${i + 2}_${n}`, 1));
    expect(await w.paths(base)).toEqual(chain);
    expect(await w.paths({ ...base, includeEvents: ALL_NINE.slice(0, 6) })).toEqual(chain.slice(0, 5));
    const want = [e("1_/1", "2_/2", 1), e("2_/2", "3_/3", 1), e("3_/3", "4_/custom2", 1)];
    // page views and custom events, without /custom1 and /custom3: as one list …
    expect(await w.paths({ ...base, includeEvents: ["/1", "/2", "/3", "/custom2"] })).toEqual(want);
    // … and as PostHog sends it, the kinds included and two events excluded
    expect(await w.paths({ ...base, includeEvents: ["/1", "/2", "/3", "/custom1", "/custom2", "/custom3"], excludeEvents: ["/custom1", "/custom3"] })).toEqual(want);
  });

  test("test_respect_session_limits: a new day is a new session, so one person's walk counts twice", async () => {
    const w = await world(walk({ userId: "fake" }, [
      ["/1", "2012-01-01T03:21:34Z"], ["/2", "2012-01-01T03:22:34Z"], ["/3", "2012-01-01T03:24:34Z"],
      ["/1", "2012-01-02T03:21:54Z"], ["/2", "2012-01-02T03:22:54Z"], ["/3", "2012-01-02T03:26:54Z"],
    ]), "2023-05-23T11:00:00Z");
    expect(await w.paths({ dateFrom: "2012-01-01" })).toEqual([e("1_/1", "2_/2", 2), e("2_/2", "3_/3", 2)]);
  });

  test("test_removes_duplicates: a repeated event is one node", async () => {
    const w = await world([
      ...walk({ userId: "fake" }, [
        ["/1", "2012-01-01T03:21:34Z"], ["/1", "2012-01-01T03:21:54Z"], ["/2", "2012-01-01T03:22:34Z"], ["/2", "2012-01-01T03:22:54Z"], ["/3", "2012-01-01T03:24:54Z"],
      ]),
      ...walk({ userId: "fake2" }, [["/1", "2012-01-01T03:21:34Z"], ["/2", "2012-01-01T03:23:34Z"], ["/3", "2012-01-01T03:27:34Z"]]),
    ], "2023-05-23T11:00:00Z");
    expect(await w.paths({ dateFrom: "2012-01-01" })).toEqual([e("1_/1", "2_/2", 2), e("2_/2", "3_/3", 2)]);
  });

  test("test_start_dropping_orphaned_edges: after the edge limit, edges no kept path reaches are dropped", async () => {
    const batch = [];
    for (let i = 0; i < 5; i++) {
      batch.push(...walk({ userId: `person_${i}` }, [
        ["/1", "2021-05-01T00:01:00Z"], ["/2", "2021-05-01T00:02:00Z"], ["/3", "2021-05-01T00:03:00Z"], ["/4", "2021-05-01T00:04:00Z"],
        ["/5", "2021-05-01T00:05:00Z"], ["/about", "2021-05-01T00:06:00Z"], ["/after", "2021-05-01T00:07:00Z"],
      ]));
    }
    batch.push(...walk({ userId: "person_r_2" }, [["/2", "2021-05-01T00:01:00Z"], ["/a", "2021-05-01T00:01:30Z"], ["/x", "2021-05-01T00:02:00Z"], ["/about", "2021-05-01T00:03:00Z"]]));
    batch.push(...walk({ userId: "person_r_3" }, [["/2", "2021-05-01T00:01:00Z"], ["/b", "2021-05-01T00:01:30Z"], ["/x", "2021-05-01T00:02:00Z"], ["/about", "2021-05-01T00:03:00Z"]]));
    const w = await world(batch);
    // The top 6 edges include 3_/x → 4_/about (2 paths), but neither 2_/a → 3_/x nor 2_/b → 3_/x made the cut,
    // so nothing leads into 3_/x: PostHog drops that dangling edge and answers 5 edges.
    expect(await w.paths({ dateFrom: "2021-05-01T00:00:00Z", dateTo: "2021-05-07T00:00:00Z", startEvent: { event: "/2" }, edgeLimit: 6 })).toEqual([
      e("1_/2", "2_/3", 5), e("2_/3", "3_/4", 5), e("3_/4", "4_/5", 5), e("4_/5", "5_/about", 5), e("1_/2", "2_/a", 1),
    ]);
  });

  test("test_recording: a 30-minute gap starts a new session; the edge's actors list each person once", async () => {
    // PostHog's test asserts that the persons on 2_/2 are p1 and p2, and that p1's matching events there
    // are both /2 page views, the one at +1 min and the one at +32 min: so p1's /1 at +31 min (exactly 30
    // minutes after the /2 at +1) started a new path. PostHog splits where the gap is ≥ 30 min
    // (`arraySplit(x -> if(x.3 < 1800, 0, 1), …)` in paths_query_runner.py).
    const w = await world([
      ...walk({ userId: "p1" }, [["/1", "2012-01-01T03:21:34Z"], ["/2", "2012-01-01T03:22:34Z"], ["/1", "2012-01-01T03:52:34Z"], ["/2", "2012-01-01T03:53:34Z"]]),
      ...walk({ userId: "p2" }, [["/1", "2012-01-01T03:21:34Z"], ["/2", "2012-01-01T03:22:34Z"]]),
    ], "2012-01-01T03:21:34Z");
    const q = { dateFrom: "2012-01-01T00:00:00Z", dateTo: "2012-01-02T00:00:00Z" };
    expect(await w.actors(q, "1_/1", "2_/2")).toEqual(["p1", "p2"]);
    expect(await w.paths(q)).toEqual([e("1_/1", "2_/2", 3)]);
  });

  test("test_person_on_events_v2: two ids merged into one person, their same-instant duplicates one node", async () => {
    const w = await world([
      ...walk({ userId: "poev2_p1" }, [["/1", "2012-01-01T03:21:34Z"], ["/2", "2012-01-01T03:22:34Z"], ["/3", "2012-01-01T03:24:34Z"]]),
      ...walk({ anonymousId: "poev2_p2" }, [["/1", "2012-01-01T03:21:34Z"], ["/2", "2012-01-01T03:22:34Z"], ["/3", "2012-01-01T03:24:34Z"]]),
      identify("poev2_p1", "poev2_p2", "2012-01-01T03:24:34Z"),
    ], "2023-05-23T11:00:00Z");
    expect(await w.paths({ ...NO_IDENTIFY, dateFrom: "2012-01-01", dateTo: "2012-02-01", stepLimit: 4 })).toEqual([
      e("1_/1", "2_/2", 1), e("2_/2", "3_/3", 1),
    ]);
  });
});
