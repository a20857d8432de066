/**
 * Scheduler wakes the jobs of the jobs table on croner and persists each run (start, finish, status,
 * error, duration, next run) in the `jobs` table. At start it compares that state with the schedule and
 * runs, once, every job whose scheduled time passed while the process was down. A job never runs twice
 * at once: a manual run during a scheduled one joins it.
 */
import { Cron } from "croner";
import type { Job, JobContext, JobMessage } from "./job.ts";

/** JobTrigger is what started a run. */
export type JobTrigger = "schedule" | "manual" | "missed";

/** JobState is a job as GET /api/jobs lists it. */
export interface JobState {
  name: string;
  description: string;
  pattern: string;
  timezone: string;
  running: boolean;
  lastStartedAt: number | null;
  lastFinishedAt: number | null;
  lastStatus: "running" | "ok" | "error" | null;
  lastError: string | null;
  lastDurationMs: number | null;
  lastSummary: string | null;
  lastMessage: JobMessage | null;
  lastTrigger: JobTrigger | null;
  nextRunAt: number | null;
}

/** UnknownJobError is thrown by run() for a name not in the table. */
export class UnknownJobError extends Error {
  override name = "UnknownJobError";
}

export class Scheduler {
  readonly #jobs: ReadonlyMap<string, Job>;
  readonly #ctx: JobContext;
  #timezone: string;
  #crons = new Map<string, Cron>();
  #inflight = new Map<string, Promise<void>>();

  /** `timezone` is the project time zone, used by jobs that do not name their own. */
  constructor(jobs: readonly Job[], ctx: JobContext, timezone: string) {
    const seen = new Map<string, Job>();
    for (const j of jobs) {
      if (seen.has(j.name)) throw new Error(`two jobs are named ${j.name}`);
      new Cron(j.pattern, { paused: true }); // throws now, at start, on a bad pattern
      seen.set(j.name, j);
    }
    this.#jobs = seen;
    this.#ctx = ctx;
    this.#timezone = timezone;
  }

