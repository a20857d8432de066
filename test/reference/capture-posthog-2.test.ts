/**
 * Reference cases for the PostHog capture API (SPEC §3), second pass. capture-posthog.test.ts covers the encodings
 * every SDK sends, the clock-skew rules, timestamp formats, /engage, uuid dedup, invalid payloads and body limits;
 * this file takes other cases from the same anchor sources:
 * - `posthog/api/test/test_capture.py` (the Django capture, last Kafka-era version): payload shapes, token shapes,
 *   `$performance_event`, null items, historical_migration, replicator exports, CORS preflights, custom uuids;
 * - the Rust capture service (today's PostHog capture): `src/v0_request.rs` tests (`extract_distinct_id`,
 *   `extract_and_verify_token`, `decode_compression_param`, the `$performance_event` filter), `common/types`
 *   `RawEvent::extract_distinct_id` (200-character cut, NUL replacement, stringified containers), `src/token.rs`
 *   tests (`validate_token`), `src/utils.rs` (`extract_compression` from the Content-Encoding header),
 *   `src/timestamp.rs` / `src/v0_endpoint.rs` tests (sent_at handling, historical_migration).
 * Each case posts to a fresh app whose source key is the PostHog token, with the clock pinned, and reads the result
 * back through our APIs: `GET /api/persons` (distinct ids, traits), `GET /api/persons/:id/events` (stored times and
 * properties) and trends `math: "total"` (counts). Where Django and capture-rs disagree, today's capture-rs is the
 * anchor. Where SPEC §3 answers differently the test asserts our answer and quotes the SPEC; where we differ from
 * PostHog without such a reason the test asserts PostHog's answer and names the difference.
 */
