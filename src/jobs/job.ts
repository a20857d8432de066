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

/**
 * JobMessage is a run's summary for people: a key of the dashboard's dictionaries (`jobResult.<key>`) and
 * the numbers it names, so the Jobs page says it in the user's language.
 */
export interface JobMessage {
  readonly key: string;
  readonly params: Readonly<Record<string, number | string>>;
}

/** JobResult is an optional one-line summary ("deleted 12 sessions", for the log and the API) and its message. */
export type JobResult = { summary?: string; message?: JobMessage } | void;

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
