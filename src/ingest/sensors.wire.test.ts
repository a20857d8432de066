/**
 * Protects the Sensors Data wire (sensors.wire.ts): the body forms (form `data_list`/`data`, gzip, `crc` and the JS
 * `ext=crc=…`, plain JSON, bare base64, GET `?data=`), the mapping of Sensors' types and identities onto Message,
 * the time correction by `_flush_time`, the dedup id, and the refusals that name their field. The route itself
 * (`/sa`, key from `?token=`/`?project=`, answers) is tested at the bottom through ingestRoutes.
 */
import { describe, expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { IngestError, ItemError } from "./errors.ts";
import { testApp as fullApp } from "../../test/app-helpers.ts";
import { createSource } from "../sources/sources.ts";
import { NOW, testApp, WRITE_KEY } from "./ingest.fixtures.ts";
import type { Json } from "./json.ts";
import type { MessageMeta } from "./segment.wire.ts";
import { extractSensorsBody, fieldsOf, fromFields, javaHashCode, namespaceOfIdentity, SENSORS_LIMIT, sensorsMessage } from "./sensors.wire.ts";

const meta: MessageMeta = { sourceId: 3, sourceName: "App", receivedAt: NOW, wire: "sensors" };
const map = (raw: Json, project: string | null = "default") => sensorsMessage(raw, meta, project);
const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
const gz64 = (s: string) => Buffer.from(gzipSync(Buffer.from(s, "utf8"))).toString("base64");
const enc = new TextEncoder();
const body = (s: string) => enc.encode(s);
const noQuery = new URLSearchParams();

function thrown<E extends Error>(kind: new (...a: never[]) => E, f: () => unknown): E {
  try {
    f();
  } catch (err) {
    if (err instanceof kind) return err;
    throw err;
  }
  throw new Error(`expected a ${kind.name}`);
}

describe("javaHashCode", () => {
  test("is Java's String.hashCode (signed 32-bit, overflowing)", () => {
    expect(javaHashCode("")).toBe(0);
    expect(javaHashCode("a")).toBe(97);
    // Known Java values: "hello".hashCode() == 99162322, "polygenelubricants".hashCode() == Integer.MIN_VALUE.
    expect(javaHashCode("hello")).toBe(99162322);
    expect(javaHashCode("polygenelubricants")).toBe(-2147483648);
  });
});

describe("bodies", () => {
  const events = [{ type: "track", event: "Buy", distinct_id: "d1", time: NOW - 1000, properties: {} }];
  const json = JSON.stringify(events);

  test("Android/iOS batch: crc=<hash>&gzip=1&data_list=<base64 gzip>, crc of the base64 text", () => {
    const data = gz64(json);
    const x = extractSensorsBody(body(`crc=${javaHashCode(data)}&gzip=1&data_list=${encodeURIComponent(data)}`), null, noQuery, SENSORS_LIMIT);
    expect(x.items).toEqual(events);
  });

  test("a crc that does not match is a 400 naming crc (a cut body); an unsigned crc is the same hash", () => {
    const data = gz64(json);
    const e = thrown(IngestError, () => extractSensorsBody(body(`crc=12345&gzip=1&data_list=${encodeURIComponent(data)}`), null, noQuery, SENSORS_LIMIT));
    expect([e.status, e.message]).toEqual([400, expect.stringMatching(/^crc: 12345 does not match the data_list/)]);
    const unsigned = javaHashCode(data) >>> 0;
    expect(extractSensorsBody(body(`crc=${unsigned}&gzip=1&data_list=${encodeURIComponent(data)}`), null, noQuery, SENSORS_LIMIT).items).toEqual(events);
  });

  test("mini program / JS batch_send: data_list=<base64 JSON>, no gzip, no crc; an unencoded + survives", () => {
    const data = b64(JSON.stringify([{ type: "track", event: "看", distinct_id: "d>>?", properties: { q: "???>>>" } }]));
    expect(data).toContain("+");
    const x = extractSensorsBody(body(`data_list=${data}`), null, noQuery, SENSORS_LIMIT);
    expect(x.items).toEqual([{ type: "track", event: "看", distinct_id: "d>>?", properties: { q: "???>>>" } }]);
  });

  test("JS ajax/beacon: data=<base64>&ext=crc%3D<hash>", () => {
    const one = JSON.stringify(events[0]);
    const data = b64(one);
    const f = fieldsOf(new URLSearchParams(`data=${encodeURIComponent(data)}&ext=${encodeURIComponent(`crc=${javaHashCode(data)}`)}`));
    expect(f.crc).toBe(String(javaHashCode(data)));
    expect(fromFields(f, SENSORS_LIMIT)!.items).toEqual(events);
  });

  test("plain JSON (an event or an array) and a bare base64 body", () => {
    expect(extractSensorsBody(body(JSON.stringify(events[0])), null, noQuery, SENSORS_LIMIT).items).toEqual(events);
    expect(extractSensorsBody(body(b64(json)), null, noQuery, SENSORS_LIMIT).items).toEqual(events);
  });

  test("gzip=9 (Sensors' encryption) is refused naming it; an unknown gzip value too", () => {
    const e = thrown(IngestError, () => extractSensorsBody(body(`gzip=9&data_list=${encodeURIComponent(b64("{}"))}`), null, noQuery, SENSORS_LIMIT));
    expect(e.message).toMatch(/^data_list: is encrypted \(gzip=9\)/);
    expect(thrown(IngestError, () => fromFields({ data: b64(json), dataList: null, gzip: "2", crc: null }, SENSORS_LIMIT)).message).toMatch(/^gzip: "2"/);
  });

  test("refusals: empty body, empty batch, not base64, not JSON, too many items", () => {
    expect(thrown(IngestError, () => extractSensorsBody(body(""), null, noQuery, SENSORS_LIMIT)).message).toMatch(/^request body is empty/);
    expect(thrown(IngestError, () => extractSensorsBody(body(`data_list=${b64("[]")}`), null, noQuery, SENSORS_LIMIT)).message).toBe("data_list: is empty");
    expect(thrown(IngestError, () => extractSensorsBody(body("data_list=%%%"), null, noQuery, SENSORS_LIMIT)).message).toMatch(/^data_list: is neither base64 nor JSON/);
    expect(thrown(IngestError, () => extractSensorsBody(body(`data=${b64("nope")}`), null, noQuery, SENSORS_LIMIT)).message).toMatch(/^data is not valid JSON/);
    const many = JSON.stringify(Array.from({ length: 2501 }, () => ({})));
    const e = thrown(IngestError, () => extractSensorsBody(body(`data_list=${gz64(many)}&gzip=1`), null, noQuery, SENSORS_LIMIT));
    expect([e.status, e.limit]).toEqual([413, "2500 items per batch"]);
  });
});

describe("mapping", () => {
  test("track before login: distinct_id is the anonymous id; lib becomes the library; control properties go", () => {
    const m = map({
      _track_id: 123456789, type: "track", event: "ViewProduct", distinct_id: "anon-1", time: NOW - 5000, _flush_time: NOW - 1000,
      lib: { $lib: "Android", $lib_version: "6.8.0", $lib_method: "code", $app_version: "2.1" },
      properties: { $is_login_id: false, $os: "Android", $os_version: "14", $model: "Pixel 8", $manufacturer: "Google", $app_version: "2.1", product_id: 12345 },
      identities: { $identity_android_id: "and-1" },
    });
    expect(m).toMatchObject({ type: "track", event: "ViewProduct", userId: null, anonymousId: "anon-1" });
    expect(m.identifiers).toEqual([{ type: "anonymous_id", id: "anon-1" }, { type: "anonymous_id", id: "and-1" }]);
    expect(m.properties).toEqual({ $os: "Android", $os_version: "14", $model: "Pixel 8", $manufacturer: "Google", $app_version: "2.1", product_id: 12345, $lib_method: "code" });
    expect(m.context).toMatchObject({ library: { name: "Android", version: "6.8.0" }, os: { name: "Android", version: "14" }, device: { model: "Pixel 8", manufacturer: "Google" } });
    // time corrected by the flush time: the event happened 4 s before the device sent it.
    expect([m.timestamp, m.sentAt, m.originalTimestamp]).toEqual([NOW - 4000, NOW - 1000, NOW - 5000]);
  });

  test("logged in (ID-Mapping 3.0): login_id/identities give the user id, the cookie id joins it", () => {
    const m = map({
      type: "track", event: "Buy", distinct_id: "u42", login_id: "u42", anonymous_id: "cookie-1",
      identities: { $identity_login_id: "u42", $identity_cookie_id: "cookie-1" }, properties: { $is_login_id: true },
    });
    expect(m).toMatchObject({ userId: "u42", anonymousId: "cookie-1" });
    expect(m.identifiers).toEqual([{ type: "user_id", id: "u42" }, { type: "anonymous_id", id: "cookie-1" }]);
    expect(m.properties).toEqual({});
  });

  test("$is_login_id: true alone (server SDKs) makes distinct_id the user id", () => {
    expect(map({ type: "track", event: "Paid", distinct_id: "u7", properties: { $is_login_id: true } })).toMatchObject({ userId: "u7", anonymousId: null });
  });

  test("track_signup: identify of distinct_id (login) with original_id (anonymous), keeping its event name", () => {
    const m = map({ type: "track_signup", event: "$SignUp", distinct_id: "u42", original_id: "anon-1", properties: {} });
    expect(m).toMatchObject({ type: "identify", event: "$SignUp", userId: "u42", anonymousId: "anon-1", traits: { set: {}, setOnce: {}, unset: [] } });
    expect(itemError(() => map({ type: "track_signup", distinct_id: "u42" }))).toBe("original_id: required for track_signup");
  });

  test("page and screen views: $pageview and $MPViewScreen → page, $AppViewScreen → $screen; the Sensors name is kept", () => {
    const web = map({ type: "track", event: "$pageview", distinct_id: "c1", lib: { $lib: "js" }, properties: { $url: "https://shop.cn/a?b=1", $referrer: "", $title: "A" } });
    expect(web).toMatchObject({ type: "page", event: "$pageview", context: { page: { url: "https://shop.cn/a?b=1", title: "A" } } });
    expect(web.properties.$sa_event).toBeUndefined();
    const mp = map({ type: "track", event: "$MPViewScreen", distinct_id: "c1", lib: { $lib: "MiniProgram" }, properties: { $url_path: "pages/goods/goods", $scene: "wx-1007" } });
    expect(mp).toMatchObject({ type: "page", event: "$pageview", properties: { $sa_event: "$MPViewScreen", $scene: 1007, $sa_scene: "wx-1007" } });
    expect(mp.context).toMatchObject({ page: { path: "/pages/goods/goods" }, wechat: { scene: 1007 } });
    const app = map({ type: "track", event: "$AppViewScreen", distinct_id: "c1", properties: { $screen_name: "com.shop/MainActivity" } });
    expect(app).toMatchObject({ type: "screen", event: "$screen", properties: { $screen_name: "com.shop/MainActivity", $sa_event: "$AppViewScreen" } });
  });

  test("session and duration events keep their names", () => {
    for (const e of ["$AppStart", "$AppEnd", "$MPLaunch", "$MPShow", "$MPHide", "$WebStay", "$WebPageLeave", "$MPPageLeave"]) {
      expect(map({ type: "track", event: e, distinct_id: "c1", properties: { event_duration: 12.5 } })).toMatchObject({ type: "track", event: e, properties: { event_duration: 12.5 } });
    }
  });

  test("profile_set / profile_set_once / profile_unset are trait operations on a $identify event", () => {
    const set = map({ type: "profile_set", distinct_id: "u1", properties: { $is_login_id: true, plan: "gold", email: "A@x.cn" } });
    expect(set).toMatchObject({ type: "identify", event: "$identify", userId: "u1", traits: { set: { plan: "gold", email: "A@x.cn" } }, properties: { $sa_type: "profile_set" } });
    const once = map({ type: "profile_set_once", distinct_id: "anon-9", properties: { first_channel: "wx" } });
    // Not a login id: a person update that claims no user id.
    expect(once).toMatchObject({ type: "track", event: "$identify", userId: null, anonymousId: "anon-9", traits: { setOnce: { first_channel: "wx" } } });
    expect(map({ type: "profile_unset", distinct_id: "u1", properties: { plan: true } }).traits.unset).toEqual(["plan"]);
  });

  test("types without a counterpart are rejected items naming the reason", () => {
    for (const [type, reason] of [
      ["profile_increment", /adds to a stored number/], ["profile_append", /appends to a stored list/], ["profile_delete", /privacy deletion/],
      ["track_id_unbind", /unmerge/], ["item_set", /item tables/], ["item_delete", /item tables/],
    ] as const) {
      expect(itemError(() => map({ type, distinct_id: "u1", properties: {} }))).toMatch(new RegExp(`^type: ${type} is not stored: it `));
      expect(itemError(() => map({ type, distinct_id: "u1", properties: {} }))).toMatch(reason);
    }
    expect(itemError(() => map({ type: "nonsense", distinct_id: "u1" }))).toMatch(/^type: "nonsense" is not one of/);
    expect(itemError(() => map({ event: "x", distinct_id: "u1" }))).toMatch(/^type: required/);
    expect(itemError(() => map({ type: "track", distinct_id: "u1" }))).toBe("event: required for track");
    expect(itemError(() => map({ type: "track", event: "x" }))).toBe("distinct_id: required");
    expect(itemError(() => map({ type: "track", event: "x", distinct_id: "u1", properties: [] }))).toBe("properties: expected an object");
    expect(itemError(() => map({ type: "track", event: "x", distinct_id: "u1", time: "yesterday" }))).toMatch(/^time: /);
  });

  test("track_id_bind links every identity of the message", () => {
    const m = map({ type: "track_id_bind", event: "$BindID", distinct_id: "u1", login_id: "u1", identities: { $identity_login_id: "u1", $identity_mobile: "13800138000", $identity_email: "a@b.cn" } });
    expect(m).toMatchObject({ type: "track", event: "$BindID", userId: "u1" });
    expect(m.identifiers).toEqual([{ type: "user_id", id: "u1" }, { type: "phone", id: "13800138000" }, { type: "email", id: "a@b.cn" }]);
  });

  test("identity keys → namespaces", () => {
    expect(namespaceOfIdentity("$identity_login_id")).toBe("user_id");
    expect(namespaceOfIdentity("$identity_cookie_id")).toBe("anonymous_id");
    expect(namespaceOfIdentity("$identity_idfv")).toBe("anonymous_id");
    expect(namespaceOfIdentity("$identity_mp_unionid")).toBe("wx_unionid");
    expect(namespaceOfIdentity("$identity_mp_wx1234567890abcdef_openid")).toBe("wx_openid:wx1234567890abcdef");
    expect(namespaceOfIdentity("$identity_mp_openid")).toBe("sensors:mp_openid");
    expect(namespaceOfIdentity("$identity_mobile")).toBe("phone");
    expect(namespaceOfIdentity("$identity_email")).toBe("email");
    expect(namespaceOfIdentity("member_no")).toBe("sensors:member_no");
    expect(namespaceOfIdentity("bad key!")).toBeNull();
  });

  test("a distinct id written <identity key>+<value> is that identity, not a user id", () => {
    const m = map({ type: "track_signup", event: "$SignUp", distinct_id: "$identity_mobile+13800138000", login_id: "$identity_mobile+13800138000", original_id: "anon-1" });
    expect(m).toMatchObject({ userId: null, anonymousId: "anon-1" });
    // The identity it was sent with comes first.
    expect(m.identifiers).toEqual([{ type: "phone", id: "13800138000" }, { type: "anonymous_id", id: "anon-1" }]);
  });

  test("dedup id: the same _track_id + time + event is one message whatever _flush_time; another _track_id another", () => {
    const e = { _track_id: 987654321, type: "track", event: "Buy", distinct_id: "d1", time: NOW - 9000 };
    const a = map({ ...e, _flush_time: NOW - 8000 }).messageId;
    expect(map({ ...e, _flush_time: NOW - 10 }).messageId).toBe(a);
    expect(map({ ...e, _track_id: 987654322 }).messageId).not.toBe(a);
    expect(map({ ...e, time: NOW - 9001 }).messageId).not.toBe(a);
    expect(map(e, "other_project").messageId).not.toBe(a);
    // Profile operations carry no _track_id: time + content; without time a fresh id each time.
    const p = { type: "profile_set", distinct_id: "u1", time: NOW - 5, properties: { plan: "gold" } };
    expect(map(p).messageId).toBe(map(p).messageId);
    expect(map({ ...p, properties: { plan: "silver" } }).messageId).not.toBe(map(p).messageId);
    const { time: _t, ...timeless } = p;
    expect(map(timeless).messageId).not.toBe(map(timeless).messageId);
  });

  test("time_free keeps time as given (Sensors' import flag); time absent → received", () => {
    const old = Date.parse("2023-01-01T00:00:00Z");
    expect(map({ type: "track", event: "x", distinct_id: "d", time: old, _flush_time: NOW - 60_000, time_free: true }).timestamp).toBe(old);
    expect(map({ type: "track", event: "x", distinct_id: "d" }).timestamp).toBe(NOW);
  });
});

function itemError(f: () => unknown): string {
  return thrown(ItemError, f).message;
}

// Bodies recorded from the real sa-sdk-javascript 1.27.11 (test/browser-sdks.e2e.test.ts runs it in Chromium):
// `send_type: 'ajax'` after `sensors.login("user-42")` and `sensors.setProfile(...)` on a page at 127.0.0.1, POSTed
// as application/x-www-form-urlencoded to `/sa.gif?project=…` (the SDK rewrites `/sa?` to `/sa.gif?`). The base64 is
// form-encoded (`%2B`, `%2F`, `%3D`) and holds the SDK's own Chinese values; `crc` is the hash of the decoded base64.
test("identities: at most 100 per event, as Segment's context.externalIds (one event cannot declare a mega-person)", () => {
  const ids = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`$identity_k${i}`, `v${i}`]));
  expect(map({ type: "track", event: "e", distinct_id: "d", time: NOW, identities: ids(100) }).identifiers).toHaveLength(101);
  expect(thrown(ItemError, () => map({ type: "track", event: "e", distinct_id: "d", time: NOW, identities: ids(101) })).message)
    .toBe("identities: has 101 entries, the limit is 100 per event");
});

