/**
 * The WeChat Mini Program SDK (/sdk/wx.js) end to end: the file a developer downloads from a real Tessera server
 * runs in an emulated mini program (test/wx-emulator.ts: WeChat's documented API shapes, wx.request really
 * POSTing to the server) through a launch, two page shows (a Page and a Component-built page), identifyWeChat,
 * a track and the app going to the background; then the persons API (search by wx_unionid, the person's events)
 * shows everything stored once on one person, with the times, page routes and what the context became. An
 * Official Account message with the same unionid from another source joins that person; a send whose answer is
 * lost is kept in storage and re-sent by the next launch, and still stored once.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { loadConfig } from "../src/config.ts";
import { silentLogger } from "../src/log.ts";
import { startServer, type RunningServer } from "../src/server.ts";
import { sourceSnippets } from "../web/src/pages/source-snippets.ts";
import { tempDir } from "./helpers.ts";
import { WxRuntime } from "./wx-emulator.ts";

const ADMIN = "miniprogram-e2e-admin-token-0123456789";
const MINI_APPID = "wxa1b2c3d4e5f60789";
const OA_APPID = "wx0fedcba987654321";
const scratch = tempDir("tessera-miniprogram-e2e-");
let server: RunningServer;
let base = "";
let sdk = "";

interface Tessera {
  init(writeKey: string, opts: { host: string; autoPage?: boolean; flushAt?: number; flushInterval?: number }): void;
  identify(userId?: string | Record<string, unknown>, traits?: Record<string, unknown>): void;
  identifyWeChat(ids: { openid?: string; unionid?: string; appid?: string }, traits?: Record<string, unknown>): void;
  track(event: string, properties?: Record<string, unknown>): void;
  page(name?: string, properties?: Record<string, unknown>): void;
  alias(userId: string, previousId?: string): void;
  reset(): void;
  flush(): Promise<void>;
  anonymousId(): string;
}

interface TimelineEvent {
  time: string;
  event: string;
  properties: Record<string, unknown>;
  identifier: { type: string; value: string };
}

interface Person {
  id: string;
  identifiers: { type: string; value: string }[];
  traits: Record<string, unknown>;
}

beforeAll(async () => {
  server = await startServer(
    loadConfig({ TESSERA_PORT: "0", TESSERA_HOST: "127.0.0.1", TESSERA_DATA_DIR: scratch.dir, TESSERA_ADMIN_TOKEN: ADMIN }),
    { log: silentLogger, webRoot: null },
  );
  base = server.url.href.replace(/\/$/, "");
  // What the developer saves into the mini program: the server's /sdk/wx.js, unchanged.
  const res = await fetch(`${base}/sdk/wx.js`);
  expect(res.status).toBe(200);
  sdk = await res.text();
});

afterAll(async () => {
  await server.stop();
  scratch.cleanup();
  const g = globalThis as Record<string, unknown>;
  delete g.Page;
  delete g.Component;
  delete g.App;
});

async function api<T>(path: string, init?: { method: string; body: unknown }): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method: init?.method ?? "GET",
    headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
    body: init ? JSON.stringify(init.body) : undefined,
  });
  expect(res.status).toBeLessThan(300);
  return (await res.json()) as T;
}

const createSource = (name: string, kind: string) => api<{ id: number; writeKey: string }>("/api/sources", { method: "POST", body: { name, kind } });

/** person finds the one person holding `value` (any identifier) with their whole timeline. */
async function person(value: string): Promise<Person & { events: TimelineEvent[] }> {
  const found = await api<{ persons: Person[] }>(`/api/persons?search=${encodeURIComponent(value)}`);
  expect(found.persons).toHaveLength(1);
  const p = found.persons[0]!;
  const { events } = await api<{ events: TimelineEvent[] }>(`/api/persons/${p.id}/events?limit=500`);
  return { ...p, events };
}

const near = (iso: string, ms: number) => Math.abs(Date.parse(iso) - ms) < 1000;
const sentBatches = (rt: WxRuntime) => rt.requests.map((r) => JSON.parse(r.body) as { writeKey: string; sentAt: string; batch: Record<string, unknown>[] });

