/**
 * The PostHog identity ports (identity-posthog*.test.ts) replay PostHog's person tests against the same world: a
 * fresh app whose source key is the PostHog token, events posted to `POST /batch` with it as `api_key`, and the
 * outcome read back as PostHog's tests read theirs: persons by distinct id, a person's page and timeline, the
 * conflicts list and a distinct-users count. Each port keeps its own event builders and scenario clock.
 */
import type { ConflictView } from "../../src/identity/persons.repo.ts";
import { referenceApp, type PersonSummary, type Props } from "./harness.ts";
import { byDistinctId, posthogWire } from "./posthog-wire.ts";

/** PhEvent is one event as posthog-js / posthog-node put it in a /batch body. */
export type PhEvent = { event: string; distinct_id?: unknown; properties: Props; timestamp: string } & Props;

/** identityWorld is a fresh app with a source whose write key is the PostHog `token`. */
export async function identityWorld(token: string) {
  const h = await referenceApp(token);
  const wire = posthogWire(h);
  return {
    /** send posts one /batch request, in order, as posthog-node does. */
    async send(...batch: PhEvent[]) {
      wire.ok(await wire.json({ api_key: token, batch }, "/batch"));
    },
    ...byDistinctId(h),
    /** persons lists every person (newest first), as PostHog's fetchPersons does. */
    async persons(): Promise<PersonSummary[]> {
      return (await h.get<{ persons: PersonSummary[] }>("/api/persons?limit=500")).persons;
    },
    page: (id: string) => h.get(`/api/persons/${id}`),
    /** events is a person's timeline oldest first, as PostHog's getEventsByPerson sorts it. */
    async events(id: string): Promise<string[]> {
      const { events } = await h.get<{ events: { event: string }[] }>(`/api/persons/${id}/events?limit=500`);
      return events.map((e) => e.event).reverse();
    },
    async conflicts(): Promise<ConflictView[]> {
      return (await h.get<{ conflicts: ConflictView[] }>("/api/identity/conflicts")).conflicts;
    },
    /** users counts distinct persons doing `event` over the scenario (trends, math users, SPEC §5.1). */
    async users(event = "$all"): Promise<number> {
      const { results } = await h.ok<{ results: { total: number }[] }>("/api/query", {
        kind: "trends", timezone: "UTC", dateFrom: "2019-01-01", dateTo: "2020-01-31", interval: "month", series: [{ event, math: "users" }],
      });
      return results[0]!.total;
    },
  };
}
