/**
 * The audience room's rows in the jobs table: the nightly T+1 run (rollups → scores → tags → packs →
 * events, idempotent per local day and resumable; materialise.job.ts) and the minute tick that
 * recomputes packs with their own schedule. Both run on the appliance's store: evaluations in the
 * store worker, results and system events through the writer.
 */
import type { Job, JobContext, JobMessage, JobResult } from "../jobs/job.ts";
import { getSettings } from "../settings/settings.ts";
import { readerEngine } from "./audience.ops.ts";
import { runDueAudiences, runNightly, type MaterialiseDeps, type RunReport } from "./materialise.job.ts";
import { systemEventSink } from "./system-events.ts";

/** materialiseDeps wires a run to the appliance (the project time zone as set now). */
export async function materialiseDeps(ctx: JobContext): Promise<MaterialiseDeps> {
  return {
    db: ctx.db,
    kdb: ctx.kdb,
    engine: readerEngine(ctx.events.store.reader),
    // Segments carry the hourly rollups; a compaction cycle moves the day's last events into them.
    rollups: () => ctx.events.store.compactNow(),
    sink: systemEventSink(ctx),
    timezone: (await getSettings(ctx.kdb, ctx.config)).timezone,
    clock: ctx.now,
  };
}

function describe(r: RunReport): string {
  const failed = r.steps.filter((s) => s.status === "failed");
  const what = r.state === "done" ? "already done" : `${r.state === "resumed" ? "resumed, " : ""}${r.steps.length} steps`;
  return `run ${r.runId} as of ${new Date(r.asOf).toISOString()}: ${what}${failed.length ? `; failed: ${failed.map((s) => `${s.step} (${s.error})`).join(", ")}` : ""}`;
}

/** nightlyMessage is a successful run's summary for the Jobs page. */
function nightlyMessage(r: RunReport): JobMessage {
  const params = { run: r.runId, steps: r.steps.length };
  return { key: r.state === "done" ? "nightlyDone" : r.state === "resumed" ? "nightlyResumed" : "nightlyRan", params };
}

/** audiencesNightly runs (or resumes) today's T+1 run; a failed step fails the job, and a rerun resumes it. */
export async function audiencesNightly(ctx: JobContext): Promise<JobResult> {
  const report = await runNightly(await materialiseDeps(ctx));
  if (report.status === "failed") throw new Error(describe(report));
  return { summary: describe(report), message: nightlyMessage(report) };
}

/** audiencesDue recomputes the packs whose own schedule has come. */
export async function audiencesDue(ctx: JobContext): Promise<JobResult> {
  const reports = await runDueAudiences(await materialiseDeps(ctx));
  const failed = reports.filter((r) => r.status === "failed");
  if (failed.length > 0) throw new Error(failed.map(describe).join("; "));
  return { summary: `${reports.length} scheduled pack(s) recomputed`, message: { key: "audiencesDue", params: { packs: reports.length } } };
}

/** audienceJobs are the room's rows in the jobs table. */
export const audienceJobs: readonly Job[] = [
  {
    name: "audiences-nightly",
    description: "T+1: rollups → scores → tags → audience packs, then entered/exited, lifecycle and tag-change events",
    pattern: "0 3 * * *",
    run: audiencesNightly,
  },
  { name: "audiences-due", description: "Recompute audience packs that have their own schedule", pattern: "* * * * *", run: audiencesDue },
];
