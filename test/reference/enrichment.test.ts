/**
 * Reference cases for ingest enrichment and consent (SPEC §3: "Enrichment: user agent → browser/os/device;
 * `context.campaign`/UTM → channel attribution …" and "Consent: `context.consent.categoryPreferences` is
 * honoured"), rebuilt from the anchors' own pins:
 * - Channels: PostHog's channel-type tests, `PostHog/posthog` `posthog/hogql/database/schema/test/test_channel_type.py`
 *   (rules in `channel_type.py`). PostHog classifies a session or a person's initial properties; we stamp `$channel`
 *   on each event, so each case is one analytics.js-shaped page view whose landing URL, referrer and
 *   `context.campaign` carry PostHog's inputs, and we read the stored `$channel` back.
 * - User agents: posthog-js's `packages/browser/src/__tests__/utils/user-agent-utils.test.ts` (browser, version and
 *   OS cases), sent as Segment `context.userAgent`, read back as `$browser`/`$browser_version`/`$os`/`$device_type`.
 * - Consent: Segment's "Consent in Segment Connections" page (`segmentio/segment-docs`
 *   `src/privacy/consent-management/consent-in-segment-connections.md`): which events reach a destination mapped to
 *   the analytics category. Our store is that destination (source setting `consentCategories`, default
 *   analytics/statistics/measurement).
 * Everything goes through `POST /v1/batch` and is read back through `GET /api/persons?search=` and the person's
 * timeline, as an SDK user would see it.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { byIdentifier, referenceApp, stored, type Props, type ReferenceApp, type StoredEvent } from "./harness.ts";

const KEY = "rs_reference_enrichment_01";
const T0 = "2026-03-02T10:00:00.000Z";

/** campaignOf is what analytics.js puts in `context.campaign` for a landing URL: its utm_* tags, `name` for the campaign. */
function campaignOf(url: string): Props | undefined {
  const q = new URL(url).searchParams;
  const out: Props = {};
  for (const [tag, field] of [["utm_source", "source"], ["utm_medium", "medium"], ["utm_campaign", "name"], ["utm_term", "term"], ["utm_content", "content"]]) {
    const v = q.get(tag!);
    if (v !== null) out[field!] = v;
  }
  return Object.keys(out).length ? out : undefined;
}

/** landing is an analytics.js page view of `url`, arrived at from `referrer` ("" = none), as anonymous `anon`. */
function landing(anon: string, url: string, referrer: string, campaign: Props | undefined = campaignOf(url)) {
  return {
    type: "page", anonymousId: anon, timestamp: T0, properties: {},
    context: { page: { url, ...(referrer ? { referrer } : {}) }, ...(campaign ? { campaign } : {}) },
  };
}

/** world is one app for a describe block, with the person finders and timeline readers of the harness. */
async function world() {
  const h = await referenceApp(KEY, { now: "2026-03-02T12:00:00.000Z" });
  const find = byIdentifier(h);
  return { h, ...find, ...stored(h, find.must) };
}
type World = Awaited<ReturnType<typeof world>>;

/** only reads the single event an anonymous visitor sent. */
async function only(w: World, anon: string): Promise<StoredEvent> {
  const events = await w.events("anonymous_id", anon);
  expect(events.length, `events of ${anon}`).toBe(1);
  return events[0]!;
}

// ───────────────────────────────────────────── channel attribution ─────────────────────────────────────────────

/**
 * PostHog's channel names mapped onto ours (channel.ts): the "Video" and "Shopping" groups do not exist in our
 * table — YouTube is one of our social sites, shops are ordinary referrers — so "Organic Video" reads `social`,
 * "Paid Video" `paid_social`, "Paid Unknown"/"Paid Other" `paid_other`.
 */
type ChannelCase = {
  name: string;
  /** the PostHog test the case comes from */
  from: string;
  url: string;
  referrer: string;
  campaign?: Props;
  posthog: string;
  ours: string;
  /** why ours is not PostHog's name mapped one to one, when it is not */
  differs?: string;
};

