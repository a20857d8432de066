/** Row types of migration 0060 (insights, dashboards, dashboard cards). */
import type { Generated } from "kysely";

export interface InsightsTable {
  id: Generated<number>;
  name: string;
  description: string | null;
  kind: string;
  query: string;
  display: Generated<string>;
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

export interface DashboardsTable {
  id: Generated<number>;
  name: string;
  description: string | null;
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

export interface DashboardCardsTable {
  dashboard_id: number;
  insight_id: number;
  position: number;
  width: Generated<"half" | "full">;
}

export interface InsightTables {
  insights: InsightsTable;
  dashboards: DashboardsTable;
  dashboard_cards: DashboardCardsTable;
}
