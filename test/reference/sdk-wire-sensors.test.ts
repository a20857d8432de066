/**
 * Reference cases for the Sensors Data (神策) SDKs pointed at Tessera by `server_url: https://<tessera>/sa?project=<key>`:
 * each case sends the request the SDK builds, byte for byte where it matters, and reads the outcome back through our
 * APIs (the person, the event names and times, traits, stored once on a re-send). The requests come from the SDKs' own
 * sending code:
 * - sa-sdk-android `SensorsAnalyticsSDK/src/main/java/com/sensorsdata/analytics/android/sdk/AnalyticsMessages.java`
 *   (sensorsdata/sa-sdk-android): `sendHttpRequest` posts `crc=<String.hashCode of the base64>&gzip=1&data_list=…`
 *   built by `Uri.Builder` (so `+`, `/`, `=` are percent-encoded), by HttpURLConnection (form Content-Type, a Dalvik
 *   User-Agent), 50 events at a time with `_flush_time` added at send; any 2xx deletes them, `isDeleteEventsByCode`
 *   keeps them only on 5xx, 403 and 404 (so a 4xx such as 400 or 401 drops them);
 * - sa-sdk-ios `SensorsAnalyticsSDK/Core/Interceptor/Flush/SAFlushHTTPBodyInterceptor.m` (`crc=%d&gzip=%d&data_list=%@`
 *   with the base64 percent-encoded by the alphanumeric set), `SAFlushInterceptor.m` (User-Agent `SensorsAnalytics iOS
 *   SDK`; success is anything but 5xx, 403 and 404), `SAEventRecord.m` `flushContent` (`_flush_time` at send),
 *   `NSString+SAHashCode.m` (Java's hash);
 * - sa-sdk-javascript `src/sensorsdata.full.js` (sensorsdata/sa-sdk-javascript) `dataSend.getSendUrl`/`getSendData`
 *   (`data=<base64>&ext=crc%3D<hash>`, GET for `send_type: 'image'`, POST body for `ajax`/`beacon`), the
 *   `BatchSend` `data_list=` form, `sendState.getSendCall` (`_track_id`, `_flush_time`); the JS SDK ignores the
 *   answer;
 * - sa-sdk-miniprogram `product/sensorsdata.full.js` (sensorsdata/sa-sdk-miniprogram): `kit.buildData` (identities,
 *   `lib`, `_track_id`, `time`), `kit.batchTrackData` (`data_list=` + `_flush_time`), `sendStrategy.wxrequest`
 *   (`wx.request` POST with no header, so WeChat labels it `application/json`; success is any HTTP answer),
 *   `getOpenidNameByAppid` (`$identity_mp_<appid>_openid`).
 * The data model is manual.sensorsdata.cn 数据格式 (tech_knowledge_layout). sensors.wire.test.ts pins the decoding
 * details; this file pins what each SDK needs end to end.
 */
