/**
 * Channel attribution (`$channel`) from UTM tags, click ids, the referrer and the in-app browser, in the spirit of
 * GA4's default channel groups, extended for Chinese traffic (WeChat and Douyin are channels of their own:
 * links shared there usually arrive without a referrer). Rules, first match wins:
 *
 * | channel          | when |
 * |------------------|------|
 * | `paid_search`    | gclid/gbraid/wbraid/msclkid/bd_vid/gad_source in the URL, or a paid medium (cpc, ppc, sem, pmax, paid…) from a search source |
 * | `paid_social`    | fbclid/ttclid/gdt_vid/qz_gdt with a paid medium or alone for ttclid/gdt_vid/qz_gdt, or a paid medium from a social/WeChat/Douyin source |
 * | `display`        | medium display, banner, cpm, interstitial, expandable |
 * | `paid_other`     | any other paid medium (cpc, ppc, paid, cpa, cpv, retargeting) |
 * | `email`          | medium or source email, e-mail, edm, newsletter |
 * | `sms`            | medium or source sms |
 * | `affiliate`      | medium affiliate, cps |
 * | `wechat`         | source wechat/weixin/wx…, referrer *.weixin.qq.com / wx.qq.com / work.weixin.qq.com, or WeChat/WeCom in-app browser without referrer |
 * | `douyin`         | source douyin/tiktok/aweme, referrer douyin.com / iesdouyin.com / tiktok.com, or Douyin/TikTok in-app browser without referrer |
 * | `organic_search` | medium organic, or a search-engine referrer (Google, Bing, Baidu, Sogou, 360, Shenma, Yahoo, Yandex, DuckDuckGo, Naver, Toutiao search…) |
 * | `social`         | medium social/sm/social-media, a social source, a social referrer (Weibo, Xiaohongshu, Zhihu, Douban, Bilibili, Kuaishou, Facebook, X, LinkedIn, Reddit, YouTube…), or fbclid alone (the visit came from Facebook/Instagram) |
 * | `referral`       | any other external referrer |
 * | `other`          | UTM tags present but matching nothing above |
 * | `direct`         | no referrer and no tags |
 *
 * A referrer on the page's own host (internal navigation) without tags gives no channel at all, so
 * "first touch" breakdowns see the landing page's channel instead of "direct". A source written as a domain
 * ("youtube.com", "m.facebook.com") is read as its name, as PostHog's channel rules do.
 */

/** CHANNELS are the attribution labels stored as `$channel` (the dashboard names each of them). */
export const CHANNELS = [
  "paid_search", "paid_social", "display", "paid_other", "email", "sms", "affiliate",
  "wechat", "douyin", "organic_search", "social", "referral", "other", "direct",
] as const;

/** Channel is the attribution label stored as `$channel`. */
export type Channel = (typeof CHANNELS)[number];

/** ChannelInput are the signals of one event (all lower-cased by the caller is not required). */
export interface ChannelInput {
  readonly source?: string | null;
  readonly medium?: string | null;
  readonly campaign?: string | null;
  /** Query parameters of the page URL (click ids). */
  readonly clickIds?: ReadonlySet<string>;
  readonly referrerHost?: string | null;
  readonly pageHost?: string | null;
  /** Parsed `$browser`, to recognise in-app browsers. */
  readonly browser?: string | null;
  /** The WeChat scene a mini program was entered by (`$scene`), for its untagged traffic. */
  readonly scene?: number | null;
}

/**
 * WeChat's scene values (developers.weixin.qq.com, 场景值列表) that say where an untagged mini program visit came
 * from: its search boxes are organic search, its ad placements paid social, the user's own lists (the
 * Discover entry, the pull-down recent list, My Mini Programs, a desktop icon) direct; every other scene (chat
 * shares, QR codes, Official Account menus and articles…) is WeChat itself.
 */
const SCENE_CHANNELS: ReadonlyMap<number, Channel> = new Map([
  ...[1005, 1006, 1027, 1042, 1053].map((s) => [s, "organic_search"] as const),
  ...[1045, 1046, 1067, 1068, 1084, 1095].map((s) => [s, "paid_social"] as const),
  ...[1001, 1023, 1089, 1103, 1104].map((s) => [s, "direct"] as const),
]);

const PAID = /^(cpc|ppc|paid|paid[-_ ]?search|sem|pmax|cpa|cpv|cpm|paid[-_ ]?social|social[-_ ]?paid|retargeting|display|banner|interstitial|expandable)$/;
const DISPLAY = /^(display|banner|cpm|interstitial|expandable)$/;
const EMAIL = /^(e[-_]?mail|edm|newsletter)$/;
const AFFILIATE = /^(affiliates?|cps)$/;
const SOCIAL_MEDIUM = /^(social|sm|social[-_ ]?media|social[-_ ]?network)$/;

