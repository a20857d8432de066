/**
 * T+1 materialisation: computed tags, rule tags and packs in dependency order, then the events their
 * changes produce (audience_entered / audience_exited, lifecycle_changed, …).
 *
 * Idempotent per day and resumable (runs.repo.ts): the nightly run of a local day is opened once with
 * asOf = end of yesterday and a fixed plan; each step commits its results together with its done
 * mark; a rerun after a crash or failure skips finished steps and computes the others as of the same
 * instant. Emission is last and idempotent by message id, so events committed before a crash are
 * deduplicated by the store when the step runs again. A step whose dependency failed fails too;
 * independent steps still run.
 */
import type { Database } from "bun:sqlite";
import { syncDb } from "../db/sync.ts";
import type { Kdb } from "../db/kysely.ts";
import { getTagByName, markTagChangesEmitted, pendingTagChanges, rehomeMergedTags, replaceTagValues, type Tag } from "../tags/tags.repo.ts";
import { ComputedSpec } from "../tags/computed.ts";
import { lifecycleChange, STAGES, type Stage } from "../tags/lifecycle.ts";
import { getAudience, markEmitted, pendingChanges, recordFailure, saveComputation } from "./audiences.repo.ts";
import { Definition } from "./definition.ts";
import { dependencyOrder } from "./dependencies.ts";
import type { AudienceEngine } from "./engine.ts";
import { loadGraph } from "./graph.ts";
import { beginStep, completeStep, doneSteps, failStep, finishRun, openRun, stepLog, type Run, type StepRow } from "./runs.repo.ts";
import type { AudienceTagDb } from "./schema.ts";
import { nextRunAt } from "./schedule.ts";
import { t1AsOf } from "./zone.ts";

/** SystemEvent is an event Tessera itself emits about a person. */
export interface SystemEvent {
  /** deterministic, so a re-emission after a crash is deduplicated by the store */
  readonly messageId: string;
  readonly personId: number;
  readonly event: string;
  readonly ts: number;
  readonly properties: Readonly<Record<string, unknown>>;
}

/** EventSink appends system events to the event store; it resolves once they are committed. */
export interface EventSink {
  append(events: readonly SystemEvent[]): Promise<void>;
}

/** MaterialiseDeps is what a run needs. */
export interface MaterialiseDeps {
  /** the writer connection: each step's results and its done mark commit in one synchronous transaction */
  readonly db: Database;
  readonly kdb: Kdb;
  /** evaluates definitions and computed tags where the data is (the store worker) */
  readonly engine: AudienceEngine;
  /** brings the store's rollups (segments and their hourly directories) up to date: the nightly run's first step */
  readonly rollups: () => Promise<void>;
  readonly sink: EventSink;
  /** the project time zone (packs may override it) */
  readonly timezone: string;
  readonly clock: () => number;
}

/** RunReport is what a run did. */
export interface RunReport {
  readonly runId: number;
  readonly state: "new" | "resumed" | "done";
  readonly status: "done" | "failed";
  readonly asOf: number;
  readonly steps: readonly StepRow[];
}

const ROLLUPS = "rollups";
const MERGED = "merged-persons";
const EMIT = "emit";

const KIND_ORDER = { computed: 0, rule: 1, manual: 2 } as const;
const EMIT_BATCH = 1000;

/**
 * planNightly is rollups → manual tags of merged persons moved to their survivor → scores (computed
 * tags) → rule tags → active unscheduled packs → emission; dependencies win over that order (a rule
 * tag reading a pack runs after the pack).
 */
export async function planNightly(k: AudienceTagDb): Promise<string[]> {
  const tags = await k.selectFrom("tags").select(["name", "kind"]).execute();
  const packs = await k.selectFrom("audiences").select(["id", "status", "schedule"]).execute();
  const kindOf = new Map(tags.map((t) => [`tag:${t.name}`, KIND_ORDER[t.kind]]));
  const graph = (await loadGraph(k)).map((g, i) => ({ g, i }))
    .sort((a, b) => (kindOf.get(a.g.key) ?? 3) - (kindOf.get(b.g.key) ?? 3) || a.i - b.i).map((x) => x.g);
  const planned = new Set([
    ...tags.filter((t) => t.kind !== "manual").map((t) => `tag:${t.name}`),
    ...packs.filter((a) => a.status === "active" && a.schedule === null).map((a) => `audience:${a.id}`),
  ]);
  return [ROLLUPS, MERGED, ...dependencyOrder(graph).filter((key) => planned.has(key)), EMIT];
}