import { describe, expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { compressToBase64 } from "../../src/ingest/lz-string.fixtures.ts";
import { referenceApp, stored, type PersonSummary } from "./harness.ts";
import { distinctIds, posthogWire } from "./posthog-wire.ts";

const TOKEN = "phc_reference_capture_posthog_02";

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
const gzip = (s: string) => new Uint8Array(gzipSync(Buffer.from(s, "utf8")));
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const FORM = { "content-type": "application/x-www-form-urlencoded" };
const JSON_CT = { "content-type": "application/json" };

/** world is a fresh app whose source key is `token`, its clock at `now`. */
async function world(now: string, token = TOKEN) {
  const h = await referenceApp(token);
  h.setNow(now);
  const w = {
    ...posthogWire(h),
    /** persons lists every person (the worlds here hold a handful). */
    async persons(): Promise<PersonSummary[]> {
      return (await h.get<{ persons: PersonSummary[] }>("/api/persons?limit=200")).persons;
    },
    /** allDistinctIds lists the distinct ids of every person, sorted. */
    async allDistinctIds(): Promise<string[]> {
      return (await w.persons()).flatMap((p) => w.distinctIds(p)).sort();
    },
    /** person is the one person holding `distinctId` as a distinct_id, or null. */
    async person(distinctId: string): Promise<PersonSummary | null> {
      const found = (await w.persons()).filter((p) => p.identifiers.some((i) => i.type === "distinct_id" && i.value === distinctId));
      expect(found.length).toBeLessThanOrEqual(1);
      return found[0] ?? null;
    },
    async must(distinctId: string): Promise<PersonSummary> {
      const p = await w.person(distinctId);
      expect(p, `a person holding distinct_id ${JSON.stringify(distinctId)}; persons hold ${JSON.stringify(await w.allDistinctIds())}`).not.toBeNull();
      return p!;
    },
    // Timelines find their person through `must` above, which takes ids the person search cannot.
    ...stored(h, (distinctId: string): Promise<PersonSummary> => w.must(distinctId)),
    /** names lists the event names of a person's timeline, oldest first. */
    async names(distinctId: string): Promise<string[]> {
      return (await w.events(distinctId)).map((e) => e.event);
    },
    distinctIds,
  };
  return w;
}

const NOW = "2026-01-01T00:00:00.000Z";

describe("distinct id forms (RawEvent::extract_distinct_id)", () => {
  // v0_request.rs extract_distinct_id: `$distinct_id` is an alias of `distinct_id`; numbers and containers are
  // stringified; a null top-level id falls back to properties.distinct_id. posthog-js accepts any value as an id, so
  // booleans arrive too (serde_json writes `true`). PostHog does not trim ids: spaces are part of the id.
  test("extract_distinct_id: $distinct_id, 23.4, true, [\"a\",\"b\"], null → properties, spaces kept", async () => {
    const w = await world(NOW);
    w.ok(await w.json({
      api_key: TOKEN,
      batch: [
        { event: "alias", $distinct_id: "23" },
        { event: "float", distinct_id: 23.4 },
        { event: "boolean", distinct_id: true },
        { event: "array", distinct_id: ["a", "b"] },
        { event: "null falls back", distinct_id: null, properties: { distinct_id: "from-properties" } },
        { event: "padded", distinct_id: " padded id " },
      ],
    }));
    expect(await w.names("23")).toEqual(["alias"]);
    expect(await w.names("23.4")).toEqual(["float"]);
    expect(await w.names("true")).toEqual(["boolean"]);
    expect(await w.names('["a","b"]')).toEqual(["array"]);
    expect(await w.names("from-properties")).toEqual(["null falls back"]);
    expect(await w.names(" padded id ")).toEqual(["padded"]);
    expect(await w.person("padded id")).toBeNull();
  });

  // v0_request.rs extract_distinct_id: `{"string": "a", "number": 3}` becomes `{"number":3,"string":"a"}` —
  // serde_json's map is ordered by key, so the same object sent with its keys in any order is one distinct id.
  // (Before this case was ported, distinctIdOf kept the sender's key order: two SDK builds that order the keys
  // differently made two persons.)
  test("extract_distinct_id: an object id is stringified with its keys sorted", async () => {
    const w = await world(NOW);
    w.ok(await w.json({
      api_key: TOKEN,
      batch: [
        { event: "object", distinct_id: { string: "a", number: 3 } },
        { event: "object again", distinct_id: { number: 3, string: "a" } },
      ],
    }));
    expect(await w.allDistinctIds()).toEqual(['{"number":3,"string":"a"}']);
    expect(await w.names('{"number":3,"string":"a"}')).toEqual(["object", "object again"]);
  });

  // common/types RawEvent::extract_distinct_id: "trims the distinct_id to a 200 chars String" with
  // `chars().take(200)` — 200 characters (Unicode scalar values), not bytes or UTF-16 units. 150 emoji stay whole;
  // 250 become 200; 250 CJK characters become 200. (Before this case was ported, distinctIdOf cut 200 UTF-16
  // code units: 150 emoji became 100, and "a" + 150 emoji was cut inside a surrogate pair.)
  test("extract_distinct_id_trims_to_200_chars: 200 characters, so astral characters are not cut in half", async () => {
    const w = await world(NOW);
    const emoji150 = "😀".repeat(150);
    const aEmoji150 = "a" + "😀".repeat(150);
    const emoji250 = "😀".repeat(250);
    const cjk250 = "中".repeat(250);
    w.ok(await w.json({
      api_key: TOKEN,
      batch: [
        { event: "150 emoji", distinct_id: emoji150 },
        { event: "a + 150 emoji", distinct_id: aEmoji150 },
        { event: "250 emoji", distinct_id: emoji250 },
        { event: "250 cjk", distinct_id: cjk250 },
      ],
    }));
    expect(await w.allDistinctIds()).toEqual([aEmoji150, emoji150, "😀".repeat(200), "中".repeat(200)].sort());
  });

  // common/types RawEvent::extract_distinct_id: "Replace null characters with Unicode replacement character".
  // (Before this case was ported the NUL was kept, so the id PostHog shows as "a\uFFFDb" was another id here.)
  test("extract_distinct_id: a NUL in the id becomes U+FFFD", async () => {
    const w = await world(NOW);
    w.ok(await w.json({ api_key: TOKEN, batch: [{ event: "nul", distinct_id: "a\u0000b" }] }));
    expect(await w.allDistinctIds()).toEqual(["a\uFFFDb"]);
  });

  // v0_request.rs "Numbers are stringified": serde_json reads an integer that fits in u64/i64 exactly, so the
  // numeric ids 9007199254740993 and 9007199254740992 are "9007199254740993" and "9007199254740992", two persons.
  // (Before this case was ported, JSON.parse rounded integers past 2^53: both became "9007199254740992" and two
  // users were one person — SPEC §4 "Events keep pointing at the right person".)
  test("extract_distinct_id: a numeric id past 2^53 keeps every digit (two users stay two persons)", async () => {
    const w = await world(NOW);
    w.ok(await w.json(`{"api_key":"${TOKEN}","batch":[
      {"event":"user a","distinct_id":9007199254740993},
      {"event":"user b","distinct_id":9007199254740992}]}`));
    expect(await w.allDistinctIds()).toEqual(["9007199254740992", "9007199254740993"]);
    expect(await w.names("9007199254740993")).toEqual(["user a"]);
  });
});

describe("tokens (validate_token, extract_and_verify_token)", () => {
  // token.rs trims_surrounding_whitespace: "A stray newline in a copied API key must be normalized away, not cause a
  // team-lookup miss and silent event loss" — "phc_…\n", "  phc_…  " and "\tphc_…\r\n" are the key.
  // (Before this case was ported the key was used as sent: 401, and posthog-js dropped the events.)
  test("trims_surrounding_whitespace: a key with a stray newline or spaces is the key", async () => {
    const w = await world(NOW);
    const answers = [
      await w.json({ api_key: `${TOKEN}\n`, batch: [{ event: "newline", distinct_id: "d" }] }),
      await w.json([{ event: "spaces", distinct_id: "d", properties: { token: `  ${TOKEN}  ` } }], "/e/"),
      await w.json({ api_key: `\t${TOKEN}\r\n`, event: "tab", distinct_id: "d" }, "/i/v0/e/"),
    ].map((a) => [a.status, a.body]);
    expect(answers).toEqual([[200, { status: 1 }], [200, { status: 1 }], [200, { status: 1 }]]);
    expect(await w.names("d")).toEqual(["newline", "spaces", "tab"]);
  });

  // token.rs blocks_personal_api_key / blocks_empty_tokens / blocks_too_long_tokens; test_capture.py
  // test_batch_incorrect_token_shape (an object api_key); integration_token_validation.rs
  // a_mistyped_key_is_rejected_instead_of_silently_accepted (one letter's case differs). All 401, nothing stored.
  const refused: [title: string, body: unknown][] = [
    ["a personal API key (phx_)", [{ event: "e", distinct_id: "whatever", token: "phx_hellothere" }]],
    ["an empty api_key", { api_key: "", batch: [{ event: "e", distinct_id: "whatever" }] }],
    ["a 65-character token", { api_key: "x".repeat(65), batch: [{ event: "e", distinct_id: "whatever" }] }],
    ["an object api_key (test_batch_incorrect_token_shape)", { api_key: { some: "object" }, batch: [{ type: "capture", event: "user signed up", distinct_id: "whatever" }] }],
    ["the key with one letter's case changed", { api_key: TOKEN.toUpperCase(), batch: [{ event: "e", distinct_id: "whatever" }] }],
  ];
  test.each(refused)("refused: %s → 401", async (_title, body) => {
    const w = await world(NOW);
    const a = await w.json(body, Array.isArray(body) ? "/e/" : "/batch/");
    expect(a.status).toBe(401);
    expect(typeof a.body.error).toBe("string");
    expect(await w.allDistinctIds()).toEqual([]);
  });

  // v0_request.rs test_extract_and_verify_token: the batch's api_key wins over its events' tokens ("batched");
  // a single event's `$token` or `api_key`; an array's one token in properties.token, items without one allowed.
  test("extract_and_verify_token: batch key first, then $token / api_key / properties.token", async () => {
    const w = await world(NOW);
    w.ok(await w.json({ batch: [{ event: "batched", distinct_id: "d", token: "token1" }], api_key: TOKEN }));
    w.ok(await w.json({ event: "single $token", distinct_id: "d", $token: TOKEN }, "/e/"));
    w.ok(await w.json({ event: "single api_key", distinct_id: "d", api_key: TOKEN }, "/capture/"));
    w.ok(await w.json([
      { event: "array with token", distinct_id: "d", properties: { token: TOKEN } },
      { event: "array without token", distinct_id: "d" },
    ], "/e/"));
    expect((await w.names("d")).sort()).toEqual(["array with token", "array without token", "batched", "single $token", "single api_key"]);
  });
});

describe("special events and payload shapes", () => {
  // v0_request.rs RawRequest::events: `events.retain(|event| event.event != "$performance_event")`, and a request
  // left empty by that filter answers 200 (EmptyPayloadFiltered, "silently accept"); test_capture.py
  // test_drops_performance_events. SPEC §3 deliberately differs: "nothing valid is ever dropped silently" — a
  // well-formed $performance_event is stored and counted like any event.
  test("test_drops_performance_events: PostHog drops $performance_event; SPEC §3 stores it", async () => {
    const w = await world(NOW);
    w.ok(await w.send("POST", "/batch/", form({ data: JSON.stringify([
      { event: "$performance_event", properties: { distinct_id: "eeee", token: TOKEN } },
      { event: "boop", properties: { distinct_id: "aaaa", token: TOKEN } },
    ]), api_key: TOKEN }), FORM));
    w.ok(await w.json({ api_key: TOKEN, batch: [{ event: "$performance_event", distinct_id: "eeee" }] }));
    expect(await w.names("aaaa")).toEqual(["boop"]);
    expect(await w.total("$performance_event", "2026-01-01", "2026-01-31")).toBe(2);
  });

  // test_capture.py test_null_event_in_batch: [beep, null, boop] → 400 "Invalid payload: some events are null",
  // nothing stored (capture-rs: the array does not deserialize, 400). SPEC §3 deliberately differs: "A batch with
  // some invalid items stores the valid ones and answers 200 with {"success":true,"rejected":[{"index":3,…}]}".
  test("test_null_event_in_batch: PostHog refuses the request; SPEC §3 stores beep and boop and names item 1", async () => {
    const w = await world(NOW);
    const a = await w.send("POST", "/batch/", form({ data: JSON.stringify([
      { event: "beep", properties: { distinct_id: "eeee", token: TOKEN } },
      null,
      { event: "boop", properties: { distinct_id: "aaaa", token: TOKEN } },
    ]), api_key: TOKEN }), FORM);
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ status: 1, rejected: [{ index: 1, error: expect.any(String) }] });
    expect(await w.names("eeee")).toEqual(["beep"]);
    expect(await w.names("aaaa")).toEqual(["boop"]);
  });

  // test_capture.py test_batch_with_dumped_json_data: `batch` holding a JSON string (a client that json.dumps'd it
  // twice) → 400, nothing stored; capture-rs EmptyBatch: `{"batch": []}` → 400.
  test("test_batch_with_dumped_json_data and an empty batch → 400, nothing stored", async () => {
    const w = await world(NOW);
    const dumped = await w.json({ api_key: TOKEN, batch: JSON.stringify([{ event: "$groupidentify", distinct_id: "2", properties: {} }]) });
    expect(dumped.status).toBe(400);
    expect(typeof dumped.body.error).toBe("string");
    const empty = await w.json({ api_key: TOKEN, batch: [] });
    expect(empty.status).toBe(400);
    expect(typeof empty.body.error).toBe("string");
    expect(await w.allDistinctIds()).toEqual([]);
  });

  // test_capture.py test_lz64_with_emoji: PostHog's own lz-string body (an old posthog-js array, token in
  // properties, `offset` 3004, no timestamp) with Content-Encoding lz64; the event is named "🤓". Stored at
  // now − offset.
  test("test_lz64_with_emoji: the event name 🤓 survives lz-string, stored at now − offset", async () => {
    const token = "KZZZeIpycLH-tKobLBET2NOg7wgJF2KqDL5yWU_7tZw";
    const w = await world("2026-01-01T00:00:05.000Z", token);
    const body = "NoKABBYN4EQKYDc4DsAuMBcYaD4NwyLswA0MADgE4D2JcZqAlnAM6bQwAkFzWMAsgIYBjMAHkAymAAaRdgCNKAd0Y0WMAMIALSgFs40tgICuZMilQB9IwBsV61KhIYA9I4CMAJgDsAOgAMvry4YABw+oY4AJnBaFHrqnOjc7t5+foEhoXokfKjqyHw6KhFRMcRschSKNGZIZIx0FMgsQQBspYwCJihm6nB0AOa2LC4+AKw+bR1wXfJ04TlDzSGllnQyKvJwa8ur1TR1DSou/j56dMhKtGaz6wBeAJ4GQagALPJ8buo3I8iLevQFWBczVGIxGAGYPABONxeMGQlzEcJ0Rj0ZACczXbg3OCQgBCyFxAlxAE1iQBBADSAC0ANYAVT4NIAKmDRC4eAA5AwAMUYABkAJIAcQMPCouOeZCCAFotAA1cLNeR6SIIOgCOBXcKHDwjSFBNyQnzA95BZ7SnxuAQjFwuABmYKCAg8bh8MqBYLgzRcIzc0pcfDgfD4Pn9uv1huNPhkwxGegMFy1KmxeIJRNJlNpDOZrPZXN5gpFYpIEqlsoVStOyDo9D4ljMJjtNBMZBsdgcziSxwCwVCPkclgofTOAH5kHAAB6oAC8jirNbodYbcCbxjOfTM4QoWj4Z0Onm7aT70hI8TiG5q+0aiQCzV80nUfEYZkYlkENLMGxkcQoNJYdrrJRSkEegkDMJtsiMTU7TfPouDAUBIGwED6nOaUDAnaVXWGdwYBAABdYhUF/FAVGpKkqTgAUSDuAQ+QACWlVAKQoGQ+VxABRJk3A5YQ+g8eQ+gAKW5NwKQARwAET5EY7gAdTpMwPFQKllQAX2ICg7TtJQEjAMFQmeNSCKAA==";
    w.ok(await w.send("POST", "/batch/", body, { ...JSON_CT, "content-encoding": "lz64" }));
    const [e] = await w.events("ze9BnBcBYYAKZkUakT3S1MNuFsLIGuMopB4r8-mVd6w");
    expect([e!.time, e!.event]).toEqual(["2026-01-01T00:00:01.996Z", "🤓"]);
    expect(e!.properties).toMatchObject({ $lib: "web", $lib_version: "1.0.0", $active_feature_flags: ["actions-ux-201012"], has_slack_webhook: false });
  });

  // test_capture.py test_multiple_events (a form whose `data` is a JSON array, tokens in the events, `api_key` beside
  // it) and test_capture_historical_analytics_events_opt_in (a form whose `data` is the whole
  // {api_key, historical_migration, batch} envelope, distinct_id a number in properties): both accepted and stored.
  test("test_multiple_events and test_capture_historical_analytics_events_opt_in: form bodies on /batch/", async () => {
    const w = await world(NOW);
    w.ok(await w.send("POST", "/batch/", form({ data: JSON.stringify([
      { event: "beep", properties: { distinct_id: "eeee", token: TOKEN } },
      { event: "boop", properties: { distinct_id: "aaaa", token: TOKEN } },
    ]), api_key: TOKEN }), FORM));
    w.ok(await w.send("POST", "/batch/", form({ data: JSON.stringify({
      api_key: TOKEN, historical_migration: true,
      batch: [{ event: "$autocapture", properties: { distinct_id: 2, $elements: [{ tag_name: "a", nth_child: 1, nth_of_type: 2, attr__class: "btn btn-sm" }] } }],
    }) }), FORM));
    expect(await w.names("eeee")).toEqual(["beep"]);
    expect(await w.names("aaaa")).toEqual(["boop"]);
    const [auto] = await w.events("2");
    expect([auto!.time, auto!.event]).toEqual([NOW, "$autocapture"]);
    expect(auto!.properties.$elements).toEqual([{ tag_name: "a", nth_child: 1, nth_of_type: 2, attr__class: "btn btn-sm" }]);
  });

  // capture passes properties through as JSON (RawEvent.properties: HashMap<String, Value>): nested objects and
  // arrays, nulls, empty containers, floats at the edges of f64 are stored as sent.
  test("properties with nested structures, nulls, empty containers and f64 edges are kept as sent", async () => {
    const w = await world(NOW);
    const properties = {
      nested: { a: [1, { b: [2, { c: null }] }], e: {} }, empty: [], huge: 1.5e300, tiny: 5e-324, negative: -12.5,
      flags: [true, false, null], text: "línea 1\nline 2\t💻",
    };
    w.ok(await w.json({ api_key: TOKEN, batch: [{ event: "nested", distinct_id: "n", properties }] }));
    const [e] = await w.events("n");
    expect(e!.properties).toMatchObject(properties);
  });

  // serde_json::Value keeps an integer that fits in i64/u64 exactly, so PostHog stores 9007199254740993 and
  // 12345678901234567890 digit for digit (order ids, snowflake ids). JSON.parse would round them to the nearest
  // double (9007199254740992, 12345678901234567000); we keep every digit as the number's decimal text, a string
  // (decode.ts keepLongIntegers): JavaScript has no number that holds them, and numeric filters read the text.
  test("properties: integers past 2^53 (i64/u64) keep every digit", async () => {
    const w = await world(NOW);
    w.ok(await w.json(`{"api_key":"${TOKEN}","batch":[{"event":"order","distinct_id":"n",
      "properties":{"order_id":9007199254740993,"snowflake":12345678901234567890,"min_i64":-9223372036854775808}}]}`));
    const [e] = await w.events("n");
    expect({ o: e!.properties.order_id, s: e!.properties.snowflake, m: e!.properties.min_i64 })
      .toEqual({ o: "9007199254740993", s: "12345678901234567890", m: "-9223372036854775808" });
  });
});

