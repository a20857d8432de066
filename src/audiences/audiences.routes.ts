/**
 * HTTP surface of audience packs (SPEC §6), mounted under `/api`. Requests arrive authenticated; the
 * `guard` dependency (the foundation's requireRole) admits analysts to reads and preview, operators
 * to writes and recomputation. The population comes from an injected provider, so the handlers do
 * not know whether it is the columnar store or a test fixture.
 *
 * | route                                  | role     |
 * |----------------------------------------|----------|
 * | POST   /audiences/preview              | analyst  |
 * | GET    /audiences, /audiences/:id      | analyst  |
 * | GET    /audiences/:id/sizes            | analyst  |
 * | GET    /audiences/:id/persons          | analyst  |
 * | GET    /audiences/:id/export.csv       | analyst  |
 * | GET    /audiences/:id/analysis         | analyst  |
 * | POST   /audiences                      | operator |
 * | PATCH  /audiences/:id                  | operator |
 * | DELETE /audiences/:id                  | operator |
 * | POST   /audiences/:id/compute          | operator |
 */
import type { Database } from "bun:sqlite";
import { Hono, type Context } from "hono";
import { z } from "zod";
import { isTimeZone } from "../config.ts";
import { tagDistribution, traitDistribution } from "./analysis.ts";
import {
  createAudience, deleteAudience, getAudience, listAudiences, listSizes, readSnapshot, updateAudience,
  type Audience,
} from "./audiences.repo.ts";
import { countRows } from "./bitset.ts";
import { csvLine } from "./csv.ts";
import { Definition, type IssueOut } from "./definition.ts";
import { depKey } from "./dependencies.ts";
import { evaluateSet, personIdsOf } from "./evaluate-set.ts";
import { checkReferences, dependents } from "./graph.ts";
import { computeAudienceNow, type EventSink, type MaterialiseDeps } from "./materialise.job.ts";
import type { PersonDirectory, PopulationData } from "./population.ts";
import { invalid, isUniqueViolation, pageParams, readBody, type Guard } from "./route-helpers.ts";
import { nextRunAt, scheduleError } from "./schedule.ts";
import type { AudienceTagDb } from "./schema.ts";
import { withStoredMemberships } from "./stored-memberships.ts";

/** AudienceRoutesDeps are the collaborators of the audience routes. */
export interface AudienceRoutesDeps {
  readonly db: Database;
  readonly kdb: AudienceTagDb;
  /** a read snapshot of persons, traits and events (store + identity) */
  readonly data: () => Promise<PopulationData>;
  readonly persons: PersonDirectory;
  /** where audience_entered / audience_exited events go (the store writer) */
  readonly sink: EventSink;
  /** the project time zone, read per request because settings can change it */
  readonly timezone: () => string;
  readonly guard: Guard;
  readonly clock?: () => number;
  readonly sampleSize?: number;
}

const Name = z.string().trim().min(1).max(200);
const Instant = z.iso.datetime({ offset: true });
const AudienceCreate = z.strictObject({
  name: Name,
  description: z.string().max(2000).nullable().optional(),
  definition: Definition,
  schedule: z.string().max(100).nullable().optional(),
  timezone: z.string().max(64).nullable().optional(),
  status: z.enum(["active", "paused"]).optional(),
});
const AudiencePatch = AudienceCreate.partial();
const Preview = z.strictObject({ definition: Definition, asOf: Instant.optional() });
const Compute = z.strictObject({ asOf: Instant.optional() });

const EXPORT_BATCH = 1000;

/** evenly picks up to `n` ids spread over the whole (sorted) list, so a sample is not just the oldest. */
function spread(ids: Int32Array, n: number): number[] {
  if (ids.length <= n) return [...ids];
  return Array.from({ length: n }, (_, i) => ids[Math.floor((i * ids.length) / n)]!);
}

