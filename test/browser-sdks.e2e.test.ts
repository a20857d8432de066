/**
 * The browser SDKs our users already have on their sites, from npm and unchanged — posthog-js, Segment's
 * analytics-next, RudderStack's analytics-js, Jitsu's @jitsu/js and Sensors Data's sa-sdk-javascript — in headless
 * Chromium on another origin, pointed at a real Tessera server by their host options alone (Sensors': its
 * `server_url`, by each of its send types): page views, identify/login and track land once on one person with
 * their properties, and the SDKs log no error (PostHog's remote config script, Segment's project settings
 * and RudderStack's source config are answered).
 * Skipped with a warning when /usr/bin/chromium is missing.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { loadConfig } from "../src/config.ts";
import { silentLogger } from "../src/log.ts";
import { startServer, type RunningServer } from "../src/server.ts";
import { tempDir } from "./helpers.ts";

const CHROMIUM = "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`browser-sdks.e2e.test.ts: ${CHROMIUM} not found, skipping (apt-get install -y chromium)`);

const WRITE_KEY = "wk_browser_sdks_0123456789";
const ADMIN = "browser-sdks-admin-token-0123456789";
const scratch = tempDir("tessera-browser-sdks-");
let server: RunningServer;
let site: ReturnType<typeof Bun.serve>;
let browser: Browser;
let base = "";
let page = "";

beforeAll(async () => {
  if (!hasChromium) return;
  server = await startServer(
    loadConfig({ TESSERA_PORT: "0", TESSERA_HOST: "127.0.0.1", TESSERA_DATA_DIR: scratch.dir, TESSERA_WRITE_KEY: WRITE_KEY, TESSERA_ADMIN_TOKEN: ADMIN }),
    { log: silentLogger, webRoot: null },
  );
  base = server.url.href.replace(/\/$/, "");
  const built = await Bun.build({ entrypoints: [join(import.meta.dir, "browser-sdks.entry.ts")], target: "browser", format: "iife" });
  if (!built.success) throw new Error(built.logs.map(String).join("\n"));
  const bundle = await built.outputs[0]!.text();
  // The shop: the bundle, and a page running the script of the current test.
  site = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: (req) =>
      new URL(req.url).pathname === "/bundle.js"
        ? new Response(bundle, { headers: { "content-type": "text/javascript; charset=utf-8" } })
        : new Response(`<!doctype html><html><head><meta charset="utf-8"><title>Tea shop</title><script src="/bundle.js"></script></head><body>shop<script>${page}</script></body></html>`, { headers: { "content-type": "text/html; charset=utf-8" } }),
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-quic"] });
}, 30_000);

afterAll(async () => {
  await browser?.close();
  site?.stop(true);
  await server?.stop();
  scratch.cleanup();
});

interface TimelineEvent {
  event: string;
  properties: Record<string, unknown>;
  identifier: { type: string; value: string };
}

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${ADMIN}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

/**
 * visit runs `script` on the shop's page and waits until the person holding `userId` has `events` events;
 * `probe` is an expression read from the page at the end (an SDK's anonymous id).
 */
async function visit(
  script: string,
  userId: string,
  events: number,
  probe?: string,
): Promise<{ errors: string[]; timeline: TimelineEvent[]; persons: number; personId: string | null; probed: unknown; sent: string[] }> {
  page = script;
  const tab = await browser.newPage();
  const errors: string[] = [];
  // What reached Tessera: "<how the page sent it> <method> <path> <parameter names of the body, else of the query>".
  const sent: string[] = [];
  tab.on("request", (req) => {
    if (!req.url().startsWith(base)) return;
    const url = new URL(req.url());
    const body = req.postData();
    const names = [...new URLSearchParams(body ?? url.search).keys()].filter((k) => k !== "project");
    sent.push(`${req.resourceType()} ${req.method()} ${url.pathname} ${names.join(",")}`);
  });
  tab.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  tab.on("console", (m) => m.type() === "error" && errors.push(`console: ${m.text()}`));
  await tab.goto(`http://127.0.0.1:${site.port}/tea?utm_source=wechat&utm_campaign=spring`);
  let timeline: TimelineEvent[] = [];
  let persons = 0;
  for (let i = 0; i < 100 && timeline.length < events; i++) {
    await Bun.sleep(100);
    const found = await api<{ persons: { id: string }[] }>(`/api/persons?search=${encodeURIComponent(userId)}`);
    persons = found.persons.length;
    if (persons === 1) timeline = (await api<{ events: TimelineEvent[] }>(`/api/persons/${found.persons[0]!.id}/events?limit=100`)).events;
  }
  await Bun.sleep(300); // anything sent twice would arrive by now
  const found = await api<{ persons: { id: string }[] }>(`/api/persons?search=${encodeURIComponent(userId)}`);
  if (found.persons.length === 1) timeline = (await api<{ events: TimelineEvent[] }>(`/api/persons/${found.persons[0]!.id}/events?limit=100`)).events;
  const probed = probe === undefined ? null : await tab.evaluate(probe);
  await tab.close();
  return { errors, timeline, persons: found.persons.length, personId: found.persons.length === 1 ? found.persons[0]!.id : null, probed, sent };
}

