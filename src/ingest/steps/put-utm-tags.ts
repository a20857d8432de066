/**
 * put_utm_tags: `utm_source`, `utm_medium`, `utm_campaign`, `utm_term`, `utm_content` from `context.campaign`
 * (analytics.js and sdk.js fill it from the landing URL; `name` is the campaign) or, failing that, from the
 * page URL's query. Properties already present (posthog-js sends utm_* itself) win.
 */
import { obj, str, type JsonObject } from "../json.ts";
import { parseUrl } from "../url.ts";
import type { Step } from "./step.ts";

const TAGS = ["source", "medium", "campaign", "term", "content"] as const;

export const putUtmTags: Step = {
  name: "put_utm_tags",
  run(msg) {
    const campaign = obj(msg.context, "campaign");
    const p: JsonObject = msg.properties;
    if (campaign) {
      for (const t of TAGS) {
        const v = str(campaign, t === "campaign" ? "name" : t) ?? str(campaign, `utm_${t}`);
        if (v && p[`utm_${t}`] === undefined) p[`utm_${t}`] = v;
      }
      return msg;
    }
    const u = parseUrl(str(obj(msg.context, "page"), "url") ?? (typeof p.$current_url === "string" ? p.$current_url : null));
    if (!u || u.search === "") return msg;
    for (const t of TAGS) {
      const v = u.searchParams.get(`utm_${t}`);
      if (v && p[`utm_${t}`] === undefined) p[`utm_${t}`] = v;
    }
    return msg;
  },
};
