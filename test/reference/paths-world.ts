/**
 * The paths ports (paths*.test.ts) ask every scenario the same way: a fresh app with the events ingested, then
 * `POST /api/query` and `/api/query/actors` with `kind: "paths"` in UTC, PostHog's test team's zone. Edges come back
 * in our shape (SPEC §5.0: `{source, target, persons}`; PostHog's `value` is our `persons`).
 */
import { actorIds, referenceApp, type Actors } from "./harness.ts";

/** Edge is one edge of a paths answer: `persons` counts the paths that take it. */
export type Edge = { source: string; target: string; persons: number };
/** e is an expected edge. */
export const e = (source: string, target: string, persons: number): Edge => ({ source, target, persons });

/** pathsWorld is a fresh app (its clock at `now`, PostHog's frozen time) with the batch ingested. */
export async function pathsWorld(writeKey: string, batch: unknown[], now?: string) {
  const h = await referenceApp(writeKey, { now });
  await h.ingest(batch);
  return {
    /** raw answers the status and body of a paths query. */
    raw(body: Record<string, unknown>) {
      return h.post<{ results: Edge[] }>("/api/query", { kind: "paths", timezone: "UTC", ...body });
    },
    async paths(body: Record<string, unknown>): Promise<Edge[]> {
      return (await h.ok<{ results: Edge[] }>("/api/query", { kind: "paths", timezone: "UTC", ...body })).results;
    },
    /** actors lists the user ids (or anonymous ids) of the persons on an edge, sorted. */
    async actors(body: Record<string, unknown>, source: string, target: string) {
      return actorIds(await h.ok<Actors>("/api/query/actors", { kind: "paths", timezone: "UTC", limit: 1000, ...body, edge: { source, target } }));
    },
  };
}