/** app is a mini program: app.js requires the SDK and calls init, then its pages register. */
function app(rt: WxRuntime, writeKey: string, opts: { flushInterval?: number } = {}): Tessera {
  const tessera = rt.require(sdk) as Tessera;
  tessera.init(writeKey, { host: base, ...opts });
  rt.page("pages/index/index", () =>
    (globalThis as unknown as { Page: (o: object) => void }).Page({
      data: { banners: [] },
      onShow() {
        (this as { shown?: number }).shown = ((this as { shown?: number }).shown ?? 0) + 1;
      },
    }),
  );
  // A page built with Component(): its page lifecycle lives in `methods`; its onShow tracks an event itself.
  rt.page("pages/goods/goods", () =>
    (globalThis as unknown as { Component: (o: object) => void }).Component({
      properties: {},
      methods: {
        onLoad(this: { sku?: string }, query: Record<string, string>) {
          this.sku = query.id;
        },
        onShow(this: { sku?: string }) {
          tessera.track("view_item", { sku: this.sku });
        },
      },
    }),
  );
  return tessera;
}

test("a mini program session: launch, two page shows, identifyWeChat, a track, app hide — stored once on one person", async () => {
  const source = await createSource("Mini Program", "wx_mini");
  const rt = new WxRuntime({ appId: MINI_APPID, version: "1.2.0", checkDomain: false });
  const tessera = app(rt, source.writeKey);
  const at: Record<string, number> = {};

  at.launch = Date.now();
  rt.launch({ path: "pages/index/index", scene: 1047, query: { utm_source: "wechat", utm_medium: "qrcode", utm_campaign: "spring_tea" } });
  await Bun.sleep(30);
  at.identify = Date.now();
  tessera.identifyWeChat({ openid: "oMini_openid_0001", unionid: "oUnion_0001" }, { nickname: "茶友" });
  await Bun.sleep(30);
  at.goods = Date.now();
  rt.navigateTo("/pages/goods/goods?id=tea-42&from=home");
  await Bun.sleep(30);
  at.cart = Date.now();
  tessera.track("add_to_cart", { sku: "tea-42", price: 168 });
  // Fewer than 20 events within 1 s: nothing sent yet; going to the background sends them at once.
  expect(rt.requests).toHaveLength(0);
  rt.hide();
  await rt.idle();
  expect(rt.requests.map((r) => [r.url, r.method, r.statusCode, r.errMsg])).toEqual([[`${base}/v1/batch`, "POST", 200, "request:ok"]]);

  // On the wire: Segment's batch shape, the write key in the body, context from the wx APIs.
  const [sent] = sentBatches(rt);
  expect(sent!.writeKey).toBe(source.writeKey);
  expect(near(sent!.sentAt, Date.now())).toBe(true);
  expect(sent!.batch.map((m) => [m.type, m.event ?? null])).toEqual([["page", null], ["identify", null], ["page", null], ["track", "view_item"], ["track", "add_to_cart"]]);
  const first = sent!.batch[0]!;
  expect(first.anonymousId).toBe(tessera.anonymousId());
  expect(first.context).toEqual({
    library: { name: "tessera-wx", version: "1.0.0" },
    os: { name: "iOS", version: "17.4.1" },
    device: { manufacturer: "iPhone", model: "iPhone 15 Pro<iPhone16,1>", type: "ios" },
    screen: { width: 393, height: 852, density: 3 },
    locale: "zh-CN",
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    app: { namespace: MINI_APPID, version: "1.2.0", env: "release" },
    wechat: { scene: 1047, version: "8.0.50", sdkVersion: "3.4.10" },
    campaign: { source: "wechat", medium: "qrcode", name: "spring_tea" },
    page: { path: "/pages/index/index", search: "?utm_source=wechat&utm_medium=qrcode&utm_campaign=spring_tea", url: "/pages/index/index?utm_source=wechat&utm_medium=qrcode&utm_campaign=spring_tea" },
  });
  // The WeChat ids go with identifyWeChat's identify and every later message, not with earlier ones.
  const externalIds = [
    { id: "oMini_openid_0001", type: `wx_openid:${MINI_APPID}`, collection: "users", encoding: "none" },
    { id: "oUnion_0001", type: "wx_unionid", collection: "users", encoding: "none" },
  ];
  expect(sent!.batch.map((m) => (m.context as { externalIds?: unknown }).externalIds ?? null)).toEqual([null, externalIds, externalIds, externalIds, externalIds]);
  // Remembered in storage for the next launch.
  expect(JSON.parse(rt.storage.get("tessera_wx")!)).toEqual({ openid: "oMini_openid_0001", appid: MINI_APPID, unionid: "oUnion_0001" });
  expect(JSON.parse(rt.storage.get("tessera_aid")!)).toBe(tessera.anonymousId());

  // Read back through identity resolution and the store.
  const p = await person("oUnion_0001");
  expect(p.identifiers).toEqual(expect.arrayContaining([
    { type: "wx_unionid", value: "oUnion_0001" },
    { type: `wx_openid:${MINI_APPID}`, value: "oMini_openid_0001" },
    { type: "anonymous_id", value: tessera.anonymousId() },
  ]));
  expect(p.traits).toMatchObject({ nickname: "茶友" });
  // (The goods page view and the view_item its onShow tracks share a millisecond: their order in the timeline is open.)
  expect(p.events.map((e) => e.event).sort()).toEqual(["$identify", "$pageview", "$pageview", "add_to_cart", "view_item"]);
  const find = (event: string, path?: string) => p.events.find((e) => e.event === event && (path === undefined || e.properties.$pathname === path))!;
  const [index, identify, goods, viewItem, cart] = [
    find("$pageview", "/pages/index/index"), find("$identify"), find("$pageview", "/pages/goods/goods"), find("view_item"), find("add_to_cart"),
  ];
  expect([near(index!.time, at.launch!), near(identify!.time, at.identify!), near(goods!.time, at.goods!), near(cart!.time, at.cart!)]).toEqual([true, true, true, true]);
  expect(Date.parse(index!.time)).toBeLessThan(Date.parse(identify!.time));
  expect(Date.parse(goods!.time)).toBeLessThan(Date.parse(cart!.time));
  expect(index!.properties).toMatchObject({
    $pathname: "/pages/index/index", $source: "Mini Program", $lib: "tessera-wx", $lib_version: "1.0.0",
    utm_source: "wechat", utm_medium: "qrcode", utm_campaign: "spring_tea", $channel: "wechat",
    // the device as the mini program describes it (there is no browser user agent to read)
    $os: "iOS", $os_version: "17.4.1", $device_model: "iPhone 15 Pro<iPhone16,1>", $device_type: "Mobile", $screen_width: 393, $locale: "zh-CN", $scene: 1047,
  });
  expect(index!.properties.$browser).toBeUndefined();
  expect(index!.properties.$referrer).toBeUndefined();
  expect(goods!.properties).toMatchObject({
    path: "/pages/goods/goods", url: "/pages/goods/goods?id=tea-42&from=home", search: "?id=tea-42&from=home", referrer: "/pages/index/index?utm_source=wechat&utm_medium=qrcode&utm_campaign=spring_tea",
    $pathname: "/pages/goods/goods", $current_url: "/pages/goods/goods?id=tea-42&from=home", $referrer: "/pages/index/index?utm_source=wechat&utm_medium=qrcode&utm_campaign=spring_tea",
  });
  // A route is not a host: no referring domain, so no "referral" channel either.
  expect(goods!.properties.$referring_domain).toBeUndefined();
  expect(viewItem!.properties).toMatchObject({ sku: "tea-42", $pathname: "/pages/goods/goods" });
  expect(cart!.properties).toMatchObject({ sku: "tea-42", price: 168, $pathname: "/pages/goods/goods", $channel: "wechat" });
  expect(cart!.identifier.type).toBe("anonymous_id");

  // Back to the foreground from a chat (scene 1007, no tags): the goods page shows again (a page view with the
  // same referrer, then the page's own track), and the new entry's scene replaces the old one's scene and campaign.
  rt.show({ scene: 1007, query: {} });
  await tessera.flush();
  await rt.idle();
  const back = sentBatches(rt)[1]!.batch;
  expect(back.map((m) => [m.type, m.event ?? null])).toEqual([["page", null], ["track", "view_item"]]);
  expect((back[0]!.properties as { referrer?: string }).referrer).toBe("/pages/index/index?utm_source=wechat&utm_medium=qrcode&utm_campaign=spring_tea");
  expect(back[0]!.context).toMatchObject({ wechat: { scene: 1007 }, page: { path: "/pages/goods/goods" }, externalIds });
  expect((back[0]!.context as { campaign?: unknown }).campaign).toBeUndefined();
  const after = (await person("oUnion_0001")).events;
  expect(after).toHaveLength(7);
  // Untagged, the visit is attributed by its scene: a chat's share is WeChat.
  const shared = after.filter((e) => e.event === "$pageview" && e.properties.$scene === 1007);
  expect(shared.map((e) => e.properties.$channel)).toEqual(["wechat"]);
  expect(rt.warnings).toEqual([]);
});

