/**
 * The analytics HTTP surface (SPEC §5). `POST /api/query` runs any analysis; `POST /api/query/actors`
 * lists the persons behind one element of a chart, a page at a time, and can save the whole
 * selection as a static audience pack; `GET /api/events` and `GET /api/events/properties` feed the
 * dashboard's pickers. Analyses run in the store worker (one snapshot, tail included, result cache);
 * persons are described here, on the main thread, by the identity room (PII opened with the key).
 * The project time zone and week start come from settings unless the query overrides them.
 */
import { Hono } from "hono";
import { z } from "zod";
import { createStaticAudience } from "../audiences/static.ts";
import { syncDb } from "../db/sync.ts";
import type { AudienceTagTables } from "../audiences/schema.ts";
import { auditRequest } from "../auth/audit-request.ts";
import { actorOf } from "../auth/principal.ts";
import { can } from "../auth/roles.ts";
import type { AppDeps } from "../http/deps.ts";
import { endpoint } from "../http/endpoint.ts";
import type { AppEnv } from "../http/env.ts";
import { summary } from "../identity/persons.repo.ts";
import { getSettings } from "../settings/settings.ts";
import { ActorsRequest, Query } from "./schema.ts";
import type { Calendar } from "./time.ts";
import { queryExamples, actorsExample } from "./query.examples.ts";
import { savedFromDescription } from "../audiences/static-pack.ts";

const Timing = z.object({ ms: z.number(), cached: z.boolean() });

const QueryOut = z.object({
  results: z.array(z.record(z.string(), z.unknown())).describe("one entry per line, step, cohort, bucket, period or edge (SPEC §5.0)"),
  totalPersons: z.number().optional().describe("distribution: persons who did the event"),
  source: z.enum(["rollup", "events"]).optional().describe("trends: counted from the hourly rollups or from event rows"),
  timing: Timing,
}).meta({ examples: queryExamples.map((e) => e.response) });

const Actor = z.object({
  id: z.string(),
  identifiers: z.array(z.object({ type: z.string(), value: z.string() })),
  traits: z.record(z.string(), z.unknown()),
});
const ActorsOut = z.object({
  persons: z.array(Actor),
  next: z.string().nullable().describe("cursor of the next page, null on the last"),
  total: z.number().describe("persons in the whole selection"),
  audience: z.object({ id: z.number(), name: z.string(), size: z.number() }).optional().describe("the static pack created by saveAs"),
  timing: Timing,
}).meta({ examples: [actorsExample.response] });

const QueryBody = Query.meta({ examples: queryExamples.map((e) => e.request) });
const ActorsBody = ActorsRequest.meta({ examples: [actorsExample.request] });

const EventsOut = z.object({
  results: z.array(z.object({ name: z.string(), count: z.number(), last30Days: z.number(), firstSeen: z.string().nullable(), lastSeen: z.string().nullable() })),
}).meta({ examples: [{ results: [{ name: "page_view", count: 2_670_000, last30Days: 912_345, firstSeen: "2026-08-01T00:00:03.000Z", lastSeen: "2026-10-29T23:59:58.120Z" }] }] });
const PropertiesQuery = z.object({ event: z.string().min(1).max(200).optional().describe("an event name; absent = every event") });
const PropertiesOut = z.object({
  event: z.string().nullable(),
  results: z.array(z.object({
    key: z.string(), type: z.enum(["event", "person"]), types: z.array(z.string()), count: z.number(),
    topValues: z.array(z.object({ value: z.string(), count: z.number() })),
  })),
}).meta({ examples: [{ event: "page_view", results: [
  { key: "$browser", type: "event", types: ["string"], count: 200_000, topValues: [{ value: "Chrome", count: 95_000 }, { value: "Safari", count: 48_000 }] },
  { key: "city", type: "person", types: ["string"], count: 5000, topValues: [{ value: "Shanghai", count: 780 }] },
] }] });

async function calendarOf(deps: AppDeps, q: { timezone?: string | undefined; weekStart?: "monday" | "sunday" | undefined }): Promise<Calendar> {
  const s = await getSettings(deps.kdb, deps.config);
  return { zone: q.timezone ?? s.timezone, weekStart: q.weekStart ?? s.weekStart };
}

const invalid = (message: string) => ({ error: "invalid query", issues: [{ path: "", message }] });

/** queryRoutes is mounted at /api/query. */
export function queryRoutes(deps: AppDeps) {
  const reader = deps.events.store.reader;
  return new Hono<AppEnv>()
    .post("/", endpoint({
      summary: "Run an analysis: trends, funnel, retention, distribution, lifecycle, stickiness or paths",
      description: "The body is discriminated by `kind` (SPEC §5). Invalid queries answer 400 with the zod issues. Results are cached until new data arrives.",
      tags: ["analytics"], access: "read", body: QueryBody, response: QueryOut,
    }), async (c) => {
      const query = c.req.valid("json");
      const out = await reader.call("query", { query, calendar: await calendarOf(deps, query), now: deps.now() });
      if ("invalid" in out) return c.json(invalid(out.invalid), 400);
      return c.json(out, 200);
    })
    .post("/actors", endpoint({
      summary: "List the persons behind a chart element, optionally saving them all as a static audience pack",
      description: "A query plus what was clicked: funnel `step`/`dropOffAfter` (1-based) or, in the time_to_convert view, `bin: {from, to}` (converted in [from, to) seconds), trends `point`, retention/lifecycle `cell`, distribution/stickiness `bucket`, paths `edge`. Pages ascend by person id; pass `next` back as `cursor`. `saveAs` needs the operate permission.",
      tags: ["analytics"], access: "read", body: ActorsBody, response: ActorsOut,
    }), async (c) => {
      const request = c.req.valid("json");
      const principal = c.get("principal")!;
      if (request.saveAs && !can(principal.role, "operate")) {
        return c.json({ error: `forbidden: saveAs creates an audience pack and needs the "operate" permission, your role is ${principal.role}` }, 403);
      }
      const out = await reader.call("actors", { request, calendar: await calendarOf(deps, request), now: deps.now() });
      if ("invalid" in out) return c.json(invalid(out.invalid), 400);
      const persons = Array.from(out.ids, (id) => summary(deps.events.identity, id));
      let audience: { id: number; name: string; size: number } | undefined;
      if (request.saveAs && out.all) {
        const k = deps.kdb.withTables<AudienceTagTables>();
        const a = await createStaticAudience(syncDb(deps.db, k), {
          name: request.saveAs.name, createdBy: actorOf(principal), members: out.all,
          description: savedFromDescription(request.kind),
        }, deps.now());
        audience = { id: a.id, name: a.name, size: a.size ?? 0 };
        await auditRequest(deps, c, "audience.create", `audience:${a.id}`, { static: true, size: audience.size });
      }
      return c.json({ persons, next: out.next, total: out.total, ...(audience ? { audience } : {}), timing: out.timing }, 200);
    });
}

/** eventRoutes is mounted at /api/events. */
export function eventRoutes(deps: AppDeps) {
  const reader = deps.events.store.reader;
  return new Hono<AppEnv>()
    .get("/", endpoint({ summary: "Event names with volumes and when they were last seen", tags: ["analytics"], access: "read", response: EventsOut }), async (c) =>
      c.json(await reader.call("events", { now: deps.now() }), 200),
    )
    .get("/properties", endpoint({
      summary: "Property keys of an event (or of all events) with value types and top values, and the person properties",
      tags: ["analytics"], access: "read", query: PropertiesQuery, response: PropertiesOut,
    }), async (c) => c.json(await reader.call("eventProperties", { event: c.req.valid("query").event }), 200));
}