const key = JSON.stringify(WRITE_KEY);
const host = () => JSON.stringify(base);

// Every SDK sends the same order, and each page view must carry the page's UTM parameters.
const ORDER = { revenue: 99, currency: "CNY" };
const order = JSON.stringify(ORDER);
const PAGE = { path: "/tea", utm_source: "wechat" };

/** rudder is RudderStack's SDK loaded with its config from Tessera, plus `loadOptions`. */
const rudder = (name: string, user: string, loadOptions = "") => ({
  name,
  user,
  script: () => `
      const analytics = new RudderAnalytics();
      analytics.load(${key}, ${host()}, { configUrl: ${host()}${loadOptions} });
      analytics.page();
      analytics.identify("${user}", { email: "${user}@example.com" });
      analytics.track("Order Completed", ${order});`,
  purchase: { event: "Order Completed", lib: "RudderLabs JavaScript SDK" },
  pageview: PAGE,
});

/** Each SDK as a site would run it: a page view, identify and an order, with what it must store. */
const SDKS = [
  {
    name: "posthog-js: the page view before identify, identify and capture are one person's, stored once",
    user: "ph-browser-1",
    // opt_out_useragent_filter: posthog-js drops events from headless browsers on its own.
    script: () => `
      posthog.init(${key}, { api_host: ${host()}, autocapture: false, capture_pageleave: false, disable_session_recording: true, opt_out_useragent_filter: true });
      posthog.identify("ph-browser-1", { email: "ph-browser-1@example.com", plan: "gold" });
      posthog.capture("purchase", ${order});`,
    purchase: { event: "purchase", lib: "web" },
    pageview: { utm_source: "wechat", utm_campaign: "spring" },
  },
  {
    name: "@segment/analytics-next: settings from Tessera, then page, identify and track on one person, stored once",
    user: "seg-browser-1",
    script: () => `
      const analytics = AnalyticsBrowser.load({ writeKey: ${key}, cdnURL: ${host()} });
      analytics.page();
      analytics.identify("seg-browser-1", { email: "seg-browser-1@example.com" });
      analytics.track("Order Completed", ${order});`,
    purchase: { event: "Order Completed", lib: "analytics.js" },
    pageview: PAGE,
  },
  rudder("@rudderstack/analytics-js: source config from Tessera, then page, identify and track on one person, stored once", "rs-browser-1"),
  rudder(
    "@rudderstack/analytics-js with useBeacon: the batch sent by sendBeacon to /beacon/v1/batch is stored once",
    "rs-beacon-1",
    ", useBeacon: true, beaconQueueOptions: { flushQueueInterval: 200 }",
  ),
  {
    name: "@jitsu/js: page, identify and track posted to /api/s/:type land on one person, stored once",
    user: "jitsu-browser-1",
    script: () => `
      const jitsu = jitsuAnalytics({ host: ${host()}, writeKey: ${JSON.stringify(`${WRITE_KEY}:jitsu`)} });
      jitsu.page().then(() => jitsu.identify("jitsu-browser-1", { email: "jitsu-browser-1@example.com" })).then(() => jitsu.track("Order Completed", ${order}));`,
    purchase: { event: "Order Completed", lib: "@jitsu/js" },
    pageview: PAGE,
  },
];

for (const sdk of SDKS) {
  test.skipIf(!hasChromium)(sdk.name, async () => {
    const r = await visit(sdk.script(), sdk.user, 3);
    expect(r.errors).toEqual([]);
    expect(r.persons).toBe(1);
    expect(r.timeline.map((e) => e.event).sort()).toEqual(["$identify", "$pageview", sdk.purchase.event].sort());
    expect(r.timeline.find((e) => e.event === sdk.purchase.event)!.properties).toMatchObject({ ...ORDER, $lib: sdk.purchase.lib });
    expect(r.timeline.find((e) => e.event === "$pageview")!.properties).toMatchObject(sdk.pageview);
  }, 30_000);
}