describe("recorded from sa-sdk-javascript 1.27.11", () => {
  const cookie = "1a21d421daa57e-0a04ea943129ca-11543b4c-921600-1a21d421dabe8";
  const signup =
    "data=eyJpZGVudGl0aWVzIjp7IiRpZGVudGl0eV9jb29raWVfaWQiOiIxYTIxZDQyMWRhYTU3ZS0wYTA0ZWE5NDMxMjljYS0xMTU0M2I0Yy05M" +
    "jE2MDAtMWEyMWQ0MjFkYWJlOCIsIiRpZGVudGl0eV9sb2dpbl9pZCI6InVzZXItNDIiLCIkaWRlbnRpdHlfYW5vbnltb3VzX2lkIjoiMWEyMWQ" +
    "0MjFkYWE1N2UtMGEwNGVhOTQzMTI5Y2EtMTE1NDNiNGMtOTIxNjAwLTFhMjFkNDIxZGFiZTgifSwiZGlzdGluY3RfaWQiOiJ1c2VyLTQyIiwib" +
    "GliIjp7IiRsaWIiOiJqcyIsIiRsaWJfbWV0aG9kIjoiY29kZSIsIiRsaWJfdmVyc2lvbiI6IjEuMjcuMTEifSwicHJvcGVydGllcyI6eyIkdGl" +
    "tZXpvbmVfb2Zmc2V0IjowLCIkc2NyZWVuX2hlaWdodCI6NzIwLCIkc2NyZWVuX3dpZHRoIjoxMjgwLCIkdmlld3BvcnRfaGVpZ2h0Ijo3MjAsI" +
    "iR2aWV3cG9ydF93aWR0aCI6MTI4MCwiJGxpYiI6ImpzIiwiJGxpYl92ZXJzaW9uIjoiMS4yNy4xMSIsIiRsYXRlc3RfdHJhZmZpY19zb3VyY2V" +
    "fdHlwZSI6InVybOeahGRvbWFpbuino%2BaekOWksei0pSIsIiRsYXRlc3Rfc2VhcmNoX2tleXdvcmQiOiJ1cmznmoRkb21haW7op6PmnpDlpLH" +
    "otKUiLCIkbGF0ZXN0X3JlZmVycmVyIjoidXJs55qEZG9tYWlu6Kej5p6Q5aSx6LSlIiwiJGxhdGVzdF91dG1fc291cmNlIjoid2VjaGF0IiwiJ" +
    "GxhdGVzdF91dG1fY2FtcGFpZ24iOiJzcHJpbmciLCIkdXJsIjoiaHR0cDovLzEyNy4wLjAuMTozMjg4My90ZWE%2FdXRtX3NvdXJjZT13ZWNoY" +
    "XQmdXRtX2NhbXBhaWduPXNwcmluZyIsIiR0aXRsZSI6IlRlYSBzaG9wIn0sImxvZ2luX2lkIjoidXNlci00MiIsImFub255bW91c19pZCI6IjF" +
    "hMjFkNDIxZGFhNTdlLTBhMDRlYTk0MzEyOWNhLTExNTQzYjRjLTkyMTYwMC0xYTIxZDQyMWRhYmU4Iiwib3JpZ2luYWxfaWQiOiIxYTIxZDQyM" +
    "WRhYTU3ZS0wYTA0ZWE5NDMxMjljYS0xMTU0M2I0Yy05MjE2MDAtMWEyMWQ0MjFkYWJlOCIsInR5cGUiOiJ0cmFja19zaWdudXAiLCJldmVudCI" +
    "6IiRTaWduVXAiLCJ0aW1lIjoxNzk1Nzg3MjAyMDEwLCJfdHJhY2tfaWQiOjYzOTg2MjAxMSwiX2ZsdXNoX3RpbWUiOjE3OTU3ODcyMDIwMTF9&" +
    "ext=crc%3D-1321025747";
  const profile =
    "data=eyJpZGVudGl0aWVzIjp7IiRpZGVudGl0eV9jb29raWVfaWQiOiIxYTIxZDQyMWRhYTU3ZS0wYTA0ZWE5NDMxMjljYS0xMTU0M2I0Yy05M" +
    "jE2MDAtMWEyMWQ0MjFkYWJlOCIsIiRpZGVudGl0eV9sb2dpbl9pZCI6InVzZXItNDIiLCIkaWRlbnRpdHlfYW5vbnltb3VzX2lkIjoiMWEyMWQ" +
    "0MjFkYWE1N2UtMGEwNGVhOTQzMTI5Y2EtMTE1NDNiNGMtOTIxNjAwLTFhMjFkNDIxZGFiZTgifSwiZGlzdGluY3RfaWQiOiJ1c2VyLTQyIiwib" +
    "GliIjp7IiRsaWIiOiJqcyIsIiRsaWJfbWV0aG9kIjoiY29kZSIsIiRsaWJfdmVyc2lvbiI6IjEuMjcuMTEifSwicHJvcGVydGllcyI6eyJlbWF" +
    "pbCI6InVzZXItNDJAZXhhbXBsZS5jb20iLCJwbGFuIjoiZ29sZCJ9LCJsb2dpbl9pZCI6InVzZXItNDIiLCJhbm9ueW1vdXNfaWQiOiIxYTIxZ" +
    "DQyMWRhYTU3ZS0wYTA0ZWE5NDMxMjljYS0xMTU0M2I0Yy05MjE2MDAtMWEyMWQ0MjFkYWJlOCIsInR5cGUiOiJwcm9maWxlX3NldCIsInRpbWU" +
    "iOjE3OTU3ODcyMDIwMTIsIl90cmFja19pZCI6MTIyMDEyLCJfZmx1c2hfdGltZSI6MTc5NTc4NzIwMjAxMn0%3D&ext=crc%3D-2106418417";

  test("login: track_signup with ID-Mapping 3.0 identities joins the cookie id to the login id", () => {
    const x = extractSensorsBody(body(signup), null, noQuery, SENSORS_LIMIT);
    expect(x.items).toHaveLength(1);
    const m = map(x.items[0]!);
    expect(m).toMatchObject({ type: "identify", event: "$SignUp", userId: "user-42", anonymousId: cookie, timestamp: NOW - 1 });
    expect(m.identifiers).toEqual([{ type: "user_id", id: "user-42" }, { type: "anonymous_id", id: cookie }]);
    expect(m.properties).toMatchObject({ $latest_traffic_source_type: "url的domain解析失败", $title: "Tea shop", $lib_method: "code" });
    expect(m.context).toMatchObject({ library: { name: "js", version: "1.27.11" }, page: { url: "http://127.0.0.1:32883/tea?utm_source=wechat&utm_campaign=spring", title: "Tea shop" } });
  });

  test("setProfile: profile_set of a logged-in user is an identify setting the traits", () => {
    const m = map(extractSensorsBody(body(profile), null, noQuery, SENSORS_LIMIT).items[0]!);
    expect(m).toMatchObject({ type: "identify", event: "$identify", userId: "user-42", anonymousId: cookie, properties: { $sa_type: "profile_set" } });
    expect(m.traits.set).toEqual({ email: "user-42@example.com", plan: "gold" });
  });
});