describe("sent_at, offset, historical_migration", () => {
  // timestamp.rs test_parse_event_timestamp_invalid_sent_at: an unreadable sent_at is ignored (an ingestion
  // warning) and the timestamp is used as sent; capture-rs RawRequest::sent_at returns None when the batch's
  // sent_at does not parse. (Before this case was ported, the whole request got a 400, and posthog-node does not
  // retry a 400: every event of the batch was lost — SPEC §3 "nothing valid is ever dropped silently".)
  test("test_parse_event_timestamp_invalid_sent_at: an unreadable batch sent_at is ignored, the events kept", async () => {
    const w = await world("2023-01-01T12:00:00Z");
    const a = await w.json({ api_key: TOKEN, sent_at: "invalid-date", batch: [{ event: "test_event", distinct_id: "test_user", timestamp: "2023-01-01T11:00:00Z" }] });
    expect(a.status).toBe(200);
    expect(await w.times("test_user")).toEqual([["2023-01-01T11:00:00.000Z", "test_event"]]);
  });

  // posthog-python writes sent_at and timestamp with datetime.isoformat(): microseconds and "+00:00". capture-rs
  // parses them as ISO 8601 and applies now + (timestamp − sent_at); kept to the millisecond here.
  test("isoformat() sent_at and timestamp (microseconds, +00:00), as posthog-python sends them", async () => {
    const w = await world("2024-04-17T14:40:56.918Z");
    w.ok(await w.json({
      api_key: TOKEN, sent_at: "2024-04-17T14:40:57.900123+00:00",
      batch: [{ event: "python", distinct_id: "py", timestamp: "2024-04-17T14:40:56.700456+00:00", properties: { $lib: "posthog-python" } }],
    }));
    // 14:40:56.918 − (57.900123 − 56.700456) s = 14:40:55.718333
    expect(await w.times("py")).toEqual([["2024-04-17T14:40:55.718Z", "python"]]);
  });

  // v0_endpoint.rs test_process_single_event_with_historical_migration_true and _with_valid_sent_at: the
  // historical flag only picks a Kafka topic; the event time is computed the same way, skew correction included:
  // 12:00:00 + (11:59:55 − 12:00:05) = 11:59:50.
  test("historical_migration: true still applies the sent_at skew correction", async () => {
    const w = await world("2023-01-01T12:00:00Z");
    w.ok(await w.json({
      api_key: TOKEN, historical_migration: true, sent_at: "2023-01-01T12:00:05Z",
      batch: [{ event: "test_event", distinct_id: "test_user", timestamp: "2023-01-01T11:59:55Z" }],
    }));
    expect(await w.times("test_user")).toEqual([["2023-01-01T11:59:50.000Z", "test_event"]]);
  });

  // test_capture.py test_capture_event_can_override_attributes_important_in_replicator_exports: an exported event
  // carries its own uuid, sent_at and timestamp in a form post to /track/. An event's own `sent_at` is not the
  // request's (capture-rs RawEvent has no such field; the request has no sent_at), so the timestamp is kept; the
  // uuid names the event, so a re-sent export is stored once.
  test("replicator export: an event-level sent_at is not a request sent_at; the timestamp and uuid are kept", async () => {
    const w = await world(NOW);
    const data = JSON.stringify([{
      event: "event1", uuid: "017d37c1-f285-0000-0e8b-e02d131925dc", sent_at: "2020-01-01T00:00:00Z",
      distinct_id: "id1", timestamp: "2020-01-01T00:00:00Z", properties: { token: TOKEN },
    }]);
    w.ok(await w.send("POST", "/track/", form({ data, api_key: TOKEN }), FORM));
    w.ok(await w.send("POST", "/track/", form({ data, api_key: TOKEN }), FORM));
    expect(await w.times("id1")).toEqual([["2020-01-01T00:00:00.000Z", "event1"]]);
  });

  // test_capture.py test_capture_event_non_numeric_offset ("only integer values may pass!"). capture-rs reads
  // `offset` at the top level as an i64: a word there refuses the request (400). Django looked in properties too;
  // capture-rs treats properties.offset as an ordinary property, stored as sent.
  test("test_capture_event_non_numeric_offset: a word as offset → 400; in properties it is a property", async () => {
    const w = await world(NOW);
    const top = await w.send("GET", `/e/?data=${encodeURIComponent(JSON.stringify({ event: "$exception", offset: "should_blow_up", properties: { distinct_id: 2, token: TOKEN } }))}`, undefined, { origin: "https://localhost" });
    expect(top.status).toBe(400);
    expect(await w.person("2")).toBeNull();
    w.ok(await w.send("GET", `/e/?data=${encodeURIComponent(JSON.stringify({ event: "$exception", properties: { distinct_id: 2, token: TOKEN, offset: "should_blow_up" } }))}`));
    const [e] = await w.events("2");
    expect([e!.time, e!.event, e!.properties.offset]).toEqual([NOW, "$exception", "should_blow_up"]);
  });
});

