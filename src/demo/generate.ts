/**
 * The demo data set (`tessera demo`): a tea brand selling through its website, app, WeChat Mini
 * Program and Official Account, Douyin, Tmall and JD. ~50k people, ~1M Segment-shaped events over the
 * last 90 days, with the cross-channel identifiers (unionid, openids, phone, Douyin open id, Tmall/JD
 * buyer ids) that identity resolution stitches into one person, orders with amounts, UTM campaigns and
 * a product funnel, so every screen has something true to show. Deterministic for a given `now`.
 */
import { pickCdf, rng, zipfCdf } from "../lib/random.ts";

/** DemoMessage is a Segment message as `tessera import` reads it from NDJSON. */
export type DemoMessage = Record<string, unknown> & { type: string; messageId: string; timestamp: string };

const DAY = 86_400_000;
const CHANNELS = ["web", "app", "wx_mini", "wx_oa", "douyin", "tmall", "jd"] as const;
type Channel = (typeof CHANNELS)[number];

/** DEMO_SOURCES names the source each channel's events arrive through (`$source` on every event). */
export const DEMO_SOURCES: Readonly<Record<Channel, string>> = {
  web: "Website", app: "App", wx_mini: "WeChat Mini Program", wx_oa: "WeChat Official Account",
  douyin: "Douyin", tmall: "Tmall", jd: "JD",
};

/** demoChannels lists the channels in a stable order. */
export const demoChannels = (): readonly Channel[] => CHANNELS;
const CHANNEL_WEIGHTS = [0.22, 0.18, 0.22, 0.12, 0.12, 0.08, 0.06];
const WX_MINI_APPID = "wx5f1d0mini";
const WX_OA_APPID = "wx9a2c0oa";
const WX_OPEN_PLATFORM = "demo-open-platform";
const DOUYIN_CLIENT = "awdemo0douyin";
const CITIES = ["Shanghai", "Beijing", "Hangzhou", "Shenzhen", "Guangzhou", "Chengdu", "Wuhan", "Nanjing", "Suzhou", "Xiamen", "Chongqing", "Xi'an"];
const PRODUCTS = [
  ["Longjing Green Tea 250g", "green", 168], ["Tieguanyin Oolong 200g", "oolong", 128], ["Pu'er Cake 357g", "puer", 298],
  ["Jasmine Pearls 100g", "scented", 88], ["Da Hong Pao 150g", "oolong", 238], ["White Peony 200g", "white", 158],
  ["Tea Gift Box", "gift", 499], ["Gaiwan Set", "teaware", 199], ["Cold Brew Sachets x20", "green", 59], ["Matcha 80g", "green", 78],
] as const;
const CAMPAIGNS = [
  { utm_source: "wechat", utm_medium: "social", utm_campaign: "spring_tea" },
  { utm_source: "douyin", utm_medium: "video", utm_campaign: "live_sale" },
  { utm_source: "baidu", utm_medium: "cpc", utm_campaign: "brand_search" },
  { utm_source: "xiaohongshu", utm_medium: "social", utm_campaign: "kol_review" },
  { utm_source: "newsletter", utm_medium: "email", utm_campaign: "member_day" },
];
const UAS: Record<Channel, string> = {
  web: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
  app: "TesseraTea/3.2.1 (iPhone; iOS 17.4; Scale/3.00)",
  wx_mini: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN miniProgram",
  wx_oa: "Mozilla/5.0 (Linux; Android 14; V2307A) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0 Mobile Safari/537.36 MicroMessenger/8.0.47",
  douyin: "Mozilla/5.0 (Linux; Android 13; 22081212C) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/110.0 Mobile Safari/537.36 aweme_280100 BytedanceWebview/d8a21c6",
  tmall: "Tmall-Connector/1.0",
  jd: "JD-Connector/1.0",
};

interface Person {
  i: number;
  channels: Channel[];
  unionid?: string;
  phone?: string;
  email?: string;
  userId?: string;
  city: string;
  joined: number;
  activity: number;
}

/** demoSize is the default scale: ~50k people, ~1M events. */
export const DEMO_SIZE = { persons: 50_000, events: 1_000_000 } as const;

