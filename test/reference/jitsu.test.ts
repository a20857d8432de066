/**
 * Reference cases for Jitsu's ingest API (SPEC §3: "existing Segment/RudderStack/Jitsu SDKs work by pointing their
 * host at Tessera"), rebuilt from what Jitsu's own code and tests pin down, repository `jitsucom/jitsu`:
 * - the SDK, `libs/jitsu-js/src/analytics-plugin.ts` (`send`, `adjustPayload`, `maskWriteKey`): one event per POST
 *   to `${host}/api/s/${method}` (browser) or `${host}/api/s/s2s/${method}` (Node, or `s2s: true`), JSON with the
 *   full `key:secret` write key in `X-Write-Key`, the body carrying `timestamp` and `sentAt` (both "now"), a
 *   `messageId`, the masked key (`writeKey: "key:***"`) and a `context` (library, traits, page, clientIds,
 *   campaign); a non-2xx answer is an error for the SDK and a 2xx answer must be JSON;
 * - its tests, `libs/jitsu-js/__tests__/node/nodejs.test.ts` ("node-js", "timestamp option", "test privacy
 *   dontSend then consent");
 * - the ingest service, `bulker/ingest/router_ingest_handler.go` (`IngestHandler`), `bulker/ingest/router.go`
 *   (`patchEvent`, `getDataLocator`, `CorsMiddleware`), `bulker/ingest/router_batch_handler.go` and its test
 *   (`TestApplySegmentTimestampCorrection`).
 * Each case sends the SDK's requests to a fresh app (source key KEY, clock pinned) and reads the outcome back through
 * our APIs: the answer, `GET /api/persons?search=` and `GET /api/persons/:id/events`.
 * Where SPEC §3 decides differently from Jitsu the test asserts the SPEC answer and names the difference.
 */
import { describe, expect, test } from "bun:test";
import { answerOf, byIdentifier, referenceApp, stored, type Answer, type Props } from "./harness.ts";

const KEY = "jitsu_reference_key_01";
/** Jitsu's SDK refuses a key without a secret ("Legacy write key detected"): it always sends `key:secret`. */
const SDK_KEY = `${KEY}:s3cr3t`;
const NOW = "2026-05-15T10:20:00.000Z";

/**
 * sdkBody is the body `adjustPayload` builds in Node (its empty runtime: no page, screen or user agent, so those
 * fields vanish in JSON.stringify), `timestamp` and `sentAt` both the SDK's "now".
 */
function sdkBody(type: string, fields: Props, at = NOW, extraContext: Props = {}): Props {
  return {
    type,
    ...fields,
    timestamp: at,
    sentAt: at,
    messageId: `m-${type}-${Math.random().toString(36).slice(2)}`,
    writeKey: `${KEY}:***`,
    context: {
      library: { name: "@jitsu/js", version: "1.9.0", env: "node" },
      ...(type !== "identify" && type !== "group" ? { traits: {} } : {}),
      page: {},
      clientIds: {},
      campaign: {},
      ...extraContext,
    },
  };
}