test("an Official Account message with the same unionid, from another source, joins the mini program's person", async () => {
  const oa = await createSource("Official Account", "wx_oa");
  // The person first seen through the Official Account (a follow, as a connector or the OA's server sends it).
  const followedAt = new Date(Date.now() - 3_600_000).toISOString();
  const res = await fetch(`${base}/v1/batch`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      writeKey: oa.writeKey,
      batch: [{
        type: "track", event: "oa_subscribe", anonymousId: "oOA_openid_0002", timestamp: followedAt, properties: { qrscene: "store_7" },
        context: { externalIds: [
          { id: "oOA_openid_0002", type: `wx_openid:${OA_APPID}`, collection: "users", encoding: "none" },
          { id: "oUnion_0002", type: "wx_unionid", collection: "users", encoding: "none" },
        ] },
      }],
    }),
  });
  expect(await res.json()).toEqual({ success: true });

  // Then the mini program, opened from the Official Account's menu (scene 1035), on a base library that only
  // has getSystemInfoSync.
  const mini = await createSource("Mini Program B", "wx_mini");
  const rt = new WxRuntime({ appId: MINI_APPID, legacy: true, checkDomain: false });
  const tessera = app(rt, mini.writeKey);
  rt.launch({ path: "pages/index/index", scene: 1035 });
  tessera.identifyWeChat({ openid: "oMini_openid_0002", unionid: "oUnion_0002" });
  tessera.track("coupon_claimed", { coupon: "NEW10" });
  rt.hide();
  await rt.idle();
  expect(sentBatches(rt)[0]!.batch[0]!.context).toMatchObject({
    os: { name: "iOS", version: "17.4.1" }, device: { model: "iPhone 15 Pro<iPhone16,1>" }, screen: { width: 393, height: 852, density: 3 },
    locale: "zh-CN", wechat: { scene: 1035, version: "8.0.50", sdkVersion: "3.4.10" },
  });

  const p = await person("oUnion_0002");
  expect(p.identifiers).toEqual(expect.arrayContaining([
    { type: "wx_unionid", value: "oUnion_0002" },
    { type: `wx_openid:${OA_APPID}`, value: "oOA_openid_0002" },
    { type: `wx_openid:${MINI_APPID}`, value: "oMini_openid_0002" },
  ]));
  expect(p.events.map((e) => [e.event, e.properties.$source]).sort()).toEqual([
    ["$identify", "Mini Program B"], ["$pageview", "Mini Program B"], ["coupon_claimed", "Mini Program B"], ["oa_subscribe", "Official Account"],
  ]);
  expect(p.events.find((e) => e.event === "oa_subscribe")!.time).toBe(followedAt);
  // Either openid finds the same person.
  expect((await person("oOA_openid_0002")).id).toBe(p.id);
  expect((await person("oMini_openid_0002")).id).toBe(p.id);
});

