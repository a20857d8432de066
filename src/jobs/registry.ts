/**
 * jobs is the table of every scheduled job in the appliance. Each room exports its own rows
 * (`authJobs` in auth/cleanup.job.ts) and adds them here with one spread; the scheduler wakes them.
 */
import { audienceJobs } from "../audiences/audiences.job.ts";
import { authJobs } from "../auth/cleanup.job.ts";
import { queryJobs } from "../query/person-changes.job.ts";
import type { Job } from "./job.ts";

export const jobs: readonly Job[] = [
  ...authJobs,
  ...queryJobs,
  ...audienceJobs,
  // Rooms to come add their rows here: store compaction, T+1 tags and audiences, connectors' pollers.
];
