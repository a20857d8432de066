/**
 * Protects the pipeline's steps and their order: per-item rejection with indices, size and depth limits,
 * consent and suppression drops, the bot policy, UA/page/UTM/channel enrichment, and the IP policy (which
 * address is the user's, and how it is truncated). Each drop must be counted under its typed reason.
 */
import { describe, expect, test } from "bun:test";
import { source } from "./ingest.fixtures.ts";
import type { Json, JsonObject } from "./json.ts";
import { MAX_DEPTH } from "./limits.ts";
import type { Identifier } from "./message.ts";
import { checkSize, runPipeline, STEPS } from "./pipeline.ts";
import { segmentMessage } from "./segment.wire.ts";
import type { SourceSettings } from "./source.ts";
import { applyIpPolicy } from "./steps/apply-ip-policy.ts";
import type { StepContext } from "./steps/step.ts";

const R = Date.parse("2024-05-01T12:00:00Z");
const CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
const HEADLESS = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.6367.60 Safari/537.36";

function ctx(over: Partial<StepContext> & { settings?: Partial<SourceSettings> } = {}): StepContext {
  return {
    source: source(over.settings),
    peerIp: "203.0.113.77",
    requestUserAgent: null,
    browserRoute: false,
    isSuppressed: () => false,
    ...over,
  };
}

function run(items: Json[], c: StepContext = ctx()) {
  return runPipeline(items, (raw) => segmentMessage(raw, null, { sentAt: null, context: null }, { sourceId: 7, sourceName: "Website", receivedAt: R, wire: "segment" }), c);
}

const track = (over: JsonObject = {}): JsonObject => ({ type: "track", event: "e", anonymousId: "a1", ...over });
const props = (items: Json[], c?: StepContext) => run(items, c).messages[0]?.properties;

test("the steps run in the documented order", () => {
  expect(STEPS.map((s) => s.name)).toEqual([
    "drop_by_consent", "drop_suppressed", "put_user_agent", "drop_bot", "put_page_props", "put_utm_tags", "put_channel", "apply_ip_policy",
  ]);
});

describe("rejection and limits", () => {
  test("invalid items are rejected by index, valid ones continue", () => {
    const r = run([track(), { type: "track" }, track({ userId: "u" }), "nope"]);
    expect(r.messages.map((m) => m.anonymousId)).toEqual(["a1", "a1"]);
    expect(r.rejected).toEqual([
      { index: 1, error: "userId: every message needs a userId or an anonymousId" },
      { index: 3, error: "Invalid input: expected object, received string" },
    ]);
    expect(r.drops).toEqual({ invalid: 2 });
  });

  test(`nesting deeper than ${MAX_DEPTH} levels is too_large`, () => {
    let deep: Json = "leaf";
    for (let i = 0; i < 40; i++) deep = { d: deep };
    const r = run([track({ properties: { deep } })]);
    expect(r.rejected).toEqual([{ index: 0, error: "message: nested deeper than 32 levels" }]);
    expect(r.drops).toEqual({ too_large: 1 });
  });

  test("a message over 32 KB is too_large, counted in UTF-8 bytes", () => {
    const cjk = track({ properties: { s: "中".repeat(11_000) } }); // 11k chars but 33 KB of UTF-8
    expect(() => checkSize(cjk)).toThrow(/^message: is 330\d\d bytes, the limit is 32 KB \(32768 bytes\) per message$/);
    expect(() => checkSize(track({ properties: { s: "x".repeat(40_000) } }))).toThrow(/^message: is 400\d\d bytes/);
    expect(() => checkSize(track({ properties: { s: "x".repeat(30_000) } }))).not.toThrow();
  });
});

describe("drops", () => {
  test("consent: an analytics category set to false drops; other categories do not", () => {
    const denied = track({ context: { consent: { categoryPreferences: { Analytics: false, Advertising: true } } } });
    const adsOnly = track({ context: { consent: { categoryPreferences: { Analytics: true, Advertising: false } } } });
    const none = track({ context: { consent: { categoryPreferences: {} } } }); // consent to no category (Segment)
    const r = run([denied, adsOnly, track(), none]);
    expect(r.messages).toHaveLength(2);
    expect(r.drops).toEqual({ consent: 2 });
  });

  test("consent categories are per source", () => {
    const c = ctx({ settings: { consentCategories: ["C0002"] } });
    const r = run([track({ context: { consent: { categoryPreferences: { c0002: false } } } })], c);
    expect(r.drops).toEqual({ consent: 1 });
  });

  test("suppressed identifiers are dropped at the door", () => {
    const seen: Identifier[][] = [];
    const c = ctx({ isSuppressed: (ids) => (seen.push([...ids]), ids.some((i) => i.type === "user_id" && i.id === "gone")) });
    const r = run([track({ userId: "gone" }), track({ userId: "stays" })], c);
    expect(r.messages.map((m) => m.userId)).toEqual(["stays"]);
    expect(r.drops).toEqual({ suppressed: 1 });
    expect(seen[0]).toEqual([{ type: "user_id", id: "gone" }, { type: "anonymous_id", id: "a1" }]);
  });

  test("bots are flagged by default and dropped when the source says so", () => {
    const bot = track({ context: { userAgent: HEADLESS } });
    expect(props([bot])?.$bot).toBe(true);
    const r = run([bot, track({ context: { userAgent: CHROME } })], ctx({ settings: { bots: "drop" } }));
    expect(r.drops).toEqual({ bot: 1 });
    expect(r.messages[0]?.properties.$bot).toBeUndefined();
  });
});

