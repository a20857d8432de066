/**
 * Reference cases for the wire level of the PostHog capture API (SPEC §3), rebuilt from PostHog's own tests so the
 * bodies PostHog's SDKs send land as PostHog stores them:
 * - `posthog/api/test/test_capture.py` (the Django capture: encodings, invalid payloads, distinct ids, /engage)
 * - `rust/capture/tests/requests_dump.jsonl` (real posthog-js 1.78 / posthog-node 4 / batch-export requests with the
 *   events PostHog produced from them), `integration_*_endpoint.rs` + `common/integration_utils.rs` (every route ×
 *   every encoding), `integration_wire_body_limits.rs` (oversize bodies)
 * - `rust/common/types/src/timestamp.rs` tests (the clock-skew rules, ported there from the plugin server's
 *   `timestamps.test.ts`), PostHog's "Timestamps" docs page, and `nodejs/src/utils/event.ts` with its
 *   `normalizeEvent()` test (top-level `$set`/`$set_once`).
 * Each case posts to a fresh app whose source key is the PostHog token, with the clock pinned to PostHog's `now`,
 * and reads the result back through our APIs: `GET /api/persons?search=` (distinct ids, traits),
 * `GET /api/persons/:id/events` (stored times and properties) and trends `math: "total"` (counts).
 * Times are compared in milliseconds: PostHog keeps microseconds of its `now`, we keep the millisecond.
 * Where SPEC §3 answers differently the test asserts our answer and says why; where we differ from PostHog without
 * such a reason the test asserts PostHog's answer and names the difference.
 */
