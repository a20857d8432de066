/**
 * tessera.js, the browser SDK served at /sdk.js (bundled to a minified IIFE by sdk.bundle.ts; no dependencies).
 *
 *   <script>
 *     window.tessera = window.tessera || [];
 *     ["init","identify","track","page","alias","reset","flush"].forEach(function (m) {
 *       tessera[m] = tessera[m] || function () { tessera.push([m].concat([].slice.call(arguments))); };
 *     });
 *     tessera.init("WRITE_KEY", { host: "https://tessera.example.com" });
 *   </script>
 *   <script async src="https://tessera.example.com/sdk/<hash>.js" integrity="sha384-…" crossorigin="anonymous"></script>
 *
 * Calls made before the script loads are queued by the stub and replayed in order. Or, without the stub:
 * `<script src=".../sdk.js" data-write-key="WRITE_KEY"></script>` initialises with the script's origin as host.
 *
 * Transport: batches go to `POST /v1/b` as `text/plain` JSON `{writeKey, batch, sentAt}`. text/plain keeps
 * the request CORS-"simple" (no preflight round trip per flush, the same choice as analytics.js), which is also
 * why the write key travels in the body and not in an Authorization header. On `pagehide` or when the page
 * becomes hidden the queue is sent with `navigator.sendBeacon`, which survives the page going away.
 * Events are batched (20 events or 1 s); failed sends (network, 429, 5xx) are retried with backoff.
 *
 * Identity: the anonymous id lives in a first-party cookie and in localStorage (either survives when the
 * other is cleared), the user id in localStorage. `reset()` forgets both (call it on logout, or a shared device
 * merges people).
 */

import type { Msg, Props } from "./message.ts";

interface Options {
  /** Origin of the Tessera server; defaults to the origin the script was loaded from. */
  host?: string;
  /** Send automatically a page view on init (default true). */
  autoPage?: boolean;
  /** Cookie domain for the anonymous id (e.g. ".example.com" to share it across subdomains). */
  cookieDomain?: string;
  flushAt?: number;
  flushInterval?: number;
}

type Call = [string, ...unknown[]];

const VERSION = "1.0.0";
const AID = "tessera_aid";
const UID = "tessera_uid";
const MAX_BEACON_BYTES = 60_000;
const MAX_ATTEMPTS = 6;

const scriptOrigin = ((): string => {
  const s = document.currentScript as HTMLScriptElement | null;
  try {
    return s && s.src ? new URL(s.src).origin : location.origin;
  } catch {
    return location.origin;
  }
})();

