/**
 * tessera-wx.js, the WeChat Mini Program SDK served at /sdk/wx.js (bundled to a minified CommonJS module by
 * sdk.bundle.ts; no dependencies). Save it into the mini program (or publish it to miniprogram_npm) and, at the
 * top of app.js, before App() and before any page is registered:
 *
 *   const tessera = require("./utils/tessera-wx.js");
 *   tessera.init("WRITE_KEY", { host: "https://tessera.example.com" });
 *   App({ … });
 *   // after wx.login, from your server (code2Session): the person's WeChat ids
 *   tessera.identifyWeChat({ openid, unionid });
 *
 * The host must be in the mini program's request legal domain list (HTTPS).
 *
 * Transport: batches go to `POST <host>/v1/batch` as JSON `{writeKey, sentAt, batch}` with wx.request. Events
 * are batched (20 events or 1 s) and sent at once when the app goes to the background (wx.onAppHide); failed
 * sends (network, 429, 5xx) are retried with backoff. What is unsent when the app hides or a send fails is kept in
 * storage and sent on the next launch: a mini program in the background may be destroyed at any time, and the
 * server stores a re-sent messageId only once.
 *
 * Identity: the anonymous id, the user id and the WeChat ids live in wx storage. identifyWeChat() adds
 * `context.externalIds` (`wx_openid:<appid>`, `wx_unionid`) to that identify and to every later message, so the
 * mini program's visitor is one person with the same unionid seen through the Official Account, the app or the web.
 * `reset()` forgets all of them (call it on logout).
 *
 * Context: library, os, device, screen, locale, timezone, app (appid, version, env), the current page (route and
 * query), `wechat.scene` (the scene of the launch or the latest return to the foreground) and that entry's utm_*
 * query parameters as `campaign` (also read from a mini program code's `scene` and a QR code's `q`).
 *
 * Written for old JavaScript engines (iOS JavaScriptCore): no class fields, `?.` or `??`, so the bundle runs
 * unchanged without the developer tools' ES5 compilation.
 */

import type { Msg, Props } from "./message.ts";

interface Options {
  /** Origin of the Tessera server, e.g. "https://tessera.example.com" (required: a mini program has no origin). */
  host: string;
  /** Send a page view on each page's onShow (default true). */
  autoPage?: boolean;
  flushAt?: number;
  flushInterval?: number;
}

interface WeChatIds {
  openid?: string;
  unionid?: string;
  appid?: string;
}

/** The part of a page instance the SDK reads: `route` ("pages/goods/goods") and `options` (the query). */
interface PageInstance {
  route?: string;
  __route__?: string;
  options?: Record<string, unknown>;
}

/** EnterOptions are what wx.getLaunchOptionsSync() and wx.onAppShow's listener give. */
interface EnterOptions {
  scene?: number;
  query?: Record<string, unknown>;
  referrerInfo?: { appId?: string };
}

interface RequestResult {
  statusCode: number;
  data: unknown;
}

/** The no-argument `wx` getters `call` runs: absent on older base libraries, or outside WeChat. */
interface Getters {
  getAppBaseInfo?(): Props;
  getDeviceInfo?(): Props;
  getWindowInfo?(): Props;
  getSystemInfoSync?(): Props;
  getLaunchOptionsSync?(): EnterOptions;
  getAccountInfoSync?(): { miniProgram: { appId: string; envVersion?: string; version?: string } };
}

/** The documented `wx` APIs this SDK calls. */
interface Wx extends Getters {
  request(o: {
    url: string;
    method: "POST";
    data: string;
    header: Record<string, string>;
    timeout: number;
    success(r: RequestResult): void;
    fail(e: { errMsg: string }): void;
  }): unknown;
  getStorageSync(key: string): unknown;
  setStorageSync(key: string, value: unknown): void;
  removeStorageSync(key: string): void;
  onAppShow(f: (o: EnterOptions) => void): void;
  onAppHide(f: () => void): void;
}

type Constructor = ((options: Props) => unknown) & { tessera?: boolean };

declare const wx: Wx;
declare const module: { exports: unknown };
declare let Page: Constructor | undefined;
declare let Component: Constructor | undefined;
declare function getCurrentPages(): PageInstance[];

