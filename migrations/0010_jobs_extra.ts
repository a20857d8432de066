/** 0010_jobs_extra: what the last run of a job reported and what started it (schedule, manual, missed). */
import type { Database } from "bun:sqlite";

export const name = "0010_jobs_extra";

export function up(db: Database): void {
  db.exec(`
    ALTER TABLE jobs ADD COLUMN last_summary TEXT;
    ALTER TABLE jobs ADD COLUMN last_trigger TEXT;
  `);
}
