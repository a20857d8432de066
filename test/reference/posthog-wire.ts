/**
 * The PostHog ports (capture-posthog*, identity-posthog*) send what PostHog's SDKs send, the token in the body,
 * and read back the persons and timelines that result by distinct id. Sending and reading live here so the capture
 * and identity ports ask the same way, and a change in either lands once.
 */
import { expect } from "bun:test";
import { answerOf, type Answer, type Props, type ReferenceApp } from "./harness.ts";

/** Identifier is one of a person's identifiers: a distinct_id, a user_id, an anonymous_id… */
export type Identifier = { type: string; value: string };
/** PersonSummary is a person as `GET /api/persons` lists it. */
export type PersonSummary = { id: string; identifiers: Identifier[]; traits: Props };
/** StoredEvent is one event of a person's timeline (`GET /api/persons/:id/events`). */
type StoredEvent = { time: string; event: string; properties: Props };

/** distinctIds lists a person's distinct ids, sorted. */
export const distinctIds = (p: PersonSummary) => p.identifiers.filter((i) => i.type === "distinct_id").map((i) => i.value).sort();

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

/** byDistinctId finds persons through the person search (`GET /api/persons?search=`), by one distinct id. */
export function byDistinctId(h: ReferenceApp) {
  const find = {
    /** person is the one person holding `distinctId` as a distinct_id, or null. */
    async person(distinctId: string): Promise<PersonSummary | null> {
      const { persons } = await h.get<{ persons: PersonSummary[] }>(`/api/persons?search=${encodeURIComponent(distinctId)}&limit=200`);
      const found = persons.filter((p) => p.identifiers.some((i) => i.type === "distinct_id" && i.value === distinctId));
      expect(found.length).toBeLessThanOrEqual(1);
      return found[0] ?? null;
    },
    /** must is `person` that has to exist. */
    async must(distinctId: string): Promise<PersonSummary> {
      const p = await find.person(distinctId);
      expect(p, `a person holding distinct_id ${distinctId}`).not.toBeNull();
      return p!;
    },
  };
  return find;
}

/**
 * stored reads back what the capture ports stored for a distinct id: the timeline of the person `must` finds for it
 * (each port finds persons its own way), and event counts.
 */
export function stored(h: ReferenceApp, must: (distinctId: string) => Promise<PersonSummary>) {
  const read = {
    /** events is the timeline of the person holding `distinctId`, oldest first (ties by event name). */
    async events(distinctId: string): Promise<StoredEvent[]> {
      const p = await must(distinctId);
      const { events } = await h.get<{ events: StoredEvent[] }>(`/api/persons/${p.id}/events?limit=200`);
      return events.slice().sort((a, b) => a.time.localeCompare(b.time) || a.event.localeCompare(b.event));
    },
    /** times lists [time, event] of a person's timeline. */
    async times(distinctId: string): Promise<[string, string][]> {
      return (await read.events(distinctId)).map((e) => [e.time, e.event]);
    },
    /** total counts `event` over a UTC range (trends, math total, SPEC §5.1). */
    async total(event: string, dateFrom: string, dateTo: string): Promise<number> {
      const { results } = await h.ok<{ results: { total: number }[] }>("/api/query", {
        kind: "trends", timezone: "UTC", dateFrom, dateTo, interval: "month", series: [{ event, math: "total" }],
      });
      return results[0]!.total;
    },
  };
  return read;
}
