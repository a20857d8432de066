/**
 * Job is one row of the jobs table (SPEC §2): a name, a croner pattern, a time zone and an exported async
 * function. The scheduler only wakes jobs; tests call `run` directly and await it.
 */
import type { CoreDeps } from "../deps.ts";
import type { Events } from "../events.ts";

/**
 * JobContext is what a job receives: the core dependencies plus the event side (identity, the store
 * and its worker), which T+1 jobs read and write through; nothing request-scoped.
 */
export type JobContext = CoreDeps & { readonly events: Events };

/** JobResult is an optional one-line summary shown in the dashboard ("deleted 12 sessions"). */
export type JobResult = { summary?: string } | void;

export interface Job {
  /** name is kebab-case and stable: it keys the persisted state. */
  readonly name: string;
  readonly description: string;
  /** pattern is a croner pattern (5 or 6 fields, or @hourly/@daily). */
  readonly pattern: string;
  /** timezone is an IANA zone; absent means the project time zone from settings. */
  readonly timezone?: string;
  readonly run: (ctx: JobContext) => Promise<JobResult>;
}
