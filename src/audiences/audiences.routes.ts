/**
 * HTTP surface of audience packs (SPEC §6), mounted at `/api/audiences`. Every route declares itself
 * with endpoint(): reads (list, get, preview, sizes, members, export, analysis) need "read", changes
 * and recomputation "operate". Population-wide work goes to the AudienceEngine (the store worker), so
 * a preview never blocks ingestion on the main thread.
 *
 * | route                                    | access  |
 * |------------------------------------------|---------|
 * | POST   /api/audiences/preview            | read    |
 * | GET    /api/audiences, /api/audiences/:id | read   |
 * | GET    /api/audiences/:id/sizes          | read    |
 * | GET    /api/audiences/:id/persons        | read    |
 * | GET    /api/audiences/:id/export.csv     | read    |
 * | GET    /api/audiences/:id/analysis       | read    | (traits, tags, channels)
 * | POST   /api/audiences                    | operate |
 * | PATCH  /api/audiences/:id                | operate |
 * | DELETE /api/audiences/:id                | operate |
 * | POST   /api/audiences/:id/compute        | operate |
 */
import type { Database } from "bun:sqlite";
import { Hono, type Context } from "hono";
import { z } from "zod";
import { auditRequest } from "../auth/audit-request.ts";
import { isTimeZone } from "../config.ts";
import type { Kdb } from "../db/kysely.ts";
import { syncDb } from "../db/sync.ts";
import { endpoint } from "../http/endpoint.ts";
import type { AppEnv } from "../http/env.ts";
import { channelDistribution, tagDistribution } from "./analysis.ts";
import {
  createAudience, deleteAudience, getAudience, listAudiences, listSizes, readSnapshot, updateAudience, type Audience,
} from "./audiences.repo.ts";
import { csvLine } from "./csv.ts";
import { Definition, type IssueOut } from "./definition.ts";
import { depKey } from "./dependencies.ts";
import type { AudienceEngine } from "./engine.ts";
import { checkReferences, dependents, referencesComputed } from "./graph.ts";
import { computeAudienceNow, type EventSink, type MaterialiseDeps } from "./materialise.job.ts";
import type { PersonDirectory } from "./population.ts";
import { conflict, idParam, invalid, isUniqueViolation, notFound } from "./route-helpers.ts";
import { nextRunAt, scheduleError } from "./schedule.ts";
import { CONTACT_COLUMNS } from "./static-pack.ts";

/** AudienceRoutesDeps are the collaborators of the audience routes. */
export interface AudienceRoutesDeps {
  readonly db: Database;
  readonly kdb: Kdb;
  readonly engine: AudienceEngine;
  readonly persons: PersonDirectory;
  /** where audience_entered / audience_exited events go (the store writer) */
  readonly sink: EventSink;
  /** the project time zone, read per request because settings can change it */
  readonly timezone: () => Promise<string>;
  readonly now: () => number;
  readonly sampleSize?: number;
}

const tags = ["audiences"];
const Name = z.string().trim().min(1).max(200);
const Instant = z.iso.datetime({ offset: true });
const AudienceCreate = z.strictObject({
  name: Name,
  description: z.string().max(2000).nullable().optional(),
  definition: Definition,
  schedule: z.string().max(100).nullable().optional().describe("cron pattern in the pack's time zone; null = the nightly T+1 run"),
  timezone: z.string().max(64).nullable().optional().describe("IANA zone of windows and schedule; null = the project time zone"),
  status: z.enum(["active", "paused"]).optional(),
});
const AudiencePatch = AudienceCreate.partial();
const Preview = z.strictObject({
  definition: Definition,
  asOf: Instant.optional().describe("windows end here (default now)"),
});
const ComputeQuery = z.object({ asOf: Instant.optional().describe("windows end here (default now)") });
const PageQuery = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
const SizesQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(90) });
const list = (max: number) => z.string().max(4000).optional()
  .transform((s) => (s ?? "").split(",").map((x) => x.trim()).filter(Boolean).slice(0, max));
const AnalysisQuery = z.object({
  traits: list(20).describe("comma-separated trait names"),
  tags: list(20).describe("comma-separated tag names"),
  channels: z.enum(["true", "false"]).default("false").describe("add the breakdown by channel (app, wechat, email, …)"),
  limit: z.coerce.number().int().min(1).max(100).default(10),
});
const ExportQuery = z.object({ traits: list(50).describe("comma-separated trait columns to add") });

const Actor = z.object({
  id: z.string(),
  identifiers: z.array(z.object({ type: z.string(), value: z.string() })),
  traits: z.record(z.string(), z.unknown()),
});
const PreviewOut = z.object({
  count: z.number(), sample: z.array(Actor), asOf: z.string(),
  timing: z.object({ ms: z.number(), evaluateMs: z.number() }),
});

const EXPORT_BATCH = 1000;