/** audienceRoutes builds the Hono sub-app; mount it with `app.route("/api", audienceRoutes(deps))`. */
export function audienceRoutes(deps: AudienceRoutesDeps) {
  const { kdb, guard } = deps;
  const clock = deps.clock ?? Date.now;
  const materialise = (): MaterialiseDeps => ({
    db: deps.db, kdb, data: deps.data, sink: deps.sink, timezone: deps.timezone(), clock,
  });

  /** settingsIssues validates schedule and time zone together (the cron runs in that zone). */
  const settingsIssues = (schedule: string | null | undefined, timezone: string | null | undefined): IssueOut[] => {
    if (timezone && !isTimeZone(timezone)) return [{ path: "timezone", message: `unknown time zone ${JSON.stringify(timezone)}` }];
    const err = schedule ? scheduleError(schedule, timezone ?? deps.timezone()) : null;
    return err ? [{ path: "schedule", message: err }] : [];
  };
  const nextRun = (a: { schedule: string | null; timezone: string | null }) =>
    a.schedule ? nextRunAt(a.schedule, a.timezone ?? deps.timezone(), clock()) : null;
  const idOf = (c: Context) => Number(c.req.param("id"));
  const notFound = (c: Context) => c.json({ error: "audience not found" }, 404);

  return new Hono()
    .post("/audiences/preview", guard("analyst"), async (c) => {
      const body = await readBody(c, Preview);
      if (!body.ok) return body.response;
      const refs = await checkReferences(kdb, body.value.definition, null);
      if (refs.length > 0) return invalid(c, refs);
      const started = performance.now();
      const pop = withStoredMemberships(await deps.data(), kdb);
      const asOf = body.value.asOf ? Date.parse(body.value.asOf) : clock();
      const rows = await evaluateSet(body.value.definition, pop, { asOf, timezone: deps.timezone() });
      const ids = personIdsOf(rows, pop);
      const sample = await deps.persons.describe(spread(ids, deps.sampleSize ?? 20));
      return c.json({
        count: countRows(rows), sample, asOf: new Date(asOf).toISOString(),
        timing: { ms: Math.round(performance.now() - started) },
      });
    })
    .get("/audiences", guard("analyst"), async (c) => c.json({ audiences: await listAudiences(kdb) }))
    .post("/audiences", guard("operator"), async (c) => {
      const body = await readBody(c, AudienceCreate);
      if (!body.ok) return body.response;
      const input = body.value;
      const issues = [...settingsIssues(input.schedule, input.timezone), ...(await checkReferences(kdb, input.definition, null))];
      if (issues.length > 0) return invalid(c, issues);
      try {
        const created = await createAudience(kdb, {
          ...input, nextRunAt: nextRun({ schedule: input.schedule ?? null, timezone: input.timezone ?? null }),
        }, clock());
        return c.json(created, 201);
      } catch (e) {
        if (isUniqueViolation(e)) return c.json({ error: `an audience named ${JSON.stringify(input.name)} exists` }, 409);
        throw e;
      }
    })
    .get("/audiences/:id{[0-9]+}", guard("analyst"), async (c) => {
      const a = await getAudience(kdb, idOf(c));
      return a ? c.json(a) : notFound(c);
    })
    .patch("/audiences/:id{[0-9]+}", guard("operator"), async (c) => {
      const id = idOf(c);
      const current = await getAudience(kdb, id);
      if (!current) return notFound(c);
      const body = await readBody(c, AudiencePatch);
      if (!body.ok) return body.response;
      const patch = body.value;
      const merged = { schedule: patch.schedule !== undefined ? patch.schedule : current.schedule, timezone: patch.timezone !== undefined ? patch.timezone : current.timezone };
      const issues = [
        ...settingsIssues(merged.schedule, merged.timezone),
        ...(patch.definition ? await checkReferences(kdb, patch.definition, depKey("audience", String(id))) : []),
      ];
      if (issues.length > 0) return invalid(c, issues);
      try {
        const rescheduled = patch.schedule !== undefined || patch.timezone !== undefined;
        const updated = await updateAudience(kdb, id, { ...patch, ...(rescheduled && { nextRunAt: nextRun(merged) }) }, clock());
        return updated ? c.json(updated) : notFound(c);
      } catch (e) {
        if (isUniqueViolation(e)) return c.json({ error: `an audience named ${JSON.stringify(patch.name)} exists` }, 409);
        throw e;
      }
    })
    .delete("/audiences/:id{[0-9]+}", guard("operator"), async (c) => {
      const id = idOf(c);
      const users = await dependents(kdb, depKey("audience", String(id)));
      if (users.length > 0) {
        return c.json({ error: `audience ${id} is used by ${users.join(", ")}`, dependents: users }, 409);
      }
      return (await deleteAudience(kdb, id)) ? c.body(null, 204) : notFound(c);
    })
    .post("/audiences/:id{[0-9]+}/compute", guard("operator"), async (c) => {
      const id = idOf(c);
      if (!(await getAudience(kdb, id))) return notFound(c);
      const body = await readBody(c, Compute);
      if (!body.ok) return body.response;
      const report = await computeAudienceNow(materialise(), id, body.value.asOf ? Date.parse(body.value.asOf) : undefined);
      const step = report.steps.find((s) => s.step === `audience:${id}`);
      if (step?.status !== "done") return c.json({ error: step?.error ?? "computation failed", run: report }, 500);
      return c.json({ audience: (await getAudience(kdb, id)) as Audience, run: report });
    })
    .get("/audiences/:id{[0-9]+}/sizes", guard("analyst"), async (c) => {
      const id = idOf(c);
      if (!(await getAudience(kdb, id))) return notFound(c);
      return c.json({ results: await listSizes(kdb, id, pageParams(c, 1000).limit) });
    })
    .get("/audiences/:id{[0-9]+}/persons", guard("analyst"), async (c) => {
      const id = idOf(c);
      if (!(await getAudience(kdb, id))) return notFound(c);
      const snap = await readSnapshot(kdb, id);
      const { offset, limit } = pageParams(c, 500);
      const page = snap ? [...snap.members.subarray(offset, offset + limit)] : [];
      const next = snap && offset + limit < snap.members.length ? String(offset + limit) : null;
      return c.json({ persons: await deps.persons.describe(page), next });
    })
    .get("/audiences/:id{[0-9]+}/analysis", guard("analyst"), async (c) => {
      const id = idOf(c);
      if (!(await getAudience(kdb, id))) return notFound(c);
      const snap = await readSnapshot(kdb, id);
      if (!snap) return c.json({ error: "audience has not been computed yet" }, 409);
      const list = (name: string) => (c.req.query(name) ?? "").split(",").map((x) => x.trim()).filter(Boolean).slice(0, 20);
      const asked = Number(c.req.query("limit") ?? 10);
      const limit = Number.isInteger(asked) ? Math.min(100, Math.max(1, asked)) : 10;
      const data = await deps.data();
      const results = [
        ...(await Promise.all(list("traits").map((t) => traitDistribution(data, snap.members, t, limit)))),
        ...(await Promise.all(list("tags").map((t) => tagDistribution(kdb, snap.members, t, limit)))),
      ];
      return c.json({ results, totalPersons: snap.size, asOf: snap.asOf });
    })
    .get("/audiences/:id{[0-9]+}/export.csv", guard("analyst"), async (c) => {
      const id = idOf(c);
      if (!(await getAudience(kdb, id))) return notFound(c);
      const snap = await readSnapshot(kdb, id);
      if (!snap) return c.json({ error: "audience has not been computed yet" }, 409);
      const traits = (c.req.query("traits") ?? "").split(",").map((t) => t.trim()).filter(Boolean).slice(0, 50);
      const members = snap.members;
      const encoder = new TextEncoder();
      let offset = 0;
      // Pull-based: one batch of persons is described and written per read, so memory stays flat.
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(encoder.encode(csvLine(["person_id", "identifiers", ...traits])));
        },
        async pull(controller) {
          if (offset >= members.length) return controller.close();
          const batch = [...members.subarray(offset, offset + EXPORT_BATCH)];
          offset += batch.length;
          const described = new Map((await deps.persons.describe(batch)).map((p) => [p.id, p]));
          let text = "";
          for (const pid of batch) {
            const p = described.get(String(pid));
            const identifiers = p ? p.identifiers.map((i) => `${i.type}:${i.value}`).join("; ") : "";
            text += csvLine([pid, identifiers, ...traits.map((t) => p?.traits[t])]);
          }
          controller.enqueue(encoder.encode(text));
        },
      });
      return new Response(stream, {
        headers: {
          "content-type": "text/csv; charset=utf-8",
          "content-disposition": `attachment; filename="audience-${id}.csv"`,
        },
      });
    });
}
