/**
 * Saved insights and dashboards: repository functions over migration 0050. An insight keeps the query
 * body exactly as `POST /api/query` takes it, so opening one re-runs the analysis with today's data;
 * `display` only says how to draw it. A dashboard is an ordered list of cards, each pointing at an insight.
 */
import type { Database } from "bun:sqlite";
import type { Selectable } from "kysely";
import { z } from "zod";
import type { Kdb } from "../db/kysely.ts";
import type { DashboardsTable, InsightsTable } from "./insights.table.ts";

/** QUERY_KINDS are the analyses of SPEC §5 an insight can hold. */
export const QUERY_KINDS = ["trends", "funnel", "retention", "distribution", "lifecycle", "stickiness", "paths"] as const;

/**
 * InsightQuery is a query body of `POST /api/query` as stored and read back: only `kind` is required,
 * so an insight saved before the query language gained a rule still opens and shows the engine's error
 * in words when it runs. New and changed insights must be valid queries (SavedQuery in the routes).
 */
export const InsightQuery = z.looseObject({ kind: z.enum(QUERY_KINDS) });
export type InsightQuery = z.infer<typeof InsightQuery>;

/** Display says how a card draws its insight; every field is optional so old insights keep working. */
export const Display = z.strictObject({
  chart: z.enum(["line", "bar", "area", "stacked", "table", "number"]).optional(),
  /** view is the funnel view or retention presentation the author was looking at. */
  view: z.string().max(40).optional(),
});
export type Display = z.infer<typeof Display>;

/** CardWidth is how much of the dashboard row a card takes. */
export const CardWidth = z.enum(["half", "full"]);
export type CardWidth = z.infer<typeof CardWidth>;

