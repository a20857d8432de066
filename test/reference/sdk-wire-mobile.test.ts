/**
 * Reference cases for what the mobile and cross-platform SDKs put on the wire and need back (SPEC §3), beside
 * sdk-wire.test.ts (which pins posthog-android and posthog-ios). Each request is rebuilt from the SDK's own code:
 * - segmentio/analytics-kotlin `core/.../HTTPClient.kt` (POST `https://$apiHost/b`, `Content-Type: text/plain`,
 *   `Content-Encoding: gzip`, `User-Agent: analytics-kotlin/…`, no Authorization), `utilities/StorageImpl.kt` and
 *   `EventsFileManager.kt` (the batch file `{"batch":[…],"sentAt":"…","writeKey":"…"}`; sentAt is written when the
 *   file is closed, at the flush that first tries it), `platform/EventPipeline.kt` and `retry/RetryStateMachine.kt`
 *   (`X-Retry-Count` on retries; legacy rule: 2xx delete, 429/5xx keep, other 4xx delete), `Events.kt` (timestamp
 *   `Instant.toString()`, blank userId dropped), `android/.../AndroidContextPlugin.kt` (app, device, os, screen,
 *   network, locale, timezone, `userAgent` = `http.agent`, a `Dalvik/2.1.0 (…)` string);
 * - segmentio/analytics-swift `Sources/Segment/Utilities/Networking/HTTPClient.swift` (POST `/b`,
 *   `application/json; charset=utf-8`, no Authorization, 1..<300 is success, 300..<400 a failure),
 *   `Plugins/SegmentDestination.swift` (delete on success, on 400 and in later versions on 429; keep otherwise),
 *   the DirectoryStore file (`{ "batch": [` … `],"sentAt":"…","writeKey":"…"}`, sentAt at `finishFile`);
 * - segmentio/analytics-react-native `packages/core/src/api.ts` (`fetch` POST `/b`, `text/plain`,
 *   `{batch, sentAt: new Date().toISOString(), writeKey}` built at upload) and `context.ts` (no userAgent; user
 *   traits in `context.traits` on every event), on Android the request's User-Agent is OkHttp's;
 * - segmentio/analytics-android `Client.java` / `ConnectionFactory` (gzip `/import` with Basic auth, `{batch,
 *   sentAt}` written at upload, 4xx dropped) and segmentio/analytics-ios `SEGUtils.m` (context: device.type "ios",
 *   model `hw.machine`, os from UIDevice, network, locale, timezone, traits);
 * - rudderlabs/rudder-sdk-android `RudderNetworkManager.java` (Basic auth, `AnonymousId: base64(anonymousId)`, gzip,
 *   only exactly 200 is success, "invalid write key" in the body stops the processor), `FlushUtils.java`
 *   (`getPayloadFromMessages`: `{"sentAt":…,"batch":[…]}` with the same sentAt, set at upload, in every event),
 *   `RudderCloudModeManager.java` (POST `v1/batch`; anything else but success is retried), `RudderMessage.java`
 *   (`channel: "mobile"`, `originalTimestamp`, messageId `<ms>-<uuid>`, identify traits in `context.traits`),
 *   `RudderClient.java` (screen: the name in `event` and `properties.name`); rudder-sdk-ios v1 (its constants: the
 *   same `{"batch":[…],"sentAt":"…"}` framing, 32 KB per event, 500 KB per batch). rudder-sdk-flutter and
 *   rudder-sdk-react-native drive these native SDKs on Android and iOS, so they send the same requests;
 * - posthog-js `packages/react-native/src/posthog-rn.ts` (`$screen` with `$screen_name`, `$lib:
 *   posthog-react-native`, `$screen_width/height`, the app's `$os_name`, `$app_version` …, `/batch/` through the
 *   core). posthog-flutter drives posthog-android/-ios (pinned in sdk-wire.test.ts) on mobile.
 * Differences found, and where they are handled, are named in each case.
 */
