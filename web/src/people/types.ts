/**
 * What the person page reads from the identity room: `GET /api/persons/:id` (PersonView plus what other
 * rooms add through `personExtras`: tags and audience memberships) and `GET /api/persons/:id/events`.
 */
import type { PersonExtras } from "../../../src/audiences/persons.ts";
import type { PersonView } from "../../../src/identity/persons.repo.ts";

/** PersonDetail is `GET /api/persons/:id`: the identity room's view plus the audiences room's tags and packs. */
export type PersonDetail = PersonView & PersonExtras;

/** TimelineEvent is one event of `GET /api/persons/:id/events` (newest first). */
export interface TimelineEvent {
  time: string;
  event: string;
  properties: Record<string, unknown>;
  identifier: { type: string; value: string } | null;
  channel: string | null;
  source: string;
}

export interface TimelinePage {
  events: TimelineEvent[];
  next: string | null;
}
