/**
 * The browser SDK (/sdk.js) in real headless Chromium, loaded by a page on another origin than the Tessera
 * server, as on a customer's site. Protects: the snippet stub's queued calls are replayed; the automatic page
 * view carries UTM tags and page context; batches go out as text/plain with no CORS preflight; identify,
 * track, alias and reset behave; events carry document.referrer (a single-page app's later page view has the
 * previous URL); the anonymous id survives a reload (cookie + localStorage); events still queued
 * when the page goes away are delivered by sendBeacon; messageIds are unique and sentAt corrects the time.
 * Skipped with a warning when /usr/bin/chromium is missing (install: apt-get install -y chromium).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import { source, WRITE_KEY } from "./ingest.fixtures.ts";
import { ingestRoutes } from "./ingest.routes.ts";
import type { Message } from "./message.ts";
import { buildSdk } from "./sdk.bundle.ts";

const CHROMIUM = "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`sdk.e2e.test.ts: ${CHROMIUM} not found, skipping the browser SDK tests (apt-get install -y chromium)`);

const received: Message[] = [];
const requests: { method: string; path: string; contentType: string | null }[] = [];
let ingest: ReturnType<typeof Bun.serve>;
let site: ReturnType<typeof Bun.serve>;
let browser: Browser;
let ingestOrigin = "";
let siteOrigin = "";

/** sitePage is a customer page: the async snippet with calls queued before the SDK arrives. */
function sitePage(title: string, script: string, calls: string, flushInterval: number): string {
  return `<!doctype html><html><head><title>${title}</title>
<script>
  window.tessera = window.tessera || [];
  ["init","identify","track","page","alias","reset","flush"].forEach(function (m) {
    tessera[m] = tessera[m] || function () { tessera.push([m].concat([].slice.call(arguments))); };
  });
  tessera.init(${JSON.stringify(WRITE_KEY)}, { host: ${JSON.stringify(ingestOrigin)}, flushInterval: ${flushInterval} });
  ${calls}
</script>
${script}
</head><body><a id="next" href="/next">next</a></body></html>`;
}

