/**
 * Protects the Segment-family mapping (Segment, RudderStack, analytics.js, sdk.js, pixels): which fields
 * become which Message fields, event names for non-track types, identify traits (incl. RudderStack's
 * context.traits), identifiers for the identity room, batch context/sentAt, and per-field error messages.
 */
import { describe, expect, test } from "bun:test";
import { IngestError, ItemError } from "./errors.ts";
import type { Json } from "./json.ts";
import { messageIdOf } from "./identifiers.ts";
import { extractSegment, fastItem, SegmentItem, segmentMessage, type Envelope, type MessageMeta } from "./segment.wire.ts";

const R = Date.parse("2024-05-01T12:00:00Z");
const meta: MessageMeta = { sourceId: 3, sourceName: "Website", receivedAt: R, wire: "segment" };
const none: Envelope = { sentAt: null, context: null };
const map = (raw: Json, env: Envelope = none, routeType: Parameters<typeof segmentMessage>[1] = null) =>
  segmentMessage(raw, routeType, env, meta);

function itemError(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    if (err instanceof ItemError) return err.message;
    throw err;
  }
  throw new Error("expected an ItemError");
}

describe("mapping", () => {
  test("track keeps its event and properties, fills messageId with a UUIDv7", () => {
    const m = map({ type: "track", event: "Order Completed", userId: 42, properties: { total: 9.5 } });
    expect(m).toMatchObject({ type: "track", event: "Order Completed", userId: "42", anonymousId: null, properties: { total: 9.5 } });
    expect(m.messageId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(m.identifiers).toEqual([{ type: "user_id", id: "42" }]);
    expect(m.timestamp).toBe(R);
  });

  test.each([
    ["page", "$pageview"],
    ["screen", "$screen"],
    ["identify", "$identify"],
  ] as const)("%s becomes %s", (type, event) => {
    expect(map({ type, anonymousId: "a" }).event).toBe(event);
  });

  test("page name and category become properties", () => {
    const m = map({ type: "page", anonymousId: "a", name: "Pricing", category: "Docs", properties: { url: "https://x/p" } });
    expect(m.properties).toEqual({ url: "https://x/p", name: "Pricing", category: "Docs" });
  });

  test("screen name is also $screen_name", () => {
    expect(map({ type: "screen", anonymousId: "a", name: "Home" }).properties).toEqual({ name: "Home", $screen_name: "Home" });
  });

  test("rudder-sdk-android/-ios v1 screens: the name in `event` and properties.name becomes $screen_name", () => {
    const m = map({ type: "screen", anonymousId: "a", event: "MainActivity", properties: { name: "MainActivity", automatic: true } });
    expect([m.event, m.properties]).toEqual(["$screen", { name: "MainActivity", automatic: true, $screen_name: "MainActivity" }]);
    expect(map({ type: "screen", anonymousId: "a", properties: { name: "Cart" } }).properties.$screen_name).toBe("Cart");
    // Segment's own `name` wins; a page's `event` is not its name.
    expect(map({ type: "screen", anonymousId: "a", name: "Home", event: "x" }).properties.$screen_name).toBe("Home");
    expect(map({ type: "page", anonymousId: "a", event: "x" }).properties).toEqual({});
  });

  test("identify traits are $set; $set_once/$unset keys inside traits are honoured", () => {
    const m = map({ type: "identify", userId: "u", traits: { email: "a@b.c", $set_once: { first_seen: "x" }, $unset: ["old"] } });
    expect(m.traits).toEqual({ set: { email: "a@b.c" }, setOnce: { first_seen: "x" }, unset: ["old"] });
  });

  test("RudderStack identify traits in context.traits are read too", () => {
    const m = map({ type: "identify", userId: "u", context: { traits: { plan: "pro", email: "old@x" } }, traits: { email: "new@x" } });
    expect(m.traits.set).toEqual({ plan: "pro", email: "new@x" });
  });

  test("track does not change traits even with context.traits", () => {
    expect(map({ type: "track", event: "e", userId: "u", context: { traits: { a: 1 } } }).traits.set).toEqual({});
  });

  test("group traits are the group's, not the person's", () => {
    const m = map({ type: "group", userId: "u", groupId: "g1", traits: { name: "ACME" } });
    expect([m.event, m.groupId, m.groupTraits, m.traits.set]).toEqual(["$groupidentify", "g1", { name: "ACME" }, {}]);
  });

  test("alias links previousId as user_id unless it is the anonymous id", () => {
    const server = map({ type: "alias", userId: "new", previousId: "old" });
    expect(server.identifiers).toEqual([{ type: "user_id", id: "new" }, { type: "user_id", id: "old" }]);
    const browser = map({ type: "alias", userId: "new", previousId: "anon1", anonymousId: "anon1" });
    expect(browser.identifiers).toEqual([{ type: "user_id", id: "new" }, { type: "anonymous_id", id: "anon1" }]);
    expect(browser.event).toBe("$create_alias");
  });

  test("externalIds join the identifiers; accounts are skipped; base64 is decoded", () => {
    const m = map({
      type: "track", event: "e", anonymousId: "a",
      context: { externalIds: [
        { id: "oXyz", type: "wx_openid:wx123", collection: "users", encoding: "none" },
        { id: "U1", type: "wx_unionid" },
        { id: "acct", type: "crm", collection: "accounts" },
        { id: btoa("13800000000"), type: "phone", encoding: "base64" },
      ] },
    });
    expect(m.identifiers).toEqual([
      { type: "anonymous_id", id: "a" },
      { type: "wx_openid:wx123", id: "oXyz" },
      { type: "wx_unionid", id: "U1" },
      { type: "phone", id: "13800000000" },
    ]);
  });

  test("context.traits' e-mail and phone identify the user on any call; only an identify sets traits", () => {
    const m = map({ type: "track", event: "e", anonymousId: "a", context: { traits: { email: "Ann@Example.cn", phone: 13800138000, name: "Ann" } } });
    expect(m.identifiers).toEqual([{ type: "anonymous_id", id: "a" }, { type: "email", id: "Ann@Example.cn" }, { type: "phone", id: "13800138000" }]);
    expect(m.traits).toEqual(map({ type: "track", event: "e", anonymousId: "a" }).traits);
    const id = map({ type: "identify", userId: "u", context: { traits: { email: "ann@example.cn" } } });
    expect([id.identifiers, id.traits.set]).toEqual([[{ type: "user_id", id: "u" }], { email: "ann@example.cn" }]);
  });

  test("batch context merges under the item's context", () => {
    const env: Envelope = { sentAt: null, context: { library: { name: "batch" }, locale: "zh-CN" } };
    expect(map({ type: "track", event: "e", userId: "u", context: { locale: "en" } }, env).context).toEqual({
      library: { name: "batch" },
      locale: "en",
    });
  });

  test("route type overrides the body's type on single routes", () => {
    expect(map({ type: "identify", event: "e", userId: "u" }, none, "track").type).toBe("track");
    expect(map({ event: "e", userId: "u" }, none, "track").type).toBe("track");
  });

  test("batch sentAt corrects items without their own; the item's own sentAt wins", () => {
    const env: Envelope = { sentAt: Date.parse("2024-05-01T13:00:00Z"), context: null };
    const a = map({ type: "track", event: "e", userId: "u", timestamp: "2024-05-01T12:59:00Z" }, env);
    expect(a.timestamp).toBe(R - 60_000);
    const b = map({ type: "track", event: "e", userId: "u", originalTimestamp: "2024-05-01T12:59:00Z", sentAt: "2024-05-01T12:59:30Z" }, env);
    expect(b.timestamp).toBe(R - 30_000);
    expect([b.sentAt, b.originalTimestamp]).toEqual([Date.parse("2024-05-01T12:59:30Z"), Date.parse("2024-05-01T12:59:00Z")]);
  });

  test("a client messageId is kept", () => {
    expect(map({ type: "track", event: "e", userId: "u", messageId: "node-next-1-abc" }).messageId).toBe("node-next-1-abc");
  });

  test("a numeric messageId becomes its string, so 12 and \"12\" dedupe as one", () => {
    expect(map({ type: "track", event: "e", userId: "u", messageId: 12 }).messageId).toBe("12");
    expect(map({ type: "track", event: "e", userId: "u", messageId: "12" }).messageId).toBe("12");
    expect(map({ type: "track", event: "e", userId: "u", messageId: 1.5 }).messageId).toBe("1.5");
    expect(map({ type: "track", event: "e", userId: "u", messageId: 0 }).messageId).toBe("0");
  });
});

describe("validation names the field", () => {
  test.each<[string, Json, string]>([
    ["no ids", { type: "track", event: "e" }, "userId: every message needs a userId or an anonymousId"],
    ["empty ids", { type: "track", event: "e", userId: "", anonymousId: null }, "userId: every message needs a userId or an anonymousId"],
    ["no type in a batch item", { event: "e", userId: "u" }, "type: required in a batch item (one of track, identify, page, screen, group, alias)"],
    ["unknown type", { type: "purchase", userId: "u" }, 'type: Invalid option: expected one of "track"|"identify"|"page"|"screen"|"group"|"alias"'],
    ["track without event", { type: "track", userId: "u" }, "event: required for track"],
    ["alias without previousId", { type: "alias", userId: "u" }, "previousId: required for alias"],
    ["group without groupId", { type: "group", userId: "u" }, "groupId: required for group"],
    ["userId object", { type: "track", event: "e", userId: { id: 1 } }, "userId: expected a string or a number"],
    ["properties array", { type: "track", event: "e", userId: "u", properties: [1] }, "properties: expected an object"],
    ["bad timestamp", { type: "track", event: "e", userId: "u", timestamp: "soon" }, "timestamp: not an ISO-8601 date-time or epoch time"],
    ["long userId", { type: "track", event: "e", userId: "x".repeat(256) }, "userId: longer than 255 characters"],
    ["messageId object", { type: "track", event: "e", userId: "u", messageId: { id: 1 } }, "messageId: expected a string (at most 255 characters) or a number"],
    ["messageId boolean", { type: "track", event: "e", userId: "u", messageId: true }, "messageId: expected a string (at most 255 characters) or a number"],
    ["long messageId", { type: "track", event: "e", userId: "u", messageId: "m".repeat(256) }, "messageId: expected a string (at most 255 characters) or a number"],
    ["bad externalIds", { type: "track", event: "e", userId: "u", context: { externalIds: [{ id: "x" }] } }, "context.externalIds[0].type: Invalid input: expected string, received undefined"],
    ["not an object", 5, "Invalid input: expected object, received number"],
  ])("%s", (_name, raw, message) => {
    expect(itemError(() => map(raw))).toBe(message);
  });
});

describe("extractSegment", () => {
  test("batch envelope", () => {
    const x = extractSegment({ batch: [{ type: "track" }], sentAt: "2024-05-01T12:00:00Z", writeKey: "k", context: { a: 1 } }, null);
    expect(x).toEqual({ items: [{ type: "track" }], envelope: { sentAt: R, context: { a: 1 } }, single: false, bodyWriteKey: "k" });
  });

  test.each<[string, Json, number, string]>([
    ["not an object", [1, 2], 400, "request body must be a JSON object"],
    ["batch missing", { foo: 1 }, 400, "batch: expected an array of messages"],
    ["empty batch", { batch: [] }, 400, "batch: is empty"],
    ["too many items", { batch: Array(2501).fill({}) }, 413, "batch: has 2501 items, the limit is 2500 items per batch"],
    ["bad sentAt", { batch: [{}], sentAt: "x" }, 400, "sentAt: not an ISO-8601 date-time or epoch time"],
    ["deep batch context", { batch: [{}], context: JSON.parse(`${'{"a":'.repeat(40)}1${"}".repeat(40)}`) }, 400, "context: nested deeper than 32 levels"],
    ["big batch context", { batch: [{}], context: { s: "x".repeat(40_000) } }, 413, "context: the batch context alone exceeds the limit of 32 KB per message"],
  ])("%s", (_name, body, status, message) => {
    try {
      extractSegment(body, null);
      throw new Error("expected an IngestError");
    } catch (err) {
      expect(err).toBeInstanceOf(IngestError);
      expect([(err as IngestError).status as number, (err as IngestError).message]).toEqual([status, message]);
    }
  });
});

describe("the zod-free fast path", () => {
  // fastItem must never accept what the schema refuses: random items built from valid and invalid field values.
  const values: unknown[] = [undefined, null, "", "x", 0, 12.5, true, {}, [], { a: 1 }, "t".repeat(300), "track", "alias", "nope"];
  const fields = ["type", "userId", "anonymousId", "previousId", "groupId", "messageId", "event", "name", "category", "properties", "traits", "context", "timestamp", "originalTimestamp", "sentAt"];
  test("accepts only what SegmentItem accepts", () => {
    let seed = 11;
    const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
    let fast = 0;
    for (let i = 0; i < 20_000; i++) {
      const item: Record<string, unknown> = {};
      for (const f of fields) if (rnd(3) === 0) item[f] = values[rnd(values.length)];
      const accepted = fastItem(item as Json) !== null;
      if (accepted) {
        fast++;
        expect(SegmentItem.safeParse(item).success).toBe(true);
      }
    }
    expect(fast).toBeGreaterThan(100);
  });
});

test("messageIdOf cleans invisible characters and spaces as RudderStack does; a blank id gets a new one", () => {
  expect(messageIdOf("0c9b1b6e-4f5c-4a2b-9d1e-6f7a8b9c0d1e")).toBe("0c9b1b6e-4f5c-4a2b-9d1e-6f7a8b9c0d1e");
  expect(messageIdOf("\u0000 -a-random-string \u00a0\t\n\r\u034f")).toBe("-a-random-string");
  expect(messageIdOf("ab\u200bcd")).toBe("abcd");
  const blank = [messageIdOf(" \u0000\u00a0\t\n\r\u034f "), messageIdOf(""), messageIdOf(null)];
  for (const id of blank) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
  expect(new Set(blank).size).toBe(3);
});
