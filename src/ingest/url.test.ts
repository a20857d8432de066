/**
 * Protects the regex URL splitter the enrich steps use instead of `new URL()` (for speed): hosts with ports,
 * user info and IPv6 literals, missing paths, and tolerant decoding of UTM values.
 */
import { expect, test } from "bun:test";
import { hostOf, queryParams, splitUrl } from "./url.ts";

test.each<[string, ReturnType<typeof splitUrl>]>([
  ["https://Shop.Example.com/a/b?x=1#frag", { host: "shop.example.com", hostname: "shop.example.com", pathname: "/a/b", query: "x=1" }],
  ["http://localhost:8080", { host: "localhost:8080", hostname: "localhost", pathname: "/", query: "" }],
  ["https://user:pw@x.cn/p", { host: "x.cn", hostname: "x.cn", pathname: "/p", query: "" }],
  ["http://[2001:db8::1]:3000/?a", { host: "[2001:db8::1]:3000", hostname: "[2001:db8::1]", pathname: "/", query: "a" }],
  ["/relative/path", null],
  ["not a url", null],
  ["", null],
])("splitUrl(%p)", (url, expected) => {
  expect(splitUrl(url)).toEqual(expected);
});

test("hostOf accepts bare hosts and URLs", () => {
  expect(hostOf("www.Baidu.com")).toBe("www.baidu.com");
  expect(hostOf("https://mp.weixin.qq.com/s/abc")).toBe("mp.weixin.qq.com");
  expect(hostOf("")).toBeNull();
});

test("queryParams decodes, keeps the first occurrence, survives bad escapes", () => {
  const q = queryParams("utm_source=%E5%BE%AE%E4%BF%A1&utm_medium=a+b&utm_source=again&utm_term=%E0%A4%A&x=1", "utm_");
  expect(Object.fromEntries(q)).toEqual({ utm_source: "微信", utm_medium: "a b", utm_term: "%E0%A4%A" });
});
