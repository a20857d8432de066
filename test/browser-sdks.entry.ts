// The third-party browser SDKs as a site bundles them from npm (test/browser-sdks.e2e.test.ts builds this
// file for the browser and puts both on `window`).
import posthog from "posthog-js";
import { AnalyticsBrowser } from "@segment/analytics-next";

Object.assign(window, { posthog, AnalyticsBrowser });