const VERSION = "1.0.0";
const AID = "tessera_aid";
const UID = "tessera_uid";
const WXIDS = "tessera_wx";
const QUEUE = "tessera_queue";
const MAX_ATTEMPTS = 6;
const MAX_BATCH = 100;
const MAX_STORED = 500;
const UTM = ["source", "medium", "campaign", "term", "content"];

function uuid(): string {
  // No crypto in the mini program runtime (wx.getRandomValues is asynchronous): Math.random, as the
  // mini-program analytics SDKs do. Ids need to be unique, not secret.
  let s = "";
  for (let i = 0; i < 32; i++) {
    const r = i === 12 ? 4 : i === 16 ? 8 + Math.floor(Math.random() * 4) : Math.floor(Math.random() * 16);
    s += r.toString(16);
    if (i === 7 || i === 11 || i === 15 || i === 19) s += "-";
  }
  return s;
}

function load(key: string): unknown {
  try {
    return wx.getStorageSync(key);
  } catch (e) {
    return "";
  }
}

function save(key: string, value: unknown): void {
  try {
    if (value === null) wx.removeStorageSync(key);
    else wx.setStorageSync(key, value);
  } catch (e) {
    // A full storage (10 MB per mini program) must not break the app; the ids live on in memory.
  }
}

/** call runs an optional wx getter and gives null when it is absent or fails. */
function call<K extends keyof Getters>(name: K): ReturnType<NonNullable<Getters[K]>> | null {
  try {
    const f = wx[name];
    return typeof f === "function" ? (f as (this: Wx) => ReturnType<NonNullable<Getters[K]>>).call(wx) : null;
  } catch (e) {
    return null;
  }
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch (e) {
    return s;
  }
}

/** parseQuery reads "a=1&b=2" into an object (values decoded). */
function parseQuery(q: string, into: Props): Props {
  const pairs = q.split("&");
  for (let i = 0; i < pairs.length; i++) {
    const eq = pairs[i]!.indexOf("=");
    if (eq > 0) into[decode(pairs[i]!.slice(0, eq))] = decode(pairs[i]!.slice(eq + 1));
  }
  return into;
}

/**
 * campaignOf reads utm_* from an entry's query; a mini program code (wxacode.getUnlimited) carries its
 * parameters encoded in `scene`, a plain QR code its whole URL in `q`, so both are read too (the query wins).
 */
function campaignOf(query: Record<string, unknown> | undefined): Props | undefined {
  const q: Props = {};
  if (query) {
    const scene = query.scene;
    if (typeof scene === "string" && scene.indexOf("=") > 0) parseQuery(decode(scene), q);
    const url = typeof query.q === "string" ? decode(query.q) : "";
    if (url.indexOf("?") >= 0) parseQuery(url.slice(url.indexOf("?") + 1).split("#")[0]!, q);
    for (const k in query) q[k] = typeof query[k] === "string" ? decode(query[k] as string) : query[k];
  }
  const c: Props = {};
  let n = 0;
  for (let i = 0; i < UTM.length; i++) {
    const v = q[`utm_${UTM[i]}`];
    if (typeof v === "string" && v !== "") {
      c[UTM[i] === "campaign" ? "name" : UTM[i]!] = v;
      n++;
    }
  }
  return n ? c : undefined;
}

/** pageOf is a page's `context.page`: path "/pages/goods/goods", url with its query, search "?id=1". */
function pageOf(p: PageInstance | undefined): Props | undefined {
  const route = p && (p.route || p.__route__);
  if (!route) return undefined;
  const o = p.options || {};
  const parts: string[] = [];
  // Page options arrive as they were written in the navigation URL (not decoded): kept as they are.
  for (const k in o) parts.push(`${k}=${o[k]}`);
  const path = route.charAt(0) === "/" ? route : `/${route}`;
  const search = parts.length ? `?${parts.join("&")}` : "";
  return { path, search, url: path + search };
}

function currentPage(): PageInstance | undefined {
  try {
    const pages = getCurrentPages();
    return pages[pages.length - 1];
  } catch (e) {
    return undefined;
  }
}

