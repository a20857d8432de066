/**
 * Protects how raw ids become identifiers: E.164 phones (China as the default country), lower-cased
 * e-mail, namespace spelling, the junk blocklist, and which identifier a message is stored with — the
 * namespace rules agreed with the ingest room for Segment and PostHog messages.
 */
import { describe, expect, test } from "bun:test";
import { channelOfSource, normaliseNamespace, normaliseValue } from "./identifier.ts";
import { extractIdentifiers, type IdentityInput } from "./identity-input.ts";
import { compileGuards, IdentitySettings } from "./identity-settings.ts";
import { JunkFilter } from "./junk.ts";
import { toE164 } from "./phone.ts";

describe("phone → E.164", () => {
  const cases: [string, string | null, string][] = ([
    ["13800138000", "+8613800138000"],
    ["138 0013 8000", "+8613800138000"],
    ["138-0013-8000", "+8613800138000"],
    ["１３８００１３８０００", "+8613800138000"],
    ["+86 138 0013 8000", "+8613800138000"],
    ["008613800138000", "+8613800138000"],
    ["8613800138000", "+8613800138000"],
    ["+86 0755 1234 5678", "+8675512345678"],
    ["0755-12345678", "+8675512345678"],
    ["+1 (415) 555-2671", "+14155552671"],
    ["12800138000", null],
    ["12345", null],
    ["phone", null],
    ["(415) 555-2671", "+14155552671", "1"],
    ["020 7946 0958", "+442079460958", "44"],
    // A Chinese mobile has 11 digits; Beijing's landlines start 10; the trunk 0 after +44 is dropped, Italy's 0 kept.
    ["+86 138 0013 800", null],
    ["+86 10 6552 9988", "+861065529988"],
    ["010-6552 9988", "+861065529988"],
    ["+86 (0)10 6552 9988", "+861065529988"],
    ["+44 (0)20 7946 0958", "+442079460958"],
    ["+44 07911 123456", "+447911123456"],
    ["+39 06 1234 5678", "+390612345678"],
  ] as [string, string | null, string?][]).map(([raw, want, cc]) => [raw, want, cc ?? "86"]);
  test.each(cases)("%p → %p", (raw, want, cc) => expect(toE164(raw, cc)).toBe(want));
});

describe("values and namespaces", () => {
  test.each([
    ["email", " Ann@Example.COM ", "ann@example.com"],
    ["email", "not-an-email", null],
    ["user_id", " U1 ", " U1 "],
    ["wx_openid:wx123", "oAbC", "oAbC"],
  ])("%s %p → %p", (ns, raw, want) => expect(normaliseValue(ns, raw, "86")).toBe(want));

  test.each([
    ["user_id", "user_id"],
    ["userId", "user_id"],
    ["Email", "email"],
    ["mobile", "phone"],
    ["WX_OPENID:wxAbC123", "wx_openid:wxAbC123"],
    ["wecom_external_userid:ww42", "wecom_external_userid:ww42"],
    ["douyin_open_id:aw9", "douyin_open_id:aw9"],
    ["my custom", null],
    ["", null],
  ])("%p → %p", (raw, want) => expect(normaliseNamespace(raw)).toBe(want));
});

describe("the channel a source stands for", () => {
  test.each([
    ["wx_mini", "wechat"], ["wx_oa", "wechat"], ["wecom", "wecom"], ["douyin", "douyin"], ["tmall", "taobao"],
    ["taobao", "taobao"], ["jd", "jd"], ["youzan", "youzan"],
    ["http", null], ["import", null], ["web", null], ["app", null], ["system", null], ["email", null],
  ])("kind %p → %p", (kind, want) => expect(channelOfSource(kind)).toBe(want));
});