function localDay(ms: number, tz: string): string {
  return Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(tz).toPlainDate().toString();
}

/** runNightly opens (or resumes, or finds finished) today's run and executes what is left. */
export async function runNightly(deps: MaterialiseDeps, signal?: AbortSignal): Promise<RunReport> {
  const now = deps.clock();
  const opened = openRun(syncDb(deps.db, deps.kdb), {
    kind: "nightly", day: localDay(now, deps.timezone), asOf: t1AsOf(now, deps.timezone),
    plan: await planNightly(deps.kdb), now,
  });
  if (opened.state === "done") {
    return { runId: opened.run.id, state: "done", status: "done", asOf: opened.run.asOf, steps: await stepLog(deps.kdb, opened.run.id) };
  }
  return execute(deps, opened.run, opened.state, signal);
}

/** computeAudienceNow recomputes one pack on demand (as of `asOf`, default now) and emits its change. */
export async function computeAudienceNow(deps: MaterialiseDeps, audienceId: number, asOf?: number): Promise<RunReport> {
  const now = deps.clock();
  const opened = openRun(syncDb(deps.db, deps.kdb), {
    kind: "manual", day: localDay(now, deps.timezone), asOf: asOf ?? now, plan: [`audience:${audienceId}`, EMIT], now,
  });
  return execute(deps, opened.run, opened.state, undefined);
}

/**
 * runDueAudiences recomputes the active packs that have their own schedule and whose next run has
 * come (as of now), then schedules their next run. A pack whose runs were missed while the process
 * was down runs once, not once per missed occurrence. The scheduler wakes it every minute.
 */
export async function runDueAudiences(deps: MaterialiseDeps): Promise<RunReport[]> {
  const now = deps.clock();
  const due = await deps.kdb.selectFrom("audiences").select(["id", "schedule", "timezone"])
    .where("status", "=", "active").where("schedule", "is not", null).where("next_run_at", "<=", now)
    .orderBy("next_run_at").execute();
  const reports: RunReport[] = [];
  for (const a of due) {
    reports.push(await computeAudienceNow(deps, a.id, now));
    const next = nextRunAt(a.schedule!, a.timezone ?? deps.timezone, now);
    await deps.kdb.updateTable("audiences").set({ next_run_at: next }).where("id", "=", a.id).execute();
  }
  return reports;
}

async function execute(deps: MaterialiseDeps, run: Run, state: RunReport["state"], signal: AbortSignal | undefined): Promise<RunReport> {
  const k = deps.kdb;
  const done = await doneSteps(k, run.id);
  const depsOf = new Map((await loadGraph(k)).map((g) => [g.key, g.deps]));
  const failed = new Set<string>();
  for (const step of run.plan) {
    if (done.has(step)) continue;
    // An abort leaves the run open, exactly like a crash: the next open resumes it.
    signal?.throwIfAborted();
    await beginStep(k, run.id, step, deps.clock());
    const broken = (depsOf.get(step) ?? []).find((d) => failed.has(d));
    try {
      if (broken) throw new Error(`depends on ${broken}, which failed`);
      await runStep(deps, run, step);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      failed.add(step);
      await failStep(k, run.id, step, message, deps.clock());
      if (step.startsWith("audience:")) await recordFailure(k, Number(step.slice(9)), message);
    }
  }
  const status = failed.size > 0 ? "failed" : "done";
  await finishRun(k, run.id, status, failed.size > 0 ? `${failed.size} step(s) failed: ${[...failed].join(", ")}` : null, deps.clock());
  return { runId: run.id, state, status, asOf: run.asOf, steps: await stepLog(k, run.id) };
}