// Sensors Data's sa-sdk-javascript, pointed here by `server_url` alone, by each way it sends: `ajax` posts
// `data=<base64>&ext=crc%3D<hash>` by XHR, `image` puts the same in the query of a GET (an <img>), `beacon`
// posts it by navigator.sendBeacon (text/plain), and `batch_send` posts `data_list=<base64 of an array>`. The SDK
// turns `…/sa?project=` into `…/sa.gif?project=` itself. It identifies with ID-Mapping 3.0 `identities`
// (`$identity_cookie_id`, `$identity_login_id` once logged in); login() sends `track_signup` from the cookie id.
const SENSORS = [
  { how: "send_type 'ajax'", user: "sa-ajax-42", init: `send_type: "ajax"`, request: "xhr POST /sa.gif data,ext" },
  { how: "send_type 'image' (GET /sa.gif?data=…)", user: "sa-image-42", init: `send_type: "image"`, request: "image GET /sa.gif data,ext" },
  { how: "send_type 'beacon'", user: "sa-beacon-42", init: `send_type: "beacon"`, request: "ping POST /sa.gif data,ext" },
  { how: "batch_send (data_list=)", user: "sa-batch-42", init: `send_type: "ajax", batch_send: { send_interval: 300 }`, request: "xhr POST /sa.gif data_list" },
];
const SA_URL = (): string => JSON.stringify(`${base}/sa?project=${WRITE_KEY}`);

for (const sa of SENSORS) {
  test.skipIf(!hasChromium)(`sa-sdk-javascript ${sa.how}: page view, track, login and setProfile on one person, stored once`, async () => {
    const r = await visit(
      `
      sensors.init({ server_url: ${SA_URL()}, ${sa.init}, is_track_single_page: false, show_log: false,
        heatmap: { clickmap: "not_collect", scroll_notice_map: "not_collect" } });
      sensors.quick("autoTrack");
      sensors.track("add_to_cart", { sku: "tea-9", price: 88, name: "龙井" });
      sensors.login("${sa.user}");
      sensors.setProfile({ email: "${sa.user}@example.com", plan: "gold" });`,
      sa.user,
      5,
      `sensors.quick("getAnonymousID")`,
    );
    expect(r.errors).toEqual([]);
    expect(r.sent.length).toBeGreaterThan(0);
    expect([...new Set(r.sent)]).toEqual([sa.request]);
    expect(r.persons).toBe(1);
    // The first visit's profile_set_once ($first_visit_time, …) comes with the page view, by the SDK itself.
    expect(r.timeline.map((e) => e.event).sort()).toEqual(["$SignUp", "$identify", "$identify", "$pageview", "add_to_cart"]);
    expect(r.timeline.filter((e) => e.event === "$identify").map((e) => e.properties.$sa_type).sort()).toEqual(["profile_set", "profile_set_once"]);
    const cookieId = r.probed;
    expect(typeof cookieId).toBe("string");
    const byName = (name: string) => r.timeline.find((e) => e.event === name)!;
    const pageUrl = `http://127.0.0.1:${site.port}/tea?utm_source=wechat&utm_campaign=spring`;
    expect(byName("$pageview").properties).toMatchObject({
      $url: pageUrl, $url_path: "/tea", $pathname: "/tea", $title: "Tea shop", utm_source: "wechat", utm_campaign: "spring", $lib: "js",
    });
    expect(byName("add_to_cart").properties).toMatchObject({ sku: "tea-9", price: 88, name: "龙井", $url: pageUrl, $title: "Tea shop", $lib: "js" });
    // Before login the cookie id; login and what follows the login id: one person holds both.
    expect(byName("$pageview").identifier).toEqual({ type: "anonymous_id", value: cookieId as string });
    expect(byName("add_to_cart").identifier).toEqual({ type: "anonymous_id", value: cookieId as string });
    expect(byName("$SignUp").identifier).toEqual({ type: "user_id", value: sa.user });
    const person = await api<{ identifiers: { type: string; value: string }[]; traits: Record<string, unknown> }>(`/api/persons/${r.personId}`);
    expect(person.identifiers.map((i) => `${i.type}:${i.value}`).sort()).toEqual(
      [`anonymous_id:${cookieId}`, `email:${sa.user}@example.com`, `user_id:${sa.user}`].sort(),
    );
    expect(person.traits).toMatchObject({ email: `${sa.user}@example.com`, plan: "gold", $utm_source: "wechat", $first_visit_time: expect.any(String) });
  }, 30_000);
}
