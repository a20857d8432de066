/**
 * A small, dependency-free user-agent parser for the enrich step: browser (with the in-app browsers that
 * matter in China: WeChat, WeCom, Douyin, Alipay, QQ, UC, Baidu), OS (incl. HarmonyOS), device type and bots.
 * Rules are ordered: in-app browsers first because their UAs also contain "Chrome"/"Safari"/"MQQBrowser".
 * Names are posthog-js's (user-agent-utils: "Mobile Safari", "Chrome iOS", "Firefox iOS", "Microsoft Edge",
 * "Mac OS X"), so events from every SDK share one vocabulary and a PostHog user's `$browser` filters still match.
 */

/** UserAgent is what the enrich step stores as `$browser`, `$browser_version`, `$os`, `$os_version`, `$device_type`, `$bot`. */
export interface UserAgent {
  readonly browser: string | null;
  readonly browserVersion: string | null;
  readonly os: string | null;
  readonly osVersion: string | null;
  readonly deviceType: "Desktop" | "Mobile" | "Tablet" | null;
  readonly bot: boolean;
}

const BOT =
  /(?<!cu)bot[-_/;]|\bbot\b|robot|spider|crawl|slurp|headless|lighthouse|pagespeed|pingdom|uptime|monitor|facebookexternalhit|embedly|preview|curl\/|wget\/|python-requests|python-urllib|aiohttp|httpx|go-http-client|java\/|okhttp|axios\/|node-fetch|undici|libwww|scrapy|phantomjs|selenium|puppeteer|playwright|bytespider|petalbot|yisouspider|sogou web spider|360spider|applebot|bingpreview|mediapartners|semrush|ahrefs|mj12|yandex(?:bot|images)|duckduck|gptbot|chatgpt-user|claudebot|ccbot|amazonbot|perplexity/i;

type BrowserRule = readonly [name: string, pattern: RegExp];

// First match wins; the capture group is the version.
const BROWSERS: readonly BrowserRule[] = [
  ["WeCom", /wxwork\/([\d.]+)/i],
  ["WeChat", /MicroMessenger\/([\d.]+)/i],
  ["TikTok", /musical_ly_([\d.]+)|trill_([\d.]+)/i],
  ["Douyin", /aweme(?:_lite)?_([\d.]+)/i],
  ["Douyin", /BytedanceWebview|ByteLocale|aweme/i],
  ["Alipay", /AlipayClient\/([\d.]+)/i],
  ["QQ", /\sQQ\/([\d.]+)/],
  ["QQ Browser", /M?QQBrowser\/([\d.]+)/i],
  ["UC Browser", /UC ?Browser\/([\d.]+)/i],
  ["Baidu App", /baiduboxapp\/([\d.]+)/i],
  ["Baidu Browser", /(?:BIDUBrowser|baidubrowser)[/ ]?([\d.]*)/i],
  ["Huawei Browser", /HuaweiBrowser\/([\d.]+)/i],
  ["Samsung Internet", /SamsungBrowser\/([\d.]+)/i],
  ["Opera", /(?:OPR|OPiOS|OPT)\/([\d.]+)|Opera.*Version\/([\d.]+)/],
  ["Microsoft Edge", /Edg(?:e|A|iOS)?\/([\d.]+)/],
  ["Firefox iOS", /FxiOS\/([\d.]+)/],
  ["Firefox", /Firefox\/([\d.]+)/],
  ["Chrome iOS", /CriOS\/([\d.]+)/],
  ["Android WebView", /; wv\).*Chrome\/([\d.]+)/],
  ["Chrome", /(?:Headless)?Chrome\/([\d.]+)/],
  ["Internet Explorer", /MSIE ([\d.]+)|Trident\/.*rv:([\d.]+)/],
  ["Mobile Safari", /(?:iPhone|iPad|iPod).*Version\/([\d.]+).*Mobile.*Safari\//],
  ["Safari", /Version\/([\d.]+).*Safari\//],
  ["iOS WebView", /(?:iPhone|iPad|iPod).*AppleWebKit\/([\d.]+)(?!.*Safari)/],
];

const WINDOWS_VERSIONS: Readonly<Record<string, string>> = {
  "10.0": "10", "6.3": "8.1", "6.2": "8", "6.1": "7", "6.0": "Vista", "5.1": "XP",
};

function osOf(ua: string): { os: string | null; version: string | null } {
  let m: RegExpMatchArray | null;
  if ((m = ua.match(/(?:OpenHarmony|HarmonyOS)[ /]?([\d.]*)/i))) return { os: "HarmonyOS", version: m[1] || null };
  if ((m = ua.match(/(?:iPhone|iPad|iPod).*?OS (\d+(?:[_.]\d+)*)/))) return { os: "iOS", version: m[1]!.replace(/_/g, ".") };
  if (/iPhone|iPad|iPod/.test(ua)) return { os: "iOS", version: null };
  if ((m = ua.match(/Android[ /]?([\d.]*)/i))) return { os: "Android", version: m[1] || null };
  if ((m = ua.match(/Windows Phone(?: OS)? ([\d.]+)/))) return { os: "Windows Phone", version: m[1]! };
  if ((m = ua.match(/Windows NT ([\d.]+)/))) return { os: "Windows", version: WINDOWS_VERSIONS[m[1]!] ?? m[1]! };
  if (/Windows/.test(ua)) return { os: "Windows", version: null };
  if ((m = ua.match(/Mac OS X (\d+(?:[_.]\d+)*)/))) return { os: "Mac OS X", version: m[1]!.replace(/_/g, ".") };
  if (/Macintosh/.test(ua)) return { os: "Mac OS X", version: null };
  if (/CrOS/.test(ua)) return { os: "Chrome OS", version: null };
  if (/Linux|X11/.test(ua)) return { os: "Linux", version: null };
  return { os: null, version: null };
}

function deviceOf(ua: string, os: string | null): UserAgent["deviceType"] {
  if (/iPad|Tablet|Kindle|Silk|PlayBook/i.test(ua)) return "Tablet";
  if (os === "Android") return /Mobile/.test(ua) ? "Mobile" : "Tablet";
  if (/iPhone|iPod|Mobile|Phone|HarmonyOS|OpenHarmony/i.test(ua)) return "Mobile";
  if (os === "Windows" || os === "Mac OS X" || os === "Linux" || os === "Chrome OS") return "Desktop";
  return null;
}

// User agents repeat heavily (a site sees a few hundred distinct ones a day): a small cache turns ~1.2 µs of
// regex matching per event into a Map lookup. Cleared when full rather than LRU-tracked, which costs nothing.
const CACHE_MAX = 2000;
const cache = new Map<string, UserAgent>();

/** parseUserAgent classifies one User-Agent string; unknown parts are null, never guessed. */
export function parseUserAgent(ua: string): UserAgent {
  const hit = cache.get(ua);
  if (hit) return hit;
  const parsed = Object.freeze(parseUncached(ua));
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(ua, parsed);
  return parsed;
}

function parseUncached(ua: string): UserAgent {
  const bot = BOT.test(ua);
  let browser: string | null = null;
  let browserVersion: string | null = null;
  for (const [name, pattern] of BROWSERS) {
    const m = ua.match(pattern);
    if (!m) continue;
    browser = name;
    browserVersion = m.slice(1).find((v) => v !== undefined && v !== "") ?? null;
    break;
  }
  const { os, version } = osOf(ua);
  return { browser, browserVersion, os, osVersion: version, deviceType: deviceOf(ua, os), bot };
}