/** Insight is a saved analysis as the API shows it. */
export interface Insight {
  readonly id: number;
  readonly name: string;
  readonly description: string | null;
  readonly kind: InsightQuery["kind"];
  readonly query: InsightQuery;
  readonly display: Display;
  readonly createdBy: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** Card is one insight placed on a dashboard. */
export interface Card {
  readonly insight: Insight;
  readonly width: CardWidth;
}

/** DashboardSummary is a dashboard in the list; `cards` counts its cards. */
export interface DashboardSummary {
  readonly id: number;
  readonly name: string;
  readonly description: string | null;
  readonly cards: number;
  readonly createdBy: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** Dashboard is one dashboard with its cards in order, each carrying its whole insight (one request per page). */
export interface Dashboard extends Omit<DashboardSummary, "cards"> {
  readonly cards: readonly Card[];
}

/** HOME_DASHBOARD is the overview's dashboard, created by the migration; it cannot be deleted. */
export const HOME_DASHBOARD = 1;

function toInsight(r: Selectable<InsightsTable>): Insight {
  const query = InsightQuery.parse(JSON.parse(r.query));
  const display = Display.safeParse(JSON.parse(r.display));
  return {
    id: r.id, name: r.name, description: r.description, kind: query.kind, query,
    display: display.success ? display.data : {},
    createdBy: r.created_by, createdAt: r.created_at, updatedAt: r.updated_at,
  };
}

const summary = (r: Selectable<DashboardsTable>, cards: number): DashboardSummary => ({
  id: r.id, name: r.name, description: r.description, cards, createdBy: r.created_by, createdAt: r.created_at, updatedAt: r.updated_at,
});

/** InsightInput is what a user sets on an insight. */
export interface InsightInput {
  readonly name: string;
  readonly description?: string | null;
  readonly query: InsightQuery;
  readonly display?: Display;
}

/** listInsights returns every insight, newest change first, optionally of one kind. */
export async function listInsights(k: Kdb, kind?: string): Promise<Insight[]> {
  let q = k.selectFrom("insights").selectAll().orderBy("updated_at", "desc").orderBy("id", "desc");
  if (kind !== undefined) q = q.where("kind", "=", kind);
  return (await q.execute()).map(toInsight);
}

export async function getInsight(k: Kdb, id: number): Promise<Insight | null> {
  const r = await k.selectFrom("insights").selectAll().where("id", "=", id).executeTakeFirst();
  return r ? toInsight(r) : null;
}

/**
 * createInsight saves an insight and, when `dashboardId` is given, appends it to that dashboard in the
 * same transaction (the "save and add to the overview" button). Returns null if the dashboard is unknown.
 */
export function createInsight(db: Database, input: InsightInput, by: string | null, now: number, dashboardId?: number): number | null {
  return db.transaction(() => {
    if (dashboardId !== undefined && !db.query("SELECT 1 FROM dashboards WHERE id = ?1").get(dashboardId)) return null;
    const { id } = db
      .query<{ id: number }, [string, string | null, string, string, string, string | null, number, number]>(
        `INSERT INTO insights (name, description, kind, query, display, created_by, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id`,
      )
      .get(input.name, input.description ?? null, input.query.kind, JSON.stringify(input.query), JSON.stringify(input.display ?? {}), by, now, now)!;
    if (dashboardId !== undefined) appendCard(db, dashboardId, id, "half", now);
    return id;
  })();
}

function appendCard(db: Database, dashboardId: number, insightId: number, width: CardWidth, now: number): void {
  db.query(
    `INSERT OR IGNORE INTO dashboard_cards (dashboard_id, insight_id, position, width)
     VALUES (?1, ?2, (SELECT COALESCE(MAX(position), -1) + 1 FROM dashboard_cards WHERE dashboard_id = ?1), ?3)`,
  ).run(dashboardId, insightId, width);
  db.query("UPDATE dashboards SET updated_at = ?2 WHERE id = ?1").run(dashboardId, now);
}

/** updateInsight changes the given fields; null when the insight does not exist. */
export async function updateInsight(k: Kdb, id: number, patch: Partial<InsightInput>, now: number): Promise<Insight | null> {
  const set: Partial<Selectable<InsightsTable>> = { updated_at: now };
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.description !== undefined) set.description = patch.description;
  if (patch.query !== undefined) {
    set.query = JSON.stringify(patch.query);
    set.kind = patch.query.kind;
  }
  if (patch.display !== undefined) set.display = JSON.stringify(patch.display);
  const r = await k.updateTable("insights").set(set).where("id", "=", id).returningAll().executeTakeFirst();
  return r ? toInsight(r) : null;
}

/** deleteInsight removes an insight and, through the foreign key, its cards. */
export async function deleteInsight(k: Kdb, id: number): Promise<boolean> {
  const r = await k.deleteFrom("insights").where("id", "=", id).executeTakeFirst();
  return r.numDeletedRows > 0n;
}

/** listDashboards returns every dashboard with its number of cards, the home dashboard first. */
export async function listDashboards(k: Kdb): Promise<DashboardSummary[]> {
  const rows = await k
    .selectFrom("dashboards")
    .selectAll("dashboards")
    .select((eb) =>
      eb.selectFrom("dashboard_cards").whereRef("dashboard_cards.dashboard_id", "=", "dashboards.id").select(eb.fn.countAll<number>().as("n")).as("cards"),
    )
    .orderBy("id")
    .execute();
  return rows.map((r) => summary(r, Number(r.cards ?? 0)));
}

/** getDashboard returns a dashboard with its cards in order. */
export async function getDashboard(k: Kdb, id: number): Promise<Dashboard | null> {
  const d = await k.selectFrom("dashboards").selectAll().where("id", "=", id).executeTakeFirst();
  if (!d) return null;
  const rows = await k
    .selectFrom("dashboard_cards")
    .innerJoin("insights", "insights.id", "dashboard_cards.insight_id")
    .selectAll("insights")
    .select(["dashboard_cards.width"])
    .where("dashboard_cards.dashboard_id", "=", id)
    .orderBy("dashboard_cards.position")
    .execute();
  const { cards: _count, ...rest } = summary(d, rows.length);
  return { ...rest, cards: rows.map(({ width, ...r }) => ({ insight: toInsight(r), width })) };
}

/** DashboardInput is what a user sets on a dashboard. */
export interface DashboardInput {
  readonly name: string;
  readonly description?: string | null;
}

/** DashboardConflict is a second dashboard with the same name. */
export class DashboardConflict extends Error {}

/** createDashboard inserts an empty dashboard. */
export function createDashboard(db: Database, input: DashboardInput, by: string | null, now: number): number {
  try {
    return db
      .query<{ id: number }, [string, string | null, string | null, number, number]>(
        "INSERT INTO dashboards (name, description, created_by, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
      )
      .get(input.name, input.description ?? null, by, now, now)!.id;
  } catch (e) {
    if (e instanceof Error && /UNIQUE constraint failed/.test(e.message)) throw new DashboardConflict(`a dashboard named ${JSON.stringify(input.name)} exists`);
    throw e;
  }
}

/** CardInput places an insight on a dashboard. */
export interface CardInput {
  readonly insightId: number;
  readonly width?: CardWidth;
}

/**
 * updateDashboard renames and/or replaces the cards (the new order is the list's order) in one
 * transaction, so a reorder never shows half-moved cards. Returns "missing" for an unknown dashboard
 * and the unknown insight ids when a card points nowhere.
 */
export function updateDashboard(
  db: Database,
  id: number,
  patch: Partial<DashboardInput> & { cards?: readonly CardInput[] },
  now: number,
): "ok" | "missing" | { unknownInsights: number[] } {
  try {
    return db.transaction(() => {
      if (!db.query("SELECT 1 FROM dashboards WHERE id = ?1").get(id)) return "missing" as const;
      if (patch.name !== undefined) db.query("UPDATE dashboards SET name = ?2 WHERE id = ?1").run(id, patch.name);
      if (patch.description !== undefined) db.query("UPDATE dashboards SET description = ?2 WHERE id = ?1").run(id, patch.description);
      if (patch.cards !== undefined) {
        const exists = db.query<{ id: number }, [number]>("SELECT id FROM insights WHERE id = ?1");
        const unknown = patch.cards.map((c) => c.insightId).filter((i) => !exists.get(i));
        if (unknown.length > 0) return { unknownInsights: unknown };
        db.query("DELETE FROM dashboard_cards WHERE dashboard_id = ?1").run(id);
        const put = db.query("INSERT OR IGNORE INTO dashboard_cards (dashboard_id, insight_id, position, width) VALUES (?1, ?2, ?3, ?4)");
        patch.cards.forEach((c, i) => put.run(id, c.insightId, i, c.width ?? "half"));
      }
      db.query("UPDATE dashboards SET updated_at = ?2 WHERE id = ?1").run(id, now);
      return "ok" as const;
    })();
  } catch (e) {
    if (e instanceof Error && /UNIQUE constraint failed/.test(e.message)) throw new DashboardConflict(`a dashboard named ${JSON.stringify(patch.name)} exists`);
    throw e;
  }
}

/** deleteDashboard removes a dashboard and its cards (never the insights). */
export async function deleteDashboard(k: Kdb, id: number): Promise<boolean> {
  const r = await k.deleteFrom("dashboards").where("id", "=", id).executeTakeFirst();
  return r.numDeletedRows > 0n;
}