describe("the /sa route", () => {
  const form = { "content-type": "application/x-www-form-urlencoded" };

  test("POST /sa?project=<key> stores the batch and answers 200 {}", async () => {
    const t = testApp();
    const data = gz64(JSON.stringify([{ type: "track", event: "Buy", distinct_id: "d1", time: NOW, properties: {} }]));
    const res = await t.app.request(`/sa?project=${WRITE_KEY}`, { method: "POST", headers: form, body: `crc=${javaHashCode(data)}&gzip=1&data_list=${encodeURIComponent(data)}` });
    expect([res.status, await res.json()]).toEqual([200, {}]);
    expect(t.rec.messages().map((m) => m.event)).toEqual(["Buy"]);
  });

  test("token= wins over project=; an unknown key is 401; no key at all is 401 naming server_url", async () => {
    const t = testApp();
    const payload = `data=${encodeURIComponent(b64(JSON.stringify({ type: "track", event: "Buy", distinct_id: "d1" })))}`;
    expect((await t.app.request(`/sa?project=production&token=${WRITE_KEY}`, { method: "POST", headers: form, body: payload })).status).toBe(200);
    expect((await t.app.request(`/sa?project=production`, { method: "POST", headers: form, body: payload })).status).toBe(401);
    const none = await t.app.request(`/sa`, { method: "POST", headers: form, body: payload });
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: string }).error).toMatch(/server_url/);
  });

  test("GET /sa.gif?project=&data=&ext= (JS image) answers the GIF; every event refused is a 400 naming why", async () => {
    const t = testApp();
    const data = b64(JSON.stringify({ type: "track", event: "$pageview", distinct_id: "c1", lib: { $lib: "js" }, properties: { $url: "https://a.cn/" } }));
    const ok = await t.app.request(`/sa.gif?project=${WRITE_KEY}&data=${encodeURIComponent(data)}&ext=${encodeURIComponent(`crc=${javaHashCode(data)}`)}`);
    expect([ok.status, ok.headers.get("content-type")]).toEqual([200, "image/gif"]);
    const item = b64(JSON.stringify({ type: "item_set", item_type: "book", item_id: "1", properties: {} }));
    const bad = await t.app.request(`/sa/?project=${WRITE_KEY}`, { method: "POST", headers: form, body: `data=${encodeURIComponent(item)}` });
    const answer = (await bad.json()) as { error: string; rejected: unknown[] };
    expect([bad.status, answer.rejected.length]).toEqual([400, 1]);
    expect(answer.error).toMatch(/^type: item_set is not stored/);
  });

  test("a partial batch stores the valid events and lists the refused ones", async () => {
    const t = testApp();
    const data = b64(JSON.stringify([{ type: "track", event: "Buy", distinct_id: "d1" }, { type: "profile_increment", distinct_id: "d1", properties: { n: 1 } }]));
    const res = await t.app.request(`/sa?project=${WRITE_KEY}`, { method: "POST", headers: { "content-type": "application/json" }, body: `data_list=${encodeURIComponent(data)}` });
    const answer = (await res.json()) as { rejected: { index: number; error: string }[] };
    expect(res.status).toBe(200);
    expect(answer.rejected.map((r) => r.index)).toEqual([1]);
    expect(t.rec.messages().map((m) => m.event)).toEqual(["Buy"]);
  });
});