async function world(now = NOW) {
  const h = await referenceApp(KEY, { now });
  const admin = await h.t.asToken("admin");
  const find = byIdentifier(h);
  const w = {
    h,
    ...find,
    ...stored(h, find.must),
    /** raw makes one request as the SDK (or a browser) would; `peer` is the socket's address. */
    async raw(method: string, path: string, body: string | undefined, headers: Record<string, string>, peer?: string): Promise<Answer> {
      const env = peer === undefined ? undefined : { requestIP: () => ({ address: peer, family: "IPv4", port: 40000 }) };
      return answerOf(await h.t.app.request(path, { method, headers, body }, env));
    },
    /** send posts `body` as @jitsu/js does: JSON, the full key:secret in X-Write-Key. */
    send(path: string, body: unknown, opts: { key?: string | null; peer?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
      const key = opts.key === undefined ? SDK_KEY : opts.key;
      const headers: Record<string, string> = { "content-type": "application/json", ...(key === null ? {} : { "x-write-key": key }), ...opts.headers };
      return w.raw("POST", path, typeof body === "string" ? body : JSON.stringify(body), headers, opts.peer);
    },
    /** ok is what the SDK needs: a 2xx whose body parses as JSON (it throws otherwise); ours is SPEC §3's. */
    ok(a: Answer) {
      expect([a.status, a.body]).toEqual([200, { success: true }]);
    },
    async setIpPolicy(ipPolicy: "keep" | "truncate" | "drop") {
      const list = (await (await h.t.call("GET", "/api/sources", { headers: admin.headers })).json()) as { results: { id: number; writeKey: string }[] };
      const id = list.results.find((s) => s.writeKey === KEY)!.id;
      const res = await h.t.call("PATCH", `/api/sources/${id}`, { headers: admin.headers, json: { settings: { ipPolicy } } });
      expect(res.status).toBe(200);
    },
  };
  return w;
}

// ───────────────────────────────────────────── what @jitsu/js sends ─────────────────────────────────────────────

describe("@jitsu/js in Node (server to server, /api/s/s2s/:type)", () => {
  test('nodejs.test.ts "node-js": track, identify, group, page, then a track with its own userId', async () => {
    // The SDK's sequence: track("testTrack") as the anonymous visitor, identify("testUser", {email}), group("testGroup",
    // {name}), page({name, environment}, context.page.url), track("email.open") with options.userId "myUserId".
    // Jitsu answers each `{"ok":true}`; the SDK only needs 2xx + JSON. The identify links the anonymous id to
    // testUser (SPEC §4), so the first track joins testUser's timeline.
    const w = await world();
    const anon = "9f0c7a52-6d1e-4c8a-9b1f-2a3d4e5f6a7b";
    w.ok(await w.send("/api/s/s2s/track", sdkBody("track", { event: "testTrack", anonymousId: anon, properties: {} }, "2026-05-15T10:19:55.000Z")));
    w.ok(await w.send("/api/s/s2s/identify", sdkBody("identify", { userId: "testUser", anonymousId: anon, traits: { email: "test@test.com" } }, "2026-05-15T10:19:56.000Z")));
    w.ok(await w.send("/api/s/s2s/group", sdkBody("group", { groupId: "testGroup", traits: { name: "Test Group" }, userId: "testUser", anonymousId: anon }, "2026-05-15T10:19:57.000Z")));
    w.ok(await w.send("/api/s/s2s/page", sdkBody("page", { userId: "testUser", anonymousId: anon, properties: { name: "test", environment: "nodejs" } }, "2026-05-15T10:19:58.000Z", { page: { url: "http://server.com" } })));
    w.ok(await w.send("/api/s/s2s/track", sdkBody("track", { event: "email.open", userId: "myUserId", anonymousId: anon, properties: {} }, "2026-05-15T10:19:59.000Z", { traits: { email: "john.doe@gmail.com" } })));

    const p = await w.must("user_id", "testUser");
    expect(p.identifiers).toContainEqual({ type: "anonymous_id", value: anon });
    expect(p.traits).toMatchObject({ email: "test@test.com" });
    const events = await w.events("user_id", "testUser");
    const names = events.map((e) => e.event);
    expect(names).toContain("testTrack");
    expect(names).toContain("$identify");
    expect(names).toContain("$pageview");
    const page = events.find((e) => e.event === "$pageview")!;
    expect(page.properties).toMatchObject({ name: "test", environment: "nodejs" });
    // The library is recorded from context.library; the masked key in the body is never stored.
    expect(events.find((e) => e.event === "testTrack")!.properties.$lib).toBe("@jitsu/js");
    expect(JSON.stringify(events)).not.toContain(`${KEY}:***`);
    // email.open was sent with its own userId: it belongs to myUserId (Jitsu stores the body's userId as given).
    expect((await w.events("user_id", "myUserId")).map((e) => e.event)).toContain("email.open");
  });

  test('nodejs.test.ts "timestamp option": an explicit historical timestamp is kept, the default one is "now"', async () => {
    // track("EVENT_1", undefined, {timestamp: new Date("2000-01-01")}) sends timestamp 2000-01-01T00:00:00.000Z with
    // sentAt = the SDK's now; EVENT_3 without the option sends timestamp = sentAt = now. Jitsu stores both as sent.
    // SPEC §3: "explicit historical timestamps are kept"; with sentAt = receivedAt the skew correction is zero.
    const w = await world();
    const old = { ...sdkBody("track", { event: "EVENT_1", anonymousId: "anon-ts" }), timestamp: "2000-01-01T00:00:00.000Z" };
    w.ok(await w.send("/api/s/s2s/track", old));
    w.ok(await w.send("/api/s/s2s/track", sdkBody("track", { event: "EVENT_3", anonymousId: "anon-ts" })));
    expect(await w.times("anonymous_id", "anon-ts")).toEqual([
      ["2000-01-01T00:00:00.000Z", "EVENT_1"],
      [NOW, "EVENT_3"],
    ]);
  });

  test("router.go patchEvent: an event without a timestamp is stamped with the time it was received", async () => {
    // `ev.SetIfAbsent("timestamp", nowIsoDate)`: a hand-made s2s call with no timestamp and no sentAt.
    const w = await world();
    w.ok(await w.send("/api/s/s2s/track", { type: "track", event: "No Time", userId: "u-notime" }));
    expect(await w.times("user_id", "u-notime")).toEqual([[NOW, "No Time"]]);
  });

  test("TestApplySegmentTimestampCorrection: a device clock 20 min behind is corrected (SPEC always; Jitsu not on /api/s)", async () => {
    // Jitsu's numbers: sentAt 10:00:00, receivedAt 10:20:00, timestamp 09:59:50 → 10:19:50. Jitsu applies this only on
    // its batch endpoint ("Deliberately scoped to BatchHandler"); on /api/s/s2s/:type it keeps 09:59:50.
    // SPEC §3 differs: "`timestamp = receivedAt − (sentAt − originalTimestamp)` when `sentAt` is present", on every
    // route — so we store 10:19:50.
    const w = await world("2026-05-15T10:20:00.000Z");
    const body = { ...sdkBody("track", { event: "Skewed", userId: "u-skew" }), timestamp: "2026-05-15T09:59:50.000Z", sentAt: "2026-05-15T10:00:00.000Z" };
    w.ok(await w.send("/api/s/s2s/track", body));
    expect(await w.times("user_id", "u-skew")).toEqual([["2026-05-15T10:19:50.000Z", "Skewed"]]);
  });

  test("TestApplySegmentTimestampCorrection: a sub-threshold skew (2 min) is corrected too (SPEC has no 5-min threshold)", async () => {
    // Jitsu leaves skews under `significantClockSkew` (5 min) alone: sentAt 10:18, received 10:20, timestamp 10:14:50
    // stays 10:14:50. SPEC §3 gives no threshold, so the 2 minutes are added: 10:16:50.
    // A device clock 20 min ahead (Jitsu's "negative offset" case: sentAt 10:40, timestamp 10:30 → 10:10) as well.
    const w = await world("2026-05-15T10:20:00.000Z");
    w.ok(await w.send("/api/s/s2s/track", { ...sdkBody("track", { event: "Small Skew", userId: "u-skew2" }), timestamp: "2026-05-15T10:14:50.000Z", sentAt: "2026-05-15T10:18:00.000Z" }));
    w.ok(await w.send("/api/s/s2s/track", { ...sdkBody("track", { event: "Ahead", userId: "u-skew2" }), timestamp: "2026-05-15T10:30:00.000Z", sentAt: "2026-05-15T10:40:00.000Z" }));
    expect(await w.times("user_id", "u-skew2")).toEqual([
      ["2026-05-15T10:10:00.000Z", "Ahead"],
      ["2026-05-15T10:16:50.000Z", "Small Skew"],
    ]);
  });

  test("a re-sent messageId is acknowledged and stored once (SPEC §3 exactly-once; Jitsu forwards both)", async () => {
    // The SDK retries nothing itself, but a caller re-sending after a timeout repeats the same body. Jitsu's
    // IngestHandler has no dedup (only an optional in-batch window on /api/s/s2s/batch); SPEC §3: "a re-sent message is
    // acknowledged and not stored twice".
    const w = await world();
    const body = sdkBody("track", { event: "Paid", userId: "u-dup", properties: { amount: 5 } });
    w.ok(await w.send("/api/s/s2s/track", body));
    w.ok(await w.send("/api/s/s2s/track", body));
    expect((await w.events("user_id", "u-dup")).map((e) => e.event)).toEqual(["Paid"]);
  });

  test('nodejs.test.ts "dontSend then consent": context.consent.categoryPreferences arrives with the event', async () => {
    // After configure({privacy: {consentCategories: {analytics: true}}}) the SDK sends identify, group and track with
    // context.consent.categoryPreferences {analytics: true}; Jitsu stores them. With no consent categories configured
    // on the source, SPEC §3 ("honoured") drops nothing.
    const w = await world();
    const consent = { consent: { categoryPreferences: { analytics: true } } };
    w.ok(await w.send("/api/s/s2s/identify", sdkBody("identify", { userId: "myUserId", anonymousId: "anon-c", traits: { email: "myUserId@example.com" } }, NOW, consent)));
    w.ok(await w.send("/api/s/s2s/track", sdkBody("track", { event: "myEvent", userId: "myUserId", anonymousId: "anon-c", groupId: "myGroupId", properties: { prop1: "value1" } }, NOW, { ...consent, traits: { email: "myUserId@example.com" } })));
    const events = await w.events("user_id", "myUserId");
    expect(events.find((e) => e.event === "myEvent")!.properties).toMatchObject({ prop1: "value1" });
  });
});

// ───────────────────────────────────────────── keys, statuses, bodies ─────────────────────────────────────────────

describe("IngestHandler: write keys, statuses and bodies", () => {
  test("getDataLocator: the key:secret in X-Write-Key, or HTTP Basic, or ?writekey=", async () => {
    // Jitsu reads Authorization (Basic, trailing ":" trimmed), else X-Write-Key, else ?writekey=. Our key is the
    // part before the colon (README: "Tessera reads the part before the colon").
    const w = await world();
    w.ok(await w.send("/api/s/s2s/track", sdkBody("track", { event: "Header", userId: "u-keys" })));
    w.ok(await w.send("/api/s/s2s/track", sdkBody("track", { event: "Basic", userId: "u-keys" }), { key: null, headers: { authorization: `Basic ${btoa(`${KEY}:`)}` } }));
    w.ok(await w.send(`/api/s/s2s/track?writekey=${KEY}`, sdkBody("track", { event: "Query", userId: "u-keys" }), { key: null }));
    expect((await w.events("user_id", "u-keys")).map((e) => e.event).sort()).toEqual(["Basic", "Header", "Query"]);
  });

  test("unknown write key: 401 on both routes (SPEC §3; Jitsu's browser route answers 200)", async () => {
    // IngestHandler: "stream not found" → `utils.Ternary(s2sEndpoint, 401, 200)`: a browser never sees the error.
    // SPEC §3: "Unknown key → `401`" — on every route.
    const w = await world();
    for (const path of ["/api/s/track", "/api/s/s2s/track"]) {
      const a = await w.send(path, sdkBody("track", { event: "X", userId: "u-unknown" }), { key: "nope:secret" });
      expect([path, a.status, a.body]).toEqual([path, 401, { success: false, error: "unknown write key", code: "invalid_write_key", message: "unknown write key" }]);
      const missing = await w.send(path, sdkBody("track", { event: "X", userId: "u-unknown" }), { key: null });
      expect([path, missing.status]).toEqual([path, 401]);
    }
    expect(await w.person("user_id", "u-unknown")).toBeNull();
  });

  test("unparseable JSON: 400 with a JSON error on both routes (SPEC §3; Jitsu's browser route answers 200)", async () => {
    // IngestHandler: "error parsing message" → 400 on s2s, 200 in the browser. SPEC §3: "a request that is not
    // parseable answers `400` with a clear JSON error".
    const w = await world();
    for (const path of ["/api/s/track", "/api/s/s2s/track"]) {
      const a = await w.send(path, '{"type":"track","event":"Broken",');
      expect([path, a.status, a.body?.success, typeof a.body?.error]).toEqual([path, 400, false, "string"]);
    }
  });

  test("patchEvent: a track without `event`, or an unknown type in the path, is refused with 400", async () => {
    // Jitsu: "'event' property is required for 'track' event" and "Unknown event type: …", 400 on s2s.
    const w = await world();
    const noName = await w.send("/api/s/s2s/track", sdkBody("track", { userId: "u-bad" }));
    expect([noName.status, noName.body?.success, typeof noName.body?.error]).toEqual([400, false, "string"]);
    const badType = await w.send("/api/s/s2s/purchase", sdkBody("track", { event: "Buy", userId: "u-bad" }));
    expect([badType.status, badType.body?.success]).toEqual([400, false]);
    expect(await w.person("user_id", "u-bad")).toBeNull();
  });

  test("IngestHandler content types: text/plain JSON is read like application/json", async () => {
    // Jitsu accepts bodies whose Content-Type ends in application/json or text/plain (a sendBeacon sends text/plain).
    const w = await world();
    w.ok(await w.send("/api/s/page", sdkBody("page", { anonymousId: "anon-plain", properties: { title: "Home" } }), { headers: { "content-type": "text/plain;charset=UTF-8" } }));
    expect((await w.events("anonymous_id", "anon-plain")).map((e) => e.event)).toEqual(["$pageview"]);
  });
});

// ───────────────────────────────────────────── browser vs server to server ─────────────────────────────────────────────

describe("patchEvent: browser (/api/s/:type) vs server to server (/api/s/s2s/:type)", () => {
  test("the browser route records the peer address and the request's User-Agent; s2s records neither", async () => {
    // patchEvent, IngestTypeBrowser: `ctx.Set("ip", ip)` from the request, `SetIfAbsent("userAgent", User-Agent header)`.
    // On s2s the peer is the customer's server: context.ip is left as sent (here: absent), no user agent is added.
    const w = await world();
    await w.setIpPolicy("keep");
    const peer = "203.0.113.9";
    const ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
    const browserBody = { ...sdkBody("page", { anonymousId: "anon-ip" }), context: { library: { name: "@jitsu/js", version: "1.9.0" }, page: { url: "https://shop.example/" } } };
    w.ok(await w.send("/api/s/page", browserBody, { peer, headers: { "user-agent": ua } }));
    w.ok(await w.send("/api/s/s2s/track", sdkBody("track", { event: "Server", anonymousId: "anon-ip" }), { peer: "198.51.100.20", headers: { "user-agent": "node" } }));
    const byName = Object.fromEntries((await w.events("anonymous_id", "anon-ip")).map((e) => [e.event, e.properties]));
    expect(byName.$pageview).toMatchObject({ $ip: peer, $browser: "Chrome", $os: "Windows" });
    expect(byName.Server!.$ip).toBeUndefined();
    expect(byName.Server!.$browser).toBeUndefined();
  });

  test("an explicit context.ip: kept on s2s (as Jitsu does) and on the browser route (SPEC §3; Jitsu overwrites it)", async () => {
    // Jitsu, browser route: "if ip comes from browser, don't trust it!" — context.ip is replaced by the peer. SPEC §3:
    // "`context.ip` (or the peer address)": the sent context.ip comes first, on every route.
    const w = await world();
    await w.setIpPolicy("keep");
    const peer = "203.0.113.9";
    w.ok(await w.send("/api/s/track", sdkBody("track", { event: "Browser", userId: "u-ctxip" }, NOW, { ip: "198.51.100.7" }), { peer }));
    w.ok(await w.send("/api/s/s2s/track", sdkBody("track", { event: "Server", userId: "u-ctxip" }, NOW, { ip: "192.0.2.44" }), { peer }));
    const ips = Object.fromEntries((await w.events("user_id", "u-ctxip")).map((e) => [e.event, e.properties.$ip]));
    expect(ips).toEqual({ Browser: "198.51.100.7", Server: "192.0.2.44" });
  });

  test("CorsMiddleware: a preflight from a customer's page allows X-Write-Key, credentials, and caches a day", async () => {
    // Jitsu answers OPTIONS with the Origin echoed, Allow-Headers including x-write-key and content-type,
    // Allow-Credentials true, Max-Age 86400; the POST itself echoes the Origin too.
    const w = await world();
    const origin = "https://shop.example";
    const pre = await w.raw("OPTIONS", "/api/s/track", undefined, {
      origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type,x-write-key",
    });
    expect(pre.status).toBeGreaterThanOrEqual(200);
    expect(pre.status).toBeLessThan(300);
    expect(pre.headers.get("access-control-allow-origin")).toBe(origin);
    expect(pre.headers.get("access-control-allow-credentials")).toBe("true");
    expect(pre.headers.get("access-control-max-age")).toBe("86400");
    expect(pre.headers.get("access-control-allow-methods")?.toUpperCase()).toContain("POST");
    expect(pre.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("x-write-key");
    const post = await w.send("/api/s/track", sdkBody("track", { event: "Cors", anonymousId: "anon-cors" }), { headers: { origin } });
    w.ok(post);
    expect(post.headers.get("access-control-allow-origin")).toBe(origin);
  });
});

// ───────────────────────────────────────────── Jitsu's batch endpoint ─────────────────────────────────────────────

describe("BatchHandler: POST /api/s/s2s/batch", () => {
  test("a Segment-style {batch, writeKey} body on /api/s/s2s/batch is stored like /v1/batch", async () => {
    // Jitsu serves `/api/s/s2s/batch` (router.go) with its BatchHandler: `{batch, context, writeKey, sentAt}`, key from
    // X-Write-Key / Basic / ?writekey= / the body, answering `{"ok":true,"receivedEvents":n,"okEvents":n}`. Clients in
    // the wild post there (e.g. Python services batching server-side events). @jitsu/js itself does not.
    // Our answer is SPEC §3's Segment answer.
    const w = await world();
    const batch = [
      { type: "track", event: "A", userId: "u-batch", timestamp: "2026-05-15T10:00:00.000Z", messageId: "b-1" },
      { type: "identify", userId: "u-batch", traits: { plan: "pro" }, timestamp: "2026-05-15T10:00:01.000Z", messageId: "b-2" },
    ];
    w.ok(await w.send("/api/s/s2s/batch", { batch, writeKey: SDK_KEY }));
    expect((await w.events("user_id", "u-batch")).map((e) => e.event)).toEqual(["A", "$identify"]);
  });
});
