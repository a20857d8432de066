/**
 * A source's activity for its page, mounted beside the sources routes at /api/sources: the ingest
 * counters of the last 24 hours (received, stored, rejected by reason, per minute) and its latest events.
 */
import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../http/deps.ts";
import { endpoint } from "../http/endpoint.ts";
import type { AppEnv } from "../http/env.ts";

const IdParam = z.coerce.number().int().positive();
const RecentQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) });

/** activityRoutes is mounted at /api/sources. */
export function activityRoutes(deps: AppDeps) {
  const tags = ["sources"];
  return new Hono<AppEnv>()
    .get("/:id/stats", endpoint({ summary: "Received, stored and rejected events by reason per minute, last 24 hours", tags, access: "read" }), (c) =>
      c.json({ results: deps.events.stats.lastDay(deps.db, IdParam.parse(c.req.param("id"))) }, 200),
    )
    .get("/:id/recent", endpoint({ summary: "The latest events of a source, newest first (the live stream)", tags, access: "read", query: RecentQuery }), async (c) => {
      const source = IdParam.parse(c.req.param("id"));
      return c.json({ results: await deps.events.store.reader.call("recentEvents", { source, limit: c.req.valid("query").limit }) }, 200);
    });
}