/** generateDemo yields batches of messages in time order within each person (import order is free). */
export function* generateDemo(now: number, opts: { persons?: number; events?: number; seed?: number } = {}): Generator<DemoMessage[]> {
  const persons = opts.persons ?? DEMO_SIZE.persons;
  const target = opts.events ?? DEMO_SIZE.events;
  const r = rng(opts.seed ?? 2026);
  const start = now - 90 * DAY;
  const channelCdf = Float64Array.from(CHANNEL_WEIGHTS.map((_, i) => CHANNEL_WEIGHTS.slice(0, i + 1).reduce((a, b) => a + b, 0)));
  const productCdf = zipfCdf(PRODUCTS.length, 0.9);
  const cityCdf = zipfCdf(CITIES.length, 0.8);
  let total = 0;
  const people: Person[] = [];
  for (let i = 0; i < persons; i++) {
    const home = CHANNELS[pickCdf(channelCdf, r())]!;
    const channels = new Set<Channel>([home]);
    // 40% of people also buy or browse somewhere else; WeChat users often follow the OA too.
    while (r() < 0.4 && channels.size < 4) channels.add(CHANNELS[pickCdf(channelCdf, r())]!);
    if (home === "wx_mini" && r() < 0.5) channels.add("wx_oa");
    const wechat = channels.has("wx_mini") || channels.has("wx_oa");
    const p: Person = {
      i, channels: [...channels], city: CITIES[pickCdf(cityCdf, r())]!,
      joined: start + r() * 88 * DAY, activity: Math.pow(1 - r(), -1 / 1.6),
    };
    if (wechat) p.unionid = `oU${hex(r, 26)}`;
    if (r() < 0.55) p.phone = `+86 1${3 + Math.floor(r() * 7)}${String(Math.floor(r() * 1e9)).padStart(9, "0")}`;
    if (channels.has("web") || channels.has("app")) {
      p.userId = `u${100000 + i}`;
      if (r() < 0.6) p.email = `customer${i}@example.${r() < 0.5 ? "com" : "cn"}`;
    }
    people.push(p);
    total += p.activity;
  }
  let seq = 0;
  const id = () => `demo-${(seq++).toString(36)}`;
  for (const p of people) {
    const batch: DemoMessage[] = [];
    // Follow-ups (cart, order, refund) add ~30% on top of the drawn actions.
    const count = Math.max(3, Math.round((p.activity / total) * target * 0.8));
    let identified = false;
    let t = p.joined;
    const gap = (now - p.joined) / (count + 1);
    const anon = `a-${hex(r, 16)}`;
    const openids = { wx_mini: `o${hex(r, 27)}`, wx_oa: `o${hex(r, 27)}`, douyin: `_000${hex(r, 28)}`, tmall: `tb${hex(r, 10)}`, jd: `jd_${hex(r, 10)}` };
    const ids = (ch: Channel): Record<string, unknown> => {
      const ext: { id: string; type: string; collection: string; encoding: string }[] = [];
      const add = (id: string, type: string) => ext.push({ id, type, collection: "users", encoding: "none" });
      if (ch === "wx_mini") add(openids.wx_mini, `wx_openid:${WX_MINI_APPID}`);
      if (ch === "wx_oa") add(openids.wx_oa, `wx_openid:${WX_OA_APPID}`);
      if ((ch === "wx_mini" || ch === "wx_oa") && p.unionid) add(p.unionid, "wx_unionid");
      if (ch === "douyin") add(openids.douyin, `douyin_open_id:${DOUYIN_CLIENT}`);
      if (ch === "tmall") add(openids.tmall, "taobao_buyer");
      if (ch === "jd") add(openids.jd, "jd_pin");
      const base: Record<string, unknown> = ch === "web" || ch === "app"
        ? { anonymousId: anon, ...(identified ? { userId: p.userId } : {}) }
        : { anonymousId: ext[0]!.id };
      if (ext.length > 0) base.context = { externalIds: ext };
      return base;
    };
    const msg = (ch: Channel, m: Record<string, unknown>): void => {
      const idPart = ids(ch);
      const context = {
        ...(idPart.context as object | undefined),
        channel: ch, userAgent: UAS[ch], ip: `203.0.${p.i % 250}.${(p.i * 7) % 250}`, locale: "zh-CN",
        library: { name: ch === "tmall" || ch === "jd" ? "tessera-connector" : "analytics.js", version: "2.0.0" },
      };
      batch.push({ ...idPart, ...m, context, type: String(m.type), messageId: id(), timestamp: new Date(Math.floor(t)).toISOString() });
    };
    // First contact: identify with what the channel knows.
    const first = p.channels[0]!;
    const traits: Record<string, unknown> = { city: p.city, first_channel: first };
    if (p.phone && r() < 0.7) traits.phone = p.phone;
    if (p.email) traits.email = p.email;
    if (first === "wx_oa") msg(first, { type: "track", event: "wx_subscribe", properties: { scene: r() < 0.5 ? "qrcode" : "search", qr_scene: r() < 0.5 ? "store_poster" : "live_room" } });
    msg(first, { type: "identify", traits });
    for (let k = 0; k < count && t < now; k++) {
      t += -Math.log(1 - r()) * gap;
      if (t >= now) break;
      const ch = p.channels[Math.floor(r() * p.channels.length)]!;
      if (p.userId && !identified && (ch === "web" || ch === "app") && k >= 2) {
        msg(ch, { type: "identify", userId: p.userId, traits });
        identified = true;
      }
      const [name, category, price] = PRODUCTS[pickCdf(productCdf, r())]!;
      const product = { product_id: `sku-${name.length}${category.length}`, name, category, price, currency: "CNY" };
      const u = r();
      if (ch === "tmall" || ch === "jd") {
        // Marketplace connectors only see orders, and people order less often than they browse.
        if (r() < 0.7) continue;
        const quantity = 1 + Math.floor(r() * 3);
        msg(ch, { type: "track", event: "order_completed", properties: { order_id: `${ch}-${id()}`, revenue: price * quantity, quantity, ...product, shop: ch } });
        continue;
      }
      if (ch === "web" && u < 0.35) {
        const campaign = r() < 0.3 ? CAMPAIGNS[Math.floor(r() * CAMPAIGNS.length)]! : undefined;
        msg(ch, { type: "page", name: "Product", properties: { path: `/tea/${category}`, url: `https://tea.example.cn/tea/${category}`, title: name, ...(campaign ?? {}) } });
        continue;
      }
      if (ch === "app" && u < 0.3) {
        msg(ch, { type: "screen", name: "Home" });
        continue;
      }
      if (ch === "douyin" && u < 0.4) {
        msg(ch, { type: "track", event: "video_play", properties: { video_id: `v${Math.floor(r() * 300)}`, duration: Math.floor(5 + r() * 60) } });
        continue;
      }
      if (ch === "wx_oa" && u < 0.5) {
        msg(ch, { type: "track", event: r() < 0.8 ? "article_read" : "template_message_clicked", properties: { article: `Tea notes #${Math.floor(r() * 40)}` } });
        continue;
      }
      msg(ch, { type: "track", event: "product_viewed", properties: product });
      if (r() < 0.3) {
        t += 20_000 + r() * 1_800_000;
        // A follow-up that would fall after now has not happened yet (it would show in the future).
        if (t >= now) break;
        msg(ch, { type: "track", event: "add_to_cart", properties: { ...product, quantity: 1 } });
        if (r() < 0.45) {
          t += 60_000 + r() * 3_600_000 * (r() < 0.8 ? 1 : 48);
          if (t >= now) break;
          const coupon = r() < 0.25 ? 20 : 0;
          msg(ch, { type: "track", event: "order_completed", properties: { order_id: `o-${id()}`, revenue: price - coupon, coupon, ...product } });
          if (r() < 0.04) msg(ch, { type: "track", event: "refund_requested", properties: { reason: "changed_mind", revenue: price } });
        }
      } else if (r() < 0.1) {
        msg(ch, { type: "track", event: "coupon_claimed", properties: { coupon: "new_member_20" } });
      } else if (r() < 0.15) {
        msg(ch, { type: "track", event: "search", properties: { query: category } });
      }
    }
    yield batch;
  }
}

function hex(r: () => number, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += Math.floor(r() * 36).toString(36);
  return s;
}