import { describe, expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { answerOf, byIdentifier, idsOf, referenceApp, stored, type Answer, type Props, diskSwitch } from "./harness.ts";

const KEY = "mobile_wire_reference_key_01";

const gzip = (s: string) => new Uint8Array(gzipSync(Buffer.from(s, "utf8")));
const basic = (key: string) => `Basic ${btoa(`${key}:`)}`;
const at = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

/** world is a fresh app whose default source has write key KEY, its clock at `now`. */
async function world(now: string) {
  const h = await referenceApp(KEY, { now });
  const find = byIdentifier(h);
  return {
    h,
    advance: (ms: number) => h.t.clock.advance(ms),
    async send(path: string, body: string | Uint8Array<ArrayBuffer>, headers: Record<string, string>): Promise<Answer> {
      return answerOf(await h.t.app.request(path, { method: "POST", headers, body }));
    },
    ...diskSwitch(h),
    ...find,
    ...stored(h, find.must),
  };
}

const segmentOk = (a: Answer) => expect([a.status, a.body]).toEqual([200, { success: true }]);

// ─────────────────────────────────────────────── analytics-kotlin (Android) ───────────────────────────────────────────────

const ANDROID_CONTEXT: Props = {
  app: { name: "茶叶商城", version: "2.4.1", namespace: "cn.example.tea", build: "241" },
  device: { id: "b3f1c2d4e5f60718", manufacturer: "Google", model: "Pixel 8", name: "shiba", type: "android" },
  os: { name: "Android", version: "14" },
  screen: { density: 2.625, height: 2205, width: 1080 },
  network: { wifi: true, bluetooth: false, cellular: true },
  locale: "zh-CN",
  userAgent: "Dalvik/2.1.0 (Linux; U; Android 14; Pixel 8 Build/AP1A.240305.019)",
  timezone: "Asia/Shanghai",
  library: { name: "analytics-kotlin", version: "1.16.0" },
  instanceId: "5c0a3c56-1f2e-4b7c-9d3a-6b1e2f3a4c5d",
};
const KOTLIN_ANON = "8c4f1a2b-3d5e-4f60-8a7b-9c0d1e2f3a4b";
const KOTLIN_HEADERS = { "content-type": "text/plain", "content-encoding": "gzip", "user-agent": "analytics-kotlin/1.16.0" };

/** kotlinEvent is one line of the batch file: EncodeDefaultsJson of a BaseEvent, blank userId and empty traits dropped. */
function kotlinEvent(type: string, fields: Props, timestamp: string, messageId: string, userId = ""): Props {
  return {
    ...fields, type, messageId, anonymousId: KOTLIN_ANON, integrations: {}, context: ANDROID_CONTEXT, timestamp,
    ...(userId === "" ? {} : { userId }), _metadata: { bundled: [], unbundled: [], bundledIds: [] },
  };
}

/** kotlinFile is a closed batch file, sent as-is, gzipped by the connection. */
const kotlinFile = (events: Props[], sentAt: string) => `{"batch":[${events.map((e) => JSON.stringify(e)).join(",")}],"sentAt":"${sentAt}","writeKey":"${KEY}"}`;

describe("analytics-kotlin", () => {
  // One flush of a fresh install: Application Installed, two screens (category "" as ScreenEvent defaults it),
  // identify with top-level traits, a purchase, group and alias. The phone's clock is 40 s slow; Instant.toString()
  // writes microseconds. /v1/b answers 200 (kotlin throws on ≥ 300), the write key only in the body.
  test("gzip text/plain /v1/b with writeKey in the body: every call type lands on one person, the device's context on the events", async () => {
    const w = await world("2026-03-01T12:00:00.000Z");
    const slow = (iso: string) => at(iso, -40_000).replace(".000Z", ".000123Z");
    const user = "member-7730";
    const events = [
      kotlinEvent("track", { event: "Application Installed", properties: { version: "2.4.1", build: "241" } }, slow("2026-03-01T11:58:00.000Z"), "0f1e2d3c-0001-4b5a-8c9d-0e1f2a3b4c5d"),
      kotlinEvent("screen", { name: "TeaListActivity", category: "", properties: {} }, slow("2026-03-01T11:58:05.000Z"), "0f1e2d3c-0002-4b5a-8c9d-0e1f2a3b4c5d"),
      kotlinEvent("identify", { traits: { phone: "+8613800138000", name: "李娜", tier: "gold" } }, slow("2026-03-01T11:59:00.000Z"), "0f1e2d3c-0003-4b5a-8c9d-0e1f2a3b4c5d", user),
      kotlinEvent("track", { event: "Order Completed", properties: { order_id: "T-1001", revenue: 268, currency: "CNY" } }, slow("2026-03-01T11:59:30.000Z"), "0f1e2d3c-0004-4b5a-8c9d-0e1f2a3b4c5d", user),
      kotlinEvent("screen", { name: "OrderDoneActivity", category: "checkout", properties: {} }, slow("2026-03-01T11:59:31.000Z"), "0f1e2d3c-0005-4b5a-8c9d-0e1f2a3b4c5d", user),
      kotlinEvent("group", { groupId: "tea-club-sh", traits: { name: "上海茶友会" } }, slow("2026-03-01T11:59:40.000Z"), "0f1e2d3c-0006-4b5a-8c9d-0e1f2a3b4c5d", user),
      kotlinEvent("alias", { previousId: user }, slow("2026-03-01T11:59:50.000Z"), "0f1e2d3c-0007-4b5a-8c9d-0e1f2a3b4c5d", "member-7730-cn"),
    ];
    segmentOk(await w.send("/v1/b", gzip(kotlinFile(events, slow("2026-03-01T12:00:00.000Z"))), KOTLIN_HEADERS));

    const p = await w.must("user_id", user);
    expect(idsOf(p, "anonymous_id")).toEqual([KOTLIN_ANON]);
    expect(idsOf(p, "phone")).toEqual(["+8613800138000"]);
    expect(p.traits).toMatchObject({ name: "李娜", tier: "gold" });
    const stored = await w.events("user_id", user);
    expect(stored.map((e) => [e.time, e.event, e.properties.$screen_name ?? null])).toEqual([
      ["2026-03-01T11:58:00.000Z", "Application Installed", null],
      ["2026-03-01T11:58:05.000Z", "$screen", "TeaListActivity"],
      ["2026-03-01T11:59:00.000Z", "$identify", null],
      ["2026-03-01T11:59:30.000Z", "Order Completed", null],
      ["2026-03-01T11:59:31.000Z", "$screen", "OrderDoneActivity"],
      ["2026-03-01T11:59:40.000Z", "$groupidentify", null],
      ["2026-03-01T11:59:50.000Z", "$create_alias", null],
    ]);
    const order = stored[3]!.properties;
    // The context is not stored; the enrichment keeps what an analyst breaks app events down by, under
    // posthog-android's names. The Dalvik user agent names the OS; it cannot tell a phone from a tablet, so no
    // $device_type (it used to say "Tablet" for every Android phone), and an app is no browser.
    expect(order).toMatchObject({
      order_id: "T-1001", revenue: 268, $lib: "analytics-kotlin", $lib_version: "1.16.0",
      $os: "Android", $os_version: "14", $app_version: "2.4.1", $app_build: "241", $app_namespace: "cn.example.tea", $app_name: "茶叶商城",
      $device_manufacturer: "Google", $device_model: "Pixel 8", $screen_width: 1080, $screen_height: 2205,
      $network_wifi: true, $locale: "zh-CN", $timezone: "Asia/Shanghai",
    });
    for (const k of ["$device_type", "$browser", "$bot", "$channel"]) expect([k, order[k]]).toEqual([k, undefined]);
    // The screen's empty category is not a property; a real one is.
    expect([stored[1]!.properties.category, stored[4]!.properties.category]).toEqual([undefined, "checkout"]);
  });

  // EventPipeline: a 503 answer (an HTTPException, RETRY by status) keeps the file; the next flush re-sends the same
  // bytes with X-Retry-Count: 1. A 400 is a 4xx: the file is deleted, as analytics-swift deletes on 400. A whole batch
  // of items we refuse must therefore answer 400 (not a 5xx that would loop forever).
  test("503 + Retry-After keeps the file and the retry is stored once; a batch of refused items is a 400 the SDK deletes", async () => {
    const w = await world("2026-03-01T12:00:00.000Z");
    const file = gzip(kotlinFile([
      kotlinEvent("track", { event: "Coupon Claimed", properties: { code: "TEA10" } }, "2026-03-01T11:59:50.000Z", "0f1e2d3c-00r1-4b5a-8c9d-0e1f2a3b4c5d"),
    ], "2026-03-01T12:00:00.000Z"));
    w.refuseWrites();
    let refused: Answer;
    try {
      refused = await w.send("/v1/b", file, KOTLIN_HEADERS);
    } finally {
      w.allowWrites();
    }
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after") ?? "").toMatch(/^[1-9]\d*$/);
    w.advance(30_000);
    segmentOk(await w.send("/v1/b", file, { ...KOTLIN_HEADERS, "x-retry-count": "1" }));
    segmentOk(await w.send("/v1/b", file, { ...KOTLIN_HEADERS, "x-retry-count": "2" }));
    // The file's sentAt is the time it was closed: the retry 30 s later lands the event 30 s later (SPEC §3's formula).
    expect(await w.times("anonymous_id", KOTLIN_ANON)).toEqual([["2026-03-01T12:00:20.000Z", "Coupon Claimed"]]);

    const bad = await w.send("/v1/b", gzip(kotlinFile([{ type: "track", event: "x", messageId: "m-bad", timestamp: "2026-03-01T12:00:00Z", context: ANDROID_CONTEXT }], "2026-03-01T12:00:30.000Z")), KOTLIN_HEADERS);
    expect(bad.status).toBe(400);
    expect(bad.body.rejected).toEqual([{ index: 0, error: expect.stringContaining("userId or an anonymousId") }]);
  });
});

// ─────────────────────────────────────────────── offline for days ───────────────────────────────────────────────

describe("an app offline for three days", () => {
  // Events recorded on 2026-02-26 while the phone had no network (its clock right), delivered on 2026-03-01.
  // rudder-sdk-android and analytics-react-native write sentAt when they upload: `receivedAt − (sentAt − timestamp)`
  // puts the events back on the 26th. analytics-kotlin and -swift write sentAt when the batch file is closed, at the
  // first (failed) flush on the 26th: by SPEC §3's formula (fixed) the events then land at delivery time, as they do
  // in Segment itself (segment-docs PR #6252: "This changes the value of the Segment calculated timestamp to align
  // closer with the receivedAt value rather than the originalTimestamp value … if your application utilizes an
  // offline mode"). SPEC deliberately keeps the formula; the device's own `timestamp` stays the only true time and
  // is not recoverable from what we store.
  test("sentAt at upload (Rudder, React Native) keeps the days; sentAt at file close (kotlin, swift) lands them at delivery", async () => {
    const w = await world("2026-03-01T09:00:00.000Z");
    const happened = "2026-02-26T08:30:00.000Z";
    const flushedOffline = "2026-02-26T08:30:30.000Z";
    const uploadedNow = "2026-03-01T09:00:00.000Z";

    // rudder-sdk-android: gzip /v1/batch, Basic auth, the same upload-time sentAt on the batch and on every event.
    const rudder = {
      messageId: "1772094600000-4b6c1a2e-9f3d-4e5a-8b7c-6d5e4f3a2b1c", channel: "mobile", type: "track", event: "Tea Brewed",
      originalTimestamp: happened, anonymousId: "rudder-device-01", integrations: { All: true }, properties: { minutes: 3 },
      context: { os: { name: "Android", version: "13" }, device: { model: "MI 13", type: "Android" }, library: { name: "com.rudderstack.android.sdk.core", version: "1.25.1" } },
      sentAt: uploadedNow,
    };
    const rs = await w.send("/v1/batch", gzip(JSON.stringify({ sentAt: uploadedNow, batch: [rudder] })), {
      "content-type": "application/json", "content-encoding": "gzip", authorization: basic(KEY), anonymousid: btoa("rudder-device-01"),
    });
    expect(rs.status).toBe(200);

    // analytics-react-native: text/plain /v1/b, {batch, sentAt, writeKey} built at upload.
    const rn = { type: "track", event: "Tea Brewed", anonymousId: "rn-device-01", messageId: "rn-0001", timestamp: happened, properties: { minutes: 4 }, context: { os: { name: "iOS", version: "17.4" }, device: { model: "iPhone15,2", type: "ios" } } };
    segmentOk(await w.send("/v1/b", JSON.stringify({ batch: [rn], sentAt: uploadedNow, writeKey: KEY }), { "content-type": "text/plain" }));

    // analytics-kotlin: the file closed by the failed flush on the 26th, uploaded now.
    const kt = kotlinEvent("track", { event: "Tea Brewed", properties: { minutes: 5 } }, happened, "0f1e2d3c-00f1-4b5a-8c9d-0e1f2a3b4c5d");
    segmentOk(await w.send("/v1/b", gzip(kotlinFile([kt], flushedOffline)), KOTLIN_HEADERS));

    expect(await w.times("anonymous_id", "rudder-device-01")).toEqual([[happened, "Tea Brewed"]]);
    expect(await w.times("anonymous_id", "rn-device-01")).toEqual([[happened, "Tea Brewed"]]);
    expect(await w.times("anonymous_id", KOTLIN_ANON)).toEqual([["2026-03-01T08:59:30.000Z", "Tea Brewed"]]);
  });
});

// ─────────────────────────────────────────────── analytics-swift (iOS) ───────────────────────────────────────────────

describe("analytics-swift", () => {
  // DirectoryStore writes `{ "batch": [` then one event per line, and finishFile appends `],"sentAt":…,"writeKey":…}`;
  // HTTPClient uploads the file as is with `application/json; charset=utf-8`, no Authorization, no gzip. iOS
  // context: device.type "ios", model the machine id, os from UIDevice. The iPhone's clock is 2 minutes fast.
  test("the DirectoryStore file on /v1/b: identify, screen and track on one person; iOS from the context, iPhone → Mobile", async () => {
    const w = await world("2026-03-01T12:00:00.000Z");
    const fast = (iso: string) => at(iso, 120_000);
    const anon = "E3B0C442-98FC-4C14-9AFB-F4C8996FB924";
    const context = {
      app: { name: "Tea Shop", version: "3.1.0", build: "310", namespace: "cn.example.tea" },
      device: { manufacturer: "Apple", type: "ios", model: "iPhone15,2", name: "iPhone", id: "6D3A1B2C-0000-4000-8000-000000000001" },
      os: { name: "iOS", version: "17.4.1" }, screen: { width: 393, height: 852 }, network: { cellular: false, wifi: true },
      locale: "zh-Hans-CN", timezone: "Asia/Shanghai", library: { name: "analytics-swift", version: "1.5.11" }, instanceId: "1F2E3D4C",
    };
    const ev = (fields: Props, ts: string, id: string) => JSON.stringify({ ...fields, anonymousId: anon, messageId: id, timestamp: fast(ts), context, integrations: {} });
    const body = `{ "batch": [\n${[
      ev({ type: "screen", name: "Home", properties: { tab: "featured" } }, "2026-03-01T11:59:00.000Z", "A1000000-0000-4000-8000-000000000001"),
      ev({ type: "identify", userId: "ios-user-9", traits: { email: "Mei.Chen@Example.com", plan: "tea-club" } }, "2026-03-01T11:59:10.000Z", "A1000000-0000-4000-8000-000000000002"),
      ev({ type: "track", userId: "ios-user-9", event: "Product Added", properties: { sku: "LJ-250", price: 128 } }, "2026-03-01T11:59:20.000Z", "A1000000-0000-4000-8000-000000000003"),
    ].join(",\n")}\n],"sentAt":"${fast("2026-03-01T12:00:00.000Z")}","writeKey":"${KEY}"}`;
    segmentOk(await w.send("/v1/b", body, { "content-type": "application/json; charset=utf-8", "user-agent": "analytics-ios/1.5.11", "accept-encoding": "gzip" }));

    const p = await w.must("user_id", "ios-user-9");
    expect([idsOf(p, "anonymous_id"), idsOf(p, "email")]).toEqual([[anon], ["mei.chen@example.com"]]);
    expect(p.traits).toMatchObject({ plan: "tea-club" });
    const stored = await w.events("user_id", "ios-user-9");
    expect(stored.map((e) => [e.time, e.event])).toEqual([
      ["2026-03-01T11:59:00.000Z", "$screen"],
      ["2026-03-01T11:59:10.000Z", "$identify"],
      ["2026-03-01T11:59:20.000Z", "Product Added"],
    ]);
    expect(stored[0]!.properties).toMatchObject({ $screen_name: "Home", tab: "featured" });
    expect(stored[2]!.properties).toMatchObject({
      sku: "LJ-250", $lib: "analytics-swift", $os: "iOS", $os_version: "17.4.1", $device_type: "Mobile", $device_model: "iPhone15,2",
      $app_version: "3.1.0", $screen_width: 393, $network_wifi: true, $locale: "zh-Hans-CN", $timezone: "Asia/Shanghai",
    });
    expect(stored[2]!.properties.$browser).toBeUndefined();
  });
});

// ─────────────────────────────────────────────── analytics-react-native ───────────────────────────────────────────────

describe("analytics-react-native", () => {
  // api.ts: fetch POST /v1/b, text/plain, {batch, sentAt, writeKey}; on Android the request's User-Agent is
  // OkHttp's, which names an HTTP library as bots' do. context.ts sends no userAgent and the user's traits in
  // context.traits on every event. The source drops bots: the app's events must still be stored, unflagged.
  test("okhttp's User-Agent on /v1/b is not a bot; traits from identify and context.traits; screen, alias", async () => {
    const w = await world("2026-03-01T12:00:00.000Z");
    const admin = await w.h.t.asToken("admin");
    const { results } = await w.h.get<{ results: { id: number }[] }>("/api/sources");
    const patched = await w.h.t.call("PATCH", `/api/sources/${results[0]!.id}`, { json: { settings: { bots: "drop" } }, headers: admin.headers });
    expect(patched.status).toBe(200);

    const anon = "rn-7d0c1b2a-3e4f-4a5b-8c6d-7e8f9a0b1c2d";
    const context = {
      app: { build: "52", name: "TeaShop", namespace: "cn.example.tea", version: "5.2.0" },
      device: { id: "a1b2c3d4e5f6", manufacturer: "Xiaomi", model: "23127PN0CC", name: "houji", type: "android" },
      library: { name: "@segment/analytics-react-native", version: "2.19.2" }, locale: "zh-CN",
      network: { cellular: true, wifi: false }, os: { name: "Android", version: "14" },
      screen: { width: 1200, height: 2670, density: 3 }, timezone: "Asia/Shanghai",
    };
    const ev = (fields: Props, traits: Props, ts: string, id: string) => ({ ...fields, anonymousId: anon, messageId: id, timestamp: ts, context: { ...context, traits }, integrations: {} });
    const batch = [
      ev({ type: "screen", name: "Cart", properties: { items: 2 } }, {}, "2026-03-01T11:59:50.000Z", "rn-msg-0001"),
      ev({ type: "identify", userId: "rn-user-3", traits: { phone: "+8613900139000", city: "杭州" } }, { phone: "+8613900139000", city: "杭州" }, "2026-03-01T11:59:51.000Z", "rn-msg-0002"),
      ev({ type: "track", userId: "rn-user-3", event: "Checkout Started", properties: { value: 256 } }, { phone: "+8613900139000", city: "杭州" }, "2026-03-01T11:59:52.000Z", "rn-msg-0003"),
      ev({ type: "alias", userId: "rn-user-3-v2", previousId: "rn-user-3" }, { phone: "+8613900139000", city: "杭州" }, "2026-03-01T11:59:53.000Z", "rn-msg-0004"),
    ];
    segmentOk(await w.send("/v1/b", JSON.stringify({ batch, sentAt: "2026-03-01T12:00:00.000Z", writeKey: KEY }), {
      "content-type": "text/plain;charset=UTF-8", "user-agent": "okhttp/4.9.2",
    }));

    const p = await w.must("user_id", "rn-user-3");
    expect(idsOf(p, "anonymous_id")).toEqual([anon]);
    expect(idsOf(p, "phone")).toEqual(["+8613900139000"]);
    expect(p.traits).toMatchObject({ city: "杭州" });
    const stored = await w.events("user_id", "rn-user-3");
    expect(stored.map((e) => e.event)).toEqual(["$screen", "$identify", "Checkout Started", "$create_alias"]);
    const checkout = stored[2]!.properties;
    expect(checkout).toMatchObject({ value: 256, $os: "Android", $os_version: "14", $device_model: "23127PN0CC", $app_version: "5.2.0", $lib: "@segment/analytics-react-native" });
    expect([checkout.$bot, checkout.$browser]).toEqual([undefined, undefined]);
    expect(await w.total("Checkout Started", "2026-03-01", "2026-03-01")).toBe(1);
  });
});

// ─────────────────────────────────────── analytics-android / analytics-ios (classic) ───────────────────────────────────────

describe("analytics-android and analytics-ios (classic)", () => {
  // Client/ConnectionFactory: gzip POST /v1/import, Basic auth, `{"batch":[…],"sentAt":"…"}` written at upload (no
  // writeKey in the body); a 4xx is dropped, anything else ≥ 300 retried. analytics-ios classic: the same /import
  // body from SEGHTTPClient, its context from SEGUtils (device.type "ios", model "iPad13,4", os "iPadOS").
  test("gzip /v1/import {batch, sentAt} with Basic auth: an Android and an iPad session, skew corrected", async () => {
    const w = await world("2026-03-01T12:00:00.000Z");
    const android = {
      type: "track", event: "Product Viewed", anonymousId: "classic-android-1", messageId: "2b3c4d5e-0001-4f60-8a7b-9c0d1e2f3a4b",
      timestamp: "2026-03-01T11:04:00.000Z", properties: { sku: "BLC-100" }, integrations: {},
      context: {
        app: { name: "Tea", version: "1.9.0", build: "190", namespace: "cn.example.tea" },
        device: { id: "android-id-1", manufacturer: "HUAWEI", model: "ALN-AL00", name: "ALN", type: "android" },
        os: { name: "Android", version: "12" }, screen: { density: 3, width: 1260, height: 2720 },
        userAgent: "Dalvik/2.1.0 (Linux; U; Android 12; ALN-AL00 Build/HUAWEIALN-AL00)", locale: "zh-CN", timezone: "Asia/Shanghai",
        network: { wifi: true, carrier: "中国移动", bluetooth: false, cellular: false }, library: { name: "analytics-android", version: "4.11.3" },
        traits: { anonymousId: "classic-android-1" },
      },
    };
    const ipad = {
      type: "screen", name: "Catalog", anonymousId: "classic-ios-1", messageId: "2b3c4d5e-0002-4f60-8a7b-9c0d1e2f3a4b",
      timestamp: "2026-03-01T11:04:30.123456789Z", properties: {}, integrations: {},
      context: {
        device: { manufacturer: "Apple", type: "ios", name: "iPad", model: "iPad13,4", id: "ipad-vendor-id" },
        os: { name: "iPadOS", version: "17.2" }, screen: { width: 834, height: 1194 }, locale: "zh-CN", timezone: "Asia/Shanghai",
        network: { wifi: true, cellular: false }, library: { name: "analytics-ios", version: "4.1.8" }, traits: {},
      },
    };
    // The device clock is 1 hour slow: sentAt 11:05 arrives at 12:05.
    w.advance(5 * 60_000);
    const a = await w.send("/v1/import", gzip(JSON.stringify({ batch: [android, ipad], sentAt: "2026-03-01T11:05:00.000Z" })), {
      "content-type": "application/json", "content-encoding": "gzip", authorization: basic(KEY), "user-agent": "analytics-android/4.11.3",
    });
    segmentOk(a);
    const droid = await w.events("anonymous_id", "classic-android-1");
    expect(droid.map((e) => [e.time, e.event])).toEqual([["2026-03-01T12:04:00.000Z", "Product Viewed"]]);
    expect(droid[0]!.properties).toMatchObject({ $os: "Android", $os_version: "12", $device_model: "ALN-AL00", $network_carrier: "中国移动" });
    expect(droid[0]!.properties.$device_type).toBeUndefined();
    const tablet = await w.events("anonymous_id", "classic-ios-1");
    expect(tablet.map((e) => [e.time, e.event, e.properties.$screen_name])).toEqual([["2026-03-01T12:04:30.123Z", "$screen", "Catalog"]]);
    expect(tablet[0]!.properties).toMatchObject({ $os: "iOS", $os_version: "17.2", $device_type: "Tablet" });
  });
});

// ─────────────────────────────────────────────── rudder-sdk-android / -ios (v1) ───────────────────────────────────────────────

describe("rudder-sdk-android / rudder-sdk-ios (v1)", () => {
  // getPayloadFromMessages: `{"sentAt":…,"batch":[…]}` gzipped to v1/batch with Basic auth and the AnonymousId header
  // (base64, NO_WRAP), every event carrying the same sentAt, `channel: "mobile"`, `originalTimestamp`. identify's
  // traits are in context.traits only (with the `id` and `anonymousId` RudderTraits adds); screen names the screen in
  // `event`. RudderNetworkManager counts only exactly 200 as delivered. The phone's clock is 10 minutes fast.
  test("gzip /v1/batch: context.traits identify, screen named in `event`, channel mobile; exactly 200", async () => {
    const w = await world("2026-03-01T12:00:00.000Z");
    const fast = (iso: string) => at(iso, 600_000);
    const anon = "f2a9c0e1d3b4";
    const context = {
      app: { build: "88", name: "Tea", namespace: "cn.example.tea", version: "8.8.0" },
      device: { id: anon, manufacturer: "OPPO", model: "PHZ110", name: "OP5A1F", type: "Android", adTrackingEnabled: false },
      library: { name: "com.rudderstack.android.sdk.core", version: "1.25.1" }, locale: "zh-CN",
      network: { carrier: "中国联通", bluetooth: false, cellular: true, wifi: false }, os: { name: "Android", version: "14" },
      screen: { density: 480, width: 1080, height: 2412 }, timezone: "Asia/Shanghai",
      userAgent: "Dalvik/2.1.0 (Linux; U; Android 14; PHZ110 Build/UKQ1.230924.001)",
    };
    const sentAt = fast("2026-03-01T12:00:00.000Z");
    const msg = (fields: Props, traits: Props, ts: string, n: number): Props => ({
      messageId: `${Date.parse(ts)}-5e6f7a8b-000${n}-4c5d-8e9f-0a1b2c3d4e5f`, channel: "mobile", context: { ...context, traits },
      originalTimestamp: fast(ts), anonymousId: anon, integrations: { All: true }, ...fields, sentAt,
    });
    const traits = { anonymousId: anon, id: "rs-mobile-1", email: "Wang.Fang@Example.com", name: "王芳" };
    const batch = [
      msg({ type: "screen", event: "MainActivity", properties: { name: "MainActivity", automatic: true } }, { anonymousId: anon }, "2026-03-01T11:59:00.000Z", 1),
      msg({ type: "identify", event: "identify", userId: "rs-mobile-1", properties: {} }, traits, "2026-03-01T11:59:10.000Z", 2),
      msg({ type: "track", event: "Order Completed", userId: "rs-mobile-1", properties: { revenue: 99, currency: "CNY" } }, traits, "2026-03-01T11:59:20.000Z", 3),
    ];
    const a = await w.send("/v1/batch", gzip(JSON.stringify({ sentAt, batch })), {
      "content-type": "application/json", "content-encoding": "gzip", authorization: basic(KEY), anonymousid: btoa(anon),
    });
    expect(a.status).toBe(200);

    const p = await w.must("user_id", "rs-mobile-1");
    expect([idsOf(p, "anonymous_id"), idsOf(p, "email")]).toEqual([[anon], ["wang.fang@example.com"]]);
    expect(p.traits).toMatchObject({ name: "王芳" });
    const stored = await w.events("user_id", "rs-mobile-1");
    expect(stored.map((e) => [e.time, e.event, e.properties.$screen_name ?? null])).toEqual([
      ["2026-03-01T11:59:00.000Z", "$screen", "MainActivity"],
      ["2026-03-01T11:59:10.000Z", "$identify", null],
      ["2026-03-01T11:59:20.000Z", "Order Completed", null],
    ]);
    expect(stored[0]!.properties).toMatchObject({ name: "MainActivity", automatic: true });
    expect(stored[2]!.properties).toMatchObject({ revenue: 99, $os: "Android", $device_model: "PHZ110", $network_carrier: "中国联通", $lib: "com.rudderstack.android.sdk.core" });
    // Top-level `channel: "mobile"` is RudderStack's source channel, not attribution: no $channel.
    expect(stored[2]!.properties.$channel).toBeUndefined();

    // Sent again (no 200 seen before the timeout): acknowledged with exactly 200, nothing stored twice.
    const again = await w.send("/v1/batch", gzip(JSON.stringify({ sentAt, batch })), {
      "content-type": "application/json", "content-encoding": "gzip", authorization: basic(KEY), anonymousid: btoa(anon),
    });
    expect(again.status).toBe(200);
    expect((await w.events("user_id", "rs-mobile-1")).length).toBe(3);
  });

  // RudderNetworkManager: a body containing "invalid write key" stops the cloud-mode processor (events kept in the
  // DB); any other failure is retried. Ours says "unknown write key" on 401: the SDK keeps retrying instead (every
  // sleep interval), which loses nothing. Noted, not changed: the message is the ingest routes' (see the report).
  test("an unknown write key: 401 with a JSON error, nothing stored", async () => {
    const w = await world("2026-03-01T12:00:00.000Z");
    const a = await w.send("/v1/batch", gzip(JSON.stringify({ sentAt: "2026-03-01T12:00:00.000Z", batch: [{ type: "track", event: "x", anonymousId: "a" }] })), {
      "content-type": "application/json", "content-encoding": "gzip", authorization: basic("not-a-key"),
    });
    expect(a.status).toBe(401);
    expect(typeof a.body.error).toBe("string");
    expect(await w.total("x", "2026-03-01", "2026-03-01")).toBe(0);
  });
});

// ─────────────────────────────────────────────── posthog-react-native ───────────────────────────────────────────────

describe("posthog-react-native", () => {
  // Through @posthog/core: POST /batch/ with {api_key, batch, sent_at}, plain JSON (no CompressionStream in React
  // Native). Unlike posthog-js: no /e/, no $current_url/$browser; the app's `$os_name`, `$app_version`, `$screen_*`
  // and `$lib: posthog-react-native`; screen() sends `$screen` with `$screen_name`. `$os` is filled from `$os_name`.
  test("/batch/ plain JSON: $screen and $identify merge the device; $os from $os_name", async () => {
    const w = await world("2026-03-01T12:00:00.000Z");
    const device = "01950000-rn00-7000-8000-000000000001";
    const props = (extra: Props): Props => ({
      $lib: "posthog-react-native", $lib_version: "4.14.2", $os_name: "iOS", $os_version: "17.4", $app_version: "5.2.0", $app_build: "52",
      $device_type: "Mobile", $screen_height: 852, $screen_width: 393, $locale: "zh-CN", $timezone: "Asia/Shanghai", ...extra,
    });
    const batch = [
      { event: "$screen", distinct_id: device, properties: props({ $screen_name: "Home" }), timestamp: "2026-03-01T11:59:50.000Z", uuid: "01950000-0000-7000-8000-00000000a001" },
      { event: "$identify", distinct_id: "ph-rn-user", properties: props({ $anon_distinct_id: device, $set: { plan: "gold" } }), timestamp: "2026-03-01T11:59:55.000Z", uuid: "01950000-0000-7000-8000-00000000a002" },
    ];
    const a = await w.send("/batch/", JSON.stringify({ api_key: KEY, batch, sent_at: "2026-03-01T12:00:00.000Z" }), {
      "content-type": "application/json", "user-agent": "posthog-react-native/4.14.2",
    });
    expect([a.status, a.body]).toEqual([200, { status: 1 }]);
    const p = await w.must("distinct_id", "ph-rn-user");
    expect(idsOf(p, "distinct_id")).toEqual([device, "ph-rn-user"].sort());
    expect(p.traits).toMatchObject({ plan: "gold" });
    const stored = await w.events("distinct_id", "ph-rn-user");
    expect(stored.map((e) => [e.time, e.event, e.properties.$screen_name ?? null])).toEqual([
      ["2026-03-01T11:59:50.000Z", "$screen", "Home"],
      ["2026-03-01T11:59:55.000Z", "$identify", null],
    ]);
    expect(stored[0]!.properties).toMatchObject({ $os: "iOS", $os_name: "iOS", $device_type: "Mobile", $lib: "posthog-react-native" });
  });
});
