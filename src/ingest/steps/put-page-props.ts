/**
 * put_page_props: the page an event happened on, under the property names PostHog uses (`$current_url`,
 * `$host`, `$pathname`, `$referrer`, `$referring_domain`, `$title`), so Segment-family and PostHog events
 * filter and break down the same way. Values the client already sent as properties are kept.
 */
import { obj, str } from "../json.ts";
import { hostOf, splitUrl } from "../url.ts";
import type { Step } from "./step.ts";

export const putPageProps: Step = {
  name: "put_page_props",
  run(msg) {
    const page = obj(msg.context, "page");
    const p = msg.properties;
    // Segment page() sends url/path/referrer/title as properties too; context.page is the fallback.
    const pageProps = msg.type === "page" ? p : undefined;
    const url = str(page, "url") ?? str(pageProps, "url");
    const referrer = str(page, "referrer") ?? str(pageProps, "referrer");
    if (!url && !referrer) return msg;
    const u = splitUrl(url);
    if (url && p.$current_url === undefined) p.$current_url = url;
    if (u && p.$host === undefined) p.$host = u.host;
    const path = str(page, "path") ?? str(pageProps, "path") ?? u?.pathname;
    if (path && p.$pathname === undefined) p.$pathname = path;
    if (referrer && p.$referrer === undefined) p.$referrer = referrer;
    const refHost = hostOf(referrer);
    if (refHost && p.$referring_domain === undefined) p.$referring_domain = refHost;
    const title = str(page, "title") ?? str(pageProps, "title");
    if (title && p.$title === undefined) p.$title = title;
    return msg;
  },
};