describe("query string, content types, routes and preflights", () => {
  // v0_request.rs decode_compression_param: the `compression` value is read case-insensitively ("GZIP", "LZ64",
  // "BASE64"), "gzip-js"/"lz-string"/"b64" are aliases, and an unknown or empty value means "look at the body".
  test("decode_compression_param: case-insensitive values, aliases, unknown values ignored", async () => {
    const w = await world(NOW);
    const body = (event: string) => JSON.stringify({ api_key: TOKEN, batch: [{ event, distinct_id: "c" }] });
    const cases: [string, string | Uint8Array, Record<string, string>][] = [
      ["GZIP", gzip(body("GZIP")), { "content-type": "text/plain" }],
      ["Gzip-JS", gzip(body("Gzip-JS")), { "content-type": "text/plain" }],
      ["LZ64", compressToBase64(body("LZ64")), { "content-type": "text/plain" }],
      ["LZ-STRING", compressToBase64(body("LZ-STRING")), { "content-type": "text/plain" }],
      ["BASE64", b64(body("BASE64")), { "content-type": "text/plain" }],
      ["b64", b64(body("b64")), { "content-type": "text/plain" }],
      ["foobar", body("foobar"), JSON_CT],
      ["", body("empty"), JSON_CT],
    ];
    for (const [compression, payload, headers] of cases) {
      w.ok(await w.send("POST", `/i/v0/e/?compression=${encodeURIComponent(compression)}&ver=1.200.0&_=${Date.parse(NOW)}`, payload, headers));
    }
    expect((await w.names("c")).sort()).toEqual(["BASE64", "GZIP", "Gzip-JS", "LZ-STRING", "LZ64", "b64", "empty", "foobar"]);
  });

  // utils.rs extract_compression: without a `compression` parameter the Content-Encoding header is read, and
  // "gzip" | "gzip-js" → gzip, "lz64" | "lz-string" → lz-string, "base64" | "b64" → base64. (Before this case was
  // ported these got 415 "unsupported Content-Encoding".)
  test("extract_compression: Content-Encoding gzip-js, base64 and b64 are PostHog's compression names", async () => {
    const w = await world(NOW);
    const body = (event: string) => JSON.stringify({ api_key: TOKEN, batch: [{ event, distinct_id: "ce" }] });
    const answers: [string, number][] = [];
    for (const [encoding, payload] of [
      ["gzip-js", gzip(body("gzip-js"))],
      ["lz-string", compressToBase64(body("lz-string"))],
      ["base64", b64(body("base64"))],
      ["b64", b64(body("b64"))],
    ] as const) {
      answers.push([encoding, (await w.send("POST", "/batch/", payload, { ...JSON_CT, "content-encoding": encoding })).status]);
    }
    expect(answers).toEqual([["gzip-js", 200], ["lz-string", 200], ["base64", 200], ["b64", 200]]);
    expect((await w.names("ce")).sort()).toEqual(["b64", "base64", "gzip-js", "lz-string"]);
  });

  // router.rs serves GET and POST on every capture route; a legacy GET carries the payload in ?data= (JSON or
  // base64). /engage also takes an ordinary named event (RawRequest::One), stored under its own name.
  test("GET ?data= on every capture route; /engage with a named event keeps its name", async () => {
    const w = await world(NOW);
    const routes = ["/e/", "/i/v0/e/", "/capture/", "/track/", "/batch/", "/engage/"];
    for (const [i, path] of routes.entries()) {
      const data = JSON.stringify({ api_key: TOKEN, event: `get ${path}`, distinct_id: "g" });
      w.ok(await w.send("GET", `${path}?data=${encodeURIComponent(i % 2 ? b64(data) : data)}&ver=1.0.0`));
    }
    expect((await w.names("g")).sort()).toEqual(routes.map((p) => `get ${p}`).sort());
  });

  // test_capture.py test_cors_allows_tracing_headers: a browser preflight for /e/?ip=1&_=… and /decide/ asking for
  // tracing headers (Sentry, AWS, Azure, GCP, Highlight, DataDome, Zipkin) is allowed, for the page's origin.
  // PostHog answers 200 and lists X-Requested-With, Content-Type and the known tracing headers; we mirror every
  // requested header and answer 204 — both are an "ok status" for a preflight (Fetch standard), so the case
  // asserts what browsers check.
  const tracing: [vendor: string, headers: string[]][] = [
    ["sentry", ["traceparent", "request-id", "Sentry-Trace", "Baggage"]],
    ["aws", ["x-amzn-trace-id"]],
    ["azure", ["traceparent", "request-id", "request-context"]],
    ["gcp", ["x-cloud-trace-context"]],
    ["highlight", ["x-highlight-request"]],
    ["DataDome", ["x-datadome-clientid"]],
    ["zipkin", ["x-b3-sampled", "x-b3-spanid", "x-b3-traceid", "x-b3-parentspanid", "b3"]],
  ];
  test.each(tracing)("test_cors_allows_tracing_headers: %s", async (_vendor, headers) => {
    const w = await world(NOW);
    for (const path of ["/e/?ip=1&_=1651741927805", "/decide/"]) {
      const a = await w.send("OPTIONS", path, undefined, {
        origin: "https://localhost",
        "access-control-request-headers": [...headers, "someotherrandomheader"].join(","),
        "access-control-request-method": "POST",
      });
      expect(a.status >= 200 && a.status < 300, `${path}: ${a.status}`).toBe(true);
      expect(a.headers.get("access-control-allow-origin")).toBe("https://localhost");
      expect(a.headers.get("access-control-allow-methods") ?? "").toContain("POST");
      const allowed = (a.headers.get("access-control-allow-headers") ?? "").toLowerCase().split(",").map((h) => h.trim());
      for (const h of headers) expect(allowed).toContain(h.toLowerCase());
    }
  });
});