test("a batch whose answer is lost is retried with backoff and stored once; one lost when the app is destroyed is re-sent by the next launch", async () => {
  const source = await createSource("Mini Program C", "wx_mini");
  const rt = new WxRuntime({ appId: MINI_APPID, checkDomain: false });
  const tessera = app(rt, source.writeKey, { flushInterval: 20 });
  rt.loseResponses = 1;
  rt.launch({ path: "pages/index/index", scene: 1001 });
  tessera.identify("mp-user-3", { plan: "gold" });
  await Bun.sleep(60);
  await rt.idle();
  // The server stored the batch, but the mini program heard a timeout: retried after a backoff (1 s).
  expect(rt.requests.map((r) => [r.statusCode, r.errMsg])).toEqual([[200, "request:fail timeout"]]);
  await Bun.sleep(1100);
  await rt.idle();
  expect(rt.requests.map((r) => [r.statusCode, r.errMsg])).toEqual([[200, "request:fail timeout"], [200, "request:ok"]]);
  expect(sentBatches(rt)[1]!.batch.map((m) => m.messageId)).toEqual(sentBatches(rt)[0]!.batch.map((m) => m.messageId));
  expect((await person("mp-user-3")).events.map((e) => e.event).sort()).toEqual(["$identify", "$pageview"]);

  // Again, but the app goes to the background and is destroyed before the retry: the batch waits in storage.
  rt.loseResponses = 1;
  const paidAt = Date.now();
  tessera.track("order_paid", { revenue: 99 });
  rt.hide();
  await rt.idle();
  expect(rt.requests.at(-1)!.errMsg).toBe("request:fail timeout");
  expect(JSON.parse(rt.storage.get("tessera_queue")!).map((m: { event?: string }) => m.event)).toEqual(["order_paid"]);
  rt.kill();
  await Bun.sleep(500);
  const next = new WxRuntime({ appId: MINI_APPID, checkDomain: false, storage: rt.storage });
  const relaunched = app(next, source.writeKey);
  expect(relaunched.anonymousId()).toBe(tessera.anonymousId());
  next.launch({ path: "pages/index/index", scene: 1089 });
  await relaunched.flush();
  await next.idle();
  const resent = sentBatches(next)[0]!.batch;
  expect(resent.map((m) => [m.type, m.userId])).toEqual([["track", "mp-user-3"], ["page", "mp-user-3"]]);
  expect(resent[0]!.messageId).toBe(sentBatches(rt).at(-1)!.batch[0]!.messageId);
  expect(next.storage.has("tessera_queue")).toBe(false);
  const p = await person("mp-user-3");
  expect(p.events.map((e) => e.event).sort()).toEqual(["$identify", "$pageview", "$pageview", "order_paid"]);
  // Kept its time: when it happened, not when it was re-sent half a second later.
  expect(Math.abs(Date.parse(p.events.find((e) => e.event === "order_paid")!.time) - paidAt)).toBeLessThan(200);
}, 15_000);