const CHANNEL_CASES: ChannelCase[] = [
  {
    name: "nothing at all is direct", from: "test_direct",
    url: "https://www.office.co.uk/", referrer: "", posthog: "Direct", ours: "direct",
  },
  {
    name: "empty UTM values are no tags: direct", from: "test_direct_empty_string",
    url: "https://www.office.co.uk/", referrer: "", campaign: { source: "", medium: "", name: "" },
    posthog: "Direct", ours: "direct",
  },
  {
    name: "unknown tags without referrer", from: "test_direct_with_red_herring_utm_tags_is_direct",
    url: "https://www.office.co.uk/", referrer: "", campaign: { source: "what", medium: "who", name: "slim shady" },
    posthog: "Direct", ours: "other",
    differs: "channel.ts: `other` = \"UTM tags present but matching nothing above\"; PostHog calls untagged-looking tags direct",
  },
  {
    name: "unknown referring site is a referral", from: "test_unknown_domain_is_referral",
    url: "https://www.office.co.uk/", referrer: "https://some-unknown-domain.example.com/", posthog: "Referral", ours: "referral",
  },
  {
    name: "numeric campaign fields do not break attribution", from: "test_doesnt_fail_on_numbers",
    url: "https://www.office.co.uk/", referrer: "https://example.com/", campaign: { source: 123, medium: 123, name: 123 },
    posthog: "Referral", ours: "referral",
  },
  {
    name: "ppc from Yahoo is paid search", from: "test_paid_search_source",
    url: "https://www.office.co.uk/?utm_source=yahoo&utm_medium=ppc", referrer: "", posthog: "Paid Search", ours: "paid_search",
  },
  {
    name: "cpc with a YouTube referrer", from: "test_paid_video",
    url: "https://www.office.co.uk/?utm_medium=cpc", referrer: "https://youtube.com/", posthog: "Paid Video", ours: "paid_social",
  },
  // Fails today (paid_other): SOURCE lists bare names ("youtube") and no domain-form sources ("youtube.com"), which
  // PostHog's source lookup and GA4's source lists both accept. Our rule "a paid medium from a social source" meant it.
  {
    name: "cpc with utm_source youtube.com", from: "test_paid_video_source",
    url: "https://www.office.co.uk/?utm_source=youtube.com&utm_medium=cpc", referrer: "", posthog: "Paid Video", ours: "paid_social",
  },
  {
    name: "YouTube referrer, no tags", from: "test_organic_video / test_youtube_organic",
    url: "https://twitter.com/hbomberguy", referrer: "https://www.youtube.com/", posthog: "Organic Video", ours: "social",
  },
  {
    name: "Google ad click in Chrome (gclid + gad_source, no referrer)", from: "test_chrome_google_search_for_shoes",
    url: "https://www.vivaia.com/item/square-toe-v-cut-flats-p_10003645.html?gid=10011676&currency=GBP&shipping_country_code=GB&gad_source=1&gclid=CjwKCAiA98WrBhAYEiwA2WvhOuiyZpOvzXUVBP0KNplo9EFUSYmm4-gaxt_nFGB4knYLxi-l909iYxoC3OsQAvD_BwE",
    referrer: "", posthog: "Paid Search", ours: "paid_search",
  },
  // Fails today (other): we know neither Google's `gad_source` landing parameter (Google Ads auto-tagging, present
  // when the browser strips gclid) nor "pmax" as a paid medium, so a tagged Google ad lands in `other`.
  {
    name: "Google Performance Max ad in Firefox (gad_source, medium pmax, no gclid)", from: "test_firefox_google_search_for_shoes",
    url: "https://www.allbirds.co.uk/products/mens-wool-runner-mizzles-deep-emerald?gad_source=1&size=uk-7&utm_campaign=PMax%20%2F%2F%20UK%20%2F%2F%20Lifestyle%20Shoes&utm_content=&utm_medium=pmax&utm_source=google&utm_term=",
    referrer: "", posthog: "Paid Search", ours: "paid_search",
  },
  {
    name: "gclid from a Google display slot (googlesyndication referrer)", from: "test_daily_mail_ad_click",
    url: "https://www.vivaia.com/item/square-toe-v-cut-flats-p_10003645.html?gid=10011676&currency=GBP&shipping_country_code=GB&gclid=EAIaIQobChMIxvGy5rr_ggMVYi0GAB0KSAumEAEYASABEgLZ2PD_BwE",
    referrer: "https://2bb5cd7f10ba63d8b55ecfac1a3948db.safeframe.googlesyndication.com/", posthog: "Paid Unknown", ours: "paid_search",
    differs: "channel.ts: `paid_search` when \"gclid/gbraid/wbraid/msclkid/bd_vid in the URL\" — first rule, whatever the referrer",
  },
  {
    name: "Google organic result", from: "test_google_organic",
    url: "https://www.office.co.uk/", referrer: "https://www.google.com/", posthog: "Organic Search", ours: "organic_search",
  },
  {
    name: "Facebook sidebar ad (facebook/cpc + fbclid)", from: "test_facebook_sidebar_ad",
    url: "https://www.tothefairest.com/shop/?utm_source=facebook&utm_medium=cpc&utm_campaign=120201466136570051&fbclid=IwAR30EpkagUJ3vLo7_tl0R8FjnA3vnm5d6jzHvjwhNCm4kXDsAmTfDsckJBc",
    referrer: "https://l.facebook.com/", posthog: "Paid Social", ours: "paid_social",
  },
  {
    name: "Facebook feed link (fbclid only, Facebook referrer)", from: "test_facebook_feed_organic_link",
    url: "https://lifehacker.com/get-two-of-obsidian-entertainments-best-pc-rpgs-for-fre-1845845998?fbclid=IwAR1ZEOUVr76FRjZWnIio-v0gl5WWvd8soknOd6W6h580Grk34-Jpl1ai-kU",
    referrer: "https://l.facebook.com/", posthog: "Organic Social", ours: "social",
  },
  // Fails today (direct): fbclid only counts with a paid medium (channel.ts), so a Facebook/Instagram click whose
  // referrer was stripped is called `direct` — the one verdict an fbclid rules out.
  {
    name: "fbclid alone, referrer stripped", from: "test_fbclid_only",
    url: "https://xyz.com/?fbclid=ABC", referrer: "", posthog: "Organic Social", ours: "social",
  },
  {
    name: "Bing shopping ad in Firefox (bing/cpc, no click id, no referrer)", from: "test_bing_ad_click (firefox)",
    url: "https://www.nisbets.co.uk/nisbets-essentials-chefs-clog-black-3839/b979-3839?vatToggle=incvat&plaid=1&utm_source=bing&utm_medium=cpc&utm_campaign=8+-+Shopping+-+Clothing&utm_term=4581527532440033&utm_content=Clothing",
    referrer: "", posthog: "Paid Search", ours: "paid_search",
  },
  {
    name: "DuckDuckGo ad (msclkid + bing/cpc)", from: "test_duckduckgo_paid_click",
    url: "https://www.temu.com/uk/kuiper/un2.html?_p_rfs=1&_x_ads_channel=bing&msclkid=0c97748ea8581c0fa51611f9afccba18&utm_source=bing&utm_medium=cpc&utm_campaign=0725_WJJ_UK_KW",
    referrer: "https://duckduckgo.com/", posthog: "Paid Search", ours: "paid_search",
  },
  {
    name: "DuckDuckGo organic result", from: "test_duckduckgo_organic_click",
    url: "https://www.asos.com/women/shoes/cat/?cid=4172", referrer: "https://duckduckgo.com/", posthog: "Organic Search", ours: "organic_search",
  },
  {
    name: "capitalised Facebook / Paid is paid social", from: "test_zendesk_ticket_14945",
    url: "https://www.office.co.uk/?utm_source=Facebook&utm_medium=Paid&utm_campaign=Foo", referrer: "https://l.facebook.com/",
    posthog: "Paid Social", ours: "paid_social",
  },
  {
    name: "medium email beats a search referrer", from: "test_zendesk_ticket_14945 (substack)",
    url: "https://www.office.co.uk/?utm_source=substack&utm_medium=email", referrer: "https://bing.com/", posthog: "Email", ours: "email",
  },
  {
    name: "medium affiliate beats a search referrer", from: "test_zendesk_ticket_14945 (affiliate)",
    url: "https://www.office.co.uk/?utm_source=Foo&utm_medium=affiliate", referrer: "https://bing.com/", posthog: "Affiliate", ours: "affiliate",
  },
];

