/**
 * The deterministic benchmark data set (performance.md §3.1): by default 10M events from 1M persons
 * over 90 days, ~20 event names with a Zipf distribution, a product funnel
 * (product_viewed → add_to_cart 25% within 10 s–2 h → order_completed 35% within 1 min–3 d), sticky
 * browsers, and person traits (city, plan). Held in typed arrays sorted by time so loaders can feed the
 * same rows to Tessera and to DuckDB.
 */

import { pickCdf as pick, rng, zipfCdf as zipfTable } from "../src/lib/random.ts";

export const EVENT_NAMES = [
  "page_view", "screen_view", "product_viewed", "search", "login", "add_to_cart", "app_open", "share",
  "signup", "order_completed", "coupon_claimed", "video_play", "comment", "like", "follow",
  "message_sent", "checkout_started", "refund_requested", "invite_sent", "subscribe",
] as const;
export const BROWSERS = ["Chrome", "Safari", "WeChat", "Edge", "Firefox", "Samsung Internet"] as const;
export const OSES = ["iOS", "Android", "Windows", "macOS", "Linux", "HarmonyOS"] as const;
export const CITIES = [
  "Beijing", "Shanghai", "Guangzhou", "Shenzhen", "Chengdu", "Hangzhou", "Wuhan", "Chongqing", "Nanjing", "Tianjin",
  "Suzhou", "Xi'an", "Changsha", "Shenyang", "Qingdao", "Zhengzhou", "Dalian", "Dongguan", "Ningbo", "Xiamen",
  "Fuzhou", "Wuxi", "Hefei", "Kunming", "Harbin", "Jinan", "Foshan", "Changchun", "Wenzhou", "Shijiazhuang",
  "Nanning", "Changzhou", "Quanzhou", "Nanchang", "Guiyang", "Taiyuan", "Yantai", "Jiaxing", "Nantong", "Jinhua",
] as const;
export const PLANS = ["free", "basic", "pro", "enterprise"] as const;
export const CATEGORIES = ["apparel", "beauty", "electronics", "food", "home", "toys", "books", "sports"] as const;

const DAY = 86_400_000;

/** Dataset holds one row per event, sorted by ts. */
export interface Dataset {
  readonly n: number;
  readonly persons: number;
  readonly start: number;
  readonly days: number;
  readonly ts: Float64Array;
  readonly person: Int32Array;
  readonly event: Uint8Array;
  readonly browser: Uint8Array;
  readonly os: Uint8Array;
  readonly path: Uint16Array;
  /** Product id + 1 for commerce events, 0 otherwise. */
  readonly product: Uint16Array;
  readonly price: Float32Array;
  readonly city: Uint8Array;
  readonly plan: Uint8Array;
}

