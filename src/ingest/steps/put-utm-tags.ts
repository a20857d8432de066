/**
 * put_utm_tags: `utm_source`, `utm_medium`, `utm_campaign`, `utm_term`, `utm_content` from `context.campaign`
 * (analytics.js and sdk.js fill it from the landing URL; `name` is the campaign) or, failing that, from the
 * page URL's query. Properties already present (posthog-js sends utm_* itself) win.
 */
import { obj, str, type JsonObject } from "../json.ts";
import { queryParams, splitUrl } from "../url.ts";
import type { Step } from "./step.ts";

/** [property, campaign field, campaign field as analytics.js custom tags spell it] */
const TAGS = [
  ["utm_source", "source"],
  ["utm_medium", "medium"],
  ["utm_campaign", "name"],
  ["utm_term", "term"],
  ["utm_content", "content"],
] as const;

export const putUtmTags: Step = {
  name: "put_utm_tags",
  run(msg) {
    const campaign = obj(msg.context, "campaign");
    const p: JsonObject = msg.properties;
    if (campaign) {
      for (const [prop, field] of TAGS) {
        const v = str(campaign, field) ?? str(campaign, prop);
        if (v && p[prop] === undefined) p[prop] = v;
      }
      return msg;
    }
    const url = str(obj(msg.context, "page"), "url") ?? (typeof p.$current_url === "string" ? p.$current_url : null);
    if (!url || !url.includes("utm_")) return msg;
    const u = splitUrl(url);
    if (!u) return msg;
    const q = queryParams(u.query, "utm_");
    for (const [prop] of TAGS) {
      const v = q.get(prop);
      if (v && p[prop] === undefined) p[prop] = v;
    }
    return msg;
  },
};