  #tz(job: Job): string {
    return job.timezone ?? this.#timezone;
  }

  #cron(job: Job, start: boolean): Cron {
    const opts = { timezone: this.#tz(job), protect: true, unref: true, catch: (e: unknown) => this.#ctx.log.error("job failed to start", { job: job.name, error: String(e) }) };
    return start ? new Cron(job.pattern, opts, () => this.run(job.name, "schedule").then(() => {})) : new Cron(job.pattern, { ...opts, paused: true });
  }

  /** start schedules every job, then runs the missed ones in the background; it returns their names. */
  async start(): Promise<string[]> {
    const missed = await this.detectMissed();
    for (const job of this.#jobs.values()) this.#crons.set(job.name, this.#cron(job, true));
    await this.#saveNextRuns();
    for (const name of missed) {
      this.#ctx.log.info("running a job missed while the process was down", { job: name });
      void this.run(name, "missed");
    }
    return missed;
  }

  /**
   * detectMissed lists jobs whose most recent scheduled time (by the context clock) is later than their
   * last start, or whose persisted next run is already past. Jobs that never ran are not "missed": a
   * fresh install should not run every nightly job at boot.
   */
  async detectMissed(): Promise<string[]> {
    const now = new Date(this.#ctx.now());
    const rows = await this.#ctx.kdb.selectFrom("jobs").select(["name", "last_started_at", "next_run_at"]).execute();
    const state = new Map(rows.map((r) => [r.name, r]));
    const missed: string[] = [];
    for (const job of this.#jobs.values()) {
      const s = state.get(job.name);
      if (!s) continue;
      const prev = this.#cron(job, false).previousRuns(1, now)[0];
      const lateByState = s.next_run_at !== null && s.next_run_at <= now.getTime();
      const lateBySchedule = s.last_started_at !== null && prev !== undefined && s.last_started_at < prev.getTime();
      if (lateByState || lateBySchedule) missed.push(job.name);
    }
    return missed;
  }

  /** run executes a job now (or joins its current run) and resolves with its state once it has finished. */
  async run(name: string, trigger: JobTrigger = "manual"): Promise<JobState> {
    const job = this.#jobs.get(name);
    if (!job) throw new UnknownJobError(`no job named ${name}`);
    let p = this.#inflight.get(name);
    if (!p) {
      p = this.#execute(job, trigger).finally(() => this.#inflight.delete(name));
      this.#inflight.set(name, p);
    }
    await p;
    return this.#state(job);
  }

  /** isRunning reports whether a job is executing right now. */
  isRunning(name: string): boolean {
    return this.#inflight.has(name);
  }

  async #execute(job: Job, trigger: JobTrigger): Promise<void> {
    const { kdb, log } = this.#ctx;
    const started = this.#ctx.now();
    const t0 = performance.now();
    await kdb
      .insertInto("jobs")
      .values({ name: job.name, last_started_at: started, last_status: "running", last_trigger: trigger, last_error: null, last_finished_at: null, last_duration_ms: null, next_run_at: null, last_summary: null, last_message: null })
      .onConflict((oc) => oc.column("name").doUpdateSet({ last_started_at: started, last_status: "running", last_trigger: trigger }))
      .execute();
    let status: "ok" | "error" = "ok";
    let error: string | null = null;
    let summary: string | null = null;
    let message: string | null = null;
    try {
      const r = await job.run(this.#ctx);
      summary = r?.summary ?? null;
      message = r?.message ? JSON.stringify(r.message) : null;
    } catch (e) {
      status = "error";
      error = e instanceof Error ? e.message : String(e);
      log.error("job failed", { job: job.name, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    }
    const durationMs = Math.round(performance.now() - t0);
    await kdb
      .updateTable("jobs")
      .set({ last_finished_at: this.#ctx.now(), last_status: status, last_error: error, last_duration_ms: durationMs, last_summary: summary, last_message: message, next_run_at: this.#nextRun(job) })
      .where("name", "=", job.name)
      .execute();
    log.info("job finished", { job: job.name, trigger, status, ms: durationMs, summary });
  }

  #nextRun(job: Job): number | null {
    const cron = this.#crons.get(job.name) ?? this.#cron(job, false);
    return cron.nextRun(new Date(this.#ctx.now()))?.getTime() ?? null;
  }

  async #saveNextRuns(): Promise<void> {
    for (const job of this.#jobs.values()) {
      const next = this.#nextRun(job);
      await this.#ctx.kdb
        .insertInto("jobs")
        .values({ name: job.name, next_run_at: next, last_started_at: null, last_finished_at: null, last_status: null, last_error: null, last_duration_ms: null, last_summary: null, last_message: null, last_trigger: null })
        .onConflict((oc) => oc.column("name").doUpdateSet({ next_run_at: next }))
        .execute();
    }
  }

  async #state(job: Job): Promise<JobState> {
    const r = await this.#ctx.kdb.selectFrom("jobs").selectAll().where("name", "=", job.name).executeTakeFirst();
    return {
      name: job.name,
      description: job.description,
      pattern: job.pattern,
      timezone: this.#tz(job),
      running: this.#inflight.has(job.name),
      lastStartedAt: r?.last_started_at ?? null,
      lastFinishedAt: r?.last_finished_at ?? null,
      lastStatus: (r?.last_status as JobState["lastStatus"]) ?? null,
      lastError: r?.last_error ?? null,
      lastDurationMs: r?.last_duration_ms ?? null,
      lastSummary: r?.last_summary ?? null,
      lastMessage: r?.last_message ? (JSON.parse(r.last_message) as JobMessage) : null,
      lastTrigger: (r?.last_trigger as JobTrigger | null) ?? null,
      nextRunAt: this.#crons.size > 0 ? this.#nextRun(job) : (r?.next_run_at ?? null),
    };
  }

  /** list returns every job with its persisted state, in table order. */
  async list(): Promise<JobState[]> {
    return Promise.all([...this.#jobs.values()].map((j) => this.#state(j)));
  }

  /** has reports whether a job of that name exists. */
  has(name: string): boolean {
    return this.#jobs.has(name);
  }

  /** reschedule applies a new project time zone to the running schedule. */
  async reschedule(timezone: string): Promise<void> {
    this.#timezone = timezone;
    if (this.#crons.size === 0) return;
    for (const c of this.#crons.values()) c.stop();
    for (const job of this.#jobs.values()) this.#crons.set(job.name, this.#cron(job, true));
    await this.#saveNextRuns();
  }

  /** stop halts the schedule and waits for running jobs to finish (graceful shutdown). */
  async stop(): Promise<void> {
    for (const c of this.#crons.values()) c.stop();
    this.#crons.clear();
    await Promise.allSettled([...this.#inflight.values()]);
  }
}
