/**
 * 0070_segment_staging: a segment is written in several short transactions (its columns a few at a time,
 * between the writer's group commits) while `staged = 1`, then made visible in one short transaction that
 * also empties the sealed tail. Writing a whole plan in one transaction held the writer for 9–17 ms per
 * compaction and longer for merges (ingest p99). Readers list only `staged = 0`; rows left staged by a
 * crash are deleted at start.
 */
import type { Database } from "bun:sqlite";

export const name = "0070_segment_staging";

export function up(db: Database): void {
  db.exec("ALTER TABLE segments ADD COLUMN staged INTEGER NOT NULL DEFAULT 0");
}
