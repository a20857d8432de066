/** 0090_job_message: the last run's summary as a message key and its numbers, so the dashboard can say it in the user's language. */
import type { Database } from "bun:sqlite";

export const name = "0090_job_message";

export function up(db: Database): void {
  db.exec("ALTER TABLE jobs ADD COLUMN last_message TEXT");
}