describe("channel attribution: PostHog test_channel_type.py, one landing page view per case", () => {
  let w: World;
  beforeAll(async () => {
    w = await world();
    await w.h.ingestAll(CHANNEL_CASES.map((c, i) => landing(`ch-${i}`, c.url, c.referrer, c.campaign ?? campaignOf(c.url))));
  });

  test.each(CHANNEL_CASES.map((c, i) => [c.name, c, i] as const))("%s", async (_name, c, i) => {
    const e = await only(w, `ch-${i}`);
    expect(e.event).toBe("$pageview");
    // PostHog (c.from) answers c.posthog; ours is that name mapped (or the documented difference c.differs).
    expect(e.properties.$channel, `${c.from}: PostHog ${c.posthog}${c.differs ? `; differs on purpose: ${c.differs}` : ""}`).toBe(c.ours);
  });

  test("the UTM tags land on the event as PostHog names them (utm_source, utm_medium, utm_campaign)", async () => {
    // test_facebook_sidebar_ad's tags, read from context.campaign as analytics.js sends them.
    const i = CHANNEL_CASES.findIndex((c) => c.from === "test_facebook_sidebar_ad");
    const p = (await only(w, `ch-${i}`)).properties;
    expect(p).toMatchObject({
      utm_source: "facebook", utm_medium: "cpc", utm_campaign: "120201466136570051",
      $referring_domain: "l.facebook.com", $host: "www.tothefairest.com", $pathname: "/shop/",
    });
  });
});