test("a host outside the request legal domains: the send fails with WeChat's errMsg, said in the console", async () => {
  const rt = new WxRuntime({ appId: MINI_APPID, domains: ["https://tessera.example.com"] });
  const tessera = app(rt, "wk_whatever");
  rt.launch({ path: "pages/index/index" });
  await tessera.flush();
  expect(rt.requests.map((r) => [r.url, r.errMsg])).toEqual([[`${base}/v1/batch`, "request:fail url not in domain list"]]);
  expect(rt.warnings).toEqual(["tessera: request:fail url not in domain list"]);
  rt.kill();
});

test("autoPage: false sends no page view by itself; page() names one; reset() forgets the user and the WeChat ids", async () => {
  // No legal domain: nothing reaches a server, but what was sent is recorded.
  const rt = new WxRuntime({ appId: MINI_APPID, domains: [] });
  const tessera = rt.require(sdk) as Tessera;
  tessera.init("wk_whatever", { host: base, autoPage: false });
  rt.page("pages/index/index", () => (globalThis as unknown as { Page: (o: object) => void }).Page({}));
  rt.launch({ path: "pages/index/index", query: { from: "menu" } });
  tessera.page("Home", { tab: "tea" });
  tessera.identify("mp-user-9");
  tessera.identifyWeChat({ openid: "oMini_openid_0009", appid: "wxOtherApp" });
  const before = tessera.anonymousId();
  tessera.reset();
  tessera.track("after_logout");
  await tessera.flush();
  const batch = sentBatches(rt)[0]!.batch;
  expect(batch.map((m) => [m.type, m.name ?? m.event ?? null, m.userId])).toEqual([
    ["page", "Home", null], ["identify", null, "mp-user-9"], ["identify", null, "mp-user-9"], ["track", "after_logout", null],
  ]);
  expect(batch[0]!.properties).toEqual({ path: "/pages/index/index", search: "?from=menu", url: "/pages/index/index?from=menu", tab: "tea" });
  expect((batch[2]!.context as { externalIds: unknown }).externalIds).toEqual([{ id: "oMini_openid_0009", type: "wx_openid:wxOtherApp", collection: "users", encoding: "none" }]);
  expect(batch[3]!.anonymousId).not.toBe(before);
  expect((batch[3]!.context as { externalIds?: unknown }).externalIds).toBeUndefined();
  expect([rt.storage.has("tessera_uid"), rt.storage.has("tessera_wx"), JSON.parse(rt.storage.get("tessera_aid")!)]).toEqual([false, false, tessera.anonymousId()]);
  rt.kill();
});

test("the Sources page's mini program snippet, as pasted into app.js, sends the page views", async () => {
  const source = await createSource("snippet-wx", "wx_mini");
  const snippet = sourceSnippets(base, source.writeKey).wx;
  expect(snippet.install).toBe(`curl -o utils/tessera-wx.js ${base}/sdk/wx.js`);
  const rt = new WxRuntime({ appId: MINI_APPID, checkDomain: false });
  rt.require(snippet.code, { "./utils/tessera-wx.js": sdk });
  rt.page("pages/index/index", () => (globalThis as unknown as { Page: (o: object) => void }).Page({}));
  rt.launch({ path: "pages/index/index", scene: 1001 });
  rt.hide();
  await rt.idle();
  expect(rt.requests.map((r) => r.statusCode)).toEqual([200]);
  const { results } = await api<{ results: { accepted: number }[] }>(`/api/sources/${source.id}/stats`);
  expect(results.reduce((n, m) => n + m.accepted, 0)).toBe(1);
});
