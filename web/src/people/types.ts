/**
 * What the person page reads from the identity room: `GET /api/persons/:id` (PersonView plus what other
 * rooms add through `personExtras`: tags and audience memberships) and `GET /api/persons/:id/events`.
 */
import type { PersonView } from "../../../src/identity/persons.repo.ts";
import type { PersonTag } from "../types.ts";

/** PersonDetail is `GET /api/persons/:id`; tags and audiences are present once their rooms supply them. */
export interface PersonDetail extends PersonView {
  tags?: PersonTag[];
  audiences?: { audienceId: number; name?: string; since: number }[];
}

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
