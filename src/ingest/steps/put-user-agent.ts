/**
 * put_user_agent: the device an event came from. From `context.userAgent` (the user's browser as reported by the
 * SDK): `$browser`, `$browser_version`, `$os`, `$os_version`, `$device_type` and `$bot`. The request's own
 * User-Agent is used only on browser routes: on /v1/batch it is the server SDK ("analytics-node-next/latest") and
 * says nothing about the user. Our parser overrides client-computed values so every source uses one vocabulary.
 *
 * Native apps (a message with `context.os` or `context.device` and no `context.page`: analytics-kotlin/-swift/
 * -react-native, analytics-android/-ios, rudder-sdk-android/-ios) describe the device in the context instead, and
 * the context is not stored, so it is copied to properties under posthog-android/-ios's names (`$app_version`,
 * `$device_model`, `$screen_width`, `$locale`, `$timezone`, `$network_wifi`, …), with `$os`/`$os_version` from
 * `context.os`. For them:
 * - the request's User-Agent is the app's HTTP client (`okhttp/4.9.2` under React Native on Android, which the bot
 *   rules would flag; `CFNetwork/… Darwin/…`; `analytics-ios/1.5`), never the user's browser: it is not read;
 * - a `Dalvik/2.1.0 (Linux; U; Android 14; Pixel 8 …)` user agent (Android's `http.agent`, which analytics-kotlin
 *   and rudder-sdk-android send as `context.userAgent`) has no "Mobile" token, which a browser UA would use to
 *   tell a phone from a tablet: its device type is left unset rather than guessed "Tablet";
 * - an app is not a browser: no `$browser` (an iOS app's WebKit UA would otherwise read as "iOS WebView").
 * A mini program's `context.wechat.scene` becomes `$scene`.
 * posthog-android/-ios/-react-native send `$os_name`; `$os` is filled from it so one OS filter sees every app.
 */
import { isObject, obj, str, type JsonObject } from "../json.ts";
import type { Message } from "../message.ts";
import { parseUserAgent } from "../ua-parser.ts";
import type { Step } from "./step.ts";

/** OS_NAMES maps the names apps report (`UIDevice.systemName`, Segment's `os.name`) to the parser's vocabulary. */
const OS_NAMES: Readonly<Record<string, string>> = {
  ios: "iOS", ipados: "iOS", "iphone os": "iOS", android: "Android", harmonyos: "HarmonyOS", openharmony: "HarmonyOS",
  "mac os x": "Mac OS X", macos: "Mac OS X", "os x": "Mac OS X", windows: "Windows", linux: "Linux", watchos: "watchOS", tvos: "tvOS",
};

/** osName normalises a reported OS name; unknown names are kept as sent. */
export function osName(name: string): string {
  const key = name.trim().toLowerCase();
  // Own keys only: "constructor" or "__proto__" would otherwise read Object.prototype's members.
  return Object.hasOwn(OS_NAMES, key) ? OS_NAMES[key]! : name.trim();
}

const text = (v: unknown): string | null => (typeof v === "string" && v.trim() !== "" ? v : null);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const bool = (v: unknown): boolean | null => (typeof v === "boolean" ? v : null);

/**
 * isNativeApp tells a mobile/desktop app's message (device described in the context) from a web page's. A WeChat
 * mini program (tessera-wx: `context.wechat`) is an app too, although its pages are in `context.page`.
 */
export function isNativeApp(context: JsonObject): boolean {
  if (obj(context, "page") && !isObject(context.wechat)) return false;
  return text(str(obj(context, "os"), "name")) !== null || isObject(context.device);
}

/** [property, context object, field, reader] copied for native apps; a property the client sent wins. */
const DEVICE_PROPS = [
  ["$app_name", "app", "name", text],
  ["$app_version", "app", "version", text],
  ["$app_build", "app", "build", text],
  ["$app_namespace", "app", "namespace", text],
  ["$device_manufacturer", "device", "manufacturer", text],
  ["$device_model", "device", "model", text],
  ["$device_name", "device", "name", text],
  ["$screen_width", "screen", "width", num],
  ["$screen_height", "screen", "height", num],
  ["$screen_density", "screen", "density", num],
  ["$network_wifi", "network", "wifi", bool],
  ["$network_cellular", "network", "cellular", bool],
  ["$network_bluetooth", "network", "bluetooth", bool],
  ["$network_carrier", "network", "carrier", text],
] as const;

/** formFactor reads an Apple model id ("iPhone15,2", "iPad13,4"); other makers' models do not say. */
function formFactor(model: string | null): "Mobile" | "Tablet" | null {
  if (model === null) return null;
  if (/^iPad/i.test(model)) return "Tablet";
  if (/^(iPhone|iPod)/i.test(model)) return "Mobile";
  return null;
}

function putNativeProps(msg: Message): void {
  const c = msg.context;
  const p = msg.properties;
  for (const [prop, from, field, read] of DEVICE_PROPS) {
    const v = read(obj(c, from)?.[field]);
    if (v !== null && p[prop] === undefined) p[prop] = v;
  }
  const locale = text(c.locale);
  if (locale && p.$locale === undefined) p.$locale = locale;
  const timezone = text(c.timezone);
  if (timezone && p.$timezone === undefined) p.$timezone = timezone;
  const os = obj(c, "os");
  const name = text(str(os, "name"));
  if (name) p.$os = osName(name);
  const version = text(str(os, "version"));
  if (version) p.$os_version = version;
  const device = formFactor(text(str(obj(c, "device"), "model")));
  if (device) p.$device_type = device;
  // The WeChat scene the mini program was entered by (1007 a chat's share, 1011 a QR code, 1045 a Moments ad…):
  // put_channel attributes untagged mini program traffic by it.
  const scene = num(obj(c, "wechat")?.scene);
  if (scene !== null && p.$scene === undefined) p.$scene = scene;
}

export const putUserAgent: Step = {
  name: "put_user_agent",
  run(msg, ctx) {
    const p = msg.properties;
    const native = isNativeApp(msg.context);
    const ua = str(msg.context, "userAgent") ?? (ctx.browserRoute && !native ? ctx.requestUserAgent : null);
    if (ua) {
      const r = parseUserAgent(ua);
      if (!native && r.browser) p.$browser = r.browser;
      if (!native && r.browserVersion) p.$browser_version = r.browserVersion;
      if (r.os) p.$os = r.os;
      if (r.osVersion) p.$os_version = r.osVersion;
      if (r.deviceType && !ua.startsWith("Dalvik/")) p.$device_type = r.deviceType;
      if (r.bot) p.$bot = true;
    }
    if (native) putNativeProps(msg);
    const reported = text(p.$os_name);
    if (reported && p.$os === undefined) p.$os = osName(reported);
    return msg;
  },
};
