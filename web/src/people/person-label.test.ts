/**
 * Protects how persons are named and grouped by channel in every list: the name trait wins, then the
 * most stable identifier; parameterised namespaces (wx_openid:<appid>) still map to their channel.
 */
import { expect, test } from "bun:test";
import { en } from "../i18n/en.ts";
import { zh } from "../i18n/zh.ts";
import { CHANNEL_ICONS, channelName, channelOf, displayName } from "./person-label.tsx";

test("every channel the identity room names has an icon", () => {
  for (const ns of ["wx_openid:wx123", "wx_unionid", "wecom_external_userid:corp1", "douyin_open_id:aw1", "taobao_buyer", "jd_pin", "youzan_open_id", "email", "phone", "anonymous_id", "user_id", "crm_member"]) {
    expect(CHANNEL_ICONS[channelOf(ns)]).toBeDefined();
  }
});

test("a person is named by name/e-mail trait, else the most stable identifier, else the id", () => {
  const ids = [{ type: "anonymous_id", value: "a-1" }, { type: "wx_openid:wx1", value: "oX" }, { type: "phone", value: "+8613800000000" }];
  expect(displayName({ id: "7", identifiers: ids, traits: { name: "王芳" } })).toBe("王芳");
  expect(displayName({ id: "7", identifiers: ids, traits: { name: "" } })).toBe("+8613800000000");
  expect(displayName({ id: "7", identifiers: [...ids, { type: "user_id", value: "u42" }], traits: {} })).toBe("u42");
  expect(displayName({ id: "7", identifiers: [], traits: {} })).toBe("#7");
});

test("every marketing channel ingestion attributes ($channel) is named in both languages", () => {
  const labels = ["paid_search", "paid_social", "display", "paid_other", "email", "sms", "affiliate", "wechat", "douyin", "organic_search", "social", "referral", "other", "direct"];
  for (const dict of [en, zh] as Record<string, string>[]) {
    const t = ((key: string) => dict[key] ?? key) as Parameters<typeof channelName>[1];
    for (const c of labels) expect(channelName(c, t)).not.toBe(c);
  }
  expect(channelName("spring_sale", ((k: string) => k) as Parameters<typeof channelName>[1])).toBe("spring_sale");
});