/** deviceContext is what does not change during a run: os, device, screen, locale, timezone, app. */
function deviceContext(): Props {
  // getSystemInfoSync is deprecated since base library 2.20.1 in favour of these three (it logs a warning).
  const parts = [call("getAppBaseInfo"), call("getDeviceInfo"), call("getWindowInfo")];
  const s: Props = parts[0] && parts[1] && parts[2] ? Object.assign({}, parts[0], parts[1], parts[2]) : call("getSystemInfoSync") || {};
  const system = String(s.system || "");
  const sp = system.indexOf(" ");
  const ctx: Props = {
    os: { name: sp > 0 ? system.slice(0, sp) : system || s.platform, version: sp > 0 ? system.slice(sp + 1) : undefined },
    device: { manufacturer: s.brand, model: s.model, type: s.platform },
    screen: { width: s.screenWidth, height: s.screenHeight, density: s.pixelRatio },
    locale: typeof s.language === "string" ? s.language.replace("_", "-") : undefined,
    wechat: { version: s.version, sdkVersion: s.SDKVersion },
  };
  try {
    ctx.timezone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    // Engines without Intl time zones simply omit it.
  }
  const account = call("getAccountInfoSync");
  const mp = account && account.miniProgram;
  // `version` is set in the release build only; `env` (develop / trial / release) tells test traffic apart.
  if (mp) ctx.app = { namespace: mp.appId, version: mp.version || undefined, env: mp.envVersion };
  return ctx;
}

function strip(m: Msg): Msg {
  const out = Object.assign({}, m);
  delete out.attempts;
  return out;
}

const nonEmpty = (v: unknown): v is string => typeof v === "string" && v !== "";

let writeKey = "";
let host = "";
let opts: Options = { host: "" };
let started = false;
let queue: Msg[] = [];
/** The batch being sent (one request at a time), kept to be stored if the app hides meanwhile. */
let sending: Msg[] = [];
let inflight: Promise<void> | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;
let backoff = 0;
/** Whether storage may hold unsent messages that were since sent (so it is rewritten after a success). */
let stored = false;
let userId: string | null = null;
let anonymousId = "";
let wxIds: WeChatIds = {};
let device: Props | null = null;
let enter: { scene?: number; campaign?: Props; referrer?: string } = {};
let lastUrl: string | null = null;
let pageReferrer = "";

/** ids loads the identities from storage on first use (a call before init still has them). */
function ids(): void {
  if (anonymousId) return;
  const u = load(UID);
  userId = nonEmpty(u) ? u : null;
  const a = load(AID);
  anonymousId = nonEmpty(a) ? a : uuid();
  if (a !== anonymousId) save(AID, anonymousId);
  const w = load(WXIDS);
  wxIds = w && typeof w === "object" ? (w as WeChatIds) : {};
}

function onEnter(o: EnterOptions | null): void {
  if (!o) return;
  enter = {
    scene: o.scene,
    campaign: campaignOf(o.query),
    referrer: o.referrerInfo && o.referrerInfo.appId ? o.referrerInfo.appId : undefined,
  };
}

function context(page: Props | undefined): Props {
  if (!device) device = deviceContext();
  const ctx: Props = Object.assign({ library: { name: "tessera-wx", version: VERSION } }, device);
  ctx.wechat = Object.assign({ scene: enter.scene }, device.wechat as Props);
  if (enter.campaign) ctx.campaign = enter.campaign;
  // Opened from another mini program (or its half-screen): Segment's context.referrer with that appid.
  if (enter.referrer) ctx.referrer = { type: "wechat_miniprogram", id: enter.referrer };
  const p = page || pageOf(currentPage());
  if (p) ctx.page = p;
  const ext: Props[] = [];
  if (wxIds.openid && wxIds.appid) ext.push({ id: wxIds.openid, type: `wx_openid:${wxIds.appid}`, collection: "users", encoding: "none" });
  if (wxIds.unionid) ext.push({ id: wxIds.unionid, type: "wx_unionid", collection: "users", encoding: "none" });
  if (ext.length) ctx.externalIds = ext;
  return ctx;
}

