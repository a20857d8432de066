/**
 * /api/insights and /api/dashboards: saved analyses and the dashboards that show them. Everyone who can
 * read can open them; saving, changing and arranging them needs the "operate" permission, like audiences.
 */
import { Hono } from "hono";
import { z } from "zod";
import { actorOf } from "../auth/principal.ts";
import type { AppDeps } from "../http/deps.ts";
import { endpoint } from "../http/endpoint.ts";
import type { AppEnv } from "../http/env.ts";
import { Query } from "../query/schema.ts";
import {
  CardWidth, createDashboard, createInsight, deleteDashboard, deleteInsight, Display, DashboardConflict, getDashboard,
  getInsight, HOME_DASHBOARD, InsightQuery, listDashboards, listInsights, QUERY_KINDS, updateDashboard, updateInsight,
} from "./insights.repo.ts";

const Name = z.string().trim().min(1).max(200);
/**
 * SavedQuery is what saving accepts: a query the engine would run (its zod schema, issues by path), kept
 * as sent — not with the schema's defaults filled in — so later defaults apply when it runs again.
 */
const SavedQuery = InsightQuery.superRefine((q, ctx) => {
  const r = Query.safeParse(q);
  if (!r.success) for (const i of r.error.issues) ctx.addIssue({ code: "custom", path: i.path, message: i.message });
});
const Description = z.string().max(2000).nullable().optional();
const IdParam = z.coerce.number().int().positive();
const NewInsight = z.strictObject({
  name: Name,
  description: Description,
  query: SavedQuery,
  display: Display.optional(),
  /** dashboardId also places the new insight as the last card of that dashboard. */
  dashboardId: z.number().int().positive().optional(),
});
const InsightPatch = z.strictObject({ name: Name.optional(), description: Description, query: SavedQuery.optional(), display: Display.optional() });
const NewDashboard = z.strictObject({ name: Name, description: Description });
const DashboardPatch = z.strictObject({
  name: Name.optional(),
  description: Description,
  cards: z.array(z.strictObject({ insightId: z.number().int().positive(), width: CardWidth.optional() })).max(100).optional(),
});
const ListQuery = z.object({ kind: z.enum(QUERY_KINDS).optional() });

const tags = ["insights"];
const notFound = { error: "no insight with that id" };
const noDashboard = { error: "no dashboard with that id" };

/** insightRoutes is mounted at /api/insights. */
export function insightRoutes(deps: AppDeps) {
  const { db, kdb } = deps;
  return new Hono<AppEnv>()
    .get("/", endpoint({ summary: "List saved insights", tags, access: "read", query: ListQuery }), async (c) =>
      c.json({ results: await listInsights(kdb, c.req.valid("query").kind) }, 200),
    )
    .get("/:id", endpoint({ summary: "Get one saved insight", tags, access: "read" }), async (c) => {
      const i = await getInsight(kdb, IdParam.parse(c.req.param("id")));
      return i ? c.json(i, 200) : c.json(notFound, 404);
    })
    .post("/", endpoint({ summary: "Save an analysis as an insight (optionally onto a dashboard)", tags, access: "operate", body: NewInsight, status: 201 }), async (c) => {
      const { dashboardId, ...input } = c.req.valid("json");
      const id = createInsight(db, input, actorOf(c.get("principal")), deps.now(), dashboardId);
      if (id === null) return c.json(noDashboard, 404);
      return c.json(await getInsight(kdb, id), 201);
    })
    .patch("/:id", endpoint({ summary: "Rename an insight or change its query or display", tags, access: "operate", body: InsightPatch }), async (c) => {
      const i = await updateInsight(kdb, IdParam.parse(c.req.param("id")), c.req.valid("json"), deps.now());
      return i ? c.json(i, 200) : c.json(notFound, 404);
    })
    .delete("/:id", endpoint({ summary: "Delete an insight and remove it from every dashboard", tags, access: "operate" }), async (c) =>
      (await deleteInsight(kdb, IdParam.parse(c.req.param("id")))) ? c.json({ ok: true }, 200) : c.json(notFound, 404),
    );
}

/** dashboardRoutes is mounted at /api/dashboards. */
export function dashboardRoutes(deps: AppDeps) {
  const { db, kdb } = deps;
  const dtags = ["dashboards"];
  return new Hono<AppEnv>()
    .get("/", endpoint({ summary: "List dashboards", tags: dtags, access: "read" }), async (c) => c.json({ results: await listDashboards(kdb) }, 200))
    .get("/:id", endpoint({ summary: "Get a dashboard with its cards and their insights, in order", tags: dtags, access: "read" }), async (c) => {
      const d = await getDashboard(kdb, IdParam.parse(c.req.param("id")));
      return d ? c.json(d, 200) : c.json(noDashboard, 404);
    })
    .post("/", endpoint({ summary: "Create an empty dashboard", tags: dtags, access: "operate", body: NewDashboard, status: 201 }), async (c) => {
      try {
        const id = createDashboard(db, c.req.valid("json"), actorOf(c.get("principal")), deps.now());
        return c.json(await getDashboard(kdb, id), 201);
      } catch (e) {
        if (e instanceof DashboardConflict) return c.json({ error: e.message }, 409);
        throw e;
      }
    })
    .patch("/:id", endpoint({ summary: "Rename a dashboard or replace its cards (add, remove, reorder, resize)", tags: dtags, access: "operate", body: DashboardPatch }), async (c) => {
      const id = IdParam.parse(c.req.param("id"));
      try {
        const r = updateDashboard(db, id, c.req.valid("json"), deps.now());
        if (r === "missing") return c.json(noDashboard, 404);
        if (r !== "ok") return c.json({ error: `unknown insight ${r.unknownInsights.join(", ")}`, issues: r.unknownInsights.map((i) => ({ path: "cards", message: `no insight ${i}` })) }, 400);
        return c.json(await getDashboard(kdb, id), 200);
      } catch (e) {
        if (e instanceof DashboardConflict) return c.json({ error: e.message }, 409);
        throw e;
      }
    })
    .delete("/:id", endpoint({ summary: "Delete a dashboard (its insights stay)", tags: dtags, access: "operate" }), async (c) => {
      const id = IdParam.parse(c.req.param("id"));
      if (id === HOME_DASHBOARD) return c.json({ error: "the overview dashboard cannot be deleted; remove its cards instead" }, 409);
      return (await deleteDashboard(kdb, id)) ? c.json({ ok: true }, 200) : c.json(noDashboard, 404);
    });
}