describe("uuid", () => {
  // test_capture.py test_custom_uuid (the client's uuid is the event's); v0_request.rs test_empty_uuid_string_is_none
  // ("" means no uuid: a fresh one per event, so two such events are two).
  test("test_custom_uuid and test_empty_uuid_string_is_none: a sent uuid names the event, \"\" does not", async () => {
    const w = await world(NOW);
    const uuid = "01823e89-f75d-0000-0d4d-3d43e54f6de5";
    w.ok(await w.json({ api_key: TOKEN, event: "some_event", distinct_id: "1", uuid }, "/e/"));
    w.ok(await w.json({ api_key: TOKEN, event: "some_event", distinct_id: "1", uuid }, "/e/"));
    w.ok(await w.json({ api_key: TOKEN, batch: [{ event: "empty uuid", distinct_id: "1", uuid: "" }, { event: "empty uuid", distinct_id: "1", uuid: "" }] }));
    expect(await w.total("some_event", "2026-01-01", "2026-01-31")).toBe(1);
    expect(await w.total("empty uuid", "2026-01-01", "2026-01-31")).toBe(2);
  });

  // test_capture.py test_custom_uuid_invalid / v0_request.rs test_invalid_uuid_is_error: "invalid_uuid" refuses the
  // request with 400 ('Event field "uuid" is not a valid UUID!'). SPEC §3 deliberately takes any client id:
  // "`messageId` is filled when absent" and "Exactly-once storage by `messageId` per source" set no format (Segment's
  // messageId is free text), so the event is stored and the string is its dedup key.
  test("test_custom_uuid_invalid: PostHog refuses a non-UUID uuid; SPEC §3 stores it and dedups on it", async () => {
    const w = await world(NOW);
    w.ok(await w.json({ api_key: TOKEN, event: "some_event", distinct_id: "1", uuid: "invalid_uuid" }, "/e/"));
    w.ok(await w.json({ api_key: TOKEN, event: "some_event", distinct_id: "1", uuid: "invalid_uuid" }, "/e/"));
    expect(await w.total("some_event", "2026-01-01", "2026-01-31")).toBe(1);
  });
});
