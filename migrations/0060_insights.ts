/**
 * 0060_insights: saved analyses (an insight is a query body of SPEC §5 plus how to draw it) and
 * dashboards of insight cards in a user-chosen order. The home dashboard (id 1, "Overview") exists
 * from the start so the overview page always has somewhere to put a card.
 */
import type { Database } from "bun:sqlite";

export const name = "0060_insights";

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE insights (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      description TEXT,
      kind TEXT NOT NULL,                    -- the query's kind, duplicated for listing and filtering
      query TEXT NOT NULL,                   -- the POST /api/query body (JSON)
      display TEXT NOT NULL DEFAULT '{}',    -- how the dashboard draws it (chart type), JSON
      created_by TEXT,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE dashboards (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      description TEXT,
      created_by TEXT,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    ) STRICT;

    -- One row per card; deleting an insight or a dashboard removes its cards.
    CREATE TABLE dashboard_cards (
      dashboard_id INTEGER NOT NULL REFERENCES dashboards(id) ON DELETE CASCADE,
      insight_id INTEGER NOT NULL REFERENCES insights(id) ON DELETE CASCADE,
      position INTEGER NOT NULL,
      width TEXT NOT NULL DEFAULT 'half' CHECK (width IN ('half', 'full')),
      PRIMARY KEY (dashboard_id, insight_id)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX dashboard_cards_insight ON dashboard_cards (insight_id);

    INSERT INTO dashboards (id, name, description, created_by, created_at, updated_at)
    VALUES (1, 'Overview', NULL, NULL, CAST(unixepoch('subsec') * 1000 AS INTEGER), CAST(unixepoch('subsec') * 1000 AS INTEGER));
  `);
}