function enqueue(m: Partial<Msg>, page?: Props): void {
  ids();
  const msg = Object.assign({ userId: userId }, m, {
    messageId: uuid(),
    timestamp: new Date().toISOString(),
    anonymousId: anonymousId,
    context: context(page),
  }) as Msg;
  queue.push(msg);
  if (queue.length >= (opts.flushAt || 20)) void flush();
  else if (!timer) schedule(opts.flushInterval === undefined ? 1000 : opts.flushInterval);
}

function schedule(ms: number): void {
  clearTimeout(timer);
  timer = setTimeout(() => {
    timer = undefined;
    void flush();
  }, ms);
}

/** persist keeps what is not yet acknowledged (in flight and queued) in storage for the next launch. */
function persist(): void {
  const unsent = sending.concat(queue).slice(-MAX_STORED);
  if (!unsent.length && !stored) return;
  save(QUEUE, unsent.length ? unsent : null);
  stored = unsent.length > 0;
}

function drained(): Promise<void> | undefined {
  return inflight ? inflight.then(drained) : undefined;
}

/** flush sends the queue now; the promise settles once nothing is in flight (sent, or a retry scheduled). */
function flush(): Promise<void> {
  clearTimeout(timer);
  timer = undefined;
  if (inflight) return inflight.then(drained);
  if (!writeKey || !queue.length) return Promise.resolve();
  const batch = (sending = queue.splice(0, MAX_BATCH));
  const done = (retry: boolean) => {
    sending = [];
    inflight = null;
    if (retry) {
      queue = batch.filter((m) => (m.attempts = (m.attempts || 0) + 1) < MAX_ATTEMPTS).concat(queue);
      backoff = Math.min(30000, (backoff || 500) * 2);
      schedule(backoff);
      persist();
      return;
    }
    backoff = 0;
    if (stored) persist();
    if (queue.length) void flush();
  };
  inflight = new Promise<void>((resolve) => {
    wx.request({
      url: `${host}/v1/batch`,
      method: "POST",
      // sentAt is stamped at send time: the server corrects the device's clock skew with it.
      data: JSON.stringify({ writeKey: writeKey, sentAt: new Date().toISOString(), batch: batch.map(strip) }),
      header: { "content-type": "application/json" },
      timeout: 10000,
      success(r) {
        const status = r.statusCode;
        // Other refusals (401 unknown write key, 400, 413) would fail again: said once, not retried.
        if (status >= 400 && status !== 429 && status < 500) console.warn(`tessera: ${status} ${JSON.stringify(r.data)}`);
        done(status === 429 || status >= 500);
        resolve();
      },
      fail(e) {
        // "request:fail url not in domain list": add the host to the request legal domains.
        if (e && /domain/.test(e.errMsg)) console.warn(`tessera: ${e.errMsg}`);
        done(true);
        resolve();
      },
    });
  });
  return inflight.then(drained);
}

/** showPage is the autoPage hook: a page view for the page instance being shown. */
function showPage(p: PageInstance): void {
  if (started && opts.autoPage !== false && (p.route || p.__route__)) page(undefined, undefined, p);
}

/**
 * hook makes `o.onShow` send the page view first (so events the page's own onShow tracks come after it),
 * then run the page's handler; an analytics error never breaks the page.
 */
function hook(o: Props): void {
  const own = o.onShow;
  o.onShow = function (this: PageInstance, ...args: unknown[]) {
    try {
      showPage(this);
    } catch (e) {
      // ignored: see above
    }
    return typeof own === "function" ? own.apply(this, args) : undefined;
  };
}

/**
 * autoPage wraps the global Page and Component constructors, as Sensors Data's, GrowingIO's and Umeng's
 * mini-program SDKs do: WeChat has no public "route changed" event (wx.onAppRoute is internal), and asking
 * developers to call page() in every page is what they install an SDK to avoid. The hook goes on onShow, not
 * onLoad: onShow fires on every display of a page (opened, returned to with navigateBack, a tab switched to,
 * the app back from the background), each a page view; onLoad fires once per page instance. A page built with
 * Component() has its page lifecycle in `methods`, so Component's methods get the same hook (a component that
 * is not a page has no `route` and sends nothing). Wrapped once, when this module is first required: app.js
 * runs before any page registers. A second copy of the SDK (miniprogram_npm and a local file) does not wrap again.
 */