import { describe, expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { answerOf, byIdentifier, idsOf, referenceApp, stored, type Answer } from "./harness.ts";

const KEY = "wk_reference_sensors_wire_01";
const T0 = "2026-04-01T08:00:00.000Z";
const at = (iso: string) => Date.parse(iso);

/** Java's String.hashCode, what every Sensors SDK puts in `crc`. */
const hash = (s: string) => {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
};
const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
const gz64 = (s: string) => Buffer.from(gzipSync(Buffer.from(s, "utf8"))).toString("base64");
/** androidQuery is Uri.Builder's getEncodedQuery: every reserved character of the base64 percent-encoded. */
const androidQuery = (data: string) => `crc=${hash(data)}&gzip=1&data_list=${encodeURIComponent(data)}`;
/** iosBody is SAFlushHTTPBodyInterceptor's body: alphanumerics kept, everything else percent-encoded. */
const iosBody = (data: string) => `crc=${hash(data)}&gzip=1&data_list=${data.replace(/[^A-Za-z0-9]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`)}`;

async function world(now = T0) {
  const h = await referenceApp(KEY, { now });
  const find = byIdentifier(h);
  return {
    h,
    ...find,
    ...stored(h, find.must),
    async send(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<Answer> {
      return answerOf(await h.t.app.request(path, { method, headers, body }));
    },
  };
}

const ANDROID_UA = "Dalvik/2.1.0 (Linux; U; Android 14; Pixel 8 Build/UQ1A.240205.004)";
const FORM = "application/x-www-form-urlencoded";

/** androidEvent is one event as SensorsDataAPI builds it (ID-Mapping 3.0): lib, identities, preset properties. */
function androidEvent(type: string, time: string, trackId: number, extra: Record<string, unknown>) {
  return {
    _track_id: trackId, time: at(time), type, distinct_id: "9d2c1f0e5a7b3c41", anonymous_id: "9d2c1f0e5a7b3c41",
    identities: { $identity_android_id: "9d2c1f0e5a7b3c41" },
    lib: { $lib: "Android", $lib_version: "6.8.0", $app_version: "3.2.1", $lib_method: "code" },
    properties: {
      $lib: "Android", $lib_version: "6.8.0", $os: "Android", $os_version: "14", $manufacturer: "Google", $model: "Pixel 8",
      $screen_width: 1080, $screen_height: 2400, $app_version: "3.2.1", $wifi: true, $network_type: "WIFI", $is_first_day: false,
    },
    ...extra,
  };
}

describe("sa-sdk-android", () => {
  // The device clock is 2 minutes slow: `time` and `_flush_time` are both by that clock, so the stored time is
  // receivedAt − (_flush_time − time), as SPEC §3 corrects by sentAt.
  test("gzip batch: anonymous $AppStart, login (track_signup), logged-in track, profile_set → one person; a re-send is stored once", async () => {
    const w = await world("2026-04-01T08:10:00.000Z");
    const slow = (iso: string) => new Date(at(iso) - 120_000).toISOString();
    const login = { login_id: "u_1001", identities: { $identity_android_id: "9d2c1f0e5a7b3c41", $identity_login_id: "u_1001" } };
    const events = [
      androidEvent("track", slow("2026-04-01T08:00:00.000Z"), -1538721001, { event: "$AppStart", properties: { ...androidEvent("", T0, 0, {}).properties, $is_first_time: true, $resume_from_background: false } }),
      androidEvent("track_signup", slow("2026-04-01T08:05:00.000Z"), 744120395, { event: "$SignUp", distinct_id: "u_1001", original_id: "9d2c1f0e5a7b3c41", ...login }),
      androidEvent("track", slow("2026-04-01T08:06:00.000Z"), 93314257, { event: "PayOrder", distinct_id: "u_1001", ...login, properties: { ...androidEvent("", T0, 0, {}).properties, order_amount: 88.5 } }),
      { time: at(slow("2026-04-01T08:06:30.000Z")), type: "profile_set", distinct_id: "u_1001", ...login, lib: { $lib: "Android", $lib_version: "6.8.0", $lib_method: "code" }, properties: { vip_level: "gold", $is_login_id: true } },
    ];
    const flush = (sentBy: string) => JSON.stringify(events.map((e) => ({ ...e, _flush_time: at(slow(sentBy)) })));
    const headers = { "content-type": FORM, "user-agent": ANDROID_UA };
    const a = await w.send("POST", `/sa?project=${KEY}`, androidQuery(gz64(flush("2026-04-01T08:10:00.000Z"))), headers);
    // A 2xx is what AnalyticsMessages deletes its events on; nothing is refused.
    expect([a.status, a.body]).toEqual([200, {}]);

    const person = await w.must("user_id", "u_1001");
    expect(idsOf(person, "anonymous_id")).toEqual(["9d2c1f0e5a7b3c41"]);
    expect(person.traits).toMatchObject({ vip_level: "gold" });
    expect(await w.times("user_id", "u_1001")).toEqual([
      ["2026-04-01T08:00:00.000Z", "$AppStart"],
      ["2026-04-01T08:05:00.000Z", "$SignUp"],
      ["2026-04-01T08:06:00.000Z", "PayOrder"],
      ["2026-04-01T08:06:30.000Z", "$identify"],
    ]);
    const pay = (await w.events("user_id", "u_1001")).find((e) => e.event === "PayOrder")!;
    // Sensors' preset properties are kept; the app's HTTP client (Dalvik) is not read as a browser.
    expect(pay.properties).toMatchObject({ order_amount: 88.5, $os: "Android", $model: "Pixel 8", $screen_width: 1080, $lib: "Android", $lib_method: "code" });
    expect(pay.properties.$browser).toBeUndefined();

    // The flush failed on the device's side (timeout): the next flush sends the same rows with a new _flush_time.
    w.h.t.clock.advance(60_000);
    const again = await w.send("POST", `/sa?project=${KEY}`, androidQuery(gz64(flush("2026-04-01T08:11:00.000Z"))), headers);
    expect(again.status).toBe(200);
    expect((await w.events("user_id", "u_1001")).length).toBe(4);
    expect(await w.total("PayOrder", "2026-04-01", "2026-04-01")).toBe(1);
  });

  test("a refused type is named in `rejected`, the rest stored; a wrong crc is a 400 and nothing is stored", async () => {
    const w = await world();
    const events = [
      androidEvent("track", T0, 11, { event: "AddCart", _flush_time: at(T0) }),
      { type: "profile_increment", distinct_id: "9d2c1f0e5a7b3c41", time: at(T0), properties: { points: 5 }, _flush_time: at(T0) },
    ];
    const data = gz64(JSON.stringify(events));
    const a = await w.send("POST", `/sa?project=${KEY}`, androidQuery(data), { "content-type": FORM, "user-agent": ANDROID_UA });
    expect(a.status).toBe(200);
    expect(a.body.rejected).toEqual([{ index: 1, error: expect.stringMatching(/^type: profile_increment is not stored: it adds to a stored number/) }]);
    expect(await w.times("anonymous_id", "9d2c1f0e5a7b3c41")).toEqual([[T0, "AddCart"]]);

    const cut = await w.send("POST", `/sa?project=${KEY}`, `crc=${hash(data) + 1}&gzip=1&data_list=${encodeURIComponent(data)}`, { "content-type": FORM });
    expect(cut.status).toBe(400);
    expect(cut.body.error).toMatch(/^crc: /);
    expect(await w.total("AddCart", "2026-04-01", "2026-04-01")).toBe(1);
  });

  test("an unknown project is 401 (Android then drops the events: set server_url's project to the write key)", async () => {
    const w = await world();
    const a = await w.send("POST", "/sa?project=default", androidQuery(gz64(JSON.stringify([androidEvent("track", T0, 1, { event: "x" })]))), { "content-type": FORM });
    expect(a.status).toBe(401);
    expect(await w.person("anonymous_id", "9d2c1f0e5a7b3c41")).toBeNull();
  });
});

describe("sa-sdk-ios", () => {
  test("crc=…&gzip=1&data_list=… percent-encoded by the alphanumeric set; $AppViewScreen is a screen view", async () => {
    const w = await world();
    const idfv = "6F1C2E3D-4B5A-4C7D-8E9F-0A1B2C3D4E5F";
    const event = {
      _track_id: 2093481, time: at("2026-04-01T07:59:00.000Z"), type: "track", event: "$AppViewScreen", distinct_id: idfv, anonymous_id: idfv,
      identities: { $identity_idfv: idfv },
      lib: { $lib: "iOS", $lib_version: "4.5.0", $lib_method: "autoTrack", $app_version: "3.2.1" },
      properties: { $lib: "iOS", $os: "iOS", $os_version: "17.4", $model: "iPhone15,2", $manufacturer: "Apple", $screen_name: "OrderViewController", $title: "订单" },
      _flush_time: at(T0),
    };
    const a = await w.send("POST", `/sa?project=${KEY}`, iosBody(gz64(JSON.stringify([event]))), { "user-agent": "SensorsAnalytics iOS SDK" });
    expect(a.status).toBe(200);
    const [e] = await w.events("anonymous_id", idfv);
    expect(e).toMatchObject({ time: "2026-04-01T07:59:00.000Z", event: "$screen", properties: { $screen_name: "OrderViewController", $sa_event: "$AppViewScreen", $os: "iOS", $device_type: "Mobile", $lib_method: "autoTrack" } });
  });
});

describe("sa-sdk-javascript", () => {
  const cookie = "18e1d2c3b4a5f-0a1b2c3d4e5f6-26031b51-1296000-18e1d2c3b4a60";
  const js = (type: string, event: string | undefined, extra: Record<string, unknown>) => ({
    distinct_id: cookie, lib: { $lib: "js", $lib_method: "code", $lib_version: "1.26.5" },
    properties: { $lib: "js", $lib_version: "1.26.5", $screen_width: 1920, $screen_height: 1080, $timezone_offset: -480, $latest_traffic_source_type: "直接流量" },
    anonymous_id: cookie, identities: { $identity_cookie_id: cookie }, type, ...(event ? { event } : {}), _track_id: 512340981, time: at(T0), _flush_time: at(T0), ...extra,
  });
  const CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";

  test("image GET ?data=&ext=crc for $pageview, ajax POST for the login's track_signup, batch data_list afterwards: one person", async () => {
    const w = await world();
    const page = js("track", "$pageview", { properties: { ...js("", "", {}).properties, $url: "https://shop.example.cn/goods/9?utm_source=wechat", $url_path: "/goods/9", $title: "茶", $referrer: "" } });
    const data = b64(JSON.stringify(page));
    const img = await w.send("GET", `/sa?project=${KEY}&data=${encodeURIComponent(data)}&ext=${encodeURIComponent(`crc=${hash(data)}`)}`, undefined, { "user-agent": CHROME });
    expect([img.status, img.headers.get("content-type")]).toEqual([200, "image/gif"]);

    const signup = js("track_signup", "$SignUp", {
      _track_id: 77001234, time: at("2026-04-01T08:01:00.000Z"), _flush_time: at("2026-04-01T08:01:00.000Z"), distinct_id: "u_88", original_id: cookie, login_id: "u_88",
      identities: { $identity_cookie_id: cookie, $identity_login_id: "u_88" },
    });
    const sd = b64(JSON.stringify(signup));
    w.h.setNow("2026-04-01T08:01:00.000Z");
    const ajax = await w.send("POST", `/sa?project=${KEY}`, `data=${encodeURIComponent(sd)}&ext=${encodeURIComponent(`crc=${hash(sd)}`)}`, { "content-type": FORM, "user-agent": CHROME, origin: "https://shop.example.cn" });
    expect(ajax.status).toBe(200);
    expect(ajax.headers.get("access-control-allow-origin")).toBe("https://shop.example.cn");

    const buy = js("track", "buy_tea", { _track_id: 88001234, time: at("2026-04-01T08:02:00.000Z"), distinct_id: "u_88", login_id: "u_88", identities: { $identity_cookie_id: cookie, $identity_login_id: "u_88" }, properties: { ...js("", "", {}).properties, $is_login_id: true, price: 68 } });
    w.h.setNow("2026-04-01T08:02:00.000Z");
    const batch = await w.send("POST", `/sa?project=${KEY}`, `data_list=${encodeURIComponent(b64(JSON.stringify([{ ...buy, _flush_time: at("2026-04-01T08:02:00.000Z") }])))}`, { "content-type": FORM, "user-agent": CHROME });
    expect(batch.status).toBe(200);

    const person = await w.must("user_id", "u_88");
    expect(idsOf(person, "anonymous_id")).toEqual([cookie]);
    const events = await w.events("user_id", "u_88");
    expect(events.map((e) => [e.time, e.event])).toEqual([
      [T0, "$pageview"], ["2026-04-01T08:01:00.000Z", "$SignUp"], ["2026-04-01T08:02:00.000Z", "buy_tea"],
    ]);
    // The page view reads as our own SDKs' page views do; the request's browser is the user's.
    expect(events[0]!.properties).toMatchObject({ $current_url: "https://shop.example.cn/goods/9?utm_source=wechat", $pathname: "/goods/9", $title: "茶", $browser: "Chrome", utm_source: "wechat" });
    expect(events[2]!.properties).toMatchObject({ price: 68 });
    expect(events[2]!.properties.$is_login_id).toBeUndefined();
  });
});

describe("sa-sdk-miniprogram", () => {
  test("wx.request data_list labelled application/json; openid by appid and unionid become WeChat identifiers; a re-send is stored once", async () => {
    const w = await world();
    const appid = "wx8f2a1b3c4d5e6f70";
    const mpId = "1711958400000-4829134-0c1d2e3f4a5b6-81234567";
    const identities = { $identity_mp_id: mpId, [`$identity_mp_${appid}_openid`]: "oAbC123openid", $identity_mp_unionid: "uNiOn-77" };
    const base = { distinct_id: "oAbC123openid", identities, lib: { $lib: "MiniProgram", $lib_method: "code", $lib_version: "1.20.2" } };
    const events = [
      { ...base, type: "track", event: "$MPLaunch", _track_id: 120041234, time: at(T0), properties: { $lib: "MiniProgram", $os: "iOS", $model: "iPhone 15<iPhone15,4>", $scene: "wx-1047", $url_path: "pages/index/index", $is_first_time: true } },
      { ...base, type: "track", event: "$MPViewScreen", _track_id: 330051234, time: at("2026-04-01T08:00:02.000Z"), properties: { $lib: "MiniProgram", $os: "iOS", $scene: "wx-1047", $url_path: "pages/goods/goods", $url_query: "id=9", $title: "商品", $referrer: "pages/index/index" } },
      { ...base, type: "profile_set_once", time: at("2026-04-01T08:00:03.000Z"), properties: { first_scene: "wx-1047" } },
    ];
    const sendAt = at("2026-04-01T08:00:05.000Z");
    const body = `data_list=${encodeURIComponent(b64(JSON.stringify(events.map((e) => ({ ...e, _flush_time: sendAt })))))}`;
    w.h.setNow("2026-04-01T08:00:05.000Z");
    const a = await w.send("POST", `/sa?project=${KEY}`, body, { "content-type": "application/json" });
    expect([a.status, a.body]).toEqual([200, {}]);
    // The app was hidden before the answer came: the mini program sends the same data from its storage again.
    await w.send("POST", `/sa?project=${KEY}`, body, { "content-type": "application/json" });

    const person = await w.must(`wx_openid:${appid}`, "oAbC123openid");
    expect(idsOf(person, "wx_unionid")).toEqual(["uNiOn-77"]);
    expect(idsOf(person, "anonymous_id")).toEqual(["oAbC123openid", mpId].sort());
    expect(person.traits).toMatchObject({ first_scene: "wx-1047" });
    const stored = await w.events(`wx_openid:${appid}`, "oAbC123openid");
    expect(stored.map((e) => [e.time, e.event])).toEqual([
      [T0, "$MPLaunch"], ["2026-04-01T08:00:02.000Z", "$pageview"], ["2026-04-01T08:00:03.000Z", "$identify"],
    ]);
    // The scene is our WeChat scene number (1047: a mini program code), so $channel reads it as our own mini program SDK's.
    expect(stored[1]!.properties).toMatchObject({ $pathname: "/pages/goods/goods", $scene: 1047, $sa_scene: "wx-1047", $sa_event: "$MPViewScreen" });
  });
});
