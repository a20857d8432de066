/**
 * Protects put_user_agent for native apps: the context's os/app/device/screen/network/locale/timezone become
 * properties (the context is not stored), the HTTP client's User-Agent (okhttp, CFNetwork) is never read as a
 * browser's, a Dalvik user agent does not make every Android phone a tablet, and browser messages are unchanged.
 */
import { describe, expect, test } from "bun:test";
import type { JsonObject } from "../json.ts";
import { EMPTY_TRAITS, type Message } from "../message.ts";
import { defaultSettings } from "../source.ts";
import { isNativeApp, osName, putUserAgent } from "./put-user-agent.ts";
import { isDrop, type StepContext } from "./step.ts";

function message(context: JsonObject, properties: JsonObject = {}): Message {
  return {
    sourceId: 1, sourceName: "App", wire: "segment", type: "track", event: "e", messageId: "m", userId: null, anonymousId: "a",
    distinctId: null, previousId: null, groupId: null, groupType: null, groupTraits: null, identifiers: [], traits: EMPTY_TRAITS,
    properties, context, timestamp: 0, receivedAt: 0, sentAt: null, originalTimestamp: null,
  };
}

function run(context: JsonObject, opts: { requestUserAgent?: string; browserRoute?: boolean; properties?: JsonObject } = {}): JsonObject {
  const ctx: StepContext = {
    source: { id: 1, name: "App", settings: defaultSettings },
    peerIp: null,
    requestUserAgent: opts.requestUserAgent ?? null,
    browserRoute: opts.browserRoute ?? false,
    isSuppressed: () => false,
  };
  const r = putUserAgent.run(message(context, opts.properties), ctx);
  if (isDrop(r)) throw new Error("put_user_agent never drops");
  return r.properties;
}

const KOTLIN: JsonObject = {
  app: { name: "Tea Shop", version: "2.4.1", namespace: "cn.example.tea", build: "241" },
  device: { id: "b3f1", manufacturer: "Google", model: "Pixel 8", name: "shiba", type: "android" },
  os: { name: "Android", version: "14" },
  screen: { density: 2.625, height: 2205, width: 1080 },
  network: { wifi: true, bluetooth: false, cellular: true },
  locale: "zh-CN", timezone: "Asia/Shanghai",
  userAgent: "Dalvik/2.1.0 (Linux; U; Android 14; Pixel 8 Build/AP1A.240305.019)",
  library: { name: "analytics-kotlin", version: "1.16.0" },
};