/** audienceRoutes is the /api/audiences sub-app. */
export function audienceRoutes(deps: AudienceRoutesDeps) {
  const { kdb } = deps;
  const sql = syncDb(deps.db, kdb);
  const materialise = async (): Promise<MaterialiseDeps> => ({
    db: deps.db, kdb, engine: deps.engine, sink: deps.sink, timezone: await deps.timezone(), clock: deps.now,
    // An on-demand computation reads what the store holds now; the nightly run brings rollups up to date.
    rollups: async () => {},
  });

  /** settingsIssues validates schedule and time zone together (the cron runs in that zone). */
  const settingsIssues = async (schedule: string | null | undefined, timezone: string | null | undefined): Promise<IssueOut[]> => {
    if (timezone && !isTimeZone(timezone)) return [{ path: "timezone", message: `unknown time zone ${JSON.stringify(timezone)}` }];
    const err = schedule ? scheduleError(schedule, timezone ?? (await deps.timezone())) : null;
    return err ? [{ path: "schedule", message: err }] : [];
  };
  const nextRun = async (a: { schedule: string | null; timezone: string | null }) =>
    a.schedule ? nextRunAt(a.schedule, a.timezone ?? (await deps.timezone()), deps.now()) : null;
  const pack = async (c: Context) => {
    const a = await getAudience(kdb, idParam(c, "audience"));
    if (!a) notFound("audience");
    return a;
  };
  const snapshot = (a: Audience) => {
    const snap = readSnapshot(sql, a.id);
    if (!snap) conflict("audience has not been computed yet");
    return snap;
  };

  return new Hono<AppEnv>()
    .post("/preview", endpoint({ summary: "Count and sample the persons matching a definition", tags, access: "read", body: Preview, response: PreviewOut }), async (c) => {
      const body = c.req.valid("json");
      const refs = await checkReferences(kdb, body.definition, null);
      if (refs.length > 0) invalid(refs);
      const started = performance.now();
      const asOf = body.asOf ? Date.parse(body.asOf) : deps.now();
      const r = await deps.engine.preview({ definition: body.definition, asOf, timezone: await deps.timezone(), sample: deps.sampleSize ?? 20 });
      const sample = await deps.persons.describe(r.sample);
      return c.json({
        count: r.count, sample, asOf: new Date(asOf).toISOString(),
        timing: { ms: Math.round(performance.now() - started), evaluateMs: r.ms },
      }, 200);
    })
    .get("/", endpoint({ summary: "List audience packs", tags, access: "read" }), async (c) => c.json({ audiences: await listAudiences(kdb) }, 200))
    .post("/", endpoint({ summary: "Save an audience pack", tags, access: "operate", body: AudienceCreate, status: 201 }), async (c) => {
      const input = c.req.valid("json");
      const issues = [...(await settingsIssues(input.schedule, input.timezone)), ...(await checkReferences(kdb, input.definition, null))];
      if (issues.length > 0) invalid(issues);
      try {
        const created = await createAudience(kdb, {
          ...input, nextRunAt: await nextRun({ schedule: input.schedule ?? null, timezone: input.timezone ?? null }),
        }, deps.now());
        await auditRequest(deps, c, "audience.create", String(created.id), { name: created.name });
        // The first computation runs now (it emits no events): a new pack has a size and members at once,
        // and packs referring to it read its members, not an empty set. Not while a tag or pack it reads has
        // never been computed: members counted without them would make the nightly run's first real answer
        // look like everyone entering. A failure stays on the pack (lastError).
        if (await referencesComputed(kdb, input.definition)) await computeAudienceNow(await materialise(), created.id);
        return c.json(await getAudience(kdb, created.id), 201);
      } catch (e) {
        if (isUniqueViolation(e)) conflict(`an audience named ${JSON.stringify(input.name)} exists`);
        throw e;
      }
    })
    .get("/:id", endpoint({ summary: "One audience pack", tags, access: "read" }), async (c) => c.json(await pack(c), 200))
    .patch("/:id", endpoint({ summary: "Change an audience pack", tags, access: "operate", body: AudiencePatch }), async (c) => {
      const current = await pack(c);
      const patch = c.req.valid("json");
      const merged = {
        schedule: patch.schedule !== undefined ? patch.schedule : current.schedule,
        timezone: patch.timezone !== undefined ? patch.timezone : current.timezone,
      };
      const issues = [
        ...(await settingsIssues(merged.schedule, merged.timezone)),
        ...(patch.definition ? await checkReferences(kdb, patch.definition, depKey("audience", String(current.id))) : []),
      ];
      if (issues.length > 0) invalid(issues);
      try {
        const rescheduled = patch.schedule !== undefined || patch.timezone !== undefined;
        const updated = await updateAudience(kdb, current.id, { ...patch, ...(rescheduled && { nextRunAt: await nextRun(merged) }) }, deps.now());
        if (!updated) notFound("audience");
        await auditRequest(deps, c, "audience.update", String(current.id), { fields: Object.keys(patch) });
        return c.json(updated, 200);
      } catch (e) {
        if (isUniqueViolation(e)) conflict(`an audience named ${JSON.stringify(patch.name)} exists`);
        throw e;
      }
    })
    .delete("/:id", endpoint({ summary: "Delete an audience pack (refused while others use it)", tags, access: "operate", status: 204 }), async (c) => {
      const a = await pack(c);
      const users = await dependents(kdb, depKey("audience", String(a.id)));
      if (users.length > 0) return c.json({ error: `audience ${a.id} is used by ${users.join(", ")}`, dependents: users }, 409);
      await deleteAudience(kdb, a.id);
      await auditRequest(deps, c, "audience.delete", String(a.id), { name: a.name });
      return c.body(null, 204);
    })
    .post("/:id/compute", endpoint({ summary: "Recompute a pack now (emits entered/exited events)", tags, access: "operate", query: ComputeQuery }), async (c) => {
      const a = await pack(c);
      const { asOf } = c.req.valid("query");
      const report = await computeAudienceNow(await materialise(), a.id, asOf ? Date.parse(asOf) : undefined);
      const step = report.steps.find((s) => s.step === `audience:${a.id}`);
      if (step?.status !== "done") return c.json({ error: step?.error ?? "computation failed", run: report }, 500);
      return c.json({ audience: await getAudience(kdb, a.id), run: report }, 200);
    })
    .get("/:id/sizes", endpoint({ summary: "A pack's size history, oldest first", tags, access: "read", query: SizesQuery }), async (c) => {
      const a = await pack(c);
      return c.json({ results: await listSizes(kdb, a.id, c.req.valid("query").limit) }, 200);
    })
    .get("/:id/persons", endpoint({ summary: "A pack's members in the actors shape, paged", tags, access: "read", query: PageQuery }), async (c) => {
      const a = await pack(c);
      const { offset, limit } = c.req.valid("query");
      const snap = readSnapshot(sql, a.id);
      const page = snap ? [...snap.members.subarray(offset, offset + limit)] : [];
      const next = snap && offset + limit < snap.members.length ? String(offset + limit) : null;
      return c.json({ persons: await deps.persons.describe(page), next, total: snap?.size ?? 0 }, 200);
    })
    .get("/:id/analysis", endpoint({ summary: "How a pack's members spread over traits and tags", tags, access: "read", query: AnalysisQuery }), async (c) => {
      const a = await pack(c);
      const snap = snapshot(a);
      const q = c.req.valid("query");
      const results = [
        ...(await Promise.all(q.traits.map((property) => deps.engine.traitBreakdown({ audienceId: a.id, property, limit: q.limit })))),
        ...(await Promise.all(q.tags.map((t) => tagDistribution(kdb, snap.members, t, q.limit)))),
        ...(q.channels === "true" ? [channelDistribution(await deps.persons.channels(snap.members), q.limit)] : []),
      ];
      return c.json({ results, totalPersons: snap.size, asOf: snap.asOf }, 200);
    })
    .get("/:id/export.csv", endpoint({ summary: "Export a pack's members as CSV (streamed)", tags, access: "read", query: ExportQuery }), async (c) => {
      const a = await pack(c);
      const members = snapshot(a).members;
      // A trait asked for under a contact column's name is that column (filled from the trait when the identifier is missing).
      const traits = c.req.valid("query").traits.filter((t) => !(CONTACT_COLUMNS as readonly string[]).includes(t));
      const encoder = new TextEncoder();
      const persons = deps.persons;
      let offset = 0;
      // Pull-based: one batch of persons is described and written per read, so memory stays flat.
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          // user_id, email and phone get their own columns: what an SMS, e-mail or CRM tool imports.
          controller.enqueue(encoder.encode(csvLine(["person_id", ...CONTACT_COLUMNS, "identifiers", ...traits])));
        },
        async pull(controller) {
          if (offset >= members.length) return controller.close();
          const batch = [...members.subarray(offset, offset + EXPORT_BATCH)];
          offset += batch.length;
          const described = new Map((await persons.describe(batch)).map((p) => [p.id, p]));
          let text = "";
          for (const pid of batch) {
            const p = described.get(String(pid));
            const identifiers = p ? p.identifiers.map((i) => `${i.type}:${i.value}`).join("; ") : "";
            const contact = CONTACT_COLUMNS.map((ns) => p?.identifiers.find((i) => i.type === ns)?.value ?? p?.traits[ns]);
            text += csvLine([pid, ...contact, identifiers, ...traits.map((t) => p?.traits[t])]);
          }
          controller.enqueue(encoder.encode(text));
        },
      });
      return new Response(stream, {
        headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="audience-${a.id}.csv"` },
      });
    });
}