describe("malformed input never answers 5xx", () => {
  const bodies: (string | Uint8Array<ArrayBuffer>)[] = [
    "data_list=", "data=", "data_list=%E0%A4%A", "gzip=1&data_list=AAAA", "crc=abc&data_list=W10=", `data_list=${b64("[1,2,3]")}`,
    `data_list=${b64('[{"type":"track","event":{"x":1},"distinct_id":[]}]')}`, `data=${b64('{"type":"profile_set","distinct_id":"d","properties":"x"}')}`,
    `data=${b64('{"type":"track","event":"e","distinct_id":"d","identities":{"$identity_login_id":{"a":1}}}')}`,
    `data=${b64('{"type":"track","event":"e","distinct_id":"d","_flush_time":"soon"}')}`, "[", "{}", "null", "\u0000\u0001",
    new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 0xff, 0xff]), `gzip=1&data_list=${encodeURIComponent(gz64("[".repeat(5000)))}`,
  ];
  test.each(bodies.map((b, i) => [i, b] as const))("body %d", async (_i, b) => {
    const t = testApp();
    const res = await t.app.request(`/sa?project=${WRITE_KEY}`, { method: "POST", body: b });
    expect(res.status).toBeLessThan(500);
    expect(t.errors).toEqual([]);
  });
});