import { describe, expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { compressToBase64 } from "../../src/ingest/lz-string.fixtures.ts";
import { type Props, referenceApp, stored } from "./harness.ts";
import { byDistinctId, distinctIds, posthogWire } from "./posthog-wire.ts";

const TOKEN = "phc_reference_capture_posthog_01";

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
const gzip = (s: string) => new Uint8Array(gzipSync(Buffer.from(s, "utf8")));
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const iso = (ms: number) => new Date(ms).toISOString();

/** world is a fresh app whose source key is TOKEN, its clock at `now` (PostHog's capture time). */
async function world(now: string) {
  const h = await referenceApp(TOKEN);
  h.setNow(now);
  const find = byDistinctId(h);
  return { setNow: h.setNow, ...posthogWire(h), ...find, ...stored(h, find.must), distinctIds };
}

// requests_dump.jsonl, "nodejs, default params": posthog-node 4.0.0's /batch/ body (PostHog's now 14:40:56.918578).
const NODE_NOW = "2024-04-17T14:40:56.918Z";
const nodeBatch = (token = TOKEN) => ({
  api_key: token,
  batch: [
    {
      distinct_id: "id1", event: "this event",
      properties: { $lib: "posthog-node", $lib_version: "4.0.0", $geoip_disable: true },
      type: "capture", library: "posthog-node", library_version: "4.0.0",
      timestamp: "2024-04-17T14:40:56.900Z", uuid: "018eec80-f044-7c2d-b966-35efc8ed61d5",
    },
    {
      distinct_id: "distinct_id_of_the_user", event: "user signed up",
      properties: { login_type: "email", is_free_trial: true, $lib: "posthog-node", $lib_version: "4.0.0", $geoip_disable: true },
      type: "capture", library: "posthog-node", library_version: "4.0.0",
      timestamp: "2024-04-17T14:40:56.900Z", uuid: "018eec80-f044-7c2d-b966-35f05059f375",
    },
  ],
  sent_at: "2024-04-17T14:40:56.900Z",
});

/** expectNodeBatchStored checks what PostHog produced from nodeBatch: two events at `now` (sent_at = timestamp). */
async function expectNodeBatchStored(w: Awaited<ReturnType<typeof world>>) {
  expect(await w.times("id1")).toEqual([[NODE_NOW, "this event"]]);
  const [signup] = await w.events("distinct_id_of_the_user");
  expect([signup!.time, signup!.event]).toEqual([NODE_NOW, "user signed up"]);
  expect(signup!.properties).toMatchObject({ login_type: "email", is_free_trial: true, $lib: "posthog-node", $lib_version: "4.0.0" });
  // The key stays out of the stored event data.
  expect(JSON.stringify(signup!.properties)).not.toContain(TOKEN);
}

describe("bodies and encodings every PostHog SDK sends", () => {
  const json = JSON.stringify(nodeBatch());
  // integration_batch_endpoint.rs / integration_legacy_endpoints.rs cases and test_capture.py's test_batch_* cases:
  // one payload, every shape capture accepts; each must store the same two events.
  const cases: [string, string, string, string | Uint8Array, Record<string, string>][] = [
    ["test_batch: plain JSON", "POST", "/batch/", json, { "content-type": "application/json" }],
    ["test_batch_gzip_header (posthog-node's default)", "POST", "/batch/", gzip(json), { "content-type": "application/json", "content-encoding": "gzip" }],
    ["test_batch_gzip_param: ?compression=gzip", "POST", "/batch/?compression=gzip", gzip(json), { "content-type": "application/json" }],
    ["gzipped_no_hint_batch_events_payload: gzip found by its magic bytes", "POST", "/batch", gzip(json), { "content-type": "application/json" }],
    ["test_js_gzip: ?compression=gzip-js as text/plain on /track", "POST", "/track?compression=gzip-js", gzip(json), { "content-type": "text/plain" }],
    ["test_js_gzip_with_no_content_type (IE11)", "POST", "/track?compression=gzip-js", gzip(json), {}],
    ["posthog-js today: gzip-js to /i/v0/e/", "POST", "/i/v0/e/?compression=gzip-js&ver=1.200.0", gzip(json), { "content-type": "text/plain" }],
    ["test_batch_lzstring: Content-Encoding lz64", "POST", "/batch", compressToBase64(json), { "content-type": "application/json", "content-encoding": "lz64" }],
    ["post_form_urlencoded_batch_events_payload: data=<JSON>&ver=", "POST", "/batch/", form({ data: json, ver: "1.2.3" }), { "content-type": "application/x-www-form-urlencoded" }],
    ["legacy_post-form-data-base64: data=<base64>", "POST", "/e/", form({ data: b64(json), ver: "1.2.3" }), { "content-type": "application/x-www-form-urlencoded" }],
    ["legacy_post-form-lz64: data=<lz64>&compression=lz64", "POST", "/e/?compression=lz64", form({ data: compressToBase64(json), ver: "1.2.3" }), { "content-type": "application/x-www-form-urlencoded" }],
    ["legacy_post-base64: ?compression=base64", "POST", "/capture/?compression=base64", b64(json), { "content-type": "application/json" }],
    ["legacy_post-base64-no-hint: base64 as text/plain", "POST", "/capture/", b64(json), { "content-type": "text/plain" }],
    ["legacy_get-urlencoded: GET ?data=<JSON>", "GET", `/e/?data=${encodeURIComponent(json)}`, "", {}],
    ["legacy_get-base64: GET ?data=<base64>&compression=base64", "GET", `/e/?data=${encodeURIComponent(b64(json))}&compression=base64`, "", {}],
    ["legacy_get-lz64: GET ?data=<lz64>&compression=lz64", "GET", `/track/?data=${encodeURIComponent(compressToBase64(json))}&compression=lz64`, "", {}],
  ];
  test.each(cases)("%s", async (_title, method, path, body, headers) => {
    const w = await world(NODE_NOW);
    w.ok(await w.send(method, path, method === "GET" ? undefined : body, headers));
    await expectNodeBatchStored(w);
  });

  // requests_dump.jsonl, "posthog-js with compression query param mismatch, to confirm gzip autodetection": the path
  // says gzip-js but the body is posthog-js 1.78's base64 form. Then that session as PostHog recorded it: an
  // anonymous $opt_in and $pageview, the $identify, then a gzip-js batch whose events carry `offset` instead of a
  // timestamp. PostHog's event times: now + (timestamp − sent_at) with sent_at from `_` (ms), else now − offset.
  test("requests_dump posthog-js 1.78.5 session: form/base64 and gzip-js bodies, `_` sent_at, offsets, $identify merge", async () => {
    const anon = "018a981f-4b2d-78ae-947b-bedbaa02a0f4";
    const user = "pWAkITyQ3CN7332UqQxnH6p3FV8VJd7pY647EdNkxWc";
    const common = {
      $os: "Mac OS X", $os_version: "10.15.0", $browser: "Firefox", $device_type: "Desktop", $host: "localhost:8000",
      $browser_version: 117, $browser_language: "en-US", $lib: "web", $lib_version: "1.78.5", $device_id: anon,
      $referrer: "$direct", $referring_domain: "$direct", token: TOKEN,
      $session_id: "018a981f-4b2e-7bd3-bb30-6617bf488869", $window_id: "018a981f-4b2e-7bd3-bb30-661810fed65f",
    };
    const home = { $current_url: "http://localhost:8000/", $pathname: "/" };
    const formBody = (event: Props) => form({ data: b64(JSON.stringify(event)) });
    const formHeaders = { "content-type": "application/x-www-form-urlencoded" };

    const w = await world("2023-09-15T09:15:02.321Z");
    w.ok(await w.send("POST", "/e/?compression=gzip-js&ip=1&_=1694769302319&ver=1.78.5", formBody({
      uuid: "018a981f-4b2e-7bd3-bb30-6616657c38fa", event: "$opt_in",
      properties: { ...common, ...home, distinct_id: anon }, timestamp: "2023-09-15T09:15:02.318Z",
    }), formHeaders));
    w.setNow("2023-09-15T09:15:02.322Z");
    w.ok(await w.send("POST", "/e/?ip=1&_=1694769302319&ver=1.78.5", formBody({
      uuid: "018a981f-4b2f-791a-9eb1-67ae5b9ecf84", event: "$pageview",
      properties: { ...common, ...home, distinct_id: anon, title: "PostHog" }, timestamp: "2023-09-15T09:15:02.319Z",
    }), formHeaders));
    w.setNow("2023-09-15T09:15:02.328Z");
    w.ok(await w.send("POST", "/e/?ip=1&_=1694769302325&ver=1.78.5", formBody({
      uuid: "018a981f-4b35-7c66-825e-8b0eeae65714", event: "$identify",
      properties: { ...common, ...home, distinct_id: user, $user_id: user, $anon_distinct_id: anon },
      $set: {}, $set_once: {}, timestamp: "2023-09-15T09:15:02.325Z",
    }), formHeaders));
    w.setNow("2023-09-15T09:15:05.358Z");
    const later = { ...common, distinct_id: user, $user_id: user, $current_url: "http://localhost:8000/ingestion", $pathname: "/ingestion" };
    w.ok(await w.send("POST", "/e/?compression=gzip-js&ip=1&_=1694769305355&ver=1.78.5", gzip(JSON.stringify([
      { uuid: "018a981f-4b35-7c66-825e-8b0fb6d0406d", event: "$set", properties: { ...common, ...home, distinct_id: user, $set: { email: "xavier@posthog.com" }, $set_once: {} }, offset: 3026 },
      {
        uuid: "018a981f-4b36-7798-a4ce-f3cb0e052fd3", event: "$groupidentify",
        properties: {
          ...common, ...home, distinct_id: user, $group_type: "project", $group_key: "018a981e-f8b2-0000-d5ed-9380ee5aad4b",
          $group_set: { id: 1, uuid: "018a981e-f8b2-0000-d5ed-9380ee5aad4b", name: "Default Project", timezone: "UTC" },
        },
        offset: 3026,
      },
      { uuid: "018a981f-4b4f-7cfd-be2b-71853c3ea63e", event: "$pageview", properties: { ...later, title: "PostHog" }, offset: 3001 },
      { uuid: "018a981f-4b53-7336-acab-5dedd8d0bc31", event: "$feature_flag_called", properties: { ...later, $feature_flag: "posthog-3000", $feature_flag_response: false }, offset: 2996 },
    ])), { "content-type": "text/plain" }));

    const p = await w.must(user);
    expect(w.distinctIds(p)).toEqual([anon, user].sort());
    expect(p.traits).toMatchObject({ email: "xavier@posthog.com" });
    // PostHog never lets a $groupidentify's $group_set touch the person.
    expect(p.traits.name).toBeUndefined();
    expect(await w.times(anon)).toEqual([
      ["2023-09-15T09:15:02.320Z", "$opt_in"],
      ["2023-09-15T09:15:02.322Z", "$pageview"],
      ["2023-09-15T09:15:02.328Z", "$identify"],
      ["2023-09-15T09:15:02.332Z", "$groupidentify"],
      ["2023-09-15T09:15:02.332Z", "$set"],
      ["2023-09-15T09:15:02.357Z", "$pageview"],
      ["2023-09-15T09:15:02.362Z", "$feature_flag_called"],
    ]);
    expect(await w.total("$pageview", "2023-09-01", "2023-09-30")).toBe(2);
  });

  // test_capture_event: a legacy GET with the JSON (not base64) in ?data=, distinct_id a number inside properties,
  // the token inside properties, an emoji in $elements; answered with CORS for the page's origin.
  test("test_capture_event: GET /e/?data=<JSON>, numeric distinct_id in properties, emoji kept, CORS echoed", async () => {
    const w = await world("2026-01-01T00:00:00Z");
    const elements = [
      { tag_name: "a", nth_child: 1, nth_of_type: 2, attr__class: "btn btn-sm" },
      { tag_name: "div", nth_child: 1, nth_of_type: 2, $el_text: "💻" },
    ];
    const data = { event: "$autocapture", properties: { distinct_id: 2, token: TOKEN, $elements: elements } };
    const a = await w.send("GET", `/e/?data=${encodeURIComponent(JSON.stringify(data))}`, undefined, { origin: "https://localhost" });
    w.ok(a);
    expect(a.headers.get("access-control-allow-origin")).toBe("https://localhost");
    const [e] = await w.events("2");
    expect(e!.event).toBe("$autocapture");
    expect(e!.properties.$elements).toEqual(elements);
  });

  // test_incorrect_padding: base64 without its "=" padding; test_base64_decode_variations: a "+" in the base64 of a
  // form field, sent escaped and sent raw (a form decoder turns a raw "+" into a space, which must still decode).
  test("test_incorrect_padding and test_base64_decode_variations: unpadded base64, '+' escaped or read as a space", async () => {
    const w = await world("2026-01-01T00:00:00Z");
    const padded = b64(JSON.stringify({ event: "whatevefr", properties: { token: TOKEN, distinct_id: "asdf" } }));
    expect(padded.endsWith("=")).toBe(true);
    w.ok(await w.send("GET", `/e/?data=${padded.replace(/=+$/, "")}`));
    expect((await w.times("asdf")).map(([, e]) => e)).toEqual(["whatevefr"]);

    // The distinct id is PostHog's ("eeeeeeegϥeeeee"); spaces in the JSON move the base64 until it holds a "+".
    let data = "";
    for (let pad = 0; !data.includes("+"); pad++) {
      data = b64(`{"event":"$pageview",${" ".repeat(pad)}"properties":{"distinct_id":"eeeeeeegϥeeeee","token":"${TOKEN}"}}`);
    }
    w.ok(await w.send("POST", "/track/", form({ data }), { "content-type": "application/x-www-form-urlencoded" }));
    w.ok(await w.send("POST", "/track/", `data=${data}`, { "content-type": "application/x-www-form-urlencoded" }));
    expect((await w.times("eeeeeeegϥeeeee")).map(([, e]) => e)).toEqual(["$pageview", "$pageview"]);
  });

  // requests_dump.jsonl, "batch from temporal batch export": `historical_migration: true`, no sent_at, year-old
  // timestamps with "+00:00". PostHog only routes such a batch to another topic; the timestamps are kept as sent.
  test("requests_dump batch export: historical_migration batch without sent_at keeps its timestamps", async () => {
    const w = await world("2024-04-29T14:49:29.553Z");
    const ev = (uuid: string, distinctId: string, timestamp: string, event: string, props: Props = {}) =>
      ({ uuid, distinct_id: distinctId, timestamp, event, properties: { ...props, $geoip_disable: true } });
    const chrome = { $browser: "Chrome", $os: "Mac OS X" };
    w.ok(await w.json({
      api_key: TOKEN, historical_migration: true,
      batch: [
        ev("f4b76ba7-e0ff-4da7-90d5-6e90f68edc2e", "baa928cb-58b5-4f4f-8ed4-bdc33348bdcc", "2023-04-24T06:34:00+00:00", "test-no-prop-0"),
        ev("aa46e83f-bf77-42c7-88a1-730a92ae26a7", "38e1c710-a034-4203-8675-e5d481cac923", "2023-04-21T23:53:00+00:00", "test-1", chrome),
        ev("b5f5daa9-4bde-46d0-b96a-d3edfb87eb81", "fa1b561a-014c-4335-a3ef-98c06e4fd7e8", "2023-04-22T15:06:00+00:00", "test-0", chrome),
        ev("b42935e5-d206-484b-9591-871f262f30dd", "10998bfe-73f8-4709-a0d6-202719520606", "2023-04-24T13:46:00+00:00", "test-2", chrome),
      ],
    }, "/batch"));
    expect(await w.times("baa928cb-58b5-4f4f-8ed4-bdc33348bdcc")).toEqual([["2023-04-24T06:34:00.000Z", "test-no-prop-0"]]);
    expect(await w.times("38e1c710-a034-4203-8675-e5d481cac923")).toEqual([["2023-04-21T23:53:00.000Z", "test-1"]]);
    expect(await w.times("fa1b561a-014c-4335-a3ef-98c06e4fd7e8")).toEqual([["2023-04-22T15:06:00.000Z", "test-0"]]);
    expect(await w.times("10998bfe-73f8-4709-a0d6-202719520606")).toEqual([["2023-04-24T13:46:00.000Z", "test-2"]]);
  });
});

describe("event time: PostHog's clock-skew rules", () => {
  // common/types timestamp.rs tests ("Node.js parity", each naming the plugin server test it matches) and the
  // Timestamps docs page: with sent_at, now + (timestamp − sent_at); without, the timestamp; with only an offset,
  // now − offset; with neither, now; a result more than 23 h ahead of now is now.
  type Row = [title: string, now: string, event: Props, sentAt: string | null, expected: string];
  const rows: Row[] = [
    ["captures sent_at to adjusts timestamp", "2021-10-29T01:44:00.000Z", { timestamp: "2021-10-30T03:02:00.000Z" }, "2021-10-30T03:12:00.000Z", "2021-10-29T01:34:00.000Z"],
    ["captures sent_at with timezone info", "2021-10-29T01:44:00.000Z", { timestamp: "2021-10-30T03:02:00.000+04:00" }, "2021-10-30T03:12:00.000+04:00", "2021-10-29T01:34:00.000Z"],
    ["captures timestamp with no sent_at", "2021-10-30T01:44:00.000Z", { timestamp: "2021-10-30T03:02:00.000Z" }, null, "2021-10-30T03:02:00.000Z"],
    ["captures with time offset and ignores sent_at", "2021-10-29T01:44:00.000Z", { offset: 6000 }, "2021-10-30T03:12:00.000+04:00", "2021-10-29T01:43:54.000Z"],
    ["captures with time offset", "2021-10-29T01:44:00.000Z", { offset: 6000 }, null, "2021-10-29T01:43:54.000Z"],
    ["no timestamp, no offset: now", "2023-01-01T12:00:00.000Z", {}, null, "2023-01-01T12:00:00.000Z"],
    ["millisecond precision of the skew", "2023-01-01T12:00:00.100Z", { timestamp: "2023-01-01T12:00:00.750Z" }, "2023-01-01T12:00:00.200Z", "2023-01-01T12:00:00.650Z"],
    ["future event (24 h ahead, no sent_at) clamped to now", "2023-01-01T12:00:00.000Z", { timestamp: "2023-01-02T12:00:00Z" }, null, "2023-01-01T12:00:00.000Z"],
    ["reports event_timestamp_in_future with sent_at: clamped to now", "2021-10-29T01:00:00.000Z", { timestamp: "2021-10-29T02:30:00.000Z" }, "2021-10-28T01:00:00.000Z", "2021-10-29T01:00:00.000Z"],
    ["reports event_timestamp_in_future with negative offset: clamped to now", "2021-10-29T01:00:00.000Z", { offset: -82860000 }, null, "2021-10-29T01:00:00.000Z"],
    // The docs: "offset is ignored if timestamp is present". (capture-rs's handle_timestamp lets offset win instead;
    // SPEC §3's rule, "timestamp = receivedAt − (sentAt − originalTimestamp) when sentAt is present", agrees with the docs.)
    ["timestamp, sent_at and offset: the offset is ignored", "2023-01-01T12:00:00.000Z", { timestamp: "2023-01-01T11:59:55Z", offset: 60000 }, "2023-01-01T12:00:05Z", "2023-01-01T11:59:50.000Z"],
  ];
  test.each(rows)("%s", async (_title, now, event, sentAt, expected) => {
    const w = await world(now);
    w.ok(await w.json({ api_key: TOKEN, batch: [{ event: "skew", distinct_id: "d1", ...event }], ...(sentAt ? { sent_at: sentAt } : {}) }));
    expect(await w.times("d1")).toEqual([[expected, "skew"]]);
  });

  // The batch-level sent_at applies to every item (SPEC §3; posthog-node sends one sent_at per batch).
  test("one batch sent_at corrects every item of the batch", async () => {
    const w = await world("2021-10-29T01:44:00.000Z");
    w.ok(await w.json({
      api_key: TOKEN, sent_at: "2021-10-30T03:12:00.000Z",
      batch: [
        { event: "a", distinct_id: "d1", timestamp: "2021-10-30T03:02:00.000Z" },
        { event: "b", distinct_id: "d1", timestamp: "2021-10-30T03:11:00.000Z" },
      ],
    }));
    expect(await w.times("d1")).toEqual([["2021-10-29T01:34:00.000Z", "a"], ["2021-10-29T01:43:00.000Z", "b"]]);
  });

  // test_js_library_underscore_sent_at and capture-rs's EventQuery::sent_at: posthog-js puts sent_at in `?_=` as
  // milliseconds. A seconds value (older SDKs) is ignored by capture-rs ("could be lower if the input is in
  // seconds"), so a timestamp 26 h ahead is then clamped to now; the Django capture took seconds too (its test
  // expected now − 10 min) — capture-rs's rule is today's PostHog.
  test("test_js_library_underscore_sent_at: `_` in ms corrects the skew, `_` in seconds is ignored", async () => {
    const w = await world("2026-01-01T00:00:00.000Z");
    const now = Date.parse("2026-01-01T00:00:00.000Z");
    const tomorrow = iso(now + 26 * 3600_000);
    const sentAt = now + 26 * 3600_000 + 10 * 60_000;
    const get = (distinctId: string, underscore: number) =>
      w.send("GET", `/e/?_=${underscore}&data=${encodeURIComponent(JSON.stringify({ event: "movie played", timestamp: tomorrow, properties: { distinct_id: distinctId, token: TOKEN } }))}`);
    w.ok(await get("ms", sentAt));
    w.ok(await get("seconds", Math.floor(sentAt / 1000)));
    expect(await w.times("ms")).toEqual([[iso(now - 10 * 60_000), "movie played"]]);
    expect(await w.times("seconds")).toEqual([[iso(now), "movie played"]]);
  });

  // Timestamps docs: "If the payload contains timestamp, sent_at, and $ignore_sent_at fields, then timestamp is used
  // directly ... useful during historical data imports"; timestamp.rs "Ignores sent_at if $ignore_sent_at set".
  // SPEC §3: "explicit historical timestamps are kept (imports, backfills)". We apply the skew formula anyway.
  test("Ignores sent_at if $ignore_sent_at set (timestamp.rs test_ignore_sent_at_property)", async () => {
    const w = await world("2021-11-29T01:44:00.000Z");
    w.ok(await w.json({
      api_key: TOKEN, sent_at: "2021-10-30T03:12:00.000Z",
      batch: [{ event: "imported", distinct_id: "d1", timestamp: "2021-10-30T03:02:00.000Z", properties: { $ignore_sent_at: true } }],
    }));
    expect(await w.times("d1")).toEqual([["2021-10-30T03:02:00.000Z", "imported"]]);
  });
});

describe("timestamp formats PostHog recognises", () => {
  // timestamp.rs test_dateparser_timezone_conversion, test_iso8601_format_variants, test_parse_date_various_formats
  // and the docs' "Recognized formats". No sent_at, so each timestamp is stored as it reads.
  const rows: [input: string, expected: string][] = [
    ["2023-01-01T12:00:00Z", "2023-01-01T12:00:00.000Z"],
    ["2023-01-01T12:00:00+03:00", "2023-01-01T09:00:00.000Z"],
    ["2023-01-01T12:00:00-05:00", "2023-01-01T17:00:00.000Z"],
    ["2021-10-29T00:00:00.000-00:00", "2021-10-29T00:00:00.000Z"],
    ["2021-10-29 00:00:00+00:00", "2021-10-29T00:00:00.000Z"],
    ["2021-10-29", "2021-10-29T00:00:00.000Z"],
    ["2021-10-29 00:00:00", "2021-10-29T00:00:00.000Z"],
    ["2021-10-29T00:00:00.000", "2021-10-29T00:00:00.000Z"],
    ["Tue, 1 Jul 2003 10:52:37 +0200", "2003-07-01T08:52:37.000Z"],
    ["1672574400000", "2023-01-01T12:00:00.000Z"],
    // "the problematic format from your example" in timestamp.rs: an hours-only offset, normalised to +03:00.
    // (Today Date.parse gives NaN for it and parseTime rejects the item.)
    ["2025-09-17T14:05:04.805+03", "2025-09-17T11:05:04.805Z"],
    // "Ten and thirteen digit numbers are detected as timestamps": ten digits are seconds. (Today parseTime reads
    // every 10–16 digit string as milliseconds, lands in 1970 and rejects the item as "before 2000-01-01".)
    ["1672574400", "2023-01-01T12:00:00.000Z"],
  ];
  test.each(rows)("%s", async (input, expected) => {
    const w = await world("2026-01-01T00:00:00.000Z");
    const a = await w.json({ api_key: TOKEN, batch: [{ event: "fmt", distinct_id: "d1", timestamp: input }] });
    expect([a.status, a.body]).toEqual([200, { status: 1 }]);
    expect(await w.times("d1")).toEqual([[expected, "fmt"]]);
  });

  // PostHog reads a timestamp without a zone as UTC (jiff's to_zoned(UTC); dateparser on servers that run in UTC).
  // An operator who starts the container with TZ=Asia/Shanghai must not move every such event by 8 hours.
  // (Today parseTime falls back to Date.parse, which reads a zone-less date-time in the process's local time.)
  test("a timestamp without a zone is UTC whatever the server process's TZ", async () => {
    const w = await world("2026-01-01T00:00:00.000Z");
    const before = process.env.TZ;
    process.env.TZ = "Asia/Shanghai";
    try {
      w.ok(await w.json({
        api_key: TOKEN,
        batch: [
          { event: "naive-t", distinct_id: "d1", timestamp: "2021-10-29T12:00:00" },
          { event: "naive-space", distinct_id: "d1", timestamp: "2021-10-29 13:00:00" },
        ],
      }));
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
    expect(await w.times("d1")).toEqual([["2021-10-29T12:00:00.000Z", "naive-t"], ["2021-10-29T13:00:00.000Z", "naive-space"]]);
  });

  // timestamp.rs "reports timestamp parsing error and fallbacks to DateTime.utc": PostHog stores an unreadable
  // timestamp at now (with an ingestion warning). We refuse the item and say which field (SPEC §3: "A batch with
  // some invalid items stores the valid ones and answers 200 with {"success":true,"rejected":[…]}"; every item
  // invalid → 400), so the refusal is visible to the sender; the valid item of the batch is stored.
  test("an unreadable timestamp: PostHog stores it at now, we reject that item by name and keep the rest", async () => {
    const w = await world("2020-08-12T01:02:00.000Z");
    const a = await w.json({ api_key: TOKEN, batch: [{ event: "bad", distinct_id: "d1", timestamp: "notISO" }, { event: "good", distinct_id: "d1" }] });
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ status: 1, rejected: [{ index: 0, error: expect.stringContaining("timestamp") }] });
    expect(await w.times("d1")).toEqual([["2020-08-12T01:02:00.000Z", "good"]]);
  });
});

