/**
 * The copy-paste snippets of the Sources page: our browser SDK, the Node SDKs of Segment, RudderStack and
 * PostHog pointed at this server, and curl. Plain strings from (host, writeKey), so a test can run each
 * one exactly as a user pastes it (test/sdk-store.e2e.test.ts).
 */

export const SNIPPET_KINDS = ["browser", "segment", "rudderstack", "posthog", "curl"] as const;
export type SnippetKind = (typeof SNIPPET_KINDS)[number];

export interface Snippet {
  /** The shell command that installs the SDK, when there is one. */
  readonly install?: string;
  readonly code: string;
}

export function sourceSnippets(host: string, writeKey: string): Record<SnippetKind, Snippet> {
  const h = JSON.stringify(host);
  const k = JSON.stringify(writeKey);
  return {
    browser: {
      code: `<script src="${host}/sdk.js"></script>
<script>
  // init sends this page view (with its UTM parameters) by itself; track() the rest.
  tessera.init(${k}, { host: ${h} });
</script>`,
    },
    segment: {
      install: "npm install @segment/analytics-node",
      code: `import { Analytics } from "@segment/analytics-node";

const analytics = new Analytics({ writeKey: ${k}, host: ${h} });
analytics.identify({ userId: "user-1", traits: { email: "user-1@example.com", plan: "pro" } });
analytics.track({ userId: "user-1", event: "Order Completed", properties: { revenue: 99, currency: "CNY" } });
await analytics.closeAndFlush();`,
    },
    rudderstack: {
      install: "npm install @rudderstack/rudder-sdk-node",
      code: `import Analytics from "@rudderstack/rudder-sdk-node";

const client = new Analytics(${k}, { dataPlaneUrl: ${h} });
client.identify({ userId: "user-1", traits: { email: "user-1@example.com", plan: "pro" } });
client.track({ userId: "user-1", event: "Order Completed", properties: { revenue: 99, currency: "CNY" } });
await client.flush();`,
    },
    posthog: {
      install: "npm install posthog-node",
      code: `import { PostHog } from "posthog-node";

const posthog = new PostHog(${k}, { host: ${h} });
posthog.identify({ distinctId: "user-1", properties: { email: "user-1@example.com", plan: "pro" } });
posthog.capture({ distinctId: "user-1", event: "order_completed", properties: { revenue: 99, currency: "CNY" } });
await posthog.shutdown();`,
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