function uuid(): string {
  const c = window.crypto;
  if (c && typeof c.randomUUID === "function") return c.randomUUID();
  // randomUUID needs a secure context; plain-http pages still have getRandomValues.
  const b = new Uint8Array(16);
  c.getRandomValues(b);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function store(key: string, value?: string | null): string | null {
  try {
    if (value === undefined) return localStorage.getItem(key);
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // Storage can be disabled (private mode, sandboxed iframes); the cookie still carries the anonymous id.
  }
  return null;
}

function readCookie(name: string): string | null {
  const m = document.cookie.match(new RegExp(`(?:^|; )${name}=([^;]*)`));
  return m ? decodeURIComponent(m[1]!) : null;
}

function writeCookie(name: string, value: string | null, domain?: string): void {
  const parts = [`${name}=${value === null ? "" : encodeURIComponent(value)}`, "Path=/", "SameSite=Lax"];
  parts.push(value === null ? "Max-Age=0" : "Max-Age=31536000");
  if (domain) parts.push(`Domain=${domain}`);
  if (location.protocol === "https:") parts.push("Secure");
  document.cookie = parts.join("; ");
}

function campaign(search: string): Props | undefined {
  const q = new URLSearchParams(search);
  const c: Props = {};
  for (const k of ["source", "medium", "term", "content"]) {
    const v = q.get(`utm_${k}`);
    if (v) c[k] = v;
  }
  const name = q.get("utm_campaign");
  if (name) c.name = name;
  return Object.keys(c).length ? c : undefined;
}

class Tessera {
  private writeKey = "";
  private host = scriptOrigin;
  private opts: Options = {};
  private queue: Msg[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private backoff = 0;
  private userId: string | null = null;
  private anonymousId = "";
  private lastUrl: string | null = null;
  private pageReferrer = "";

  init(writeKey: string, opts: Options = {}): void {
    this.writeKey = writeKey;
    this.opts = opts;
    if (opts.host) this.host = opts.host.replace(/\/+$/, "");
    this.userId = store(UID);
    this.anonymousId = readCookie(AID) || store(AID) || uuid();
    this.saveAnonymousId();
    const hide = () => this.flush(true);
    addEventListener("pagehide", hide);
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") hide();
    });
    if (opts.autoPage !== false) this.page();
  }

  identify(userId?: string | Props | null, traits?: Props): void {
    if (userId !== null && typeof userId === "object") {
      traits = userId;
      userId = undefined;
    }
    if (typeof userId === "string" && userId !== "") {
      this.userId = userId;
      store(UID, userId);
    }
    this.enqueue({ type: "identify", traits: traits || {} });
  }

  track(event: string, properties?: Props): void {
    this.enqueue({ type: "track", event, properties: properties || {} });
  }

  page(name?: string | Props, properties?: Props): void {
    if (name !== null && typeof name === "object") {
      properties = name;
      name = undefined;
    }
    // A single-page app's later page() is a virtual navigation: its referrer is the previous virtual URL, for
    // this page view only (the same URL again keeps its referrer). Every other event keeps document.referrer,
    // as analytics.js does: the referrer says how the visitor reached the site, not the last click inside it.
    const url = location.href;
    if (url !== this.lastUrl) this.pageReferrer = this.lastUrl ?? document.referrer;
    this.lastUrl = url;
    const props: Props = {
      url,
      path: location.pathname,
      search: location.search,
      title: document.title,
      referrer: this.pageReferrer,
      ...properties,
    };
    this.enqueue({ type: "page", name: name || undefined, properties: props }, this.pageReferrer);
  }

  alias(userId: string, previousId?: string): void {
    this.enqueue({ type: "alias", userId, previousId: previousId || this.userId || this.anonymousId });
  }

  reset(): void {
    this.userId = null;
    store(UID, null);
    this.anonymousId = uuid();
    this.saveAnonymousId();
  }

  /** flush sends the queue now; `beacon` uses sendBeacon (page going away). */
  flush(beacon = false): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.writeKey || this.queue.length === 0) return Promise.resolve();
    const batch = this.queue.splice(0, this.queue.length);
    if (beacon && navigator.sendBeacon) {
      const body = this.body(batch);
      if (body.length <= MAX_BEACON_BYTES && navigator.sendBeacon(this.url(), new Blob([body], { type: "text/plain" }))) {
        return Promise.resolve();
      }
    }
    return this.send(batch);
  }

  private saveAnonymousId(): void {
    writeCookie(AID, this.anonymousId, this.opts.cookieDomain);
    store(AID, this.anonymousId);
  }

  private context(referrer: string): Props {
    const ctx: Props = {
      library: { name: "tessera.js", version: VERSION },
      page: { path: location.pathname, referrer, search: location.search, title: document.title, url: location.href },
      userAgent: navigator.userAgent,
      locale: navigator.language,
      screen: { width: screen.width, height: screen.height, density: window.devicePixelRatio },
    };
    try {
      ctx.timezone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch {
      // Old engines without Intl time zones simply omit it.
    }
    const c = campaign(location.search);
    if (c) ctx.campaign = c;
    return ctx;
  }

  private enqueue(m: Omit<Msg, "messageId" | "timestamp" | "anonymousId" | "context">, referrer = document.referrer): void {
    const msg: Msg = {
      userId: this.userId,
      ...m,
      messageId: uuid(),
      timestamp: new Date().toISOString(),
      anonymousId: this.anonymousId,
      context: this.context(referrer),
    };
    this.queue.push(msg);
    if (this.queue.length >= (this.opts.flushAt || 20)) void this.flush();
    else if (!this.timer) this.schedule(this.opts.flushInterval ?? 1000);
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), ms);
  }

  private url(): string {
    return `${this.host}/v1/b`;
  }

  private body(batch: Msg[]): string {
    // sentAt is stamped at send time: the server corrects device clock skew with it.
    return JSON.stringify({ writeKey: this.writeKey, sentAt: new Date().toISOString(), batch: batch.map(strip) });
  }

  private async send(batch: Msg[]): Promise<void> {
    const body = this.body(batch);
    let retry = false;
    try {
      const res = await fetch(this.url(), {
        method: "POST",
        headers: { "Content-Type": "text/plain" },
        body,
        keepalive: body.length <= MAX_BEACON_BYTES,
        credentials: "omit",
      });
      retry = res.status === 429 || res.status >= 500;
    } catch {
      retry = true;
    }
    if (!retry) {
      this.backoff = 0;
      return;
    }
    const again = batch.filter((m) => (m.attempts = (m.attempts || 0) + 1) < MAX_ATTEMPTS);
    this.queue.unshift(...again);
    this.backoff = Math.min(30_000, (this.backoff || 500) * 2);
    this.schedule(this.backoff);
  }
}

function strip(m: Msg): Omit<Msg, "attempts"> {
  const { attempts: _, ...rest } = m;
  return rest;
}

declare global {
  interface Window {
    tessera?: Tessera | Call[];
  }
}

const instance = new Tessera();
const pending = window.tessera;
window.tessera = instance;
if (Array.isArray(pending)) {
  for (const [method, ...args] of pending) {
    const f = (instance as unknown as Record<string, (...a: unknown[]) => unknown>)[method];
    if (typeof f === "function") f.apply(instance, args);
  }
} else {
  const key = (document.currentScript as HTMLScriptElement | null)?.dataset.writeKey;
  if (key) instance.init(key);
}
