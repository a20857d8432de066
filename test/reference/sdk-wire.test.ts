/**
 * Reference cases for what the browser and mobile SDKs really put on the wire and what they need back (SPEC §3), so
 * an SDK pointed at Tessera behaves as it does against its own service. Each request is rebuilt from the SDK's own
 * request code and tests, byte for byte where it matters (path, query, headers, body encoding):
 * - posthog-js `packages/browser/src/request.ts` and `__tests__/request.test.ts` (the capture-body envelope
 *   `{api_key, batch, sent_at}` on `/e/` with no query string, gzip as `text/plain`, the JSON fallback, sendBeacon's
 *   `data=<base64>` form with `?compression=base64`, older versions' `_`/`ver`/`beacon=1`), `retry-queue.ts`
 *   (anything but 200 and 4xx is retried, `retry_count=N` added), the `wire-envelope` and `identify` snapshots
 *   (`person_profiles: "identified_only"`, `$set_once` of `$initial_*`);
 * - `@segment/analytics-next` browser `plugins/segmentio` (`normalize.ts`, `fetch-dispatcher.ts`,
 *   `batched-dispatcher.ts`, `shared-dispatcher.ts`, `__tests__/index.test.ts`) and `loadCDNSettings`;
 * - RudderStack's JavaScript SDK v3 (`rudderlabs/rudder-sdk-js`: `xhrQueue`, `beaconQueue`, `HttpClient`,
 *   `eventManager/utilities.ts`, `configManager`), whose retry rule is 429 or 5xx;
 * - posthog-android (`PostHogApi.kt`, `PostHogApiTest.kt`, `PostHogSerializerTest.kt`, `PostHogQueue.kt`) and
 *   posthog-ios (`PostHogApi.swift`, `QueueEndpoint+Factories.swift`): gzip `/batch` with `api_key` and `sent_at`,
 *   retried on 429/500/502/503/504 (Android after `Retry-After` seconds when the answer has one).
 * What capture-posthog*.test.ts and segment-rudderstack.test.ts already pin (every PostHog encoding, key forms,
 * short paths, skew rules, limits) is not repeated. Every case reads the outcome back through our APIs.
 */
