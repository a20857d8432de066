/**
 * put_user_agent: `$browser`, `$browser_version`, `$os`, `$os_version`, `$device_type` and `$bot` from
 * `context.userAgent` (the user's browser as reported by the SDK). The request's own User-Agent is used only on
 * browser routes: on /v1/batch it is the server SDK ("analytics-node-next/latest") and says nothing about the user.
 * Our parser overrides client-computed values so every source uses one vocabulary.
 */
import { str } from "../json.ts";
import { parseUserAgent } from "../ua-parser.ts";
import type { Step } from "./step.ts";

export const putUserAgent: Step = {
  name: "put_user_agent",
  run(msg, ctx) {
    const ua = str(msg.context, "userAgent") ?? (ctx.browserRoute ? ctx.requestUserAgent : null);
    if (!ua) return msg;
    const p = msg.properties;
    const r = parseUserAgent(ua);
    if (r.browser) p.$browser = r.browser;
    if (r.browserVersion) p.$browser_version = r.browserVersion;
    if (r.os) p.$os = r.os;
    if (r.osVersion) p.$os_version = r.osVersion;
    if (r.deviceType) p.$device_type = r.deviceType;
    if (r.bot) p.$bot = true;
    return msg;
  },
};