/** generate builds the data set; `start` is the first day (UTC midnight). */
export function generate(opts: { events?: number; persons?: number; days?: number; start?: number; seed?: number } = {}): Dataset {
  const target = opts.events ?? 10_000_000;
  const persons = opts.persons ?? 1_000_000;
  const days = opts.days ?? 90;
  const start = opts.start ?? Date.UTC(2026, 7, 1);
  const end = start + days * DAY;
  const r = rng(opts.seed ?? 42);
  const eventCdf = zipfTable(EVENT_NAMES.length, 1);
  const browserCdf = zipfTable(BROWSERS.length, 1.2);
  const cityCdf = zipfTable(CITIES.length, 1);
  const pv = EVENT_NAMES.indexOf("product_viewed");
  const cart = EVENT_NAMES.indexOf("add_to_cart");
  const order = EVENT_NAMES.indexOf("order_completed");
  const cap = target;
  const ts = new Float64Array(cap);
  const person = new Int32Array(cap);
  const event = new Uint8Array(cap);
  const browser = new Uint8Array(cap);
  const os = new Uint8Array(cap);
  const path = new Uint16Array(cap);
  const product = new Uint16Array(cap);
  const price = new Float32Array(cap);
  const city = new Uint8Array(persons);
  const plan = new Uint8Array(persons);
  // Pareto(α = 1.8) activity, scaled so the expected total is close to the target.
  const activity = new Float64Array(persons);
  let actSum = 0;
  const arrival = new Float64Array(persons);
  for (let p = 0; p < persons; p++) {
    arrival[p] = start + r() * days * DAY;
    activity[p] = Math.pow(1 - r(), -1 / 1.8) * ((end - arrival[p]!) / (days * DAY) + 0.05);
    actSum += activity[p]!;
    city[p] = pick(cityCdf, r());
    // Shanghai is rank 2 in the anchors' data; the Zipf table already puts it there.
    plan[p] = r() < 0.7 ? 0 : r() < 0.6 ? 1 : r() < 0.8 ? 2 : 3;
  }
  let n = 0;
  // Calibrated: truncation at the end of the range and the funnel follow-ups roughly cancel out.
  const base = target * 1.02;
  const push = (p: number, t: number, e: number, b: number, o: number, prod: number, pr: number) => {
    if (n >= cap || t >= end) return;
    ts[n] = Math.floor(t);
    person[n] = p;
    event[n] = e;
    browser[n] = b;
    os[n] = o;
    path[n] = Math.floor(r() * 200);
    product[n] = prod;
    price[n] = pr;
    n++;
  };
  for (let p = 0; p < persons; p++) {
    const count = Math.max(1, Math.round((activity[p]! / actSum) * base));
    const sticky = pick(browserCdf, r());
    const osOf = sticky === 1 ? (r() < 0.5 ? 0 : 3) : Math.floor(r() * OSES.length);
    let t = arrival[p]!;
    const meanGap = Math.min(12 * DAY, (end - t) / (count + 1));
    for (let k = 0; k < count && t < end; k++) {
      const b = r() < 0.9 ? sticky : pick(browserCdf, r());
      const e = pick(eventCdf, r());
      const prod = e === pv || e === cart || e === order ? 1 + Math.floor(r() * 5000) : 0;
      const pr = prod ? Math.round((5 + r() * 995) * 100) / 100 : 0;
      push(p, t, e, b, osOf, prod, pr);
      if (e === pv && r() < 0.25) {
        const t2 = t + 10_000 + r() * 7_190_000;
        push(p, t2, cart, b, osOf, prod, pr);
        if (r() < 0.35) push(p, t2 + 60_000 + r() * (3 * DAY - 60_000), order, b, osOf, prod, pr);
      }
      t += -Math.log(1 - r()) * meanGap;
    }
  }
  // Sort by time (ingest order): sort an index by ts, then permute every column.
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  idx.sort((a, b) => ts[a]! - ts[b]! || a - b);
  const perm = <T extends Float64Array | Int32Array | Uint8Array | Uint16Array | Float32Array>(a: T): T => {
    const out = new (a.constructor as new (n: number) => T)(n);
    for (let i = 0; i < n; i++) out[i] = a[idx[i]!]!;
    return out;
  };
  return {
    n, persons, start, days,
    ts: perm(ts), person: perm(person), event: perm(event), browser: perm(browser), os: perm(os),
    path: perm(path), product: perm(product), price: perm(price), city, plan,
  };
}

/** props returns the event properties of row i, as an SDK would have sent them. */
export function props(d: Dataset, i: number): Record<string, unknown> {
  const out: Record<string, unknown> = {
    $browser: BROWSERS[d.browser[i]!],
    $os: OSES[d.os[i]!],
    path: `/p/${d.path[i]}`,
  };
  const prod = d.product[i]!;
  if (prod) {
    out.product_id = `sku-${prod}`;
    out.category = CATEGORIES[prod % CATEGORIES.length];
    out.price = d.price[i];
    out.currency = "CNY";
  }
  return out;
}