// ───────────────────────────────────────────── user agents ─────────────────────────────────────────────

/**
 * Our names are posthog-js's (ua-parser.ts: Mobile Safari, Chrome iOS, Firefox iOS, Microsoft Edge, Mac OS X).
 * posthog-js's `$browser_version` is the number major.minor (91.0); ours is the full version text, whose leading
 * number is the same.
 */

type UaCase = { name: string; ua: string; browser: string; version: number; os: string; device?: string };

// The `name`s are posthog-js's test case names; browser/version from its browser cases, os from the UA (and its
// osVersion cases where it pins one), device from detectDeviceType's Desktop/Mobile/Tablet vocabulary.
const UA_CASES: UaCase[] = [
  { name: "Chrome 91 on Windows", ua: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/91.0.4472.124 Safari/537.36", browser: "Chrome", version: 91.0, os: "Windows", device: "Desktop" },
  { name: "Chrome 112 on mac", ua: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/112.0.0.0 Safari/537.36", browser: "Chrome", version: 112.0, os: "Mac OS X", device: "Desktop" },
  { name: "Chrome 111 on Linux", ua: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/111.0.0.0 Safari/537.36", browser: "Chrome", version: 111.0, os: "Linux", device: "Desktop" },
  { name: "Chrome 21 iOS", ua: "Mozilla/5.0 (iPhone; U; CPU iPhone OS 5_1_1 like Mac OS X; en) AppleWebKit/534.46.0 (KHTML, like Gecko) CriOS/21.0.1180.82 Mobile/9B206 Safari/7534.48.3", browser: "Chrome iOS", version: 21.0, os: "iOS", device: "Mobile" },
  { name: "Firefox 89", ua: "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:89.0) Gecko/20100101 Firefox/89.0", browser: "Firefox", version: 89.0, os: "Windows", device: "Desktop" },
  { name: "Microsoft Edge 44", ua: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Edge/44.17763.831.0", browser: "Microsoft Edge", version: 44.17763, os: "Windows", device: "Desktop" },
  { name: "UC Browser", ua: "Mozilla/5.0 (Linux; U; Android 4.2.2; en-US; Micromax A116 Build/JDQ39) AppleWebKit/534.30 (KHTML, like Gecko) Version/4.0 UCBrowser/10.7.5.658 U3/0.8.0 Mobile Safari/534.30", browser: "UC Browser", version: 10.7, os: "Android", device: "Mobile" },
  { name: "Safari", ua: "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15", browser: "Safari", version: 17.1, os: "Mac OS X", device: "Desktop" },
  { name: "Opera", ua: "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/47.0.2526.69 Safari/537.36 OPR/34.0.2036.25", browser: "Opera", version: 34.0, os: "Windows", device: "Desktop" },
  { name: "Firefox iOS", ua: "Mozilla/5.0 (iPhone; CPU iPhone OS 15_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/106.0 Mobile/15E148 Safari/605.1.15", browser: "Firefox iOS", version: 106.0, os: "iOS", device: "Mobile" },
  { name: "Samsung Internet", ua: "Mozilla/5.0 (Linux; Android 5.0.2; SAMSUNG SM-T550 Build/LRX22G) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/3.5 Chrome/38.0.2125.102 Safari/537.36", browser: "Samsung Internet", version: 3.5, os: "Android" },
  { name: "Internet Explorer", ua: "Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.2; Trident/6.0)", browser: "Internet Explorer", version: 10.0, os: "Windows", device: "Desktop" },
  { name: "mobile safari", ua: "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1", browser: "Mobile Safari", version: 16.6, os: "iOS", device: "Mobile" },
  { name: "Chrome Browser on Galaxy S3", ua: "Mozilla/5.0 (Linux; Android 4.4.4; en-us; SAMSUNG GT-I9300I Build/KTU84P) AppleWebKit/537.36 (KHTML, like Gecko) Version/1.5 Chrome/28.0.1500.94 Mobile Safari/537.36", browser: "Chrome", version: 28.0, os: "Android", device: "Mobile" },
];

/** posthog-js's osVersion cases: [ua, os, os_version] (it pads iOS versions to three parts: 8.2.0). */
const OS_VERSION_CASES: [string, string, string][] = [
  ["Mozilla/5.0 (Windows NT 6.3) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/38.0.2125.122 Safari/537.36", "Windows", "8.1"],
  ["Mozilla/5.0 (Linux; Android 4.4.2; Lenovo A7600-F Build/KOT49H) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/44.0.2403.133 Safari/537.36", "Android", "4.4.2"],
  ["Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/43.0.2357.130 Safari/537.36", "Mac OS X", "10.9.5"],
  ["Mozilla/5.0 (iPad; CPU OS 8_4 like Mac OS X) AppleWebKit/600.1.4 (KHTML, like Gecko) Version/8.0 Mobile/12H143 Safari/600.1.4", "iOS", "8.4.0"],
];

describe("user agent → browser/os/device: posthog-js user-agent-utils.test.ts through context.userAgent", () => {
  let w: World;
  beforeAll(async () => {
    w = await world();
    const track = (anon: string, ua: string) => ({ type: "track", anonymousId: anon, event: "Viewed", timestamp: T0, properties: {}, context: { userAgent: ua } });
    await w.h.ingestAll([
      ...UA_CASES.map((c, i) => track(`ua-${i}`, c.ua)),
      ...OS_VERSION_CASES.map(([ua], i) => track(`os-${i}`, ua)),
    ]);
  });

  test.each(UA_CASES.map((c, i) => [c.name, c, i] as const))("%s", async (_name, c, i) => {
    const p = (await only(w, `ua-${i}`)).properties;
    expect(p.$browser).toBe(c.browser);
    expect(Number.parseFloat(String(p.$browser_version))).toBe(c.version);
    expect(p.$os).toBe(c.os);
    if (c.device) expect(p.$device_type).toBe(c.device);
    expect(p.$bot).toBeUndefined();
  });

  test.each(OS_VERSION_CASES.map((c, i) => [c[1], c, i] as const))("os version: %s", async (_name, [, os, version], i) => {
    const p = (await only(w, `os-${i}`)).properties;
    expect(p.$os).toBe(os);
    // posthog-js pads iOS to three parts ("8.4.0"); we keep what the UA says ("8.4"). Same version, other spelling.
    expect(String(p.$os_version)).toBe(os === "iOS" ? version.replace(/\.0$/, "") : version);
  });

  test("the iPad of posthog-js's osVersion cases is a tablet", async () => {
    const i = OS_VERSION_CASES.findIndex(([ua]) => ua.includes("iPad"));
    expect((await only(w, `os-${i}`)).properties.$device_type).toBe("Tablet");
  });
});

// ───────────────────────────────────────────── consent ─────────────────────────────────────────────

/** consented is a Segment track carrying `consent` as `context.consent` (or no consent object when undefined). */
const consented = (anon: string, event: string, at: string, consent?: unknown) => ({
  type: "track", anonymousId: anon, event, timestamp: at, properties: {}, ...(consent === undefined ? {} : { context: { consent } }),
});

describe("consent: Segment 'Consent in Segment Connections', our store as the analytics destination", () => {
  let w: World;
  let h: ReferenceApp;
  beforeAll(async () => {
    w = await world();
    h = w.h;
  });

  test("no consent object: the event flows (\"Events without the consent object continue to flow\")", async () => {
    await h.ingest([consented("k-none", "Viewed", T0)]);
    expect((await w.times("anonymous_id", "k-none"))).toEqual([[T0, "Viewed"]]);
  });

  test("an empty consent object `{}`: data flows to all destinations (reconcile table, row 1)", async () => {
    await h.ingest([consented("k-empty", "Viewed", T0, {})]);
    expect((await w.times("anonymous_id", "k-empty"))).toEqual([[T0, "Viewed"]]);
  });

  test("the page's own example (Analytics false, Advertising true…) is not stored, yet acknowledged", async () => {
    const ack = await h.ingest([
      consented("k-doc", "Viewed", T0, { categoryPreferences: { Advertising: true, Analytics: false, Functional: true, DataSharing: false } }),
    ]);
    // The client is told success (Segment accepts the event too; only delivery to the destination is filtered).
    expect(ack.rejected ?? []).toEqual([]);
    expect(await w.person("anonymous_id", "k-doc")).toBeNull();
  });

  test("one visitor changing their mind: only the events sent with analytics consent are stored", async () => {
    // Reconcile table: `{ad: true, analytics: false}` with ad = advertising destinations → "No data flows to
    // analytics destinations"; `{ad: false, analytics: true}` → analytics destinations receive it.
    await h.ingest([
      consented("k-mind", "Before banner", "2026-03-02T10:00:00.000Z"),
      consented("k-mind", "Declined", "2026-03-02T10:01:00.000Z", { categoryPreferences: { ad: true, analytics: false } }),
      consented("k-mind", "Accepted analytics only", "2026-03-02T10:02:00.000Z", { categoryPreferences: { ad: false, analytics: true } }),
    ]);
    expect(await w.times("anonymous_id", "k-mind")).toEqual([
      ["2026-03-02T10:00:00.000Z", "Before banner"],
      ["2026-03-02T10:02:00.000Z", "Accepted analytics only"],
    ]);
  });

  test("an identify without analytics consent links nobody and sets no traits", async () => {
    // Consent filtering applies to every call type, identify included.
    await h.ingest([{
      type: "identify", userId: "k-user", anonymousId: "k-anon", timestamp: T0, traits: { email: "k@example.com" },
      context: { consent: { categoryPreferences: { Analytics: false } } },
    }]);
    expect(await w.person("user_id", "k-user")).toBeNull();
    expect(await w.person("anonymous_id", "k-anon")).toBeNull();
  });

  // Fails today (stored): drop_by_consent drops only on an explicit `false`, so `{}` (and, by the same page's
  // "Reconcile CMP and Segment consent category conflicts", a preferences object without any of our categories)
  // keeps the event.
  test("an empty categoryPreferences object: consent is false for every category, so the event is not stored", async () => {
    // Reconcile table, row 2: empty categoryPreference object → "Data does NOT flow to any mapped destinations -
    // consent is considered to be `false` for all categories." Our store is mapped (consentCategories).
    await h.ingest([consented("k-no-prefs", "Viewed", T0, { categoryPreferences: {} })]);
    expect(await w.person("anonymous_id", "k-no-prefs")).toBeNull();
  });
});
