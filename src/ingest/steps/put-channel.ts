/**
 * put_channel: `$channel` attribution (rules and reasons in channel.ts) for events that happened on a page or
 * carry campaign tags; server-side events without either get none rather than a misleading "direct".
 * Inputs repeat heavily (same campaign, same referrer), so verdicts are cached by their inputs.
 */
import { channelOf, type Channel } from "../channel.ts";
import { obj } from "../json.ts";
import { splitUrl } from "../url.ts";
import type { Step } from "./step.ts";

const text = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);

const CLICK_ID = /(?:^|&)(gclid|gbraid|wbraid|msclkid|bd_vid|gad_source|fbclid|ttclid|gdt_vid|qz_gdt)(?==|&|$)/g;
const CACHE_MAX = 5000;
const cache = new Map<string, Channel | null>();

export const putChannel: Step = {
  name: "put_channel",
  run(msg) {
    const p = msg.properties;
    const hasPage = p.$current_url !== undefined || p.$referrer !== undefined;
    const hasTags = p.utm_source !== undefined || p.utm_medium !== undefined || p.utm_campaign !== undefined;
    if (p.$channel !== undefined || (!hasPage && !hasTags && !obj(msg.context, "campaign"))) return msg;
    const u = splitUrl(text(p.$current_url));
    const clickIds = new Set<string>();
    if (u && u.query !== "") for (const m of u.query.matchAll(CLICK_ID)) clickIds.add(m[1]!);
    const input = {
      source: text(p.utm_source),
      medium: text(p.utm_medium),
      campaign: text(p.utm_campaign),
      clickIds,
      referrerHost: text(p.$referring_domain),
      pageHost: u?.hostname ?? null,
      browser: text(p.$browser),
      scene: typeof p.$scene === "number" ? p.$scene : null,
    };
    const key = `${input.source}\u0000${input.medium}\u0000${input.campaign !== null}\u0000${[...input.clickIds].join(",")}\u0000${input.referrerHost}\u0000${input.pageHost}\u0000${input.browser}\u0000${input.scene}`;
    let channel = cache.get(key);
    if (channel === undefined) {
      channel = channelOf(input);
      if (cache.size >= CACHE_MAX) cache.clear();
      cache.set(key, channel);
    }
    if (channel) p.$channel = channel;
    return msg;
  },
};
