/**
 * sessions-cleanup deletes expired sessions and audit rows past their retention, hourly, so neither table
 * grows without bound on an appliance nobody tends.
 */
import type { Job, JobContext, JobResult } from "../jobs/job.ts";
import { deleteOldAudit } from "./audit.ts";
import { deleteExpiredSessions } from "./sessions.ts";

/** sessionsCleanup is the job's function; tests await it directly. */
export async function sessionsCleanup(ctx: JobContext): Promise<JobResult> {
  const now = ctx.now();
  const sessions = await deleteExpiredSessions(ctx.kdb, now);
  const audit = await deleteOldAudit(ctx.kdb, now);
  return { summary: `deleted ${sessions} expired sessions and ${audit} old audit entries`, message: { key: "sessionsCleanup", params: { sessions, audit } } };
}

/** authJobs are the auth room's rows in the jobs table. */
export const authJobs: readonly Job[] = [
  { name: "sessions-cleanup", description: "Delete expired sessions and audit entries past retention", pattern: "17 * * * *", run: sessionsCleanup },
];
