/**
 * 0020_ingest_stats: per-source, per-minute ingest counters (received, accepted, and each drop reason) for the
 * source page's last-24-hours view. Flushed from memory by src/ingest/stats.ts; old minutes are pruned there.
 */
import type { Database } from "bun:sqlite";

export const name = "0020_ingest_stats";

export function up(db: Database): void {
  db.exec(`
    -- minute is the Unix minute (ms / 60000); outcome is 'received', 'accepted' or a DropReason.
    -- No foreign key to sources: counters of a deleted source are removed with it by the sources room,
    -- and a flush must never fail because a source vanished between two flushes.
    CREATE TABLE ingest_stats (
      source_id INTEGER NOT NULL,
      minute INTEGER NOT NULL,
      outcome TEXT NOT NULL,
      count INTEGER NOT NULL,
      PRIMARY KEY (source_id, minute, outcome)
    ) STRICT, WITHOUT ROWID;
  `);
}