describe("distinct ids, person operations, /engage", () => {
  // test_long_distinct_id (250 chars → 200), test_capture_event (a number → "2"), RawEvent::extract_distinct_id
  // (the top-level distinct_id wins over properties.distinct_id).
  test("test_long_distinct_id and extract_distinct_id: truncated to 200, numbers stringified, top level first", async () => {
    const w = await world("2026-01-01T00:00:00Z");
    w.ok(await w.json({
      api_key: TOKEN,
      batch: [
        { event: "long", properties: { distinct_id: "a".repeat(250) } },
        { event: "number", distinct_id: 42 },
        { event: "both", distinct_id: "top", properties: { distinct_id: "inner" } },
      ],
    }));
    expect((await w.times("a".repeat(200))).map(([, e]) => e)).toEqual(["long"]);
    expect((await w.times("42")).map(([, e]) => e)).toEqual(["number"]);
    expect((await w.times("top")).map(([, e]) => e)).toEqual(["both"]);
    expect(await w.person("inner")).toBeNull();
  });

  // nodejs/src/utils/event.ts sanitizeEvent and its normalizeEvent() test "combines .properties $set and $set_once
  // with top-level $set and $set_once": both are merged, and on a clash the top-level value wins, for $set and for
  // $set_once alike (`{ ...properties.$set, ...event.$set }`). (Today posthog.wire.ts personOps lets properties win.)
  test("normalizeEvent(): top-level $set/$set_once merge with properties' ones, the top level winning a clash", async () => {
    const w = await world("2026-01-01T00:00:00Z");
    w.ok(await w.json({
      api_key: TOKEN,
      batch: [{
        event: "some_event", distinct_id: "distinct_id1",
        $set: { key1: "value1", key2: "value2" },
        $set_once: { key1_once: "value1", key2_once: "value2" },
        properties: { $set: { key2: "value3", key3: "value4" }, $set_once: { key2_once: "value3", key3_once: "value4" } },
      }],
    }));
    expect((await w.must("distinct_id1")).traits).toMatchObject({
      key1: "value1", key2: "value2", key3: "value4", key1_once: "value1", key2_once: "value2", key3_once: "value4",
    });
  });

  // test_engage: Mixpanel's people call on GET /engage/?data=, $token and $distinct_id (a number), $set at the top
  // level. PostHog stores it as an $identify event of distinct id "3" and sets the person property.
  test("test_engage: GET /engage/?data= person update, stored as $identify of distinct id \"3\"", async () => {
    const w = await world("2026-01-01T00:00:00Z");
    const body = { $set: { $os: "Mac OS X" }, $token: TOKEN, $distinct_id: 3, $device_id: "16fd4afae9b2d8-0fce8fe900d42b-39637c0e-7e9000-16fd4afae9c395", $user_id: 3 };
    w.ok(await w.send("GET", `/engage/?data=${encodeURIComponent(JSON.stringify(body))}`, undefined, { origin: "https://localhost" }));
    expect((await w.times("3")).map(([, e]) => e)).toEqual(["$identify"]);
    expect((await w.must("3")).traits).toMatchObject({ $os: "Mac OS X" });
  });

  // integration_engage_endpoint.rs with fixtures/single_engage_event_payload.json: a nameless /engage body for
  // known_user@example.com carrying properties.$anon_distinct_id and $set. capture-rs turns it into an $identify
  // event with those properties (validate_single_engage_event_payload), and PostHog's person processing merges
  // the $anon_distinct_id of any $identify into the identified person: the anonymous history joins. (Today the
  // nameless /engage body is a person update that declares only its own distinct id: nothing links.)
  test("engage fixture: an /engage $identify with $anon_distinct_id merges the anonymous person, like any $identify", async () => {
    const anon = "01983d85-e613-7067-a70e-21bb63f8b8ee";
    const w = await world("2025-07-01T11:00:00Z");
    w.ok(await w.json({ api_key: TOKEN, batch: [{ event: "$pageview", distinct_id: anon, timestamp: "2025-07-01T10:59:00Z" }] }));
    w.ok(await w.json({
      timestamp: "2025-07-01T11:00:00Z", api_key: TOKEN, distinct_id: "known_user@example.com",
      properties: { $anon_distinct_id: anon, $set: { foo: "bar", baz: 42 } },
    }, "/engage"));
    const p = await w.must("known_user@example.com");
    expect(p.traits).toMatchObject({ foo: "bar", baz: 42 });
    expect(w.distinctIds(p)).toEqual([anon, "known_user@example.com"].sort());
    expect(await w.times(anon)).toEqual([["2025-07-01T10:59:00.000Z", "$pageview"], ["2025-07-01T11:00:00.000Z", "$identify"]]);
  });
});

