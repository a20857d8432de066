/**
 * The copy-paste snippets of the Sources page: our browser SDK and WeChat Mini Program SDK; Segment's, RudderStack's, PostHog's and
 * Jitsu's own SDKs, for the browser (from npm) and for Node, pointed at this server; Sensors Data's (神策) web SDK from npm
 * with the one-line change for its mini program, Android and iOS SDKs; and curl. Plain strings from
 * (host, writeKey), so a test can run each one exactly as a user pastes it (test/sdk-store.e2e.test.ts).
 */

export const SNIPPET_KINDS = ["browser", "wx", "segment", "rudderstack", "posthog", "jitsu", "sensors", "curl"] as const;
export type SnippetKind = (typeof SNIPPET_KINDS)[number];

export interface SnippetPart {
  /** The shell command that installs the SDK, when there is one. */
  readonly install?: string;
  readonly code: string;
}

/** Snippet is what one tab shows: the code (Node for a vendor's SDK) and, for vendors, their browser SDK. */
export interface Snippet extends SnippetPart {
  readonly browser?: SnippetPart;
}

// One example person and order in every server snippet (the test finds each snippet's events by them).
const TRAITS = `{ email: "user-1@example.com", plan: "pro" }`;
const ORDER = `{ revenue: 99, currency: "CNY" }`;
/** segmentCalls are the identify and track of the Segment spec, which RudderStack's SDK speaks too. */
const segmentCalls = (client: string) => `${client}.identify({ userId: "user-1", traits: ${TRAITS} });
${client}.track({ userId: "user-1", event: "Order Completed", properties: ${ORDER} });`;

export function sourceSnippets(host: string, writeKey: string): Record<SnippetKind, Snippet> {
  const h = JSON.stringify(host);
  const k = JSON.stringify(writeKey);
  // A write key may hold characters a URL reserves (an SDK's existing key kept as is).
  const saUrl = `${host}/sa?project=${encodeURIComponent(writeKey)}`;
  return {
    browser: {
      code: `<script src="${host}/sdk.js"></script>
<script>
  // init sends this page view (with its UTM parameters) by itself; track() the rest.
  tessera.init(${k}, { host: ${h} });
</script>`,
    },
    // The mini program SDK is a file saved into the project (a mini program cannot load code from the network),
    // required at the top of app.js so it sees every page register.
    wx: {
      install: `curl -o utils/tessera-wx.js ${host}/sdk/wx.js`,
      code: `// app.js (add ${host} to the mini program's request legal domains; it must be HTTPS)
const tessera = require("./utils/tessera-wx.js");

// Each page's onShow sends its page view by itself; track() the rest.
tessera.init(${k}, { host: ${h} });

App({
  // your app's options
});

// Once your server has the user's ids from wx.login's code (code2Session):
// tessera.identifyWeChat({ openid, unionid });
// tessera.track("order_paid", ${ORDER});`,
    },
    segment: {
      browser: {
        install: "npm install @segment/analytics-next",
        code: `import { AnalyticsBrowser } from "@segment/analytics-next";

// The project's settings come from Tessera too (cdnURL), so events go nowhere else.
export const analytics = AnalyticsBrowser.load({ writeKey: ${k}, cdnURL: ${h} });
analytics.page();`,
      },
      install: "npm install @segment/analytics-node",
      code: `import { Analytics } from "@segment/analytics-node";

const analytics = new Analytics({ writeKey: ${k}, host: ${h} });
${segmentCalls("analytics")}
await analytics.closeAndFlush();`,
    },
    rudderstack: {
      browser: {
        install: "npm install @rudderstack/analytics-js",
        // The bundled build: the default one loads its plugins from RudderStack's CDN.
        code: `import { RudderAnalytics } from "@rudderstack/analytics-js/bundled";

export const analytics = new RudderAnalytics();
analytics.load(${k}, ${h}, { configUrl: ${h} });
analytics.page();`,
      },
      install: "npm install @rudderstack/rudder-sdk-node",
      code: `import Analytics from "@rudderstack/rudder-sdk-node";

const client = new Analytics(${k}, { dataPlaneUrl: ${h} });
${segmentCalls("client")}
await client.flush();`,
    },
    posthog: {
      browser: {
        install: "npm install posthog-js",
        code: `import posthog from "posthog-js";

// Page views are captured by posthog-js itself.
posthog.init(${k}, { api_host: ${h} });`,
      },
      install: "npm install posthog-node",
      code: `import { PostHog } from "posthog-node";

const posthog = new PostHog(${k}, { host: ${h} });
posthog.identify({ distinctId: "user-1", properties: ${TRAITS} });
posthog.capture({ distinctId: "user-1", event: "order_completed", properties: ${ORDER} });
await posthog.shutdown();`,
    },
    jitsu: {
      // Jitsu's SDK takes only "key:secret" write keys; Tessera reads the part before the colon.
      browser: {
        install: "npm install @jitsu/js",
        code: `import { jitsuAnalytics } from "@jitsu/js";

export const analytics = jitsuAnalytics({ host: ${h}, writeKey: ${JSON.stringify(`${writeKey}:tessera`)} });
analytics.page();`,
      },
      install: "npm install @jitsu/js",
      code: `import { jitsuAnalytics } from "@jitsu/js";

const analytics = jitsuAnalytics({ host: ${h}, writeKey: ${JSON.stringify(`${writeKey}:tessera`)}, s2s: true });
await analytics.identify("user-1", ${TRAITS});
await analytics.track("Order Completed", ${ORDER});`,
    },
    // Sensors Data's SDKs keep everything but server_url (src/ingest/sensors.wire.ts reads what they send).
    sensors: {
      install: "npm install sa-sdk-javascript",
      code: `import sensors from "sa-sdk-javascript";

// Only server_url changes: this server's /sa, with the write key where the project was.
sensors.init({
  server_url: ${JSON.stringify(saUrl)},
  send_type: "beacon", // "ajax" and the default "image" work too
});
sensors.quick("autoTrack"); // this page view

// The same server_url in Sensors' other SDKs (with their encryption left off):
// Mini program: sensors.setPara({ name: "sensors", server_url: "${saUrl}" });
//   (and ${host} in the mini program's request legal domains)
// Android: new SAConfigOptions("${saUrl}")
// iOS: [[SAConfigOptions alloc] initWithServerURL:@"${saUrl}" launchOptions:launchOptions]`,
    },
    curl: {
      code: `curl -X POST ${host}/v1/track \\
  -u '${writeKey}:' \\
  -H 'Content-Type: application/json' \\
  -d '{"userId":"user-1","event":"Signed Up","properties":{"plan":"pro"}}'`,
    },
  };
}

/** SdkVersion is what `GET /sdk.json` says of the served browser SDK. */
export interface SdkVersion {
  readonly path: string;
  readonly integrity: string;
}

/**
 * pinnedBrowserSnippet loads this exact SDK build, checked by Subresource Integrity: the browser refuses
 * a changed file, so after upgrading Tessera the snippet must be copied again.
 */
export function pinnedBrowserSnippet(host: string, writeKey: string, sdk: SdkVersion): string {
  return `<script src="${host}${sdk.path}" integrity="${sdk.integrity}" crossorigin="anonymous"></script>
<script>
  tessera.init(${JSON.stringify(writeKey)}, { host: ${JSON.stringify(host)} });
</script>`;
}
