/** /api/jobs: the jobs table with last and next runs; admins can run one now (PocketBase's /api/crons). */
import { Hono } from "hono";
import { z } from "zod";
import { auditRequest } from "../auth/audit-request.ts";
import type { AppDeps } from "../http/deps.ts";
import { endpoint } from "../http/endpoint.ts";
import type { AppEnv } from "../http/env.ts";

const JobOut = z.object({
  name: z.string(),
  description: z.string(),
  pattern: z.string(),
  timezone: z.string(),
  running: z.boolean(),
  lastStartedAt: z.number().nullable(),
  lastFinishedAt: z.number().nullable(),
  lastStatus: z.enum(["running", "ok", "error"]).nullable(),
  lastError: z.string().nullable(),
  lastDurationMs: z.number().nullable(),
  lastSummary: z.string().nullable(),
  lastMessage: z
    .object({ key: z.string(), params: z.record(z.string(), z.union([z.number(), z.string()])) })
    .nullable()
    .describe("lastSummary as a dictionary key (jobResult.<key>) and its numbers, for the dashboard's languages"),
  lastTrigger: z.enum(["schedule", "manual", "missed"]).nullable(),
  nextRunAt: z.number().nullable(),
});
// A manual run answers with the finished state when it ends within `wait` seconds, else 202 while it runs.
const RunQuery = z.object({ wait: z.coerce.number().min(0).max(60).default(10).describe("seconds to wait for the run to finish") });

/** jobRoutes is mounted at /api/jobs. */
export function jobRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .get("/", endpoint({ summary: "List jobs with their last and next runs", tags: ["jobs"], access: "read", response: z.object({ results: z.array(JobOut) }) }), async (c) =>
      c.json({ results: await deps.scheduler.list() }, 200),
    )
    .post("/:name/run", endpoint({ summary: "Run a job now (200 when it finished within `wait` s, else 202 while it runs)", tags: ["jobs"], access: "admin", query: RunQuery, response: JobOut }), async (c) => {
      const name = c.req.param("name");
      if (!deps.scheduler.has(name)) return c.json({ error: `no job named ${name}` }, 404);
      await auditRequest(deps, c, "job.run", `job:${name}`);
      const run = deps.scheduler.run(name, "manual");
      let timer: Timer | undefined;
      const timeout = new Promise<null>((r) => (timer = setTimeout(() => r(null), c.req.valid("query").wait * 1000)));
      const done = await Promise.race([run, timeout]);
      clearTimeout(timer);
      if (done) return c.json(done, 200);
      const state = (await deps.scheduler.list()).find((j) => j.name === name);
      return c.json(state, 202);
    });
}