describe("junk blocklist", () => {
  const junk = new JunkFilter();
  test.each(["null", "NULL", "undefined", "0", "-1", "anonymous", "Guest", "unknown", "none", "nil", "[object Object]",
    "NaN", "true", "false", "", "   ", "'null'", "\"undefined\"", "00000000-0000-0000-0000-000000000000", "000", "distinct_id",
    "not_authenticated", "nan", "'NaN'", "x".repeat(2000)])("%p is junk", (v) => expect(junk.isJunk(v)).toBe(true));
  // "Nan" stays an id, as in PostHog's process-event test (its illegal ids are case-sensitive)
  test.each(["u1", "0a", "10", "a5f8c2c0-3e61-4f4b-9d55-0c7d3b2f8e11", "oAbC-123", "nullable", "-12", "Nan", "NAN"])(
    "%p is an id", (v) => expect(junk.isJunk(v)).toBe(false));
  test("the blocklist and patterns are configurable", () => {
    const custom = new JunkFilter(["test-user", "=Guest"], ["^tmp_"]);
    expect([custom.isJunk("TEST-USER"), custom.isJunk("tmp_42"), custom.isJunk("null")]).toEqual([true, true, false]);
    expect([custom.isJunk("Guest"), custom.isJunk("guest")]).toEqual([true, false]); // "=value": that case only
  });
});

describe("which identifiers a message declares", () => {
  const guards = compileGuards(IdentitySettings.parse({}));
  const ids = (input: IdentityInput) => extractIdentifiers(input, guards).list.map((c) => `${c.ns}=${c.value}/${c.kind}`);

  test("Segment: userId is stored, anonymousId links; user_id ranks first", () => {
    expect(ids({ type: "track", userId: "u1", anonymousId: "a1" })).toEqual(["user_id=u1/event", "anonymous_id=a1/event"]);
    expect(ids({ type: "page", anonymousId: "a1", externalIds: [{ type: "user_id", id: "u1", collection: "users", encoding: "none" }] }))
      .toEqual(["anonymous_id=a1/event", "user_id=u1/event"]);
  });

  test("Segment alias: previousId is the anonymous id when it equals anonymousId, else a user_id", () => {
    expect(ids({ type: "alias", userId: "u2", anonymousId: "a1", previousId: "a1" })).toEqual(["user_id=u2/alias", "anonymous_id=a1/alias"]);
    expect(ids({ type: "alias", userId: "u2", previousId: "u1" })).toEqual(["user_id=u2/alias", "user_id=u1/alias"]);
  });

  test("PostHog: distinct_id is stored; $identify adds user_id and the anonymous distinct_id", () => {
    expect(ids({ type: "identify", distinctId: "alice", anonDistinctId: "anon-9" }))
      .toEqual(["distinct_id=alice/identify", "user_id=alice/identify", "distinct_id=anon-9/identify"]);
    expect(ids({ type: "alias", distinctId: "alice", previousId: "old" })).toEqual(["distinct_id=alice/alias", "distinct_id=old/alias"]);
    // The ingest Message already lists these; duplicates collapse.
    expect(ids({ type: "track", distinctId: "d1", identifiers: [{ type: "distinct_id", id: "d1" }] })).toEqual(["distinct_id=d1/event"]);
  });

  test("externalIds: accounts skipped, base64 decoded, junk and invalid values dropped, traits link", () => {
    expect(ids({
      type: "identify", userId: "u1",
      externalIds: [
        { type: "wx_unionid", id: Buffer.from("U-9").toString("base64"), encoding: "base64" },
        { type: "crm_id", id: "acct-1", collection: "accounts" },
        { type: "wx_openid:wx1", id: "null" },
      ],
      traits: { set: { email: "A@B.CN", phone: "bad" }, setOnce: { mobile: "13800138000" } },
    })).toEqual(["user_id=u1/identify", "wx_unionid=U-9/identify", "phone=+8613800138000/trait", "email=a@b.cn/trait"]);
  });

  test("a junk userId falls back to the anonymousId; all-junk keeps the first for storage only", () => {
    expect(ids({ type: "track", userId: "undefined", anonymousId: "a1" })).toEqual(["anonymous_id=a1/event"]);
    const all = extractIdentifiers({ type: "track", userId: "null", anonymousId: "0" }, guards);
    expect(all.onlyJunk).toBe(true);
    expect(all.list.map((c) => c.value)).toEqual(["null"]);
  });
});
