/**
 * Protects the `$channel` rules documented in channel.ts: paid before organic, WeChat/Douyin as channels of
 * their own (also recognised from the in-app browser when links arrive without a referrer), internal
 * navigation giving no channel so first-touch breakdowns keep the landing page's.
 */
import { expect, test } from "bun:test";
import { channelOf, type Channel, type ChannelInput } from "./channel.ts";

const page = "shop.example.com";
const ids = (...k: string[]) => new Set(k);

test.each<[string, ChannelInput, Channel | null]>([
  ["nothing at all", { pageHost: page }, "direct"],
  ["gclid", { pageHost: page, clickIds: ids("gclid") }, "paid_search"],
  ["Baidu bd_vid", { pageHost: page, clickIds: ids("bd_vid") }, "paid_search"],
  ["cpc from baidu", { source: "baidu", medium: "cpc", pageHost: page }, "paid_search"],
  ["cpc with a search referrer", { medium: "cpc", referrerHost: "www.google.com", pageHost: page }, "paid_search"],
  ["paid from douyin", { source: "douyin", medium: "paid", pageHost: page }, "paid_social"],
  ["paid from wechat moments", { source: "wechat_moments", medium: "cpc", pageHost: page }, "paid_social"],
  ["Tencent ads click id", { pageHost: page, clickIds: ids("gdt_vid") }, "paid_social"],
  ["ttclid", { pageHost: page, clickIds: ids("ttclid") }, "paid_social"],
  ["fbclid with cpc", { medium: "cpc", source: "facebook", clickIds: ids("fbclid"), pageHost: page }, "paid_social"],
  ["display banner", { medium: "banner", source: "adnet", pageHost: page }, "display"],
  ["cpc from an unknown network", { medium: "cpc", source: "adnet", pageHost: page }, "paid_other"],
  ["email", { medium: "email", source: "newsletter_may", pageHost: page }, "email"],
  ["EDM (Chinese marketing term)", { medium: "EDM", pageHost: page }, "email"],
  ["sms", { source: "sms", pageHost: page }, "sms"],
  ["affiliate", { medium: "affiliate", source: "partner1", pageHost: page }, "affiliate"],
  ["wechat source", { source: "weixin", medium: "share", pageHost: page }, "wechat"],
  ["official account article referrer", { referrerHost: "mp.weixin.qq.com", pageHost: page }, "wechat"],
  ["WeChat in-app without referrer", { browser: "WeChat", pageHost: page }, "wechat"],
  ["WeCom in-app without referrer", { browser: "WeCom", pageHost: page }, "wechat"],
  ["douyin referrer", { referrerHost: "www.douyin.com", pageHost: page }, "douyin"],
  ["Douyin in-app without referrer", { browser: "Douyin", pageHost: page }, "douyin"],
  ["google organic", { referrerHost: "www.google.com.hk", pageHost: page }, "organic_search"],
  ["baidu organic", { referrerHost: "m.baidu.com", pageHost: page }, "organic_search"],
  ["sogou organic", { referrerHost: "wap.sogou.com", pageHost: page }, "organic_search"],
  ["Weibo", { referrerHost: "weibo.com", pageHost: page }, "social"],
  ["Xiaohongshu short link", { referrerHost: "xhslink.com", pageHost: page }, "social"],
  ["Zhihu", { referrerHost: "www.zhihu.com", pageHost: page }, "social"],
  ["t.co", { referrerHost: "t.co", pageHost: page }, "social"],
  ["medium social", { medium: "social", source: "someplace", pageHost: page }, "social"],
  ["other site", { referrerHost: "blog.partner.cn", pageHost: page }, "referral"],
  ["tagged but unknown", { source: "poster", medium: "offline", pageHost: page }, "other"],
  ["mini program shared in a chat (scene 1007)", { scene: 1007 }, "wechat"],
  ["mini program from a QR code (scene 1011)", { scene: 1011 }, "wechat"],
  ["mini program from WeChat search (scene 1053)", { scene: 1053 }, "organic_search"],
  ["mini program from a Moments ad (scene 1045)", { scene: 1045 }, "paid_social"],
  ["mini program from the recent list (scene 1089)", { scene: 1089 }, "direct"],
  ["mini program with utm tags: the tags win over the scene", { scene: 1007, source: "poster", medium: "offline" }, "other"],
  ["internal navigation gives no channel", { referrerHost: "shop.example.com", pageHost: page }, null],
  ["www. is the same host", { referrerHost: "www.shop.example.com", pageHost: page }, null],
  ["WeChat in-app internal navigation", { browser: "WeChat", referrerHost: page, pageHost: page }, null],
  ["tags win over the internal referrer", { source: "wechat", referrerHost: page, pageHost: page }, "wechat"],
  // from PostHog's channel-type cases
  ["a source written as a domain", { source: "youtube.com", medium: "cpc", pageHost: page }, "paid_social"],
  ["a source written as a country domain", { source: "google.co.uk", medium: "cpc", pageHost: page }, "paid_search"],
  ["Performance Max", { source: "google", medium: "pmax", pageHost: page }, "paid_search"],
  ["gad_source alone", { clickIds: new Set(["gad_source"]), pageHost: page }, "paid_search"],
  ["fbclid alone", { clickIds: new Set(["fbclid"]), pageHost: page }, "social"],
])("%s", (_name, input, expected) => {
  expect(channelOf(input)).toBe(expected);
});