beforeAll(async () => {
  if (!hasChromium) return;
  const app = ingestRoutes({
    findSource: (k) => (k === WRITE_KEY ? source({ ipPolicy: "keep" }) : null),
    sink: async (m) => void received.push(...m),
    onError: (err) => {
      throw err;
    },
  });
  ingest = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(req, srv) {
      requests.push({ method: req.method, path: new URL(req.url).pathname, contentType: req.headers.get("content-type") });
      return app.fetch(req, srv);
    },
  });
  ingestOrigin = `http://127.0.0.1:${ingest.port}`;
  const sdk = await buildSdk();
  // The versioned URL with Subresource Integrity, as the dashboard's snippet gives it.
  const pinned = `<script async src="${ingestOrigin}/sdk/${sdk.hash}.js" integrity="${sdk.integrity}" crossorigin="anonymous"></script>`;
  site = Bun.serve({
    port: 0,
    hostname: "localhost",
    fetch(req) {
      const u = new URL(req.url);
      const slow = u.searchParams.get("slow") === "1";
      const calls = u.searchParams.get("calls") ?? "";
      const html =
        u.pathname === "/next"
          ? sitePage("Next", `<script async src="${ingestOrigin}/sdk.js"></script>`, "", 60_000)
          : sitePage("Landing", pinned, calls, slow ? 60_000 : 100);
      return new Response(html, { headers: { "content-type": "text/html; charset=utf-8" } });
    },
  });
  siteOrigin = `http://localhost:${site.port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
});

afterAll(async () => {
  if (!hasChromium) return;
  await browser?.close();
  ingest?.stop(true);
  site?.stop(true);
});

async function waitFor(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}

const byAnon = (anon: string) => received.filter((m) => m.anonymousId === anon);
const anonOf = (page: Page) => page.evaluate(() => localStorage.getItem("tessera_aid"));

describe.skipIf(!hasChromium)("browser SDK in Chromium", () => {
  test("page view with UTM, queued calls replayed, text/plain batches without preflight", async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const calls = encodeURIComponent('tessera.track("Hero Clicked", {variant: "b"});');
    const started = Date.now();
    await page.goto(`${siteOrigin}/?utm_source=wechat&utm_medium=social&utm_campaign=spring&calls=${calls}`);
    const anon = await anonOf(page);
    expect(anon).toMatch(/^[0-9a-f-]{36}$/);
    await waitFor("page view and queued track", () => byAnon(anon!).length >= 2);

    const [pv, hero] = [byAnon(anon!).find((m) => m.event === "$pageview")!, byAnon(anon!).find((m) => m.event === "Hero Clicked")!];
    expect(pv.properties).toMatchObject({
      title: "Landing",
      utm_source: "wechat", utm_medium: "social", utm_campaign: "spring",
      $channel: "wechat",
      $browser: "Chrome",
      $bot: true, // headless Chromium says so in its user agent; the default policy keeps and flags it
      $host: `localhost:${site.port}`,
      $pathname: "/",
    });
    expect(pv.context).toMatchObject({ library: { name: "tessera.js" }, campaign: { source: "wechat", medium: "social", name: "spring" }, ip: "127.0.0.1" });
    expect(hero.properties).toMatchObject({ variant: "b" });
    expect(hero.timestamp).toBeGreaterThanOrEqual(started - 1000);
    expect(hero.timestamp).toBeLessThanOrEqual(Date.now() + 1000);
    expect(hero.sentAt).not.toBeNull();

    const sends = requests.filter((r) => r.path === "/v1/b");
    expect(sends.length).toBeGreaterThan(0);
    expect(sends.every((r) => r.method === "POST" && r.contentType?.startsWith("text/plain"))).toBe(true);
    expect(requests.filter((r) => r.method === "OPTIONS")).toEqual([]);
    await ctx.close();
  });

  test("identify, track, alias and reset; the anonymous id survives a reload", async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${siteOrigin}/`);
    await page.waitForFunction(() => !Array.isArray(window.tessera));
    const anon = (await anonOf(page))!;
    await page.evaluate(() => {
      const t = window.tessera as unknown as Record<string, (...a: unknown[]) => void>;
      t.identify!("user-42", { email: "u42@example.com" });
      t.track!("Added to Cart", { sku: "T-1", price: 88 });
      t.alias!("user-42-new");
    });
    await waitFor("identify, track, alias", () => byAnon(anon).filter((m) => m.userId !== null).length >= 3);
    const mine = byAnon(anon);
    expect(mine.find((m) => m.type === "identify")).toMatchObject({ userId: "user-42", traits: { set: { email: "u42@example.com" } } });
    expect(mine.find((m) => m.event === "Added to Cart")).toMatchObject({ userId: "user-42", properties: { sku: "T-1", price: 88 } });
    expect(mine.find((m) => m.type === "alias")).toMatchObject({ userId: "user-42-new", previousId: "user-42" });

    await page.reload();
    expect(await anonOf(page)).toBe(anon);
    const cookie = (await ctx.cookies()).find((c) => c.name === "tessera_aid");
    expect(cookie?.value).toBe(anon);
    await waitFor("page view after reload, still identified", () => byAnon(anon).filter((m) => m.event === "$pageview" && m.userId === "user-42").length === 1);

    await page.evaluate(() => {
      const t = window.tessera as unknown as Record<string, (...a: unknown[]) => void>;
      t.reset!();
      t.track!("After Logout");
    });
    const fresh = (await anonOf(page))!;
    expect(fresh).not.toBe(anon);
    await waitFor("event after reset", () => byAnon(fresh).some((m) => m.event === "After Logout"));
    expect(byAnon(fresh).find((m) => m.event === "After Logout")?.userId).toBeNull();

    // Delivery is at least once (a request cut off by the reload is sent again): a resend must carry the
    // same messageId and content, so the store's dedup keeps one.
    const first = new Map<string, Message>();
    for (const m of received) {
      const f = first.get(m.messageId);
      if (!f) first.set(m.messageId, m);
      else expect([m.type, m.event, m.userId, m.anonymousId, m.properties]).toEqual([f.type, f.event, f.userId, f.anonymousId, f.properties]);
    }
    await ctx.close();
  });

  test("track and identify carry document.referrer; a single-page app's later page view has the previous URL", async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    // Queued before the SDK arrives, so they run after init's automatic page view: the case that went wrong.
    const calls = encodeURIComponent('tessera.track("Seen"); tessera.identify({ plan: "tea" });');
    const landing = `${siteOrigin}/?calls=${calls}`;
    await page.goto(landing, { referer: "http://search.example/?q=tea" });
    const referrer = await page.evaluate(() => document.referrer);
    expect(referrer).toStartWith("http://search.example/");
    await page.waitForFunction(() => !Array.isArray(window.tessera));
    const anon = (await anonOf(page))!;
    await page.evaluate(() => {
      const t = window.tessera as unknown as Record<string, (...a: unknown[]) => void>;
      history.pushState({}, "", "/spa/step-2");
      t.page!();
      t.track!("Step Two");
    });
    await waitFor("two page views, two tracks and an identify", () => byAnon(anon).length >= 5);
    const mine = byAnon(anon);
    const views = mine.filter((m) => m.event === "$pageview");
    const refOf = (m: Message) => [m.properties.referrer, (m.context.page as { referrer?: string }).referrer, m.properties.$referrer];
    expect(views.map(refOf)).toEqual([
      [referrer, referrer, referrer],
      // The virtual navigation's referrer is the page the app came from, for that page view only.
      [landing, landing, landing],
    ]);
    for (const name of ["Seen", "$identify", "Step Two"]) {
      const m = mine.find((x) => x.event === name)!;
      expect([name, (m.context.page as { referrer?: string }).referrer, m.properties.$referrer]).toEqual([name, referrer, referrer]);
    }
    expect(mine.find((m) => m.event === "Step Two")!.properties.$current_url).toBe(`${siteOrigin}/spa/step-2`);
    await ctx.close();
  });

  test("events still queued when the page goes away are sent with sendBeacon", async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    // flushInterval 60 s: only the pagehide beacon can deliver before the test ends.
    await page.goto(`${siteOrigin}/?slow=1`);
    await page.waitForFunction(() => !Array.isArray(window.tessera));
    const anon = (await anonOf(page))!;
    await page.evaluate(() => (window.tessera as unknown as Record<string, (...a: unknown[]) => void>).track!("Left Quickly", { n: 1 }));
    expect(byAnon(anon).some((m) => m.event === "Left Quickly")).toBe(false);
    await page.click("#next");
    await waitFor("beaconed event", () => byAnon(anon).some((m) => m.event === "Left Quickly"));
    expect(byAnon(anon).find((m) => m.event === "$pageview" && m.properties.title === "Landing")).toBeDefined();
    await ctx.close();
  });
});
