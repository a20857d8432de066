/**
 * What each kernel reads (stream.ts's contract), built from the store for one query: selectors
 * compiled against the snapshot, rows scanned over the kind's time span, grouped by person where the
 * kernel walks persons, or reduced to per-period activity where it only asks "active in period k?".
 */
import type { DistributionFrame, DistributionInput } from "../distribution.ts";
import type { FunnelInput } from "../funnel.ts";
import { lifecyclePeriods, type LifecycleInput } from "../lifecycle.ts";
import type { PathsInput } from "../paths.ts";
import type { RetentionInput } from "../retention.ts";
import {
  ALL_EVENTS, type DistributionQuery, type EventRef, type FunnelQuery, type LifecycleQuery, type PathsQuery, type RetentionQuery,
  type StickinessQuery, type TrendsQuery, windowMs,
} from "../schema.ts";
import type { Codes, Rows } from "../stream.ts";
import { buckets, type Buckets, type Calendar, previousRange, type Range, resolveRange } from "../time.ts";
import type { TrendsInput } from "../trends.ts";
import { breakdownSource, compileVec, type Env, Labels, personCodes, valueSource } from "./columns.ts";
import type { FirstTimes } from "./first-times.ts";
import { groupByPerson } from "./group.ts";
import { periodRows, periodRowsFit } from "./periods.ts";
import { rollupInput, rollupServes } from "./rollup.ts";
import { type Compiled, compileSelector, eventIds, personsWith, scan, type Selector } from "./scan.ts";

/** QueryCtx is one query's view of the worker: snapshot, calendar, clock, person id bound, caches. */
export interface QueryCtx {
  readonly env: Env;
  readonly cal: Calendar;
  readonly now: number;
  /** persons bounds person ids (exclusive). */
  readonly persons: number;
  readonly firsts: FirstTimes;
}

const PROPERTY_MATH = new Set(["sum", "avg", "min", "max", "median", "p90", "p95", "p99"]);

/** sameSelector tells whether two event references select the same rows (read them once). */
function sameSelector(a: EventRef, b: EventRef): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** masked keeps only the kernel's bits once rows kept for other reasons are in. */
function masked(rows: Rows, bits: number): void {
  for (let i = 0; i < rows.n; i++) rows.match[i]! &= bits;
}

// ---- trends

export interface TrendsFrame {
  current: Buckets;
  previous?: Buckets;
}

export function trendsFrame(q: TrendsQuery, ctx: QueryCtx): TrendsFrame {
  const range = resolveRange(q, ctx.cal, ctx.now);
  const current = buckets(ctx.cal, range, q.interval);
  return q.compare ? { current, previous: buckets(ctx.cal, previousRange(ctx.cal, range, q.interval), q.interval) } : { current };
}

/** trendsInput serves counts from the hourly rollups when it can (and may), else scans the series' rows. */
export function trendsInput(q: TrendsQuery, ctx: QueryCtx, f: TrendsFrame, rollups = true): TrendsInput & { rollup: boolean } {
  const spans = f.previous ? [f.current, f.previous] : [f.current];
  const from = Math.min(...spans.map((b) => b.lo));
  const to = Math.max(...spans.map((b) => b.hi));
  if (rollups && rollupServes(q, spans)) return { ...rollupInput(ctx.env, q, from, to), rollup: true };
  const labels = new Labels();
  const rows = scan(ctx.env, {
    from, to,
    selectors: q.series.map((s) => compileSelector(s, q.where, ctx.env, ctx.persons)),
    breakdown: q.breakdown ? breakdownSource(q.breakdown, ctx.env, labels) : undefined,
    values: q.series.map((s) => (s.property && PROPERTY_MATH.has(s.math) ? valueSource(s.property) : undefined)),
  }, ctx.persons);
  return {
    rows, rollup: false, values: rows.values,
    breakdown: q.breakdown ? { codes: rows.codes!, labels: labels.labels } : undefined,
  };
}

// ---- funnels

export interface FunnelFrame {
  range: Range;
  periods?: Buckets;
}

/**
 * funnelInput reads the rows of persons who entered (a step-1 row in the range): step and exclusion
 * rows up to the window past dateTo, and for strict funnels every other row too (the events that
 * break attempts), all passing the global filter, in person order.
 */
