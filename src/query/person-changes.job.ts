/**
 * person-changes-prune keeps the person_changes log (migration 0050) short. The query worker reads
 * it on every query and has normally consumed it within seconds, so only the newest rows matter; a
 * worker that fell further behind than what is kept notices the gap and reloads its person columns.
 * The newest row always stays, so the log's seq never restarts.
 */
import type { Job, JobContext, JobResult } from "../jobs/job.ts";

/** KEEP is how many of the newest changes survive a prune. */
export const KEEP = 100_000;

/** prunePersonChanges is the job's function; tests await it directly. */
export async function prunePersonChanges(ctx: JobContext): Promise<JobResult> {
  const r = ctx.db.query("DELETE FROM person_changes WHERE seq <= (SELECT max(seq) FROM person_changes) - ?").run(KEEP);
  return { summary: `pruned ${r.changes} person changes`, message: { key: "personChangesPrune", params: { changes: r.changes } } };
}

/** queryJobs are the query room's rows in the jobs table. */
export const queryJobs: readonly Job[] = [
  { name: "person-changes-prune", description: "Trim the person change log the query worker reads", pattern: "41 4 * * *", run: prunePersonChanges },
];
