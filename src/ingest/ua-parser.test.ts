/**
 * Protects the user-agent table behind `$browser`/`$os`/`$device_type`/`$bot`: in-app browsers (WeChat, Douyin,
 * Alipay, QQ…) must win over the Chrome/Safari tokens their UAs also carry, HarmonyOS must not read as Android,
 * and phone brands that contain "bot" must not be flagged.
 */
import { expect, test } from "bun:test";
import { parseUserAgent, type UserAgent } from "./ua-parser.ts";

type Row = [label: string, ua: string, browser: string | null, version: string | null, os: string | null, osVersion: string | null, device: UserAgent["deviceType"], bot: boolean];

const rows: Row[] = [
  ["Chrome Windows", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36", "Chrome", "124.0.0.0", "Windows", "10", "Desktop", false],
  ["Edge", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51", "Microsoft Edge", "124.0.2478.51", "Windows", "10", "Desktop", false],
  ["Firefox macOS", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:125.0) Gecko/20100101 Firefox/125.0", "Firefox", "125.0", "Mac OS X", "10.15", "Desktop", false],
  ["Firefox Linux", "Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0", "Firefox", "115.0", "Linux", null, "Desktop", false],
  ["Safari macOS", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15", "Safari", "17.4.1", "Mac OS X", "10.15.7", "Desktop", false],
  ["Safari iPhone", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1", "Mobile Safari", "17.4.1", "iOS", "17.4.1", "Mobile", false],
  ["Safari iPad", "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1", "Mobile Safari", "16.6", "iOS", "16.6", "Tablet", false],
  ["Chrome iOS", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1", "Chrome iOS", "124.0.6367.88", "iOS", "17.4", "Mobile", false],
  ["Opera", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 OPR/106.0.0.0", "Opera", "106.0.0.0", "Windows", "10", "Desktop", false],
  ["Samsung", "Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36", "Samsung Internet", "24.0", "Android", "13", "Mobile", false],
  ["Android tablet Chrome", "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/112.0.0.0 Safari/537.36", "Chrome", "112.0.0.0", "Android", "13", "Tablet", false],
  ["Android WebView", "Mozilla/5.0 (Linux; Android 12; Pixel 6 Build/SD1A.210817.023; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/94.0.4606.71 Mobile Safari/537.36", "Android WebView", "94.0.4606.71", "Android", "12", "Mobile", false],
  ["IE 11", "Mozilla/5.0 (Windows NT 6.1; Trident/7.0; rv:11.0) like Gecko", "Internet Explorer", "11.0", "Windows", "7", "Desktop", false],
  ["WeChat Android", "Mozilla/5.0 (Linux; Android 12; V2055A Build/SP1A.210812.003; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/107.0.5304.141 Mobile Safari/537.36 XWEB/5023 MMWEBSDK/20230202 MMWEBID/5963 MicroMessenger/8.0.33.2320(0x28002151) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64", "WeChat", "8.0.33.2320", "Android", "12", "Mobile", false],
  ["WeChat iOS", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN", "WeChat", "8.0.47", "iOS", "17.2", "Mobile", false],
  ["WeChat Windows", "Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/81.0.4044.138 Safari/537.36 NetType/WIFI MicroMessenger/7.0.20.1781(0x6700143B) WindowsWechat(0x63090a13) XWEB/8555 Flue", "WeChat", "7.0.20.1781", "Windows", "10", "Desktop", false],
  ["WeCom", "Mozilla/5.0 (iPhone; CPU iPhone OS 16_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 wxwork/4.1.6 MicroMessenger/7.0.1 Language/zh", "WeCom", "4.1.6", "iOS", "16.0", "Mobile", false],
  ["Douyin", "Mozilla/5.0 (iPhone; CPU iPhone OS 16_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 aweme_23.5.0 JsSdk/2.0 NetType/WIFI Channel/App Store ByteLocale/zh Region/CN AppTheme/dark RevealType/Dialog WKWebView/1 BytedanceWebview/d8a21c6", "Douyin", "23.5.0", "iOS", "16.3", "Mobile", false],
  ["Alipay", "Mozilla/5.0 (Linux; U; Android 10; zh-CN; MI 9 Build/QKQ1.190825.002) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/69.0.3497.100 UWS/3.22.0.36 Mobile Safari/537.36 AlipayChannelId/5136 NebulaSDK/1.8.100112 Nebula AliApp(AP/10.2.3.6000) AlipayClient/10.2.3.6000 Language/zh-Hans Region/CN", "Alipay", "10.2.3.6000", "Android", "10", "Mobile", false],
  ["QQ in-app", "Mozilla/5.0 (iPhone; CPU iPhone OS 15_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 QQ/8.8.50.632 V1_IPH_SQ_8.8.50_1_APP_A Pixel/1170 Core/WKWebView Device/Apple(iPhone 12) NetType/WIFI QBWebViewType/1 WKType/1", "QQ", "8.8.50.632", "iOS", "15.0", "Mobile", false],
  ["QQ Browser", "Mozilla/5.0 (Linux; U; Android 11; zh-cn; PCLM10 Build/RKQ1.200903.002) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/89.0.4389.72 MQQBrowser/12.1 Mobile Safari/537.36 COVC/045913", "QQ Browser", "12.1", "Android", "11", "Mobile", false],
  ["UC", "Mozilla/5.0 (Linux; U; Android 10; zh-CN; V1916A Build/QP1A.190711.020) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/78.0.3904.108 UCBrowser/13.4.0.1306 Mobile Safari/537.36", "UC Browser", "13.4.0.1306", "Android", "10", "Mobile", false],
  ["Baidu App", "Mozilla/5.0 (iPhone; CPU iPhone OS 16_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 SP-engine/2.64.0 main%2F1.0 baiduboxapp/13.24.0.10 (Baidu; P2 16.1) NABar/1.0", "Baidu App", "13.24.0.10", "iOS", "16.1", "Mobile", false],
  ["HarmonyOS NEXT", "Mozilla/5.0 (Phone; OpenHarmony 4.1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.0.0 Safari/537.36 ArkWeb/4.1.6.1 Mobile HuaweiBrowser/5.0.4.300", "Huawei Browser", "5.0.4.300", "HarmonyOS", "4.1", "Mobile", false],
  ["HarmonyOS tablet", "Mozilla/5.0 (Tablet; OpenHarmony 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.0.0 Safari/537.36 ArkWeb/4.1.6.1", "Chrome", "114.0.0.0", "HarmonyOS", "5.0", "Tablet", false],
  ["HarmonyOS 3 (Android compatible)", "Mozilla/5.0 (Linux; Android 10; HarmonyOS; NOH-AN00; HMSCore 6.11.0.302) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/99.0.4844.88 HuaweiBrowser/14.0.0.321 Mobile Safari/537.36", "Huawei Browser", "14.0.0.321", "HarmonyOS", null, "Mobile", false],
  ["Cubot phone is not a bot", "Mozilla/5.0 (Linux; Android 10; CUBOT X19) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/91.0.4472.120 Mobile Safari/537.36", "Chrome", "91.0.4472.120", "Android", "10", "Mobile", false],
  ["Googlebot", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", null, null, null, null, null, true],
  ["Googlebot smartphone", "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.118 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "Chrome", "124.0.6367.118", "Android", "6.0.1", "Mobile", true],
  ["Baiduspider", "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)", null, null, null, null, null, true],
  ["Bytespider", "Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)", null, null, "Android", "5.0", "Mobile", true],
  ["HeadlessChrome", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.6367.60 Safari/537.36", "Chrome", "124.0.6367.60", "Linux", null, "Desktop", true],
  ["curl", "curl/8.4.0", null, null, null, null, null, true],
  ["python-requests", "python-requests/2.31.0", null, null, null, null, null, true],
];

test.each(rows)("%s", (_label, ua, browser, version, os, osVersion, device, bot) => {
  expect(parseUserAgent(ua)).toEqual({ browser, browserVersion: version, os, osVersion, deviceType: device, bot });
});
