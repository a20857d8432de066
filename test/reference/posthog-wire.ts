/**
 * The PostHog ports (capture-posthog*, identity-posthog*) send what PostHog's SDKs send, the token in the body,
 * and read back the persons and timelines that result by distinct id. Sending lives here, and finding persons by
 * distinct id is harness.ts's `byIdentifier` narrowed to it, so the capture and identity ports ask the same way and a
 * change in either lands once.
 */
import { expect } from "bun:test";
import { answerOf, byIdentifier, idsOf, type Answer, type PersonSummary, type ReferenceApp } from "./harness.ts";

/** distinctIds lists a person's distinct ids, sorted. */
export const distinctIds = (p: PersonSummary) => idsOf(p, "distinct_id");

/** posthogWire sends to the app as PostHog's SDKs do: no analyst token, whatever body and headers the SDK sets. */
export function posthogWire(h: ReferenceApp) {
  const wire = {
    /** send makes one raw request, as an SDK would. */
    async send(method: string, path: string, body?: string | Uint8Array, headers: Record<string, string> = {}): Promise<Answer> {
      return answerOf(await h.t.app.request(path, { method, headers, body: body as BodyInit | undefined }));
    },
    /** json posts a JSON body (an object, or raw JSON text) to `path` (default /batch/, as posthog-node does). */
    json(body: unknown, path = "/batch/", headers: Record<string, string> = {}) {
      return wire.send("POST", path, typeof body === "string" ? body : JSON.stringify(body), { "content-type": "application/json", ...headers });
    },
    /** ok asserts PostHog's success answer. */
    ok(a: Answer) {
      expect([a.status, a.body]).toEqual([200, { status: 1 }]);
    },
  };
  return wire;
}

/** byDistinctId is `byIdentifier` for the one identifier PostHog's tests name persons by, the distinct_id. */
export function byDistinctId(h: ReferenceApp) {
  const find = byIdentifier(h);
  return {
    /** person is the one person holding `distinctId` as a distinct_id, or null. */
    person: (distinctId: string) => find.person("distinct_id", distinctId),
    /** must is `person` that has to exist. */
    must: (distinctId: string) => find.must("distinct_id", distinctId),
  };
}
