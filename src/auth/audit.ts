/**
 * The audit log records administrative actions (who, what, on what, from where) so a team can answer
 * "who created this token / rotated that key". Rows older than AUDIT_RETENTION_DAYS are removed by the
 * sessions-cleanup job.
 */
import type { Database } from "bun:sqlite";
import type { Selectable } from "kysely";
import type { AuditLogTable } from "../db/foundation.table.ts";
import { z } from "zod";
import type { Kdb } from "../db/kysely.ts";

/** AUDIT_RETENTION_DAYS is how long audit rows are kept. */
export const AUDIT_RETENTION_DAYS = 365;

/** AuditEntry is one action; `detail` is JSON-encoded when it is not a string. */
export interface AuditEntry {
  actor: string;
  action: string;
  target?: string | null;
  detail?: unknown;
  ip?: string | null;
}

/** AuditRow is an entry as listed by GET /api/audit: the table's row. */
export type AuditRow = Selectable<AuditLogTable>;

/** audit appends one entry. Callers must never put secrets or passwords in `detail`. */
export async function audit(kdb: Kdb, e: AuditEntry, now: number = Date.now()): Promise<void> {
  const detail = e.detail === undefined || e.detail === null ? null : typeof e.detail === "string" ? e.detail : JSON.stringify(e.detail);
  await kdb
    .insertInto("audit_log")
    .values({ ts: now, actor: e.actor, action: e.action, target: e.target ?? null, detail, ip: e.ip ?? null })
    .execute();
}

/** listAudit pages newest first: pass the last id you saw as `before`. */
export async function listAudit(kdb: Kdb, opts: { before?: number; limit: number; action?: string }): Promise<{ results: AuditRow[]; next: number | null }> {
  let q = kdb.selectFrom("audit_log").selectAll().orderBy("id", "desc").limit(opts.limit + 1);
  if (opts.before !== undefined) q = q.where("id", "<", opts.before);
  if (opts.action !== undefined) q = q.where("action", "=", opts.action);
  const rows = await q.execute();
  const more = rows.length > opts.limit;
  const results = more ? rows.slice(0, opts.limit) : rows;
  return { results, next: more ? (results[results.length - 1]?.id ?? null) : null };
}

/**
 * forgetAuditTargets keeps the record of what was done to persons who are then deleted, but no longer says
 * to whom: a deletion removes every row that names the person (SPEC §4), the audit log included. Runs inside
 * the deletion's transaction (synchronous, on the writer connection).
 */
export function forgetAuditTargets(db: Database, persons: readonly number[]): void {
  if (persons.length === 0) return;
  db.query("UPDATE audit_log SET target = 'person (deleted)' WHERE target IN (SELECT 'person:' || value FROM json_each(?))")
    .run(JSON.stringify(persons));
}

/** deleteOldAudit removes entries older than the retention and returns how many. */
export async function deleteOldAudit(kdb: Kdb, now: number, days = AUDIT_RETENTION_DAYS): Promise<number> {
  const r = await kdb.deleteFrom("audit_log").where("ts", "<", now - days * 86_400_000).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** AuditRowSchema documents an audit row in the OpenAPI document. */
export const AuditRowSchema = z.object({
  id: z.number(),
  ts: z.number().describe("epoch milliseconds"),
  actor: z.string().describe("user:<email>, token:<name>#<id>, cli or system"),
  action: z.string(),
  target: z.string().nullable(),
  detail: z.string().nullable(),
  ip: z.string().nullable(),
});