test("through the real store, Sensors events meet the identity guards as Segment's do: no merge of two user ids, no junk ids", async () => {
  const t = fullApp();
  const { db, kdb, crypto } = t.deps;
  await createSource(db, kdb, crypto, { name: "sa", writeKey: "wk_sensors_guard" }, t.clock.now);
  const send = async (ev: Record<string, Json>) =>
    (await t.app.request("/sa?project=wk_sensors_guard", { method: "POST", body: JSON.stringify({ time: t.clock.now - 1000, ...ev }) })).status;
  expect(await send({ type: "track_signup", distinct_id: "u1", original_id: "anon-1", _track_id: 1 })).toBe(200);
  expect(await send({ type: "track_signup", distinct_id: "u2", original_id: "anon-2", _track_id: 2 })).toBe(200);
  // Three ways to join u1's and u2's people: a sign-up, a login_id beside another login identity, an id bind.
  expect(await send({ type: "track_signup", distinct_id: "u2", original_id: "anon-1", _track_id: 3 })).toBe(200);
  expect(await send({ type: "track", event: "x", distinct_id: "anon-1", login_id: "u1", identities: { $identity_login_id: "u2" }, _track_id: 4 })).toBe(200);
  expect(await send({ type: "track_id_bind", distinct_id: "u1", properties: { $is_login_id: true }, identities: { $identity_login_id: "u2" }, _track_id: 5 })).toBe(200);
  // Junk values never become identifiers.
  expect(await send({ type: "track_signup", distinct_id: "null", original_id: "anon-3", _track_id: 6 })).toBe(200);
  expect(await send({ type: "track", event: "x", distinct_id: "anon-4", identities: { $identity_login_id: "undefined", $identity_mp_unionid: "0" }, _track_id: 7 })).toBe(200);
  const rows = db.query<{ ns: string; value: string; person_id: number }, []>("SELECT ns, value, person_id FROM identities ORDER BY id").all();
  expect(rows.map((r) => `${r.ns}:${r.value}`).sort()).toEqual(["anonymous_id:anon-1", "anonymous_id:anon-2", "anonymous_id:anon-3", "anonymous_id:anon-4", "user_id:u1", "user_id:u2"]);
  const personOf = (v: string) => rows.find((r) => r.value === v)!.person_id;
  expect(personOf("u1")).not.toBe(personOf("u2"));
  expect(personOf("anon-1")).toBe(personOf("u1"));
  expect(db.query<{ n: number }, []>("SELECT count(*) AS n FROM identity_conflicts WHERE reason = 'user_id'").get()!.n).toBeGreaterThan(0);
});

test("a type named like an Object member is an unknown type, said plainly", () => {
  for (const type of ["constructor", "__proto__", "toString"]) {
    expect(() => map({ type, event: "e", distinct_id: "d", time: 1_700_000_000_000 })).toThrow(`type: "${type}" is not one of`);
  }
});