const SEARCH_SOURCE = /^(google|bing|baidu|sogou|so|360|sm|shenma|yahoo|yandex|duckduckgo|naver|ecosia|toutiao_search)$/;
const WECHAT_SOURCE = /^(wechat|weixin|wx|wechat[-_ ]?\w+|weixin[-_ ]?\w+|wecom|wxwork)$/;
const DOUYIN_SOURCE = /^(douyin|tiktok|aweme|ocean ?engine|juliang)$/;
const SOCIAL_SOURCE =
  /^(weibo|xiaohongshu|xhs|redbook|zhihu|douban|bilibili|kuaishou|qq|qzone|facebook|fb|instagram|ig|twitter|x|linkedin|reddit|youtube|pinterest|tieba)$/;

const SEARCH_HOST =
  /(^|\.)(google\.[a-z.]+|bing\.com|baidu\.com|sogou\.com|so\.com|sm\.cn|yahoo\.[a-z.]+|yandex\.[a-z.]+|duckduckgo\.com|naver\.com|ecosia\.org|so\.toutiao\.com|search\.brave\.com)$/;
const WECHAT_HOST = /(^|\.)(weixin\.qq\.com|wx\.qq\.com|work\.weixin\.qq\.com|servicewechat\.com)$/;
const DOUYIN_HOST = /(^|\.)(douyin\.com|iesdouyin\.com|tiktok\.com|snssdk\.com)$/;
const SOCIAL_HOST =
  /(^|\.)(weibo\.com|weibo\.cn|t\.cn|xiaohongshu\.com|xhslink\.com|zhihu\.com|douban\.com|bilibili\.com|b23\.tv|kuaishou\.com|qzone\.qq\.com|tieba\.baidu\.com|facebook\.com|fb\.com|instagram\.com|t\.co|twitter\.com|x\.com|linkedin\.com|lnkd\.in|reddit\.com|youtube\.com|youtu\.be|pinterest\.[a-z.]+)$/;

const SEARCH_CLICK_IDS = ["gclid", "gbraid", "wbraid", "msclkid", "bd_vid", "gad_source"];
const SOCIAL_CLICK_IDS = ["ttclid", "gdt_vid", "qz_gdt"];

function bare(host: string | null | undefined): string {
  return (host ?? "").toLowerCase().replace(/^www\./, "").replace(/\.$/, "");
}

/** sourceName reads a source written as a domain as its name: "youtube.com", "m.youtube.com", "google.co.uk" → the name. */
function sourceName(s: string): string {
  if (!s.includes(".")) return s;
  const labels = s.split(".").filter((l) => l !== "");
  if (labels.length < 2) return s;
  const second = labels.length >= 3 && /^(co|com|org|net|gov|edu|ac)$/.test(labels[labels.length - 2]!);
  return labels[labels.length - (second ? 3 : 2)]!;
}

/** channelOf applies the rules above; null means "internal navigation, no channel". */
export function channelOf(input: ChannelInput): Channel | null {
  const source = sourceName((input.source ?? "").trim().toLowerCase());
  const medium = (input.medium ?? "").trim().toLowerCase();
  const tagged = source !== "" || medium !== "" || (input.campaign ?? "") !== "";
  const ids = input.clickIds ?? new Set<string>();
  const ref = bare(input.referrerHost);
  const own = bare(input.pageHost);
  const external = ref !== "" && ref !== own;
  const paid = PAID.test(medium);
  const browser = input.browser ?? "";

  const searchish = SEARCH_SOURCE.test(source) || SEARCH_HOST.test(ref);
  const socialish =
    SOCIAL_SOURCE.test(source) || WECHAT_SOURCE.test(source) || DOUYIN_SOURCE.test(source) ||
    SOCIAL_HOST.test(ref) || WECHAT_HOST.test(ref) || DOUYIN_HOST.test(ref);

  if (SEARCH_CLICK_IDS.some((k) => ids.has(k)) || (paid && searchish)) return "paid_search";
  if (SOCIAL_CLICK_IDS.some((k) => ids.has(k)) || (paid && socialish) || (ids.has("fbclid") && paid)) {
    return "paid_social";
  }
  if (DISPLAY.test(medium)) return "display";
  if (paid) return "paid_other";
  if (EMAIL.test(medium) || EMAIL.test(source)) return "email";
  if (medium === "sms" || source === "sms") return "sms";
  if (AFFILIATE.test(medium)) return "affiliate";
  if (WECHAT_SOURCE.test(source) || WECHAT_HOST.test(ref)) return "wechat";
  if (DOUYIN_SOURCE.test(source) || DOUYIN_HOST.test(ref)) return "douyin";
  if (ref === "" && !tagged && typeof input.scene === "number") return SCENE_CHANNELS.get(input.scene) ?? "wechat";
  if (ref === "" && !tagged && (browser === "WeChat" || browser === "WeCom")) return "wechat";
  if (ref === "" && !tagged && (browser === "Douyin" || browser === "TikTok")) return "douyin";
  if (medium === "organic" || SEARCH_HOST.test(ref)) return "organic_search";
  if (SOCIAL_MEDIUM.test(medium) || SOCIAL_SOURCE.test(source) || SOCIAL_HOST.test(ref) || ids.has("fbclid")) return "social";
  if (external) return "referral";
  if (tagged) return "other";
  if (ref !== "") return null;
  return "direct";
}
