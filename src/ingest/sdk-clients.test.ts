/**
 * Wire compatibility is the feature (issue 3): the real npm SDKs, unmodified, pointed at a Bun.serve of our
 * routes with a recording sink. Protects what each SDK really sends — analytics-node's batch envelope and
 * Basic auth, RudderStack's gzip and originalTimestamp, posthog-node's gzip /batch/ with api_key and sent_at —
 * arriving as the right messageIds, ids, times and properties, and that the SDKs' retries on 503 deliver.
 * (Storage exactly once is the store's test after integration; here the sink is the boundary.)
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Analytics as SegmentAnalytics } from "@segment/analytics-node";
import RudderAnalytics from "@rudderstack/rudder-sdk-node";
import { PostHog } from "posthog-node";
import { source, WRITE_KEY } from "./ingest.fixtures.ts";
import { ingestRoutes } from "./ingest.routes.ts";
import type { Message } from "./message.ts";
import { Overloaded } from "./sink.ts";

interface Seen {
  readonly path: string;
  readonly contentEncoding: string | null;
  readonly authorization: string | null;
}

const received: Message[] = [];
const requests: Seen[] = [];
let overloadNext = 0;
let server: ReturnType<typeof Bun.serve>;
let base = "";

beforeAll(() => {
  const app = ingestRoutes({
    findSource: (k) => (k === WRITE_KEY ? source({ ipPolicy: "keep" }) : null),
    sink: async (messages) => {
      if (overloadNext > 0) {
        overloadNext--;
        throw new Overloaded("test overload", 1);
      }
      received.push(...messages);
    },
    onError: (err) => {
      throw err;
    },
  });
  server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(req, srv) {
      const u = new URL(req.url);
      requests.push({ path: u.pathname, contentEncoding: req.headers.get("content-encoding"), authorization: req.headers.get("authorization") });
      return app.fetch(req, srv);
    },
  });
  base = `http://127.0.0.1:${server.port}`;
});

afterAll(() => server.stop(true));

const byEvent = (event: string, from: Message[] = received) => from.filter((m) => m.event === event);
const near = (ms: number, target: number, slack = 5000) => Math.abs(ms - target) <= slack;

describe("@segment/analytics-node 3.x", () => {
  test("track, identify, page, screen, group and alias arrive with their ids, times and properties", async () => {
    const before = Date.now();
    const analytics = new SegmentAnalytics({ writeKey: WRITE_KEY, host: base, flushAt: 20, flushInterval: 50 });
    analytics.track({ userId: "seg-u1", event: "Order Completed", properties: { total: 99.5, currency: "CNY" }, messageId: "seg-msg-1" });
    analytics.track({ anonymousId: "seg-anon-1", event: "Viewed", properties: { sku: "A1" } });
    analytics.track({ userId: "seg-u1", event: "Backfilled", timestamp: new Date("2023-03-04T05:06:07.000Z") });
    analytics.identify({ userId: "seg-u1", anonymousId: "seg-anon-1", traits: { email: "u1@example.com", plan: "pro" } });
    analytics.page({ userId: "seg-u1", name: "Pricing", category: "Docs", properties: { url: "https://shop.example/pricing?utm_source=newsletter&utm_medium=email" } });
    analytics.screen({ userId: "seg-u1", name: "Home" });
    analytics.group({ userId: "seg-u1", groupId: "acme", traits: { seats: 10 } });
    analytics.alias({ userId: "seg-u1", previousId: "seg-old-1" });
    await analytics.closeAndFlush();
    const after = Date.now();

    const seg = received.filter((m) => m.context.library && (m.context.library as { name?: string }).name === "@segment/analytics-node");
    expect(seg).toHaveLength(8);
    const order = byEvent("Order Completed", seg)[0]!;
    expect(order).toMatchObject({ messageId: "seg-msg-1", userId: "seg-u1", anonymousId: null, properties: { total: 99.5, currency: "CNY" } });
    expect(order.timestamp).toBeGreaterThanOrEqual(before - 1000);
    expect(order.timestamp).toBeLessThanOrEqual(after + 1000);
    expect(order.sentAt).not.toBeNull();

    const viewed = byEvent("Viewed", seg)[0]!;
    expect(viewed.anonymousId).toBe("seg-anon-1");
    expect(viewed.messageId).toMatch(/^node-next-\d+-/);

    // An explicit historical timestamp survives the skew correction (sentAt is close to receipt).
    expect(near(byEvent("Backfilled", seg)[0]!.timestamp, Date.parse("2023-03-04T05:06:07.000Z"))).toBe(true);

    const identify = byEvent("$identify", seg)[0]!;
    expect(identify.traits.set).toEqual({ email: "u1@example.com", plan: "pro" });
    expect(identify.identifiers).toEqual([{ type: "user_id", id: "seg-u1" }, { type: "anonymous_id", id: "seg-anon-1" }]);

    expect(byEvent("$pageview", seg)[0]!.properties).toMatchObject({ name: "Pricing", category: "Docs", utm_source: "newsletter", $channel: "email" });
    expect(byEvent("$screen", seg)[0]!.properties.$screen_name).toBe("Home");
    expect(byEvent("$groupidentify", seg)[0]).toMatchObject({ groupId: "acme", groupTraits: { seats: 10 } });
    expect(byEvent("$create_alias", seg)[0]!.identifiers).toEqual([{ type: "user_id", id: "seg-u1" }, { type: "user_id", id: "seg-old-1" }]);
    expect(new Set(seg.map((m) => m.messageId)).size).toBe(8);

    const segRequests = requests.filter((r) => r.path === "/v1/batch" && r.authorization === `Basic ${btoa(`${WRITE_KEY}:`)}`);
    expect(segRequests.length).toBeGreaterThan(0);
  });

  test("a 503 from the store is retried by the SDK and then delivered", async () => {
    overloadNext = 1;
    const analytics = new SegmentAnalytics({ writeKey: WRITE_KEY, host: base, flushAt: 1 });
    analytics.track({ userId: "seg-retry", event: "Retried", messageId: "seg-retry-1" });
    await analytics.closeAndFlush();
    expect(overloadNext).toBe(0);
    expect(byEvent("Retried").map((m) => m.messageId)).toEqual(["seg-retry-1"]);
  });
});

describe("@rudderstack/rudder-sdk-node 3.x (gzip)", () => {
  test("events arrive gzipped with originalTimestamp-based times, traits and ids", async () => {
    const before = Date.now();
    const client = new RudderAnalytics(WRITE_KEY, { dataPlaneUrl: base, flushAt: 20, flushInterval: 50, logLevel: "error" });
    client.track({ userId: "rs-u1", event: "Product Added", properties: { sku: "B2", price: 12 } });
    client.track({ anonymousId: "rs-anon-1", event: "Searched", properties: { q: "tea" }, context: { ip: "198.51.100.23" } });
    client.identify({ userId: "rs-u1", anonymousId: "rs-anon-1", traits: { phone: "+8613800000000" } });
    client.page({ userId: "rs-u1", name: "Cart", properties: { url: "https://shop.example/cart" } });
    client.alias({ userId: "rs-u1", previousId: "rs-old" });
    client.group({ userId: "rs-u1", groupId: "rs-team", traits: { name: "Team" } });
    await new Promise<void>((resolve, reject) => client.flush((err?: unknown) => (err ? reject(err) : resolve())));
    await Bun.sleep(50);
    const after = Date.now();

    const rs = received.filter((m) => (m.context.library as { name?: string } | undefined)?.name === "analytics-node");
    expect(rs).toHaveLength(6);
    expect(requests.some((r) => r.path === "/v1/batch" && r.contentEncoding === "gzip")).toBe(true);

    const added = byEvent("Product Added", rs)[0]!;
    expect(added).toMatchObject({ userId: "rs-u1", properties: { sku: "B2", price: 12 } });
    expect(added.messageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(added.originalTimestamp).not.toBeNull();
    expect(added.timestamp).toBeGreaterThanOrEqual(before - 1000);
    expect(added.timestamp).toBeLessThanOrEqual(after + 1000);

    const searched = byEvent("Searched", rs)[0]!;
    expect([searched.anonymousId, searched.context.ip, searched.properties.$ip]).toEqual(["rs-anon-1", "198.51.100.23", "198.51.100.23"]);
    expect(byEvent("$identify", rs)[0]!.traits.set).toEqual({ phone: "+8613800000000" });
    expect(byEvent("$create_alias", rs)[0]!.previousId).toBe("rs-old");
    expect(byEvent("$groupidentify", rs)[0]!.groupId).toBe("rs-team");
  });
});

describe("posthog-node 5.x (gzip)", () => {
  test("capture, identify, alias and groupIdentify arrive with uuids, distinct ids and $set", async () => {
    const before = Date.now();
    const client = new PostHog(WRITE_KEY, { host: base, flushAt: 20, flushInterval: 50, fetchRetryDelay: 10 });
    client.capture({ distinctId: "ph-u1", event: "purchase", properties: { amount: 30, $set: { tier: "gold" } } });
    client.capture({ distinctId: "ph-u1", event: "old purchase", timestamp: new Date("2022-12-24T10:00:00.000Z"), uuid: "01890000-0000-7000-8000-000000000001" });
    client.identify({ distinctId: "ph-u1", properties: { email: "ph@example.com", $anon_distinct_id: "ph-anon-1" } });
    client.alias({ distinctId: "ph-u1", alias: "ph-other" });
    client.groupIdentify({ groupType: "company", groupKey: "ph-co", properties: { employees: 5 } });
    await client.shutdown();
    const after = Date.now();

    const ph = received.filter((m) => m.wire === "posthog");
    expect(ph).toHaveLength(5);
    expect(requests.some((r) => r.path === "/batch/" && r.contentEncoding === "gzip")).toBe(true);

    const purchase = byEvent("purchase", ph)[0]!;
    expect(purchase).toMatchObject({ distinctId: "ph-u1", properties: { amount: 30, $lib: "posthog-node" }, traits: { set: { tier: "gold" } } });
    expect(purchase.messageId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    expect(purchase.timestamp).toBeGreaterThanOrEqual(before - 1000);
    expect(purchase.timestamp).toBeLessThanOrEqual(after + 1000);

    const old = byEvent("old purchase", ph)[0]!;
    expect(old.messageId).toBe("01890000-0000-7000-8000-000000000001");
    expect(near(old.timestamp, Date.parse("2022-12-24T10:00:00.000Z"))).toBe(true);

    const identify = byEvent("$identify", ph)[0]!;
    expect(identify.userId).toBe("ph-u1");
    expect(identify.traits.set).toEqual({ email: "ph@example.com" });
    expect(identify.identifiers).toEqual([
      { type: "distinct_id", id: "ph-u1" },
      { type: "user_id", id: "ph-u1" },
      { type: "distinct_id", id: "ph-anon-1" },
    ]);
    expect(byEvent("$create_alias", ph)[0]!.previousId).toBe("ph-other");
    expect(byEvent("$groupidentify", ph)[0]).toMatchObject({ groupType: "company", groupId: "ph-co", groupTraits: { employees: 5 } });
  });

  test("a 503 is retried by posthog-node and then delivered", async () => {
    overloadNext = 1;
    const client = new PostHog(WRITE_KEY, { host: base, flushAt: 1, flushInterval: 0, fetchRetryDelay: 10 });
    client.capture({ distinctId: "ph-retry", event: "ph retried", uuid: "01890000-0000-7000-8000-0000000000aa" });
    await client.shutdown();
    expect(overloadNext).toBe(0);
    expect(byEvent("ph retried").map((m) => m.messageId)).toEqual(["01890000-0000-7000-8000-0000000000aa"]);
  });
});