describe("uuid dedup", () => {
  // PostHog dedups events by uuid (ClickHouse keeps one row per uuid); SPEC §3 "Exactly-once storage by messageId
  // per source: a re-sent message is acknowledged and not stored twice". posthog-node retries the same body.
  test("a re-sent posthog-node batch is acknowledged and counted once; events without uuid are new each time", async () => {
    const w = await world(NODE_NOW);
    w.ok(await w.json(nodeBatch()));
    // The retry may come gzipped (posthog-node's default) or to another route: the uuid still names the event.
    w.ok(await w.send("POST", "/batch/", gzip(JSON.stringify(nodeBatch())), { "content-type": "application/json", "content-encoding": "gzip" }));
    w.ok(await w.json(nodeBatch(), "/i/v0/e/"));
    expect(await w.total("user signed up", "2024-04-01", "2024-04-30")).toBe(1);
    expect(await w.total("this event", "2024-04-01", "2024-04-30")).toBe(1);
    // Without a uuid PostHog makes a new one per request (uuid_v7), so a re-send is a second event.
    const noUuid = { api_key: TOKEN, batch: [{ event: "no uuid", distinct_id: "id1", timestamp: "2024-04-17T14:40:00Z" }] };
    w.ok(await w.json(noUuid));
    w.ok(await w.json(noUuid));
    expect(await w.total("no uuid", "2024-04-01", "2024-04-30")).toBe(2);
  });
});

