/**
 * The browser test's data: 40 shoppers over the last ten days, sent through the real Segment batch route
 * so it takes every step real data takes (pipeline, identity, store). Deterministic apart from "now":
 * person i views a product, every second one adds to cart, every fourth one orders (revenue 100 + i,
 * in shop jd or tmall), every third one comes back a day later; every fifth one arrives from a WeChat
 * campaign with a WeChat openid and unionid.
 */
const DAY = 86_400_000;
const MIN = 60_000;

/** PERSONS is how many shoppers the data has. */
export const PERSONS = 40;

/** seedMessages builds the batch items, timestamps relative to `now`. */
export function seedMessages(now: number): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = 1; i <= PERSONS; i++) {
    const userId = `u${i}`;
    const day0 = now - (9 - (i % 5)) * DAY - i * MIN;
    const at = (ms: number) => new Date(ms).toISOString();
    const wechat = i % 5 === 0;
    const context = wechat
      ? { campaign: { source: "wechat", medium: "social", name: "spring_tea" }, externalIds: [{ id: `oOpen${i}`, type: "wx_openid:wxdemo", collection: "users", encoding: "none" }, { id: `oUnion${i}`, type: "wx_unionid", collection: "users", encoding: "none" }] }
      : {};
    out.push({ type: "identify", userId, timestamp: at(day0), traits: { name: `Shopper ${i}`, city: i % 2 ? "Shanghai" : "Beijing", email: `shopper${i}@example.com` }, context });
    out.push({ type: "track", userId, event: "view_product", timestamp: at(day0 + MIN), properties: { sku: `sku-${i % 3}` }, context });
    if (i % 2 === 0) out.push({ type: "track", userId, event: "add_to_cart", timestamp: at(day0 + 10 * MIN), properties: { sku: `sku-${i % 3}` } });
    if (i % 4 === 0) out.push({ type: "track", userId, event: "order_completed", timestamp: at(day0 + 20 * MIN), properties: { revenue: 100 + i, shop: i % 8 === 0 ? "tmall" : "jd" } });
    if (i % 3 === 0) out.push({ type: "track", userId, event: "view_product", timestamp: at(day0 + DAY + 5 * MIN), properties: { sku: "sku-9" } });
  }
  return out;
}
