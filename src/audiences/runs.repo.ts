/**
 * The materialisation step log. A nightly run is unique per local day: opening it again returns the
 * finished run (idempotent) or resumes the unfinished one with its original asOf and plan, so a crash
 * mid-run followed by a rerun computes the same thing as one clean run. A step's database effects and
 * its `done` mark commit together (completeStep runs inside the step's transaction); steps with
 * outside effects (event emission) are idempotent by message id instead.
 */
import type { Kysely, Selectable } from "kysely";
import type { SyncDb } from "../db/sync.ts";
import type { AudienceTables, MaterialiseRunsTable, RunKind, RunStatus } from "./audiences.table.ts";

type Db = Kysely<AudienceTables>;

/** Run is one materialisation run. */
export interface Run {
  readonly id: number;
  readonly kind: RunKind;
  readonly day: string;
  readonly asOf: number;
  readonly status: RunStatus;
  /** step names in dependency order, fixed when the run started */
  readonly plan: readonly string[];
  readonly startedAt: number;
  readonly finishedAt: number | null;
  readonly error: string | null;
}

function toRun(r: Selectable<MaterialiseRunsTable>): Run {
  return {
    id: r.id, kind: r.kind, day: r.day, asOf: r.as_of, status: r.status, plan: JSON.parse(r.plan) as string[],
    startedAt: r.started_at, finishedAt: r.finished_at, error: r.error,
  };
}

/** OpenedRun says whether the run is new, resumed after a crash or failure, or already done. */
export interface OpenedRun {
  readonly run: Run;
  readonly state: "new" | "resumed" | "done";
}

/** openRun starts a run; a nightly run for a day that already has one is returned or resumed. */
export function openRun(
  s: SyncDb<AudienceTables>, a: { kind: RunKind; day: string; asOf: number; plan: readonly string[]; now: number },
): OpenedRun {
  const { k } = s;
  return s.transaction(() => {
    if (a.kind === "nightly") {
      const existing = s.first(k.selectFrom("materialise_runs").selectAll().where("kind", "=", "nightly").where("day", "=", a.day));
      if (existing) {
        if (existing.status === "done") return { run: toRun(existing), state: "done" as const };
        const row = s.first(k.updateTable("materialise_runs").set({ status: "running", error: null, finished_at: null })
          .where("id", "=", existing.id).returningAll())!;
        return { run: toRun(row), state: "resumed" as const };
      }
    }
    const row = s.first(k
      .insertInto("materialise_runs")
      .values({ kind: a.kind, day: a.day, as_of: a.asOf, status: "running", plan: JSON.stringify(a.plan), started_at: a.now, finished_at: null, error: null })
      .returningAll())!;
    return { run: toRun(row), state: "new" as const };
  });
}

/** doneSteps lists the steps of a run that finished. */
export async function doneSteps(k: Db, runId: number): Promise<Set<string>> {
  const rows = await k.selectFrom("materialise_steps").select("step").where("run_id", "=", runId).where("status", "=", "done").execute();
  return new Set(rows.map((r) => r.step));
}

/** beginStep marks a step running (again, when resumed). */
export async function beginStep(k: Db, runId: number, step: string, now: number): Promise<void> {
  await k
    .insertInto("materialise_steps")
    .values({ run_id: runId, step, status: "running", started_at: now, finished_at: null, detail: null, error: null })
    .onConflict((oc) => oc.columns(["run_id", "step"]).doUpdateSet({ status: "running", started_at: now, finished_at: null, error: null }))
    .execute();
}

/** completeStep marks a step done; call it inside the transaction that wrote the step's results. */
export function completeStep(s: SyncDb<AudienceTables>, runId: number, step: string, detail: unknown, now: number): void {
  s.run(s.k.updateTable("materialise_steps").set({ status: "done", finished_at: now, detail: JSON.stringify(detail) })
    .where("run_id", "=", runId).where("step", "=", step));
}

/** failStep records why a step failed; the run continues with steps that do not depend on it. */
export async function failStep(k: Db, runId: number, step: string, error: string, now: number): Promise<void> {
  await k.updateTable("materialise_steps").set({ status: "failed", finished_at: now, error: error.slice(0, 2000) })
    .where("run_id", "=", runId).where("step", "=", step).execute();
}

/** finishRun closes a run as done or failed. */
export async function finishRun(k: Db, runId: number, status: "done" | "failed", error: string | null, now: number): Promise<void> {
  await k.updateTable("materialise_runs").set({ status, error, finished_at: now }).where("id", "=", runId).execute();
}

/** StepRow is one line of a run's log. */
export interface StepRow {
  readonly step: string;
  readonly status: RunStatus;
  readonly startedAt: number;
  readonly finishedAt: number | null;
  readonly detail: unknown;
  readonly error: string | null;
}

/** stepLog returns a run's steps in plan order. */
export async function stepLog(k: Db, runId: number): Promise<StepRow[]> {
  const run = await k.selectFrom("materialise_runs").select("plan").where("id", "=", runId).executeTakeFirstOrThrow();
  const position = new Map((JSON.parse(run.plan) as string[]).map((step, i) => [step, i]));
  const rows = await k.selectFrom("materialise_steps").selectAll().where("run_id", "=", runId).execute();
  rows.sort((a, b) => (position.get(a.step) ?? Infinity) - (position.get(b.step) ?? Infinity));
  return rows.map((r) => ({
    step: r.step, status: r.status, startedAt: r.started_at, finishedAt: r.finished_at,
    detail: r.detail === null ? null : (JSON.parse(r.detail) as unknown), error: r.error,
  }));
}

/** latestRun returns the most recent run of a kind. */
export async function latestRun(k: Db, kind: RunKind): Promise<Run | null> {
  const row = await k.selectFrom("materialise_runs").selectAll().where("kind", "=", kind).orderBy("id", "desc").executeTakeFirst();
  return row ? toRun(row) : null;
}