import { describe, expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { type Answer, answerOf, at, byIdentifier, idsOf, type Props, referenceApp, stored, diskSwitch } from "./harness.ts";

/** One key for every SDK: a PostHog token and a Segment/RudderStack write key are both a source's write key here. */
const KEY = "phc_sdk_wire_reference_01";
/** The customer's site the browser SDKs run on. */
const ORIGIN = "https://shop.example.cn";

type Body = string | Uint8Array;

const gzip = (s: string) => new Uint8Array(gzipSync(Buffer.from(s, "utf8")));
/** b64 is posthog-js's `_base64Encode`: base64 of the UTF-8 bytes. */
const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
const basic = (key: string) => `Basic ${btoa(`${key}:`)}`;

/** world is a fresh app whose default source has write key KEY, its clock at `now`. */
async function world(now: string) {
  const h = await referenceApp(KEY, { now });
  const find = byIdentifier(h);
  const w = {
    setNow: h.setNow,
    advance: (ms: number) => h.t.clock.advance(ms),
    /** send makes one raw request, as the SDK's transport would, and reads the answer as JSON when it is JSON. */
    async send(method: string, path: string, body?: Body, headers: Record<string, string> = {}): Promise<Answer> {
      return answerOf(await h.t.app.request(path, { method, headers, body: body as BodyInit | undefined }));
    },
    /** preflight is the browser's CORS preflight for a POST from ORIGIN asking for `headers`. */
    preflight(path: string, headers: string) {
      return w.send("OPTIONS", path, undefined, {
        origin: ORIGIN, "access-control-request-method": "POST", "access-control-request-headers": headers,
      });
    },
    /** allowedHeaders lists what a preflight answer allows, lower-cased. */
    allowedHeaders: (a: Answer) => (a.headers.get("access-control-allow-headers") ?? "").toLowerCase().split(",").map((s) => s.trim()),
    ...diskSwitch(h),
    ...find,
    ...stored(h, find.must),
    ids: idsOf,
  };
  return w;
}

/** posthogOk is what posthog-js, -android and -ios count as delivered: exactly 200 (RetryQueue re-sends anything else but a 4xx). */
const posthogOk = (a: Answer) => expect([a.status, a.body]).toEqual([200, { status: 1 }]);
const segmentOk = (a: Answer) => expect([a.status, a.body]).toEqual([200, { success: true }]);

// ───────────────────────────────────────────────────── posthog-js ─────────────────────────────────────────────────────

/** webEvent is one posthog-js event as its wire-envelope snapshot shows it: the distinct id and token only in properties. */
function webEvent(event: string, uuid: string, timestamp: string, distinctId: string, extra: Props = {}): Props {
  return {
    event,
    properties: {
      $browser: "Chrome", $browser_version: 120, $os: "Windows", $os_version: "10", $device_type: "Desktop",
      $current_url: `${ORIGIN}/`, $host: "shop.example.cn", $pathname: "/", $referrer: "$direct", $referring_domain: "$direct",
      $lib: "web", $lib_version: "1.300.0", $device_id: "0190a1b2-device", $session_id: "0190a1b2-session", $window_id: "0190a1b2-window",
      $insert_id: `${uuid.slice(-6)}insert`, $time: Date.parse(timestamp) / 1000, $process_person_profile: false, $is_identified: false,
      distinct_id: distinctId, token: KEY, ...extra,
    },
    timestamp,
    uuid,
  };
}

/** envelope is posthog-js's capture body (timestampMode "capture-body"): api_key from the events' token, one sent_at. */
const envelope = (events: Props[], sentAt: string) => JSON.stringify({ api_key: KEY, batch: events, sent_at: sentAt });

describe("posthog-js", () => {
  // request.test.ts "adds sent_at to the capture body for analytics endpoint /e/" and "puts batched analytics events in
  // one sent_at body envelope": the URL has no `_=` and no `sent_at=`; gzip is a raw `text/plain` body without a
  // `compression` parameter ("does not add a compression query param for gzip requests"). The device clock is 90 s
  // fast. posthog-js parses the answer as JSON only on a 200; the page's origin must be allowed to read it.
  test("capture-body envelope: gzip text/plain on /e/ with no query string; skew corrected from the body's sent_at", async () => {
    const w = await world("2026-03-01T12:00:00.000Z");
    const anon = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
    const events = [
      webEvent("$pageview", "0190a1b2-0000-7000-8000-000000000001", "2026-03-01T12:01:20.000Z", anon),
      webEvent("report exported", "0190a1b2-0000-7000-8000-000000000002", "2026-03-01T12:01:25.000Z", anon, { export_format: "csv", row_count: 42 }),
    ];
    const a = await w.send("POST", "/e/", gzip(envelope(events, "2026-03-01T12:01:30.000Z")), { "content-type": "text/plain", origin: ORIGIN });
    posthogOk(a);
    expect(a.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    // request.ts@026adf7 sent XHRs with `withCredentials = true` (the ph_optout cookie): the browser then also needs
    // Access-Control-Allow-Credentials, with the exact origin rather than "*".
    expect(a.headers.get("access-control-allow-credentials")).toBe("true");

    const stored = await w.events("distinct_id", anon);
    expect(stored.map((e) => [e.time, e.event])).toEqual([
      ["2026-03-01T11:59:50.000Z", "$pageview"],
      ["2026-03-01T11:59:55.000Z", "report exported"],
    ]);
    expect(stored[1]!.properties).toMatchObject({ export_format: "csv", row_count: 42, $lib: "web" });
    // The token rides in every event's properties; it is the source's write key and is not stored as event data.
    expect(JSON.stringify(stored)).not.toContain(KEY);
  });

  // request.test.ts "falls back to JSON if gzip encoding throws before fetch send": the same envelope as
  // `application/json`, which (unlike text/plain) makes the browser ask first; "keeps ver on feature flag requests" /
  // "adds sent_at to the body of POST feature flag requests": /flags/?v=2 is a JSON POST too.
  test("the JSON fallback: application/json is preflighted, then stored like the gzip body", async () => {
    const w = await world("2026-03-01T12:00:00.000Z");
    for (const path of ["/e/", "/flags/?v=2"]) {
      const pre = await w.preflight(path, "content-type");
      expect([path, pre.status >= 200 && pre.status < 300]).toEqual([path, true]);
      expect(pre.headers.get("access-control-allow-origin")).toBe(ORIGIN);
      expect(w.allowedHeaders(pre)).toContain("content-type");
    }
    const anon = "0190a1b2-json-fallback";
    posthogOk(await w.send("POST", "/e/", envelope([webEvent("$pageview", "0190a1b2-0000-7000-8000-0000000000f1", "2026-03-01T11:59:59.000Z", anon)], "2026-03-01T12:00:00.000Z"), {
      "content-type": "application/json", origin: ORIGIN,
    }));
    expect(await w.times("distinct_id", anon)).toEqual([["2026-03-01T11:59:59.000Z", "$pageview"]]);
  });

  // request.test.ts, sendBeacon: "base64-encodes uncompressed POST data so the content type stays CORS-simple"
  // (URL `?compression=base64`, Blob `application/x-www-form-urlencoded` holding `data=<urlencoded base64>`), "should
  // respect gzip compression" (a `text/plain` Blob, no parameter), and request.ts@026adf7's older beacon
  // (`_`, `ver`, `compression=base64` and `beacon=1` on the URL, a bare array of events, sent_at only as `_` in ms).
  // The page is closing: nobody reads the answer, so all that matters is that each beacon is stored. The product name
  // is Chinese so the base64 has to be read as UTF-8.
  test("sendBeacon on unload: base64 form, gzip text/plain, and the older beacon=1 array form are all stored", async () => {
    const w = await world("2026-03-01T12:00:00.000Z");
    const anon = "0190a1b2-beacon";
    const at = (s: number) => `2026-03-01T11:59:5${s}.000Z`;
    const ev = (n: number) => webEvent("$pageleave", `0190a1b2-0000-7000-8000-00000000b00${n}`, at(n), anon, { product: "龙井茶 250g" });
    const form = { "content-type": "application/x-www-form-urlencoded" };
    const beacons: [string, Body, Record<string, string>][] = [
      ["/e/?compression=base64", `data=${encodeURIComponent(b64(envelope([ev(1)], "2026-03-01T12:00:00.000Z")))}`, form],
      ["/e/", gzip(envelope([ev(2)], "2026-03-01T12:00:00.000Z")), { "content-type": "text/plain" }],
      [`/e/?_=${Date.parse("2026-03-01T12:00:00.000Z")}&ver=1.200.0&compression=base64&beacon=1`, `data=${encodeURIComponent(b64(JSON.stringify([ev(3)])))}`, form],
    ];
    for (const [path, body, headers] of beacons) {
      const a = await w.send("POST", path, body, { ...headers, origin: ORIGIN });
      expect([path, a.status >= 200 && a.status < 300]).toEqual([path, true]);
    }
    const stored = await w.events("distinct_id", anon);
    expect(stored.map((e) => [e.time, e.event])).toEqual([[at(1), "$pageleave"], [at(2), "$pageleave"], [at(3), "$pageleave"]]);
    expect(stored.map((e) => e.properties.product)).toEqual(["龙井茶 250g", "龙井茶 250g", "龙井茶 250g"]);
  });

  // posthog-core.identify.test.ts snapshot "calls capture with user properties if passed": with the default
  // `person_profiles: "identified_only"` the anonymous visitor's events are personless ($process_person_profile:
  // false); identify() sends `$identify` with `$anon_distinct_id`, a top-level `$set`, and a top-level `$set_once`
  // holding the `$initial_*` properties (unset campaign parameters as null). PostHog then shows the anonymous
  // pageview on the identified person, with the initial-touch properties.
  test("identified_only: personless anonymous events, then $identify with $set and $set_once of $initial_*", async () => {
    const w = await world("2026-03-01T12:00:00.000Z");
    const anon = "0190a1b2-anon-visitor";
    const user = "customer-8841";
    const sent = "2026-03-01T12:00:00.000Z";
    posthogOk(await w.send("POST", "/e/", gzip(envelope([
      webEvent("$pageview", "0190a1b2-0000-7000-8000-0000000000a1", "2026-03-01T11:58:00.000Z", anon, { $set: { should_not: "apply" } }),
    ], sent)), { "content-type": "text/plain", origin: ORIGIN }));

    w.setNow("2026-03-01T12:05:00.000Z");
    const initial: Props = {
      $initial_current_url: `${ORIGIN}/`, $initial_host: "shop.example.cn", $initial_pathname: "/",
      $initial_referrer: "$direct", $initial_referring_domain: "$direct", $initial_utm_source: null, $initial_gclid: null,
      $current_url: `${ORIGIN}/`, $pathname: "/", utm_source: null, gclid: null, howOftenAmISet: "once!",
    };
    const identify = {
      ...webEvent("$identify", "0190a1b2-0000-7000-8000-0000000000a2", "2026-03-01T12:04:59.000Z", user, {
        $anon_distinct_id: anon, $process_person_profile: true, $is_identified: true,
      }),
      $set: { email: "ana@example.com" },
      $set_once: initial,
    };
    const later = webEvent("order placed", "0190a1b2-0000-7000-8000-0000000000a3", "2026-03-01T12:04:59.500Z", user, { $process_person_profile: true, $is_identified: true });
    posthogOk(await w.send("POST", "/e/", gzip(envelope([identify, later], "2026-03-01T12:05:00.000Z")), { "content-type": "text/plain", origin: ORIGIN }));

    const p = await w.must("distinct_id", user);
    expect(w.ids(p, "distinct_id")).toEqual([anon, user].sort());
    expect(p.traits).toMatchObject({
      email: "ana@example.com", $initial_current_url: `${ORIGIN}/`, $initial_referrer: "$direct", $initial_pathname: "/", howOftenAmISet: "once!",
    });
    // PostHog's $set_once writes a key only when the person lacks it, nulls included: the unset campaign parameters are
    // kept as null, so a later visit's utm_source does not become the *initial* one. We keep them the same way.
    expect(p.traits).toHaveProperty("$initial_utm_source", null);
    // The personless pageview's $set never reached the person.
    expect(p.traits.should_not).toBeUndefined();
    expect(await w.times("distinct_id", user)).toEqual([
      ["2026-03-01T11:58:00.000Z", "$pageview"],
      ["2026-03-01T12:04:59.000Z", "$identify"],
      ["2026-03-01T12:04:59.500Z", "order placed"],
    ]);
  });
});

// ───────────────────────────────────────────────── @segment/analytics-next ─────────────────────────────────────────────────

/** ajsEvent is one event as analytics-next's normalize() leaves it: key, library, userAgent, locale, `_metadata`. */
function ajsEvent(type: string, fields: Props, timestamp: string, sentAt: string | null, messageId: string): Props {
  return {
    type, ...fields, anonymousId: "4a6c3c4e-ajs-anon", messageId, timestamp, integrations: {},
    context: {
      page: { path: "/tea", referrer: "", search: "", title: "Tea", url: `${ORIGIN}/tea` },
      userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
      locale: "zh-CN", library: { name: "analytics.js", version: "npm:next-1.84.3" },
    },
    writeKey: KEY, _metadata: { bundled: ["Segment.io"], unbundled: [], bundledIds: [] },
    ...(sentAt === null ? {} : { sentAt }),
  };
}

describe("@segment/analytics-next", () => {
  // loadCDNSettings fetches `${cdnURL}/v1/projects/${writeKey}/settings` cross-origin and throws unless res.ok; the
  // Segment.io plugin then posts to `${protocol}://${apiHost}/${type[0]}`. Pointed at us (cdnURL = our origin, behind
  // a TLS proxy), the settings must send it back to us. normalize() puts the key in every body (no Authorization),
  // sets `userId: user.id()`, i.e. null before identify, and a `sentAt`; index.test.ts "should set traits with null
  // id" sends identify(null, traits). The standard dispatcher adds headers that make the text/plain POST a
  // preflighted one: `Authorization: Basic` and `X-Retry-Count` (fetch-dispatcher.test.ts "sends Authorization header
  // with Basic auth", "omits X-Retry-Count on first attempt and includes it on retries"), `Trace: false` in another
  // version of fetch-dispatcher.ts, and the site's own (index.test.ts "should accept additional headers").
  test("CDN settings point the SDK back here; preflighted text/plain calls with the key in the body; identify(null, traits)", async () => {
    const w = await world("2026-03-01T12:00:00.000Z");
    const settings = await w.send("GET", `/v1/projects/${KEY}/settings`, undefined, {
      origin: ORIGIN, host: "collect.shop.example.cn", "x-forwarded-proto": "https",
    });
    expect(settings.status).toBe(200);
    expect(settings.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    const io = at(settings.body, "integrations", "Segment.io");
    expect(io).toMatchObject({ apiKey: KEY, apiHost: "collect.shop.example.cn/v1", protocol: "https" });
    const base = `${at(io, "protocol")}://${at(io, "apiHost")}`;
    expect(base).toBe("https://collect.shop.example.cn/v1");

    const asked = ["authorization", "trace", "x-my-header", "x-retry-count"];
    const pre = await w.preflight("/v1/t", asked.join(","));
    expect(pre.status >= 200 && pre.status < 300).toBe(true);
    expect(pre.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    expect(w.allowedHeaders(pre)).toEqual(expect.arrayContaining(asked));

    const headers = { "content-type": "text/plain", authorization: basic(KEY), trace: "false", "x-my-header": "foo", origin: ORIGIN };
    const t0 = "2026-03-01T12:00:00.000Z";
    const calls: [string, Props][] = [
      ["/v1/p", ajsEvent("page", { userId: null, name: "Tea", properties: { path: "/tea", url: `${ORIGIN}/tea` } }, t0, t0, "ajs-next-1c9e8a0c0d1e2f3a4b5c6d7e8f901234")],
      ["/v1/i", ajsEvent("identify", { userId: null, traits: { trait: true, plan: "tea-club" } }, t0, t0, "ajs-next-2c9e8a0c0d1e2f3a4b5c6d7e8f901234")],
      ["/v1/t", ajsEvent("track", { userId: null, event: "Product Viewed", properties: { sku: "LJ-250" } }, t0, t0, "ajs-next-3c9e8a0c0d1e2f3a4b5c6d7e8f901234")],
    ];
    for (const [path, body] of calls) {
      const a = await w.send("POST", path, JSON.stringify(body), headers);
      segmentOk(a);
      expect(a.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    }
    // identify(null, traits) sets the anonymous visitor's traits.
    const p = await w.must("anonymous_id", "4a6c3c4e-ajs-anon");
    expect(p.traits).toMatchObject({ trait: true, plan: "tea-club" });
    expect(w.ids(p, "user_id")).toEqual([]);
    expect((await w.times("anonymous_id", "4a6c3c4e-ajs-anon")).map(([, e]) => e)).toEqual(["$identify", "$pageview", "Product Viewed"]);
  });
});

// ─────────────────────────────────────────────── RudderStack JavaScript SDK v3 ───────────────────────────────────────────────

/** rsEvent is one v3 event (getEnrichedEvent): channel web, user traits in context.traits, originalTimestamp, messageId. */
function rsEvent(type: string, fields: Props, traits: Props, originalTimestamp: string, sentAt: string, messageId: string): Props {
  return {
    type, ...fields, anonymousId: "b9e4a6f0-rs-anon", channel: "web",
    context: {
      traits, sessionId: 1772366400000, sessionStart: true, consentManagement: { deniedConsentIds: [] },
      app: { name: "RudderLabs JavaScript SDK", namespace: "com.rudderlabs.javascript", version: "3.11.0", installType: "npm" },
      library: { name: "RudderLabs JavaScript SDK", version: "3.11.0" },
      userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1",
      os: { name: "", version: "" }, locale: "zh-CN", screen: { width: 390, height: 844, density: 3, innerWidth: 390, innerHeight: 664 },
      campaign: {}, page: { path: "/tea", referrer: "$direct", search: "", title: "Tea", url: `${ORIGIN}/tea`, tab_url: `${ORIGIN}/tea`, initial_referrer: "$direct", initial_referring_domain: "" },
    },
    originalTimestamp, integrations: { All: true }, messageId, sentAt,
  };
}

describe("RudderStack JavaScript SDK v3", () => {
  // configManager: GET `${configUrl}/sourceConfig/?p=npm&v=…&build=modern&writeKey=…&lockIntegrationsVersion=false`
  // by XHR with Basic auth; isValidSourceConfig needs source.id, an object source.config and an array
  // source.destinations. xhrQueue: POST `${dataPlaneUrl}/v1/${type}`, `Content-Type: application/json;charset=UTF-8`,
  // `Authorization: Basic`, `AnonymousId: base64(anonymousId)`, each event with its own sentAt (set at delivery);
  // JSON is written with nulls removed (stringifyWithoutCircular(…, true)). identify carries its traits only in
  // context.traits (RudderEventFactory.generateIdentifyEvent). The SDK counts 200–399 as delivered.
  test("sourceConfig, then XHR calls with Authorization and AnonymousId headers; identify traits from context.traits", async () => {
    const w = await world("2026-03-01T12:00:10.000Z");
    const auth = basic(KEY);
    const cfgPath = `/sourceConfig/?p=npm&v=3.11.0&build=modern&writeKey=${KEY}&lockIntegrationsVersion=false`;
    const cfgPre = await w.send("OPTIONS", cfgPath, undefined, { origin: ORIGIN, "access-control-request-method": "GET", "access-control-request-headers": "authorization" });
    expect(cfgPre.status >= 200 && cfgPre.status < 300).toBe(true);
    const cfg = await w.send("GET", cfgPath, undefined, { origin: ORIGIN, authorization: auth, accept: "application/json" });
    expect(cfg.status).toBe(200);
    expect(cfg.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    expect(at(cfg.body, "source", "id")).not.toBeNull();
    expect(typeof at(cfg.body, "source", "config")).toBe("object");
    expect(Array.isArray(at(cfg.body, "source", "destinations"))).toBe(true);

    const pre = await w.preflight("/v1/identify", "accept,anonymousid,authorization,content-type");
    expect(pre.status >= 200 && pre.status < 300).toBe(true);
    expect(w.allowedHeaders(pre)).toEqual(expect.arrayContaining(["anonymousid", "authorization", "content-type"]));

    const headers = {
      accept: "application/json", "content-type": "application/json;charset=UTF-8", authorization: auth,
      anonymousid: btoa("b9e4a6f0-rs-anon"), origin: ORIGIN,
    };
    // The phone's clock is 10 s slow: each event was sent 1 s after it happened.
    const traits = { email: "Wei.Zhang@Example.com", name: "张伟" };
    const calls: [string, Props][] = [
      ["/v1/page", rsEvent("page", { name: "Tea", properties: { name: "Tea", path: "/tea", url: `${ORIGIN}/tea`, title: "Tea" } }, {}, "2026-03-01T11:59:58.000Z", "2026-03-01T11:59:59.000Z", "7c1f0d7e-0001-4a5b-9c8d-1e2f3a4b5c6d")],
      ["/v1/identify", rsEvent("identify", { userId: "rs-user-42" }, traits, "2026-03-01T11:59:59.000Z", "2026-03-01T12:00:00.000Z", "7c1f0d7e-0002-4a5b-9c8d-1e2f3a4b5c6d")],
      ["/v1/track", rsEvent("track", { userId: "rs-user-42", event: "Order Completed", properties: { revenue: 88, currency: "CNY" } }, traits, "2026-03-01T11:59:59.500Z", "2026-03-01T12:00:00.500Z", "7c1f0d7e-0003-4a5b-9c8d-1e2f3a4b5c6d")],
    ];
    for (const [path, body] of calls) {
      const a = await w.send("POST", path, JSON.stringify(body), headers);
      expect([path, a.status >= 200 && a.status < 400]).toEqual([path, true]);
      expect(a.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    }
    const p = await w.must("user_id", "rs-user-42");
    expect(w.ids(p, "anonymous_id")).toEqual(["b9e4a6f0-rs-anon"]);
    expect(w.ids(p, "email")).toEqual(["wei.zhang@example.com"]);
    expect(p.traits).toMatchObject({ name: "张伟" });
    const stored = await w.events("user_id", "rs-user-42");
    expect(stored.map((e) => [e.time, e.event])).toEqual([
      ["2026-03-01T12:00:09.000Z", "$identify"],
      ["2026-03-01T12:00:09.000Z", "$pageview"],
      ["2026-03-01T12:00:09.000Z", "Order Completed"],
    ]);
    const byName = Object.fromEntries(stored.map((e) => [e.event, e.properties]));
    expect(byName.$pageview).toMatchObject({ name: "Tea", path: "/tea" });
    expect(byName["Order Completed"]).toMatchObject({ revenue: 88, currency: "CNY" });
  });

  // beaconQueue: on unload the queue goes by navigator.sendBeacon to `/beacon/v1/batch?writeKey=…` as a `text/plain`
  // Blob of `{batch}` — no batch-level sentAt: each event keeps the sentAt set when the batch was made.
  test("BeaconQueue: text/plain {batch} to /beacon/v1/batch?writeKey=, each event's own sentAt", async () => {
    const w = await world("2026-03-01T12:00:10.000Z");
    const batch = [
      rsEvent("track", { event: "Add to Cart", properties: { sku: "LJ-250" } }, {}, "2026-03-01T11:59:55.000Z", "2026-03-01T12:00:00.000Z", "7c1f0d7e-00b1-4a5b-9c8d-1e2f3a4b5c6d"),
      rsEvent("track", { event: "Page Hidden" }, {}, "2026-03-01T11:59:59.000Z", "2026-03-01T12:00:00.000Z", "7c1f0d7e-00b2-4a5b-9c8d-1e2f3a4b5c6d"),
    ];
    const a = await w.send("POST", `/beacon/v1/batch?writeKey=${KEY}`, JSON.stringify({ batch }), { "content-type": "text/plain", origin: ORIGIN });
    expect(a.status >= 200 && a.status < 300).toBe(true);
    expect(await w.times("anonymous_id", "b9e4a6f0-rs-anon")).toEqual([
      ["2026-03-01T12:00:05.000Z", "Add to Cart"],
      ["2026-03-01T12:00:09.000Z", "Page Hidden"],
    ]);
  });
});

// ───────────────────────────────────────────────── posthog-android / posthog-ios ─────────────────────────────────────────────────

/** mobileEvent is one event as PostHogSerializerTest prints it: event, distinct_id, properties, timestamp, uuid. */
const mobileEvent = (event: string, distinctId: string, timestamp: string, uuid: string, properties: Props = {}): Props => ({
  event, distinct_id: distinctId,
  properties: { $lib: "posthog-android", $lib_version: "3.8.0", $os_name: "Android", $os_version: "14", $app_version: "2.4.1", $device_type: "Mobile", ...properties },
  timestamp, uuid,
});
const MOBILE_HEADERS = { "content-type": "application/json; charset=utf-8", "content-encoding": "gzip", "accept-encoding": "gzip", "user-agent": "posthog-android/3.8.0" };
const mobileBatch = (batch: Props[], sentAt: string) => gzip(JSON.stringify({ api_key: KEY, batch, sent_at: sentAt }));

describe("posthog-android / posthog-ios", () => {
  // PostHogApiTest "batch returns successful response": POST `/batch` (no trailing slash), Content-Encoding gzip,
  // `application/json; charset=utf-8`; PostHogSerializerTest "serializes batch api": {api_key, batch, sent_at}. The
  // queue is a file queue: events recorded offline two hours ago go out with today's sent_at, from a phone whose
  // clock is 3 minutes fast. identify() sends `$identify` with `$anon_distinct_id` and `$set`/`$set_once` inside
  // properties; screen() sends `$screen` with `$screen_name`.
  test("gzip /batch with api_key and sent_at: an offline queue from a fast clock lands at the true times; $screen and $identify", async () => {
    const w = await world("2026-03-01T12:00:00.000Z");
    const device = "01900000-aaaa-7bbb-8ccc-android00001";
    const user = "member-5521";
    const fast = (iso: string) => new Date(Date.parse(iso) + 3 * 60_000).toISOString();
    const batch = [
      mobileEvent("Application Opened", device, fast("2026-03-01T10:00:00.000Z"), "01900000-0000-7000-8000-00000000m001", { from_background: false }),
      mobileEvent("$screen", device, fast("2026-03-01T10:00:05.000Z"), "01900000-0000-7000-8000-00000000m002", { $screen_name: "TeaListActivity" }),
      mobileEvent("$identify", user, fast("2026-03-01T10:01:00.000Z"), "01900000-0000-7000-8000-00000000m003", {
        $anon_distinct_id: device, $set: { phone: "+8613800138000", tier: "gold" }, $set_once: { first_app_version: "2.4.1" },
      }),
      mobileEvent("$screen", user, fast("2026-03-01T10:01:30.000Z"), "01900000-0000-7000-8000-00000000m004", { $screen_name: "CheckoutActivity" }),
    ];
    posthogOk(await w.send("POST", "/batch", mobileBatch(batch, fast("2026-03-01T12:00:00.000Z")), MOBILE_HEADERS));

    const p = await w.must("distinct_id", user);
    expect(w.ids(p, "distinct_id")).toEqual([device, user].sort());
    expect(p.traits).toMatchObject({ tier: "gold", first_app_version: "2.4.1" });
    const stored = await w.events("distinct_id", user);
    expect(stored.map((e) => [e.time, e.event, e.properties.$screen_name ?? null])).toEqual([
      ["2026-03-01T10:00:00.000Z", "Application Opened", null],
      ["2026-03-01T10:00:05.000Z", "$screen", "TeaListActivity"],
      ["2026-03-01T10:01:00.000Z", "$identify", null],
      ["2026-03-01T10:01:30.000Z", "$screen", "CheckoutActivity"],
    ]);
  });

  // A phone whose battery ran flat comes back with its clock at 1970-01-01 until the network sets it. Its events and
  // its sent_at are both 1970, so `now + (timestamp − sent_at)` still gives the true time (PostHog's rule, SPEC §3's
  // formula); only a corrected time before 2000 would be an unusable one.
  test("a device clock reset to 1970: sent_at is 1970 too, so the events land at the true time", async () => {
    const w = await world("2026-03-01T12:00:00.000Z");
    const device = "01900000-aaaa-7bbb-8ccc-android01970";
    posthogOk(await w.send("POST", "/batch", mobileBatch([
      mobileEvent("Application Opened", device, "1970-01-01T00:00:05.000Z", "01900000-0000-7000-8000-0000000001a1"),
      mobileEvent("$screen", device, "1970-01-01T00:00:40.000Z", "01900000-0000-7000-8000-0000000001a2", { $screen_name: "HomeActivity" }),
    ], "1970-01-01T00:01:00.000Z"), MOBILE_HEADERS));
    expect(await w.times("distinct_id", device)).toEqual([
      ["2026-03-01T11:59:05.000Z", "Application Opened"],
      ["2026-03-01T11:59:40.000Z", "$screen"],
    ]);
  });

  // What the mobile SDKs ask at start (PostHogApiTest "flags returns successful response", "remote config returns
  // successful response"; PostHogApi.swift `decide`): a gzipped JSON POST to /flags/?v=2&config=true, a GET of
  // /array/<key>/config, and on older iOS a JSON POST to /decide?v=3. Each answer must be a 200 JSON object the SDK
  // can deserialize (a non-2xx throws PostHogApiError); "no flags" is an empty object, not a missing one.
  test("flags, remote config and decide answer 200 JSON objects the mobile SDKs deserialize", async () => {
    const w = await world("2026-03-01T12:00:00.000Z");
    const json = { "content-type": "application/json; charset=utf-8" };
    const flagsBody = { api_key: KEY, distinct_id: "member-5521", $anon_distinct_id: "01900000-aaaa", groups: {}, timezone: "Asia/Shanghai", person_properties: { $app_version: "2.4.1" } };
    const flags = await w.send("POST", "/flags/?v=2&config=true", gzip(JSON.stringify(flagsBody)), { ...json, "content-encoding": "gzip" });
    expect(flags.status).toBe(200);
    expect(flags.body).toMatchObject({ flags: {}, featureFlags: {}, errorsWhileComputingFlags: false });
    const config = await w.send("GET", `/array/${KEY}/config`, undefined, json);
    expect(config.status).toBe(200);
    expect(typeof config.body).toBe("object");
    const decide = await w.send("POST", "/decide?v=3", JSON.stringify({ api_key: KEY, distinct_id: "member-5521", $anon_distinct_id: "01900000-aaaa", $groups: {} }), json);
    expect(decide.status).toBe(200);
    expect(decide.body).toMatchObject({ featureFlags: {} });
  });
});

// ───────────────────────────────────────────── every SDK's retry of a refused request ─────────────────────────────────────────────

/**
 * A RetryCase is one SDK's delivery of one event: the first attempt and its retries differ only in what the SDK
 * changes between them (a new sentAt, posthog-js's `retry_count`, analytics-next's `_metadata.retryCount`).
 * The device clock is 60 s slow; the event happened 10 s before the first attempt, i.e. at 07:59:50 true time.
 */
interface RetryCase {
  readonly sdk: string;
  readonly browser: boolean;
  readonly request: (attempt: number, sentAt: string) => { path: string; body: Body; headers: Record<string, string> };
  readonly ok: (a: Answer) => void;
  readonly person: [type: string, value: string];
  readonly event: string;
}

const HAPPENED = "2026-03-02T07:58:50.000Z"; // device clock
const FIRST_SENT = "2026-03-02T07:59:00.000Z"; // device clock
const FIRST_RECEIVED = "2026-03-02T08:00:00.000Z"; // server clock

const retryCases: RetryCase[] = [
  {
    // retry-queue.ts: `statusCode !== 200 && (statusCode < 400 || statusCode >= 500)` is re-sent, `retry_count=N` on the URL.
    sdk: "posthog-js (RetryQueue)",
    browser: true,
    request: (attempt, sentAt) => ({
      path: attempt === 0 ? "/e/" : `/e/?retry_count=${attempt}`,
      body: gzip(envelope([webEvent("checkout started", "0190a1b2-0000-7000-8000-00000000r001", HAPPENED, "0190-retry-web")], sentAt)),
      headers: { "content-type": "text/plain", origin: ORIGIN },
    }),
    ok: posthogOk,
    person: ["distinct_id", "0190-retry-web"],
    event: "checkout started",
  },
  {
    // fetch-dispatcher.test.ts "408/503 with Retry-After header use backoff", shared-dispatcher.test.ts "returns parsed
    // value for 503 with valid Retry-After" (whole seconds, capped at 300): the event is normalized again for the
    // retry (a new sentAt) and sent with `X-Retry-Count`.
    sdk: "@segment/analytics-next (standard dispatcher)",
    browser: true,
    request: (attempt, sentAt) => ({
      path: "/v1/t",
      body: JSON.stringify(ajsEvent("track", { userId: null, event: "Wishlist Added", properties: { sku: "BLC-100" } }, HAPPENED, sentAt, "ajs-next-0a1b2c3d4e5f60718293a4b5c6d7e8f9")),
      headers: { "content-type": "text/plain", authorization: basic(KEY), origin: ORIGIN, ...(attempt > 0 ? { "x-retry-count": String(attempt) } : {}) },
    }),
    ok: segmentOk,
    person: ["anonymous_id", "4a6c3c4e-ajs-anon"],
    event: "Wishlist Added",
  },
  {
    // batched-dispatcher.ts: `res.status >= 500` throws; the batch goes back into the buffer with `_metadata.retryCount`
    // and is re-sent with a new envelope sentAt (per-event sentAt removed).
    sdk: "@segment/analytics-next (batching)",
    browser: true,
    request: (attempt, sentAt) => {
      const ev = ajsEvent("track", { userId: null, event: "Coupon Applied", properties: { code: "TEA10" } }, HAPPENED, null, "ajs-next-9f0e1d2c3b4a59687766554433221100");
      if (attempt > 0) ev._metadata = { ...(ev._metadata as Props), retryCount: attempt };
      return { path: "/v1/b", body: JSON.stringify({ writeKey: KEY, batch: [ev], sentAt }), headers: { "content-type": "text/plain", origin: ORIGIN } };
    },
    ok: segmentOk,
    person: ["anonymous_id", "4a6c3c4e-ajs-anon"],
    event: "Coupon Applied",
  },
  {
    // xhrQueue: `event.sentAt = getCurrentTimeFormatted()` before every attempt; isErrRetryable is 429 or 5xx.
    sdk: "RudderStack JS v3 (XhrQueue)",
    browser: true,
    request: (_attempt, sentAt) => ({
      path: "/v1/track",
      body: JSON.stringify(rsEvent("track", { userId: "rs-retry-user", event: "Payment Submitted", properties: { amount: 128 } }, {}, HAPPENED, sentAt, "7c1f0d7e-0r01-4a5b-9c8d-1e2f3a4b5c6d")),
      headers: { "content-type": "application/json;charset=UTF-8", authorization: basic(KEY), anonymousid: btoa("b9e4a6f0-rs-anon"), origin: ORIGIN },
    }),
    ok: (a) => expect(a.status >= 200 && a.status < 400).toBe(true),
    person: ["user_id", "rs-retry-user"],
    event: "Payment Submitted",
  },
  {
    // PostHogQueue.kt: the files stay queued on 429/500/502/503/504 and the queue pauses for `Retry-After` seconds;
    // PostHogApi.batch sets a new sent_at on each call.
    sdk: "posthog-android (PostHogQueue)",
    browser: false,
    request: (_attempt, sentAt) => ({
      path: "/batch",
      body: mobileBatch([mobileEvent("Subscription Renewed", "member-retry", HAPPENED, "01900000-0000-7000-8000-0000000000r1", { plan: "annual" })], sentAt),
      headers: MOBILE_HEADERS,
    }),
    ok: posthogOk,
    person: ["distinct_id", "member-retry"],
    event: "Subscription Renewed",
  },
];

describe("a refused write: 503 + Retry-After, then the SDK's own retry is stored exactly once", () => {
  // SPEC §3: "Under overload or a full disk answer 503 with Retry-After (all common SDKs retry 5xx)" and "200 is sent
  // only after the events are committed". Each SDK's retry rule (cited per case) treats 503 as transient; the mobile
  // SDKs read Retry-After as whole seconds; a browser reads the status (and Retry-After) only if the answer carries
  // CORS headers for the page's origin. The retry goes out 30 s later with a new sentAt; a copy whose 200 was lost
  // (the SDK timed out) comes again and is acknowledged without a second row.
  test.each(retryCases.map((c) => [c.sdk, c] as const))("%s", async (_sdk, c) => {
    const w = await world(FIRST_RECEIVED);
    const shift = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();
    const send = (attempt: number, sentAt: string) => {
      const r = c.request(attempt, sentAt);
      return w.send("POST", r.path, r.body, r.headers);
    };

    w.refuseWrites();
    let refused: Answer;
    try {
      refused = await send(0, FIRST_SENT);
    } finally {
      w.allowWrites();
    }
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after") ?? "").toMatch(/^[1-9]\d*$/);
    expect(typeof refused.body.error).toBe("string");
    if (c.browser) {
      expect(refused.headers.get("access-control-allow-origin")).toBe(ORIGIN);
      expect((refused.headers.get("access-control-expose-headers") ?? "").toLowerCase()).toContain("retry-after");
    }

    w.advance(30_000);
    c.ok(await send(1, shift(FIRST_SENT, 30_000)));
    w.advance(60_000);
    c.ok(await send(2, shift(FIRST_SENT, 90_000)));

    expect(await w.times(...c.person)).toEqual([["2026-03-02T07:59:50.000Z", c.event]]);
    expect(await w.total(c.event, "2026-03-01", "2026-03-31")).toBe(1);
  });
});
