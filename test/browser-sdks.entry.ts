// The third-party browser SDKs as a site bundles them from npm (test/browser-sdks.e2e.test.ts builds this
// file for the browser and puts both on `window`).
import posthog from "posthog-js";
import { AnalyticsBrowser } from "@segment/analytics-next";
// The build with its plugins inside: the default one loads them from RudderStack's CDN.
import { RudderAnalytics } from "@rudderstack/analytics-js/bundled";
import { jitsuAnalytics } from "@jitsu/js";
import sensors from "sa-sdk-javascript";

Object.assign(window, { posthog, AnalyticsBrowser, RudderAnalytics, jitsuAnalytics, sensors });