export function funnelInput(q: FunnelQuery, ctx: QueryCtx): { input: FunnelInput; frame: FunnelFrame } {
  const { env } = ctx;
  const range = resolveRange(q, ctx.cal, ctx.now);
  const steps = q.steps.map((s) => compileSelector(s, q.where, env, ctx.persons));
  const exclusions = q.exclusions.map((x) => compileSelector(x, q.where, env, ctx.persons));
  const selectors = [...steps, ...exclusions];
  const own = selectors.length;
  if (q.order === "strict") selectors.push(compileSelector({ event: ALL_EVENTS }, q.where, env, ctx.persons));
  // who can enter: a step-1 row in the range (unordered funnels enter at any step)
  const only = personsWith(env, steps[0]!, range.from, range.to, ctx.persons);
  if (q.order === "unordered") {
    for (const s of steps.slice(1)) {
      const more = personsWith(env, s, range.from, range.to, ctx.persons);
      for (let i = 0; i < only.length; i++) only[i]! |= more[i]!;
    }
  }
  const labels = new Labels();
  const rows = scan(env, {
    from: range.from, to: range.to + windowMs(q.window), selectors, only,
    breakdown: q.breakdown ? breakdownSource(q.breakdown, env, labels) : undefined,
  }, ctx.persons);
  const grouped = groupByPerson(rows);
  if (selectors.length > own) masked(grouped, own >= 32 ? -1 : (1 << own) - 1);
  const frame: FunnelFrame = q.view === "trends" ? { range, periods: buckets(ctx.cal, range, q.interval) } : { range };
  return { input: { rows: grouped, breakdown: q.breakdown ? { codes: grouped.codes!, labels: labels.labels } : undefined }, frame };
}

// ---- retention, lifecycle, stickiness: activity per period

function activityRows(ctx: QueryCtx, selectors: readonly Compiled[], periods: Buckets, keep?: (p: number) => boolean): Rows {
  if (periodRowsFit(new Set(selectors).size, periods, ctx.persons)) return periodRows(ctx.env, selectors, periods, ctx.persons, keep);
  const rows = groupByPerson(scan(ctx.env, { from: periods.lo, to: periods.hi, selectors }, ctx.persons));
  if (!keep) return rows;
  let w = 0;
  for (let i = 0; i < rows.n; i++) {
    if (!keep(rows.person[i]!)) continue;
    rows.person[w] = rows.person[i]!;
    rows.ts[w] = rows.ts[i]!;
    rows.match[w++] = rows.match[i]!;
  }
  rows.n = w;
  return rows;
}

/** personBreakdown reads a person property as codes indexed by person id. */
function personBreakdown(property: string, ctx: QueryCtx): Codes {
  const labels = new Labels();
  const code = personCodes(property, ctx.env, labels);
  const codes = new Int32Array(ctx.persons);
  for (let p = 0; p < ctx.persons; p++) codes[p] = code(p);
  return { codes, labels: labels.labels };
}

export function retentionInput(q: RetentionQuery, ctx: QueryCtx): { input: RetentionInput; periods: Buckets } {
  const { env } = ctx;
  const periods = buckets(ctx.cal, resolveRange(q, ctx.cal, ctx.now), q.period, true);
  const start = compileSelector(q.startEvent, q.where, env, ctx.persons);
  const ret = sameSelector(q.startEvent, q.returnEvent) ? start : compileSelector(q.returnEvent, q.where, env, ctx.persons);
  const breakdown = q.breakdown ? personBreakdown(q.breakdown.property, ctx) : undefined;
  if (q.mode === "first_time") {
    const key = JSON.stringify(["retention", q.startEvent, q.where ?? null]);
    const where = q.startEvent.where && q.where ? { and: [q.startEvent.where, q.where] } : (q.startEvent.where ?? q.where);
    const firstStart = ctx.firsts.perPerson(env, key, where, start, ctx.persons);
    // cohorts come from firstStart; the start rows only make the person visible to the kernel
    const rows = activityRows(ctx, [start, ret], periods, (p) => firstStart[p]! >= periods.lo && firstStart[p]! < periods.hi);
    return { input: { rows, breakdown, firstStart }, periods };
  }
  return { input: { rows: activityRows(ctx, [start, ret], periods), breakdown }, periods };
}

