/**
 * put_channel: `$channel` attribution (rules and reasons in channel.ts) for events that happened on a page or
 * carry campaign tags; server-side events without either get none rather than a misleading "direct".
 */
import { channelOf } from "../channel.ts";
import { obj } from "../json.ts";
import { parseUrl } from "../url.ts";
import type { Step } from "./step.ts";

const text = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);

export const putChannel: Step = {
  name: "put_channel",
  run(msg) {
    const p = msg.properties;
    const hasPage = p.$current_url !== undefined || p.$referrer !== undefined;
    const hasTags = p.utm_source !== undefined || p.utm_medium !== undefined || p.utm_campaign !== undefined;
    if (p.$channel !== undefined || (!hasPage && !hasTags && !obj(msg.context, "campaign"))) return msg;
    const u = parseUrl(text(p.$current_url));
    const channel = channelOf({
      source: text(p.utm_source),
      medium: text(p.utm_medium),
      campaign: text(p.utm_campaign),
      clickIds: u ? new Set(u.searchParams.keys()) : undefined,
      referrerHost: text(p.$referring_domain),
      pageHost: u?.hostname ?? null,
      browser: text(p.$browser),
    });
    if (channel) p.$channel = channel;
    return msg;
  },
};
