/**
 * Protects the PostHog mapping and body forms: the three body shapes, token lookup (and mixed tokens), the
 * distinct_id rules and their identifiers ($identify links $anon_distinct_id and declares user_id),
 * $set/$set_once/$unset (ignored on personless events and on $groupidentify; PHP's `[]` read as `{}`), /engage
 * person updates, $groupidentify, sent_at/offset times, numeric uuid/offset forms, and the gzip/base64/lz-string/form
 * encodings PostHog clients use.
 */
import { describe, expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import type { BodyLimit } from "./decode.ts";
import { IngestError, ItemError } from "./errors.ts";
import type { Json } from "./json.ts";
import { compressToBase64 as lz } from "./lz-string.fixtures.ts";
import { decodePosthogBody, payloadFromData } from "./posthog.decode.ts";
import { captureV1Item, extractPosthog, posthogMessage, sdkInfo } from "./posthog.wire.ts";
import type { MessageMeta } from "./segment.wire.ts";

const R = Date.parse("2024-05-01T12:00:00Z");
const meta: MessageMeta = { sourceId: 1, sourceName: "Website", receivedAt: R, wire: "posthog" };
const map = (raw: Json, sentAt: number | null = null) => posthogMessage(raw, { sentAt }, meta);
const LIMIT: BodyLimit = { bytes: 4 * 1024 * 1024, where: "on PostHog routes" };

function errorOf(f: () => unknown): Error {
  try {
    f();
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected an error");
}

describe("extractPosthog", () => {
  test("posthog-node /batch body", () => {
    const x = extractPosthog({ api_key: "phc_1", batch: [{ event: "e" }], sent_at: "2024-05-01T12:00:00Z" }, null);
    expect(x).toEqual({ items: [{ event: "e" }], envelope: { sentAt: R }, token: "phc_1" });
  });

  test("posthog-js array with the token inside events, sent_at in ms from the query", () => {
    const x = extractPosthog([{ event: "a", properties: { token: "phc_2" } }, { event: "b", properties: { token: "phc_2" } }], String(R));
    expect([x.token, x.envelope.sentAt, x.items.length]).toEqual(["phc_2", R, 2]);
  });

  test("a single event with $token; seconds-resolution sent_at is ignored", () => {
    const x = extractPosthog({ event: "e", $token: "phc_3" }, "1714564800");
    expect([x.token, x.envelope.sentAt]).toEqual(["phc_3", null]);
  });

  test("mixed tokens are a 401", () => {
    const e = errorOf(() => extractPosthog([{ event: "a", api_key: "x" }, { event: "b", api_key: "y" }], null));
    expect([(e as IngestError).status, e.message]).toEqual([401, "batch submitted with inconsistent api_key values"]);
  });

  test("empty and wrong bodies are 400s", () => {
    expect(errorOf(() => extractPosthog([], null)).message).toBe("batch: is empty");
    expect((errorOf(() => extractPosthog("x", null)) as IngestError).status).toBe(400);
  });
});

describe("posthogMessage", () => {
  test("a capture keeps its name; distinct_id is its own namespace; token and ops leave the properties", () => {
    const m = map({ event: "clicked", distinct_id: "d1", uuid: "0190-x", properties: { token: "phc", color: "red", $set: { plan: "pro" } } });
    expect(m).toMatchObject({
      type: "track", event: "clicked", messageId: "0190-x", distinctId: "d1", userId: null, anonymousId: null,
      identifiers: [{ type: "distinct_id", id: "d1" }], properties: { color: "red" },
      traits: { set: { plan: "pro" }, setOnce: {}, unset: [] },
    });
  });

  test("$identify declares user_id and links $anon_distinct_id", () => {
    const m = map({ event: "$identify", distinct_id: "user-9", properties: { $anon_distinct_id: "anon-1", $set: { email: "a@b" }, $set_once: { first: 1 } } });
    expect(m.type).toBe("identify");
    expect(m.userId).toBe("user-9");
    expect(m.identifiers).toEqual([
      { type: "distinct_id", id: "user-9" },
      { type: "user_id", id: "user-9" },
      { type: "distinct_id", id: "anon-1" },
    ]);
    expect(m.traits).toEqual({ set: { email: "a@b" }, setOnce: { first: 1 }, unset: [] });
  });

  test("$create_alias links properties.alias", () => {
    const m = map({ event: "$create_alias", distinct_id: "d1", properties: { alias: "d2" } });
    expect([m.type, m.previousId, m.identifiers]).toEqual(["alias", "d2", [{ type: "distinct_id", id: "d1" }, { type: "distinct_id", id: "d2" }]]);
  });

  test("$groupidentify", () => {
    const m = map({ event: "$groupidentify", distinct_id: "d", properties: { $group_type: "company", $group_key: "acme", $group_set: { seats: 5 } } });
    expect([m.type, m.groupType, m.groupId, m.groupTraits]).toEqual(["group", "company", "acme", { seats: 5 }]);
  });

  test("$groupidentify never changes person properties, even with a $set (PostHog normalizeProcessPerson)", () => {
    const m = map({
      event: "$groupidentify", distinct_id: "u1", $set: { a: 1 },
      properties: { $group_type: "company", $group_key: 42, $group_set: { seats: 5 }, $set: { email: "x@y" }, $set_once: { b: 2 }, $unset: ["c"] },
    });
    expect([m.type, m.groupId, m.groupTraits, m.traits]).toEqual(["group", "42", { seats: 5 }, { set: {}, setOnce: {}, unset: [] }]);
  });

  test("PHP's empty array [] for $set, $set_once and $group_set is the empty object (json_encode of array())", () => {
    const identify = map({ event: "$identify", distinct_id: "u1", $set: [], $set_once: [], properties: { $set: [], $set_once: [] } });
    expect([identify.type, identify.traits]).toEqual(["identify", { set: {}, setOnce: {}, unset: [] }]);
    const mixed = map({ event: "e", distinct_id: "u1", $set: [], properties: { $set: { a: 1 }, $set_once: [] } });
    expect(mixed.traits).toEqual({ set: { a: 1 }, setOnce: {}, unset: [] });
    const group = map({ event: "$groupidentify", distinct_id: "$store_1", properties: { $group_type: "store", $group_key: "1", $group_set: [] } });
    expect(group.groupTraits).toEqual({});
    // only the empty list: a list with items is still not an object of properties
    expect(errorOf(() => map({ event: "$identify", distinct_id: "u1", $set: ["a"] }))).toBeInstanceOf(ItemError);
    expect(errorOf(() => map({ event: "e", distinct_id: "u1", properties: { $set_once: ["a"] } }))).toBeInstanceOf(ItemError);
  });

  test("$pageview fills a Segment-shaped context from $-properties", () => {
    const m = map({ event: "$pageview", distinct_id: "d", properties: {
      $current_url: "https://x.cn/a?utm_source=weibo", $pathname: "/a", $referrer: "$direct", $lib: "web", $lib_version: "1.2",
      $raw_user_agent: "UA", $ip: "1.2.3.4", $browser_language: "zh-CN",
    } });
    expect(m.type).toBe("page");
    expect(m.context).toEqual({
      library: { name: "web", version: "1.2" }, page: { url: "https://x.cn/a?utm_source=weibo", path: "/a" },
      ip: "1.2.3.4", userAgent: "UA", locale: "zh-CN",
    });
  });

  test("distinct_id from $distinct_id or properties; numbers stringified; truncated to 200", () => {
    expect(map({ event: "e", $distinct_id: "x" }).distinctId).toBe("x");
    expect(map({ event: "e", properties: { distinct_id: 12 } }).distinctId).toBe("12");
    expect(map({ event: "e", distinct_id: "y".repeat(300) }).distinctId).toHaveLength(200);
  });

  test("$unset as a list and top-level $set", () => {
    const m = map({ event: "$set", distinct_id: "d", $set: { a: 1 }, properties: { $unset: ["b", "c"] } });
    expect(m.traits).toEqual({ set: { a: 1 }, setOnce: {}, unset: ["b", "c"] });
  });

  test("a Mixpanel-style /engage body (no event): stored as $identify like PostHog does, a person update only", () => {
    // PostHog's own test_engage body; capture-rs turns a nameless /engage body into an $identify event.
    const m = posthogMessage({ $set: { $os: "Mac OS X" }, $token: "token123", $distinct_id: 3, $device_id: "16fd4afae9b2d8" }, { sentAt: null }, meta, true);
    expect(m).toMatchObject({ event: "$identify", type: "track", distinctId: "3", userId: null, identifiers: [{ type: "distinct_id", id: "3" }] });
    expect(m.traits).toEqual({ set: { $os: "Mac OS X" }, setOnce: {}, unset: [] });
    // capture-rs's fixture shape: ops under properties; and a top-level $unset (Mixpanel's list form).
    const p = posthogMessage(
      { api_key: "phc", distinct_id: "d1", $unset: ["old"], properties: { $set: { foo: "bar", baz: 42 }, $set_once: { first: "x" }, $unset: ["gone"] } },
      { sentAt: null }, meta, true,
    );
    expect([p.event, p.type, p.properties]).toEqual(["$identify", "track", {}]);
    expect(p.traits).toEqual({ set: { foo: "bar", baz: 42 }, setOnce: { first: "x" }, unset: ["old", "gone"] });
  });

  test("on /engage a body with an event name is an ordinary event; elsewhere a nameless body is still refused", () => {
    expect(posthogMessage({ event: "clicked", distinct_id: "d" }, { sentAt: null }, meta, true)).toMatchObject({ event: "clicked", type: "track" });
    expect(posthogMessage({ event: "$identify", distinct_id: "d" }, { sentAt: null }, meta, true).type).toBe("identify");
    expect(errorOf(() => map({ distinct_id: "d", $set: { a: 1 } })).message).toBe("event: Invalid input: expected string, received undefined");
    expect(errorOf(() => map({ event: "e", distinct_id: "d", $unset: 5 })).message).toBe("$unset: expected an array of keys");
  });

  test("$process_person_profile: false (posthog-js identified_only, anonymous): an event, no person-property change", () => {
    const m = map({
      event: "clicked", distinct_id: "anon-7", $set: { top: 1 },
      properties: { $process_person_profile: false, $set: { email: "x@y.z" }, $set_once: { first: 1 }, $unset: ["plan"], color: "red" },
    });
    expect(m).toMatchObject({ type: "track", event: "clicked", distinctId: "anon-7", identifiers: [{ type: "distinct_id", id: "anon-7" }] });
    expect(m.traits).toEqual({ set: {}, setOnce: {}, unset: [] });
    expect(m.properties).toEqual({ $process_person_profile: false, color: "red" });
    // The operations are ignored, not checked: a malformed one does not cost the event.
    expect(map({ event: "e", distinct_id: "d", properties: { $process_person_profile: false, $set: "x", $unset: 5 } }).traits.set).toEqual({});
    // Only false turns it off; true (or absent) processes the person as before.
    expect(map({ event: "e", distinct_id: "d", properties: { $process_person_profile: true, $set: { a: 1 } } }).traits.set).toEqual({ a: 1 });
  });

  test("$process_person_profile: false keeps the distinct_id linkage of $identify and $create_alias", () => {
    const i = map({ event: "$identify", distinct_id: "u1", properties: { $process_person_profile: false, $anon_distinct_id: "a1", $set: { email: "x@y.z" } } });
    expect(i.identifiers).toEqual([{ type: "distinct_id", id: "u1" }, { type: "user_id", id: "u1" }, { type: "distinct_id", id: "a1" }]);
    expect(i.traits.set).toEqual({});
    const a = map({ event: "$create_alias", distinct_id: "u1", properties: { $process_person_profile: false, alias: "a2" } });
    expect(a.identifiers).toEqual([{ type: "distinct_id", id: "u1" }, { type: "distinct_id", id: "a2" }]);
  });

  test("timestamps: skew from sent_at, else offset", () => {
    expect(map({ event: "e", distinct_id: "d", timestamp: "2024-05-01T12:59:00Z" }, Date.parse("2024-05-01T13:00:00Z")).timestamp).toBe(R - 60_000);
    expect(map({ event: "e", distinct_id: "d", offset: 1500 }).timestamp).toBe(R - 1500);
  });

  test("a numeric-string offset is a number; a numeric uuid is its string", () => {
    expect(map({ event: "e", distinct_id: "d", offset: "1500" }).timestamp).toBe(R - 1500);
    expect(map({ event: "e", distinct_id: "d", offset: " 250.5 " }).timestamp).toBe(R - 250.5);
    expect(map({ event: "e", distinct_id: "d", uuid: 12345 }).messageId).toBe("12345");
  });

  test.each<[string, Json, string]>([
    ["no distinct_id", { event: "e" }, "distinct_id: required"],
    ["no event", { distinct_id: "d" }, "event: Invalid input: expected string, received undefined"],
    ["empty event", { event: "", distinct_id: "d" }, "event: required"],
    ["alias without alias", { event: "$create_alias", distinct_id: "d" }, "properties.alias: required for $create_alias"],
    ["$set not an object", { event: "e", distinct_id: "d", properties: { $set: "x" } }, "properties.$set: expected an object of properties"],
    ["$unset wrong", { event: "e", distinct_id: "d", properties: { $unset: 5 } }, "properties.$unset: expected an array of keys"],
    ["not an object", [1], "expected an event object"],
    ["offset not numeric", { event: "e", distinct_id: "d", offset: "soon" }, "offset: expected a number of milliseconds (or a numeric string)"],
    ["offset boolean", { event: "e", distinct_id: "d", offset: true }, "offset: expected a number of milliseconds (or a numeric string)"],
    ["uuid object", { event: "e", distinct_id: "d", uuid: { v: 1 } }, "uuid: expected a string (at most 255 characters) or a number"],
  ])("%s", (_name, raw, message) => {
    const e = errorOf(() => map(raw));
    expect(e).toBeInstanceOf(ItemError);
    expect(e.message).toBe(message);
  });
});

describe("body encodings", () => {
  // "中文 ~" makes lz-string's output contain a "+", which the lz64 form cases need.
  const events = [{ event: "e", distinct_id: "d", properties: { s: "中文 ~" } }];
  const json = JSON.stringify(events);
  const opts = (o: { contentType?: string; contentEncoding?: string; compression?: string } = {}) => ({
    contentType: o.contentType ?? null, contentEncoding: o.contentEncoding ?? null, compression: o.compression ?? null, limit: LIMIT,
  });
  const enc = (s: string) => new TextEncoder().encode(s);
  const b64 = (s: string) => Buffer.from(s).toString("base64");

  test.each<[string, Uint8Array, ReturnType<typeof opts>]>([
    ["plain JSON", enc(json), opts()],
    ["gzip-js raw body as text/plain (posthog-js)", new Uint8Array(gzipSync(json)), opts({ contentType: "text/plain", compression: "gzip-js" })],
    ["gzip by magic bytes only", new Uint8Array(gzipSync(json)), opts()],
    ["Content-Encoding gzip (posthog-node)", new Uint8Array(gzipSync(json)), opts({ contentEncoding: "gzip" })],
    ["base64 form (posthog-js)", enc(`data=${encodeURIComponent(b64(json))}&compression=base64`), opts({ contentType: "application/x-www-form-urlencoded" })],
    ["base64 form with compression in the query", enc(`data=${encodeURIComponent(b64(json))}`), opts({ compression: "base64" })],
    ["form with plain JSON data", enc(`data=${encodeURIComponent(json)}`), opts({ contentType: "application/x-www-form-urlencoded" })],
    ["double base64 (legacy)", enc(`data=${encodeURIComponent(b64(b64(json)))}`), opts({ contentType: "application/x-www-form-urlencoded" })],
    ["raw base64 body", enc(b64(json)), opts()],
    // PostHog's capture_post-form-lz64-urlencoded cases: the lz-string value is sent unescaped, so its "+"
    // arrive as spaces after form decoding.
    ["lz64 form, value not escaped", enc(`data=${lz(json)}&compression=lz64`), opts({ contentType: "application/x-www-form-urlencoded" })],
    ["lz64 form, value escaped, compression in the query", enc(`data=${encodeURIComponent(lz(json))}`), opts({ contentType: "application/x-www-form-urlencoded", compression: "lz64" })],
    ["lz-string raw body with ?compression=lz-string", enc(lz(json)), opts({ contentType: "text/plain", compression: "lz-string" })],
    ["Content-Encoding lz64 (PostHog's old Django capture)", enc(lz(json)), opts({ contentEncoding: "lz64" })],
    ["JSON labelled lz64 is still read as JSON", enc(json), opts({ compression: "LZ64" })],
  ])("%s", (_name, body, o) => {
    expect(decodePosthogBody(body, o)).toEqual(events);
  });

  test("legacy GET ?data=", () => {
    expect(payloadFromData(b64(json), null, LIMIT)).toEqual(events);
  });

  test("legacy GET ?data= with compression=lz64 (the query decoder also turns + into spaces)", () => {
    expect(lz(json)).toContain("+");
    const q = new URLSearchParams(`data=${lz(json)}&compression=lz64`);
    expect(payloadFromData(q.get("data")!, q.get("compression"), LIMIT)).toEqual(events);
  });

  test("lz64 has the gzip path's limits: a bomb is a 413 naming the limit, garbage a 400", () => {
    const small: BodyLimit = { bytes: 1000, where: "on PostHog routes" };
    const bomb = lz(JSON.stringify([{ event: "e", distinct_id: "d", properties: { pad: "x".repeat(200_000) } }]));
    expect(bomb.length).toBeLessThan(2000);
    const e = errorOf(() => decodePosthogBody(enc(bomb), { ...opts({ compression: "lz64" }), limit: small })) as IngestError;
    expect([e.status, e.message]).toEqual([413, "lz-string-decompressed body exceeds the limit of 1000 bytes per request on PostHog routes"]);
    // Under the cap in UTF-16 units but over it in UTF-8 bytes (3 bytes per CJK character): still a 413.
    const cjk = lz(JSON.stringify({ event: "e", distinct_id: "d", s: "中".repeat(400) }));
    expect((errorOf(() => decodePosthogBody(enc(cjk), { ...opts({ compression: "lz64" }), limit: small })) as IngestError).status).toBe(413);
    const bad = errorOf(() => decodePosthogBody(enc("data=%21%21%21%21&compression=lz64"), opts({ contentType: "application/x-www-form-urlencoded" }))) as IngestError;
    expect([bad.status, bad.message]).toEqual([400, "data is not valid lz-string data (compression=lz64)"]);
  });

  test("a form without data and garbage bodies are 400s naming the problem", () => {
    expect(errorOf(() => decodePosthogBody(enc("x=1"), opts({ contentType: "application/x-www-form-urlencoded" }))).message)
      .toBe("data: missing form field (expected data=<base64 JSON>)");
    expect(errorOf(() => decodePosthogBody(enc("{oops"), opts())).message).toStartWith("request body is not valid JSON");
  });
});

describe("capture v1 events", () => {
  const sdk = { lib: "posthog-go", version: "1.6.0" };
  test("session, window and options become the $-properties capture-rs injects; the header's $lib wins", () => {
    const item = captureV1Item({
      event: "e", uuid: "u-1", distinct_id: "d", timestamp: "2026-03-02T07:00:00Z", session_id: "s", window_id: "w", $set: { top: 1 },
      options: { cookieless_mode: 0, disable_skew_correction: " TRUE ", product_tour_id: 12, process_person_profile: "0" },
      properties: { a: 1, $lib: "mine" },
    }, sdk);
    expect(item).toEqual({
      event: "e", uuid: "u-1", distinct_id: "d", timestamp: "2026-03-02T07:00:00Z",
      properties: { a: 1, $session_id: "s", $window_id: "w", $cookieless_mode: false, $ignore_sent_at: true, $product_tour_id: "12", $process_person_profile: false, $lib: "posthog-go", $lib_version: "1.6.0" },
    });
    // a top-level $set is not part of v1: dropped, as capture-rs's IngestionData has none
    expect(map(item).traits).toEqual({ set: {}, setOnce: {}, unset: [] });
  });

  test("unreadable options or properties refuse the event, naming the field; null options are defaults", () => {
    expect(errorOf(() => captureV1Item({ event: "e", options: { process_person_profile: "maybe" } }, null))?.message).toBe("options.process_person_profile: expected a boolean");
    expect(errorOf(() => captureV1Item({ event: "e", options: { product_tour_id: true } }, null))?.message).toBe("options.product_tour_id: expected a string");
    expect(errorOf(() => captureV1Item({ event: "e", options: [] }, null))?.message).toBe("options: expected an object");
    expect(errorOf(() => captureV1Item({ event: "e", properties: [1] }, null))?.message).toBe("properties: expected an object");
    expect(captureV1Item({ event: "e", options: null, properties: null }, null)).toEqual({ event: "e", uuid: null, distinct_id: null, timestamp: null, properties: {} });
  });

  test("PostHog-Sdk-Info splits at the last slash; anything else is no library", () => {
    expect(sdkInfo("posthog-go/1.6.0")).toEqual({ lib: "posthog-go", version: "1.6.0" });
    expect(sdkInfo("posthog/sub-sdk/2.3.4")).toEqual({ lib: "posthog/sub-sdk", version: "2.3.4" });
    expect(sdkInfo("  posthog-rs / 1.2.3  ")).toEqual({ lib: "posthog-rs", version: "1.2.3" });
    for (const bad of ["no-slash", "/1.0.0", "posthog-rs/", "/", "", null, `posthog-rs/${"9".repeat(300)}`]) expect(sdkInfo(bad)).toBeNull();
  });
});