function wrap(): void {
  try {
    if (typeof Page === "function" && !Page.tessera) {
      const page = Page;
      Page = function (o: Props) {
        if (o) hook(o);
        return page(o);
      };
      Page.tessera = true;
    }
    if (typeof Component === "function" && !Component.tessera) {
      const component = Component;
      Component = function (o: Props) {
        if (o) hook((o.methods = (o.methods as Props) || {}));
        return component(o);
      };
      Component.tessera = true;
    }
  } catch (e) {
    // A runtime that does not let Page be replaced: page() by hand still works.
  }
}

function init(key: string, options: Options): void {
  writeKey = key;
  opts = options || { host: "" };
  host = String(opts.host || "").replace(/\/+$/, "");
  if (!host) console.error("tessera: init needs { host: \"https://…\" }");
  ids();
  if (!started) {
    started = true;
    const kept = load(QUEUE);
    if (Array.isArray(kept) && kept.length) {
      queue = (kept as Msg[]).concat(queue);
      stored = true;
    }
    onEnter(call("getLaunchOptionsSync"));
    try {
      wx.onAppShow(onEnter);
      wx.onAppHide(() => {
        void flush();
        persist();
      });
    } catch (e) {
      // Outside WeChat (a unit test without these APIs): flush() by hand.
    }
  }
  if (queue.length) schedule(0);
}

function identify(id?: string | Props | null, traits?: Props): void {
  if (id !== null && typeof id === "object") {
    traits = id;
    id = undefined;
  }
  ids();
  if (nonEmpty(id)) {
    userId = id;
    save(UID, id);
  }
  enqueue({ type: "identify", traits: traits || {} });
}

/**
 * identifyWeChat remembers the person's WeChat ids (from code2Session on your server: never call it from the
 * mini program with the app secret) and sends an identify carrying them; later messages carry them too.
 */
function identifyWeChat(w: WeChatIds, traits?: Props): void {
  ids();
  const next: WeChatIds = Object.assign({}, wxIds);
  if (nonEmpty(w.openid)) {
    const account = call("getAccountInfoSync");
    next.openid = w.openid;
    next.appid = w.appid || (account ? account.miniProgram.appId : undefined);
  }
  if (nonEmpty(w.unionid)) next.unionid = w.unionid;
  wxIds = next;
  save(WXIDS, next);
  enqueue({ type: "identify", traits: traits || {} });
}

function track(event: string, properties?: Props): void {
  enqueue({ type: "track", event: event, properties: properties || {} });
}

function page(name?: string | Props, properties?: Props, instance?: PageInstance): void {
  if (name !== null && typeof name === "object") {
    properties = name;
    name = undefined;
  }
  const p = pageOf(instance || currentPage()) || {};
  const url = (p.url as string) || "";
  // The referrer of a page view is the page shown before it (the same page again keeps its referrer).
  if (url !== lastUrl) pageReferrer = lastUrl || "";
  lastUrl = url;
  if (pageReferrer) p.referrer = pageReferrer;
  enqueue({ type: "page", name: (name as string) || undefined, properties: Object.assign({}, p, properties) }, p);
}

function alias(to: string, previousId?: string): void {
  ids();
  enqueue({ type: "alias", userId: to, previousId: previousId || userId || anonymousId });
}

function reset(): void {
  ids();
  userId = null;
  save(UID, null);
  wxIds = {};
  save(WXIDS, null);
  anonymousId = uuid();
  save(AID, anonymousId);
}

wrap();

const tessera = {
  init: init,
  identify: identify,
  identifyWeChat: identifyWeChat,
  track: track,
  page: (name?: string | Props, properties?: Props) => page(name, properties),
  alias: alias,
  reset: reset,
  flush: flush,
  /** The anonymous id, e.g. to pass to your server with wx.login's code. */
  anonymousId: (): string => {
    ids();
    return anonymousId;
  },
  VERSION: VERSION,
};

module.exports = tessera;