/** firstSeen is each person's first event of any kind (lifecycle's "new"). */
function firstSeen(ctx: QueryCtx): Float64Array {
  const all = compileSelector({ event: ALL_EVENTS }, undefined, ctx.env, ctx.persons);
  return ctx.firsts.perPerson(ctx.env, JSON.stringify(["first-seen"]), undefined, all, ctx.persons);
}

export function lifecycleInput(q: LifecycleQuery, ctx: QueryCtx): { input: LifecycleInput; periods: Buckets } {
  const periods = lifecyclePeriods(ctx.cal, resolveRange(q, ctx.cal, ctx.now), q.interval);
  const sel = compileSelector({ event: q.event }, q.where, ctx.env, ctx.persons);
  return { input: { rows: activityRows(ctx, [sel], periods), firstSeen: firstSeen(ctx) }, periods };
}

export function stickinessInput(q: StickinessQuery, ctx: QueryCtx): { rows: Rows; periods: Buckets } {
  const periods = buckets(ctx.cal, resolveRange(q, ctx.cal, ctx.now), q.interval, true);
  const sel = compileSelector({ event: q.event }, q.where, ctx.env, ctx.persons);
  return { rows: activityRows(ctx, [sel], periods), periods };
}

// ---- distribution

export function distributionInput(q: DistributionQuery, ctx: QueryCtx): { input: DistributionInput; frame: DistributionFrame } {
  const range = resolveRange(q, ctx.cal, ctx.now);
  const sel = compileSelector({ event: q.event }, q.where, ctx.env, ctx.persons);
  const sum = q.measure === "sum" && q.property !== undefined;
  const rows = scan(ctx.env, { from: range.from, to: range.to, selectors: [sel], values: sum ? [valueSource(q.property!)] : undefined }, ctx.persons);
  // counts and sums over the whole range only need a person's rows together, not in time order
  const timeOrder = q.interval !== undefined || q.measure === "active_days" || q.measure === "active_hours";
  const grouped = groupByPerson(rows, timeOrder);
  const frame: DistributionFrame = { range };
  if (q.measure === "active_days") frame.units = buckets(ctx.cal, range, "day");
  if (q.measure === "active_hours") frame.units = buckets(ctx.cal, range, "hour");
  if (q.interval) frame.periods = buckets(ctx.cal, range, q.interval);
  return { input: { rows: grouped, value: sum ? grouped.values![0] : undefined }, frame };
}

// ---- paths

/** pathsInput reads every event a path may show (include/exclude applied, the anchor always kept). */
export function pathsInput(q: PathsQuery, ctx: QueryCtx): { input: PathsInput; range: Range } {
  const { env } = ctx;
  const range = resolveRange(q, ctx.cal, ctx.now);
  // bit 0: the start event (else the end event), bit 1: the end event when both are given
  const anchors = [q.startEvent, q.endEvent].filter((r): r is Selector => r !== undefined).map((r) => compileSelector(r, q.where, env, ctx.persons));
  // PostHog applies both lists: the included events less the excluded ones
  let allowed: Set<number> | null = null;
  if (q.includeEvents) {
    allowed = new Set();
    for (const name of q.includeEvents) for (const id of eventIds(name, env) ?? env.reader.eventNames.keys()) allowed.add(id);
  }
  if (q.excludeEvents) {
    const drop = new Set(q.excludeEvents.flatMap((name) => [...(eventIds(name, env) ?? [])]));
    allowed = new Set([...(allowed ?? env.reader.eventNames.keys())].filter((id) => !drop.has(id)));
  }
  const keep: Compiled = { events: allowed, filter: compileVec(q.where, env) };
  const rows = scan(env, {
    from: range.from, to: range.to,
    selectors: [...anchors, keep],
    only: anchors.length > 0 ? personsWith(env, anchors[0]!, range.from, range.to, ctx.persons) : undefined,
    event: true,
  }, ctx.persons);
  const grouped = groupByPerson(rows);
  masked(grouped, (1 << anchors.length) - 1);
  const names: string[] = [];
  for (const [id, name] of env.reader.eventNames) names[id] = name;
  return { input: { rows: grouped, event: grouped.event!, eventNames: names }, range };
}