describe("invalid payloads and the answers SDKs read", () => {
  // test_capture.py: test_invalid_gzip, test_invalid_lz64, test_incorrect_json, test_empty_request_returns_an_error,
  // test_handle_lacking_event_name_field, test_event_name_missing, test_distinct_id_set_but_null,
  // test_batch_incorrect_token, test_batch_token_not_set; capture-rs CaptureError::MultipleTokensError (401).
  // capture-rs answers these with 400/401 for the whole request (Django answered 200 and dropped some of them).
  const cases: [title: string, status: number, method: string, path: string, body: string | Uint8Array | undefined, headers: Record<string, string>][] = [
    ["test_invalid_gzip: a truncated gzip stream", 400, "POST", "/track?compression=gzip", Uint8Array.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0x03]), { "content-type": "text/plain" }],
    ["test_invalid_lz64: not lz-string", 400, "POST", "/track?compression=lz64", "foo", { "content-type": "text/plain" }],
    ["test_incorrect_json: a trailing comma", 400, "POST", "/capture/", '{"event": "incorrect json with trailing comma",}', { "content-type": "application/json" }],
    ["test_empty_request_returns_an_error: GET /e/?data=", 400, "GET", "/e/?data=", undefined, { origin: "https://localhost" }],
    ["test_empty_request_returns_an_error: POST /e/ {} (with a key)", 400, "POST", "/e/", JSON.stringify({ api_key: TOKEN }), { "content-type": "application/json" }],
    ["test_handle_lacking_event_name_field", 400, "POST", "/e/", JSON.stringify({ distinct_id: "abc", properties: { cost: 2 }, api_key: TOKEN }), { "content-type": "application/json" }],
    ["test_event_name_missing: event \"\"", 400, "POST", "/e/", JSON.stringify({ api_key: TOKEN, type: "capture", event: "", distinct_id: "a valid id" }), { "content-type": "application/json" }],
    ["test_distinct_id_set_but_null", 400, "POST", "/e/", JSON.stringify({ api_key: TOKEN, type: "capture", event: "user signed up", distinct_id: null }), { "content-type": "application/json" }],
    ["test_batch_incorrect_token", 401, "POST", "/batch/", JSON.stringify({ api_key: "this-token-doesnt-exist", batch: [{ type: "capture", event: "user signed up", distinct_id: "whatever" }] }), { "content-type": "application/json" }],
    ["test_batch_token_not_set", 401, "POST", "/batch/", JSON.stringify({ batch: [{ type: "capture", event: "user signed up", distinct_id: "whatever" }] }), { "content-type": "application/json" }],
    ["MultipleTokensError: two tokens in one posthog-js array", 401, "POST", "/e/", JSON.stringify([
      { event: "a", distinct_id: "whatever", properties: { token: TOKEN } },
      { event: "b", distinct_id: "whatever", properties: { token: "phc_someone_else" } },
    ]), { "content-type": "application/json" }],
  ];
  test.each(cases)("%s → %d", async (_title, status, method, path, body, headers) => {
    const w = await world("2026-01-01T00:00:00Z");
    const a = await w.send(method, path, body, headers);
    expect(a.status).toBe(status);
    expect(typeof a.body.error).toBe("string");
    expect(await w.person("whatever")).toBeNull();
    expect(await w.person("abc")).toBeNull();
  });

  // test_batch_with_invalid_event: event2 has no distinct_id. Django answered 200 and processed the other four;
  // capture-rs fails the whole batch with 400. SPEC §3 takes Django's side: "A batch with some invalid items stores
  // the valid ones and answers 200".
  test("test_batch_with_invalid_event: the valid four are stored, 200, the bad one named", async () => {
    const w = await world("2026-01-01T00:00:00Z");
    const a = await w.json({
      api_key: TOKEN,
      batch: [
        { type: "capture", event: "event1", distinct_id: "2" },
        { type: "capture", event: "event2" },
        { type: "capture", event: "event3", distinct_id: "2" },
        { type: "capture", event: "event4", distinct_id: "2" },
        { type: "capture", event: "event5", distinct_id: "2" },
      ],
    });
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ status: 1, rejected: [{ index: 1, error: expect.stringContaining("distinct_id") }] });
    expect(((await w.times("2")).map(([, e]) => e)).sort()).toEqual(["event1", "event3", "event4", "event5"]);
  });

  // integration_legacy_endpoints.rs and validate_response_success: every capture route answers {"status": 1};
  // posthog-js's sendBeacon path asks with ?beacon=1 and gets 204 (capture-rs).
  test("every capture route answers 200 {\"status\":1}; ?beacon=1 answers 204 with no body", async () => {
    const w = await world("2026-01-01T00:00:00Z");
    let n = 0;
    for (const path of ["/e", "/e/", "/i/v0/e", "/i/v0/e/", "/capture", "/capture/", "/track", "/track/", "/batch", "/batch/"]) {
      w.ok(await w.json({ api_key: TOKEN, event: `route ${++n}`, distinct_id: "routes" }, path));
    }
    const beacon = await w.send("POST", "/e/?beacon=1", JSON.stringify([{ event: "beacon", distinct_id: "routes", properties: { token: TOKEN } }]), { "content-type": "text/plain" });
    expect(beacon.status).toBe(204);
    expect(beacon.body).toBeNull();
    expect((await w.times("routes")).length).toBe(n + 1);
  });

  // integration_wire_body_limits.rs: a body over the route's cap is a 413 (posthog-node halves its batch on 413),
  // and the next request on the app still works. PostHog's cap is 20 MB; SPEC §3 says "4 MB on PostHog routes"
  // (also after decompression, so a gzip bomb is a 413 too).
  test("integration_wire_body_limits: over 4 MB → 413 naming the limit, also after gzip; the next request works", async () => {
    const w = await world("2026-01-01T00:00:00Z");
    const big = JSON.stringify({ api_key: TOKEN, event: "e", distinct_id: "d", properties: { big: "a".repeat(4 * 1024 * 1024 + 1024) } });
    for (const path of ["/e", "/i/v0/e", "/batch", "/capture", "/track", "/engage"]) {
      const a = await w.send("POST", path, big, { "content-type": "application/json" });
      expect([path, a.status, a.body.limit]).toEqual([path, 413, "4 MB per request"]);
    }
    const bomb = await w.send("POST", "/batch", gzip(big), { "content-type": "application/json", "content-encoding": "gzip" });
    expect([bomb.status, bomb.body.limit]).toEqual([413, "4 MB per request"]);
    w.ok(await w.json({ api_key: TOKEN, event: "after", distinct_id: "d" }, "/batch"));
    expect((await w.times("d")).map(([, e]) => e)).toEqual(["after"]);
  });

  // PostHog takes one event up to its ~1 MB Kafka message limit (CaptureError::EventTooBig above that), so posthog-js
  // $exception or posthog-node $ai_generation events of tens of KB are accepted. SPEC §3 caps messages: "Limits:
  // 32 KB per message ... (`413`/`400` with a JSON error that names the limit)". Alone, a 40 KB event is refused
  // (400, naming the limit); in a batch the rest is stored and the answer is 200 with the item in `rejected`.
  test("one 40 KB event: PostHog accepts it, SPEC §3's 32 KB per message refuses it by name", async () => {
    const w = await world("2026-01-01T00:00:00Z");
    const big = { event: "$ai_generation", distinct_id: "d", properties: { $ai_input: "x".repeat(40 * 1024) } };
    const alone = await w.json({ api_key: TOKEN, ...big }, "/i/v0/e/");
    expect([400, 413]).toContain(alone.status);
    expect(alone.body.error).toContain("32 KB");
    const batch = await w.json({ api_key: TOKEN, batch: [big, { event: "small", distinct_id: "d" }] });
    expect(batch.status).toBe(200);
    expect(batch.body).toMatchObject({ status: 1, rejected: [{ index: 0, error: expect.stringContaining("32 KB") }] });
    expect((await w.times("d")).map(([, e]) => e)).toEqual(["small"]);
  });
});