describe("enrichment", () => {
  test("user agent from context; the request UA only on browser routes", () => {
    expect(props([track({ context: { userAgent: CHROME } })])).toMatchObject({ $browser: "Chrome", $os: "Windows", $device_type: "Desktop" });
    expect(props([track()], ctx({ requestUserAgent: CHROME }))?.$browser).toBeUndefined();
    expect(props([track()], ctx({ requestUserAgent: CHROME, browserRoute: true }))?.$browser).toBe("Chrome");
  });

  test("page context becomes $current_url, $host, $pathname, $referrer, $referring_domain, $title", () => {
    const p = props([track({ context: { page: { url: "https://shop.cn/a/b?x=1", referrer: "https://www.baidu.com/s?wd=x", title: "B" } } })]);
    expect(p).toEqual({
      $current_url: "https://shop.cn/a/b?x=1", $host: "shop.cn", $pathname: "/a/b", $referrer: "https://www.baidu.com/s?wd=x",
      $referring_domain: "www.baidu.com", $title: "B", $channel: "organic_search",
    });
  });

  test("Segment page() properties count as the page", () => {
    const p = props([{ type: "page", anonymousId: "a", properties: { url: "https://shop.cn/", path: "/", referrer: "" } }]);
    expect(p).toMatchObject({ $current_url: "https://shop.cn/", $pathname: "/", $channel: "direct" });
  });

  test("UTM from context.campaign (name is the campaign), client props win", () => {
    const p = props([track({ properties: { utm_source: "mine" }, context: { campaign: { name: "spring", source: "newsletter", medium: "email", term: "t", content: "c" } } })]);
    expect(p).toEqual({ utm_source: "mine", utm_medium: "email", utm_campaign: "spring", utm_term: "t", utm_content: "c", $channel: "email" });
  });

  test("UTM from the page URL when there is no campaign", () => {
    const p = props([track({ context: { page: { url: "https://s.cn/?utm_source=douyin&utm_medium=cpc&utm_campaign=618" } } })]);
    expect(p).toMatchObject({ utm_source: "douyin", utm_medium: "cpc", utm_campaign: "618", $channel: "paid_social" });
  });

  test("server events without page or tags get no channel", () => {
    expect(props([track({ properties: { amount: 1 } })])).toEqual({ amount: 1 });
  });
});

describe("IP policy", () => {
  test.each<[string, SourceSettings["ipPolicy"], string | null]>([
    ["203.0.113.77", "keep", "203.0.113.77"],
    ["203.0.113.77", "truncate", "203.0.113.0"],
    ["203.0.113.77", "drop", null],
    ["::ffff:203.0.113.77", "truncate", "203.0.113.0"],
    ["2001:db8:85a3:8d3:1319:8a2e:370:7348", "truncate", "2001:db8:85a3::"],
    ["2001:DB8::1", "truncate", "2001:db8:0::"],
    ["::1", "truncate", "0:0:0::"],
    ["not an ip", "keep", null],
  ])("%s with %s", (ip, policy, expected) => {
    expect(applyIpPolicy(ip, policy)).toBe(expected);
  });

  test("context.ip is used and rewritten; $ip mirrors it", () => {
    const r = run([track({ context: { ip: "198.51.100.9" } })]);
    expect([r.messages[0]?.context.ip, r.messages[0]?.properties.$ip]).toEqual(["198.51.100.0", "198.51.100.0"]);
  });

  test("the peer address is the user's only on browser routes or with context.direct", () => {
    expect(props([track()])?.$ip).toBeUndefined();
    expect(props([track()], ctx({ browserRoute: true }))?.$ip).toBe("203.0.113.0");
    expect(props([track({ context: { direct: true } })])?.$ip).toBe("203.0.113.0");
  });

  test("drop removes the address everywhere", () => {
    const m = run([track({ context: { ip: "198.51.100.9" }, properties: { $ip: "1.1.1.1" } })], ctx({ settings: { ipPolicy: "drop" } })).messages[0];
    expect([m?.context.ip, m?.properties.$ip]).toEqual([undefined, undefined]);
  });
});