describe("native apps", () => {
  test("analytics-kotlin's context becomes properties; Dalvik gives Android but no device type; no $browser", () => {
    expect(run(KOTLIN)).toEqual({
      $os: "Android", $os_version: "14",
      $app_name: "Tea Shop", $app_version: "2.4.1", $app_build: "241", $app_namespace: "cn.example.tea",
      $device_manufacturer: "Google", $device_model: "Pixel 8", $device_name: "shiba",
      $screen_width: 1080, $screen_height: 2205, $screen_density: 2.625,
      $network_wifi: true, $network_cellular: true, $network_bluetooth: false,
      $locale: "zh-CN", $timezone: "Asia/Shanghai",
    });
  });

  test("React Native on Android: the request's okhttp User-Agent on /v1/b is the HTTP client, not a bot", () => {
    const p = run({ os: { name: "Android", version: "13" }, device: { model: "SM-S918B", type: "android" } }, { requestUserAgent: "okhttp/4.9.2", browserRoute: true });
    expect(p.$bot).toBeUndefined();
    expect([p.$os, p.$os_version, p.$device_model, p.$browser, p.$device_type]).toEqual(["Android", "13", "SM-S918B", undefined, undefined]);
  });

  test("an iOS app: UIDevice's names, the model id says phone or tablet", () => {
    expect(run({ os: { name: "iPadOS", version: "17.4" }, device: { model: "iPad13,4", type: "ios" } })).toMatchObject({ $os: "iOS", $device_type: "Tablet" });
    expect(run({ os: { name: "iOS", version: "17.4" }, device: { model: "iPhone15,2", type: "ios" } })).toMatchObject({ $os: "iOS", $device_type: "Mobile" });
    // analytics-swift's WebKit user agent: the OS and form factor are read, the "browser" is not.
    const p = run({ os: { name: "iOS", version: "17.4" }, device: { model: "iPhone15,2" }, userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148" });
    expect([p.$browser, p.$os, p.$os_version, p.$device_type]).toEqual([undefined, "iOS", "17.4", "Mobile"]);
  });

  test("properties the app sent itself win; empty strings and wrong types are not copied", () => {
    const p = run({ app: { version: "", build: 241 }, os: { name: "Android", version: "14" }, screen: { width: "1080" }, locale: "" }, { properties: { $app_version: "mine" } });
    expect(p).toEqual({ $app_version: "mine", $os: "Android", $os_version: "14" });
  });

  test("isNativeApp: a page context is a browser, even with os and screen (RudderStack JS, sdk.js)", () => {
    expect(isNativeApp({ page: { url: "https://x" }, os: { name: "", version: "" }, screen: { width: 390 } })).toBe(false);
    expect(isNativeApp({ os: { name: "", version: "" } })).toBe(false);
    expect(isNativeApp({ device: { type: "android" } })).toBe(true);
    // a WeChat mini program (tessera-wx) is an app, with its pages in the context
    expect(isNativeApp({ page: { path: "/pages/index/index" }, os: { name: "iOS" }, wechat: { scene: 1007 } })).toBe(true);
    expect([osName("iPhone OS"), osName("android"), osName("KaiOS")]).toEqual(["iOS", "Android", "KaiOS"]);
  });
});

test("an OS name that is an Object member (constructor, __proto__, toString) stays the string sent", () => {
  for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
    expect(osName(name)).toBe(name);
    expect(run({ os: { name }, device: {} }).$os).toBe(name);
    expect(run({}, { properties: { $os_name: name } }).$os).toBe(name);
  }
});

describe("browsers and PostHog's mobile SDKs", () => {
  test("a browser message is parsed as before; the request UA still serves browser routes without a context UA", () => {
    const ua = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Mobile Safari/537.36";
    const p = run({ page: { url: "https://x/" }, userAgent: ua, screen: { width: 412 }, locale: "zh-CN" });
    expect(p).toEqual({ $browser: "Chrome", $browser_version: "122.0.0.0", $os: "Android", $os_version: "14", $device_type: "Mobile" });
    expect(run({}, { requestUserAgent: ua, browserRoute: true }).$browser).toBe("Chrome");
    expect(run({}, { requestUserAgent: ua, browserRoute: false }).$browser).toBeUndefined();
  });

  test("posthog-android's $os_name fills $os", () => {
    expect(run({}, { properties: { $os_name: "Android", $os_version: "14" } })).toEqual({ $os_name: "Android", $os_version: "14", $os: "Android" });
  });
});

test("a WeChat mini program (tessera-wx): device fields, $os from context.os, the entry scene as $scene", () => {
  const p = run({
    library: { name: "tessera-wx", version: "1.0.0" }, page: { path: "/pages/tea/detail", url: "/pages/tea/detail?id=9" },
    os: { name: "iOS", version: "17.4" }, device: { manufacturer: "iPhone", model: "iPhone 15 Pro<iPhone16,1>", type: "ios" },
    screen: { width: 393, height: 852, density: 3 }, locale: "zh-CN", wechat: { scene: 1007, version: "8.0.49", sdkVersion: "3.4.1" },
  }, { requestUserAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) MicroMessenger/8.0.49", browserRoute: true });
  expect(p).toEqual({
    $os: "iOS", $os_version: "17.4", $device_manufacturer: "iPhone", $device_model: "iPhone 15 Pro<iPhone16,1>", $device_type: "Mobile",
    $screen_width: 393, $screen_height: 852, $screen_density: 3, $locale: "zh-CN", $scene: 1007,
  });
});
