/** /api/audit: the audit log, newest first, paged by id (admin only). */
import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../http/deps.ts";
import { endpoint } from "../http/endpoint.ts";
import type { AppEnv } from "../http/env.ts";
import { AuditRowSchema, listAudit } from "./audit.ts";

const AuditQuery = z.object({
  before: z.coerce.number().int().positive().optional().describe("the `next` value of the previous page"),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  action: z.string().max(100).optional(),
});

/** auditRoutes is mounted at /api/audit. */
export function auditRoutes(deps: AppDeps) {
  return new Hono<AppEnv>().get(
    "/",
    endpoint({ summary: "List audit log entries", tags: ["audit"], access: "admin", query: AuditQuery, response: z.object({ results: z.array(AuditRowSchema), next: z.number().nullable() }) }),
    async (c) => c.json(await listAudit(deps.kdb, c.req.valid("query")), 200),
  );
}