async function runStep(deps: MaterialiseDeps, run: Run, step: string): Promise<void> {
  const k = deps.kdb;
  const s = syncDb(deps.db, k);
  if (step === ROLLUPS) {
    await deps.rollups();
    completeStep(s, run.id, step, null, deps.clock());
    return;
  }
  if (step === MERGED) {
    // Idempotent on its own (a rerun finds nothing left to move), so it needs no shared transaction.
    const moved = rehomeMergedTags(s);
    completeStep(s, run.id, step, { moved }, deps.clock());
    return;
  }
  if (step === EMIT) {
    const detail = await emitPending(deps);
    completeStep(s, run.id, step, detail, deps.clock());
    return;
  }
  if (step.startsWith("tag:")) {
    const tag = await getTagByName(k, step.slice(4));
    if (!tag || tag.kind === "manual") return completeStep(s, run.id, step, { skipped: "not a rule or computed tag any more" }, deps.clock());
    const ctx = { asOf: run.asOf, timezone: deps.timezone };
    const values = new Map<number, string | null>();
    if (tag.kind === "computed") {
      const computed = await deps.engine.computedTag({ ...ctx, spec: ComputedSpec.parse(tag.definition) });
      computed.persons.forEach((id, i) => values.set(id, computed.values[i]!));
    } else {
      for (const id of await deps.engine.members({ ...ctx, definition: Definition.parse(tag.definition) })) values.set(id, null);
    }
    replaceTagValues(s, { tagId: tag.id, values, source: tag.kind, runId: run.id, now: deps.clock() },
      (changes) => completeStep(s, run.id, step, changes, deps.clock()));
    return;
  }
  const audience = await getAudience(k, Number(step.slice("audience:".length)));
  if (!audience) return completeStep(s, run.id, step, { skipped: "deleted" }, deps.clock());
  const started = deps.clock();
  const members = await deps.engine.members({
    asOf: run.asOf, timezone: audience.timezone ?? deps.timezone, definition: audience.definition,
  });
  const finished = deps.clock();
  saveComputation(
    s, { audienceId: audience.id, runId: run.id, asOf: run.asOf, members, computedAt: finished, durationMs: finished - started },
    () => completeStep(s, run.id, step, { size: members.length }, finished),
  );
}

async function appendAll(sink: EventSink, events: SystemEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += EMIT_BATCH) await sink.append(events.slice(i, i + EMIT_BATCH));
}

const isStage = (v: string | null): v is Stage => v !== null && (STAGES as readonly string[]).includes(v);

/** emitPending turns every unemitted membership and tag change into events, then stamps them. */
async function emitPending(deps: MaterialiseDeps): Promise<{ audienceEvents: number; tagEvents: number }> {
  const k = deps.kdb;
  let audienceEvents = 0;
  for (const ch of await pendingChanges(k)) {
    const audience = await getAudience(k, ch.audienceId);
    const properties = { audience_id: String(ch.audienceId), audience_name: audience?.name ?? null, as_of: ch.asOf };
    const events = [
      ...Array.from(ch.entered, (personId) => ({ personId, event: "audience_entered" })),
      ...Array.from(ch.exited, (personId) => ({ personId, event: "audience_exited" })),
    ].map((e) => ({ ...e, messageId: `audience:${ch.id}:${e.personId}:${e.event}`, ts: ch.createdAt, properties }));
    await appendAll(deps.sink, events);
    await markEmitted(k, ch.id, deps.clock());
    audienceEvents += events.length;
  }
  let tagEvents = 0;
  const emitting = await k.selectFrom("tags").select("name").where("emit_event", "is not", null).execute();
  for (const { name } of emitting) {
    const tag = (await getTagByName(k, name))!;
    const pending = await pendingTagChanges(k, tag.id);
    const events = pending.flatMap((c): SystemEvent[] => {
      const properties = tagChangeProperties(tag, c.oldValue, c.newValue);
      return properties === null ? [] : [{
        messageId: `tag:${c.runId}:${tag.id}:${c.personId}`, personId: c.personId, event: tag.emitEvent!,
        ts: deps.clock(), properties,
      }];
    });
    await appendAll(deps.sink, events);
    for (const runId of new Set(pending.map((c) => c.runId))) await markTagChangesEmitted(k, runId, tag.id, deps.clock());
    tagEvents += events.length;
  }
  return { audienceEvents, tagEvents };
}

/** Lifecycle tags follow lifecycleChange (no event on first assignment or loss); others say from/to. */
function tagChangeProperties(tag: Tag, from: string | null, to: string | null): Record<string, unknown> | null {
  const spec = ComputedSpec.safeParse(tag.definition);
  if (spec.success && spec.data.fn === "lifecycle") {
    const change = lifecycleChange(isStage(from) ? from : null, isStage(to) ? to : null);
    return change && { tag: tag.name, ...change };
  }
  return { tag: tag.name, from, to };
}
