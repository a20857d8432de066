/**
 * The query language of SPEC §5 as zod schemas: `POST /api/query` bodies discriminated by `kind`,
 * and `POST /api/query/actors` bodies (a query plus what was clicked). Defaults live here so the
 * engine sees complete queries; checks that need the whole query (step indexes within the funnel,
 * a property for property math, formula letters) are refinements, so a bad query is a 400 with zod
 * issues before any data is read. Step indexes inside a query are 0-based as in PostHog; the actors
 * `step`/`dropOffAfter` are 1-based ("reached step k").
 */
import { z } from "zod";
import { Filter } from "./filter.ts";
import { FormulaError, parseFormula } from "./formula.ts";
import { isDateSpec } from "./time.ts";
import { isTimeZone } from "../config.ts";

const DateSpec = z.string().max(40).refine(isDateSpec, {
  message: 'expected YYYY-MM-DD, an ISO datetime, "today", "yesterday", "now" or -N with h|d|w|m|y (e.g. "-7d")',
});
const TimeZone = z.string().max(64).refine(isTimeZone, { message: "unknown IANA time zone" });
const Name = z.string().min(1).max(200);

/** ALL_EVENTS names "any event" in series, steps and analyses (PostHog's "All events"). */
export const ALL_EVENTS = "$all";

/**
 * EventName is an event name; `"$all"` or null means any event (`eventLabel` reads null as "$all").
 * Kept free of transforms: zod drops a schema's OpenAPI examples once a transform is inside it.
 */
const EventName = z.union([Name, z.null()]).describe('an event name; "$all" or null for any event');

/** eventLabel is how an event reference reads in results: its name, or "$all" for any event. */
export function eventLabel(event: string | null): string {
  return event ?? ALL_EVENTS;
}
const StepIndex = z.number().int().min(0).max(19);

export const Interval = z.enum(["hour", "day", "week", "month"]);

/** Fields every query kind shares: the range, the calendar overrides and a global filter. */
const common = {
  dateFrom: DateSpec.default("-7d"),
  dateTo: DateSpec.default("today"),
  timezone: TimeZone.optional(),
  weekStart: z.enum(["monday", "sunday"]).optional(),
  where: Filter.optional(),
};

/** EventRef is an event name with an optional filter on its properties. */
export const EventRef = z.object({ event: EventName, where: Filter.optional() });
export type EventRef = z.infer<typeof EventRef>;

const Breakdown = z.object({
  property: Name,
  type: z.enum(["event", "person"]).default("event"),
  /** PostHog's default (BREAKDOWN_VALUES_LIMIT); the dashboard's editor asks for 10 lines unless told. */
  limit: z.number().int().min(1).max(100).default(25),
});

type Ctx = z.RefinementCtx;
const issue = (ctx: Ctx, path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });

// ---- trends (§5.1)

const PROPERTY_MATH = ["sum", "avg", "min", "max", "median", "p90", "p95", "p99"] as const;
export const TrendsMath = z.enum(["total", "users", "per_user_avg", "per_user_max", ...PROPERTY_MATH]);
export type TrendsMath = z.infer<typeof TrendsMath>;

export const Series = z.object({
  event: EventName,
  math: TrendsMath.default("total"),
  property: Name.optional(),
  where: Filter.optional(),
});
export type Series = z.infer<typeof Series>;

const trendsShape = {
  kind: z.literal("trends"),
  ...common,
  series: z.array(Series).min(1).max(26),
  interval: Interval.default("day"),
  breakdown: Breakdown.optional(),
  compare: z.boolean().default(false),
  formula: z.string().min(1).max(200).optional(),
};

function checkTrends(q: { series: Series[]; formula?: string | undefined }, ctx: Ctx): void {
  q.series.forEach((s, i) => {
    if ((PROPERTY_MATH as readonly string[]).includes(s.math) && !s.property) {
      issue(ctx, ["series", i, "property"], `math ${s.math} needs a numeric property`);
    }
  });
  if (q.formula === undefined) return;
  try {
    const f = parseFormula(q.formula);
    const bad = f.letters.filter((i) => i >= q.series.length);
    if (bad.length) issue(ctx, ["formula"], `formula uses ${bad.map((i) => String.fromCharCode(65 + i)).join(", ")} but there are ${q.series.length} series`);
  } catch (e) {
    if (!(e instanceof FormulaError)) throw e;
    issue(ctx, ["formula"], e.message);
  }
}

// ---- funnels (§5.2)

const WindowUnit = z.enum(["second", "minute", "hour", "day", "week"]);
const UNIT_MS = { second: 1_000, minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 604_800_000 } as const;

const funnelShape = {
  kind: z.literal("funnel"),
  ...common,
  steps: z.array(EventRef).min(2).max(20),
  window: z.object({ n: z.number().int().min(1), unit: WindowUnit }).default({ n: 7, unit: "day" }),
  order: z.enum(["ordered", "strict", "unordered"]).default("ordered"),
  exclusions: z.array(EventRef.extend({ fromStep: StepIndex, toStep: StepIndex })).max(10).default([]),
  breakdown: Breakdown.extend({
    attribution: z.enum(["first_touch", "last_touch", "step"]).default("first_touch"),
    step: StepIndex.optional(),
  }).optional(),
  view: z.enum(["steps", "trends", "time_to_convert"]).default("steps"),
  interval: Interval.default("day"),
  fromStep: StepIndex.default(0),
  /** toStep defaults to the last step; see `funnelToStep`. */
  toStep: StepIndex.optional(),
  /** bins sets the number of time_to_convert bins (default: the cube root of the converters). */
  bins: z.number().int().min(1).max(90).optional(),
};

type FunnelLike = {
  steps: unknown[];
  window: { n: number; unit: z.infer<typeof WindowUnit> };
  order: "ordered" | "strict" | "unordered";
  exclusions: { fromStep: number; toStep: number }[];
  breakdown?: { attribution: string; step?: number | undefined } | undefined;
  fromStep: number;
  toStep?: number | undefined;
};

function checkFunnel(q: FunnelLike, ctx: Ctx): void {
  const last = q.steps.length - 1;
  q.exclusions.forEach((x, i) => {
    if (!(x.fromStep < x.toStep && x.toStep <= last)) issue(ctx, ["exclusions", i], `need 0 ≤ fromStep < toStep ≤ ${last}`);
    else if (q.order === "unordered" && (x.fromStep !== 0 || x.toStep !== last)) {
      issue(ctx, ["exclusions", i], `unordered funnels exclude over the whole funnel: fromStep 0, toStep ${last}`);
    }
  });
  const b = q.breakdown;
  if (b?.attribution === "step") {
    if (b.step === undefined || b.step > last) issue(ctx, ["breakdown", "step"], `attribution step needs a step in 0..${last}`);
    else if (q.order === "unordered" && b.step !== 0) issue(ctx, ["breakdown", "step"], "unordered funnels attribute only to step 0");
  }
  const to = q.toStep ?? last;
  if (!(q.fromStep < to && to <= last)) issue(ctx, ["toStep"], `need 0 ≤ fromStep < toStep ≤ ${last}`);
}

/** windowMs is a funnel window in absolute milliseconds (DST-proof, like PostHog's seconds). */
export function windowMs(w: { n: number; unit: z.infer<typeof WindowUnit> }): number {
  return w.n * UNIT_MS[w.unit];
}

/** funnelToStep is the query's toStep, defaulting to the last step. */
export function funnelToStep(q: { steps: unknown[]; toStep?: number | undefined }): number {
  return q.toStep ?? q.steps.length - 1;
}

// ---- retention (§5.3), distribution (§5.4), lifecycle and stickiness (§5.5), paths (§5.6)

const retentionShape = {
  kind: z.literal("retention"),
  ...common,
  startEvent: EventRef,
  returnEvent: EventRef,
  period: z.enum(["day", "week", "month"]).default("day"),
  /** intervals reports lags 0..intervals (default: up to the period containing dateTo). */
  intervals: z.number().int().min(1).max(400).optional(),
  mode: z.enum(["recurring", "first_time"]).default("recurring"),
  cumulative: z.boolean().default(false),
  breakdown: Breakdown.extend({ type: z.literal("person").default("person") }).optional(),
};

const distributionShape = {
  kind: z.literal("distribution"),
  ...common,
  event: EventName,
  measure: z.enum(["count", "active_days", "active_hours", "sum"]).default("count"),
  property: Name.optional(),
  /** buckets are ascending edges: [1,3,10] → [1,3) [3,10) [10,∞); absent → automatic. */
  buckets: z.array(z.number().finite()).min(1).max(50).optional(),
  /** interval asks for one distribution per period instead of one over the whole range. */
  interval: Interval.optional(),
};

function checkDistribution(q: { measure: string; property?: string | undefined; buckets?: number[] | undefined }, ctx: Ctx) {
  if (q.measure === "sum" && !q.property) issue(ctx, ["property"], "measure sum needs a numeric property");
  q.buckets?.forEach((e, i, a) => {
    if (i > 0 && !(e > a[i - 1]!)) issue(ctx, ["buckets", i], "bucket edges must be strictly increasing");
  });
}

const lifecycleShape = { kind: z.literal("lifecycle"), ...common, event: EventName, interval: Interval.default("day") };

const stickinessShape = {
  kind: z.literal("stickiness"),
  ...common,
  event: EventName,
  interval: Interval.default("day"),
  /** cumulative counts persons active in k or more intervals. */
  cumulative: z.boolean().default(false),
};

const pathsShape = {
  kind: z.literal("paths"),
  ...common,
  /**
   * startEvent: paths after its first occurrence; endEvent: paths leading to it; both: from the start to the
   * first end after it (PostHog's start and end points); neither: from the first event.
   */
  startEvent: EventRef.optional(),
  endEvent: EventRef.optional(),
  stepLimit: z.number().int().min(2).max(10).default(5),
  edgeLimit: z.number().int().min(1).max(500).default(50),
  /** PostHog's edge weights: only edges taken by at least / at most this many paths, before the edge limit. */
  minEdgeWeight: z.number().int().min(1).optional(),
  maxEdgeWeight: z.number().int().min(1).optional(),
  includeEvents: z.array(Name).max(100).optional(),
  excludeEvents: z.array(Name).max(100).optional(),
  /** sessionGapMinutes ends a path after this much inactivity; null follows it across sessions. */
  sessionGapMinutes: z.number().int().min(1).max(1440).nullable().default(30),
};

export const TrendsQuery = z.object(trendsShape).superRefine(checkTrends);
export const FunnelQuery = z.object(funnelShape).superRefine(checkFunnel);
export const RetentionQuery = z.object(retentionShape);
export const DistributionQuery = z.object(distributionShape).superRefine(checkDistribution);
export const LifecycleQuery = z.object(lifecycleShape);
export const StickinessQuery = z.object(stickinessShape);
export const PathsQuery = z.object(pathsShape);

/** Query is the body of `POST /api/query`. */
export const Query = z.discriminatedUnion("kind", [
  TrendsQuery, FunnelQuery, RetentionQuery, DistributionQuery, LifecycleQuery, StickinessQuery, PathsQuery,
]);
export type Query = z.infer<typeof Query>;
export type TrendsQuery = z.infer<typeof TrendsQuery>;
export type FunnelQuery = z.infer<typeof FunnelQuery>;
export type RetentionQuery = z.infer<typeof RetentionQuery>;
export type DistributionQuery = z.infer<typeof DistributionQuery>;
export type LifecycleQuery = z.infer<typeof LifecycleQuery>;
export type StickinessQuery = z.infer<typeof StickinessQuery>;
export type PathsQuery = z.infer<typeof PathsQuery>;

// ---- actors (§5.2 and the same idea for every chart)

const BreakdownValue = z.string().max(1000).nullable().optional();

/** Paging and saving are the same for every actors request. */
const paging = {
  limit: z.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(200).nullable().optional(),
  /** saveAs stores the whole selection (not just this page) as a static audience pack. */
  saveAs: z.object({ name: Name }).optional(),
};

const funnelActors = z.object({
  ...funnelShape,
  ...paging,
  step: z.number().int().min(1).max(20).optional(),
  dropOffAfter: z.number().int().min(1).max(19).optional(),
  breakdownValue: BreakdownValue,
  /** With `view: "trends"`: only the attempts that entered in this period (its label), judged as that view does. */
  period: z.string().max(40).optional(),
  /**
   * With `view: "time_to_convert"`: the persons who converted from fromStep to toStep in [from, to) seconds.
   * A histogram bin is [its start, the next start), the last [its start, its start + the bins' width).
   */
  bin: z.object({ from: z.number().finite(), to: z.number().finite() }).optional(),
}).superRefine((q, ctx) => {
  checkFunnel(q, ctx);
  if (q.period !== undefined && q.view !== "trends") issue(ctx, ["period"], "a period selects in the trends view only");
  if (q.bin !== undefined && q.view !== "time_to_convert") issue(ctx, ["bin"], "a bin selects in the time_to_convert view only");
  if (q.bin !== undefined && !(q.bin.from < q.bin.to)) issue(ctx, ["bin"], "need bin.from < bin.to");
  if ([q.step, q.dropOffAfter, q.bin].filter((x) => x !== undefined).length !== 1) issue(ctx, ["step"], "give one of step, dropOffAfter or bin");
  if (q.step !== undefined && q.step > q.steps.length) issue(ctx, ["step"], `the funnel has ${q.steps.length} steps`);
  if (q.dropOffAfter !== undefined && q.dropOffAfter >= q.steps.length) {
    issue(ctx, ["dropOffAfter"], `dropOffAfter must be below ${q.steps.length}`);
  }
});

/**
 * ActorsRequest is the body of `POST /api/query/actors`: a query plus a selector naming the chart
 * element — funnel `step`/`dropOffAfter` (1-based, SPEC; with `period` in the trends view) or a time-to-convert
 * `bin` (seconds); trends `point` (a series letter, a period
 * label or the whole range, the previous period of compare); retention and lifecycle `cell`;
 * distribution and stickiness `bucket`; paths `edge`.
 */
export const ActorsRequest = z.discriminatedUnion("kind", [
  funnelActors,
  z.object({
    ...trendsShape,
    ...paging,
    point: z.object({
      series: z.string().regex(/^[A-Z]$/).default("A"),
      period: z.string().max(40).optional(),
      breakdownValue: BreakdownValue,
      previous: z.boolean().default(false),
    }),
  }).superRefine((q, ctx) => {
    checkTrends(q, ctx);
    if (q.point.series.charCodeAt(0) - 65 >= q.series.length) issue(ctx, ["point", "series"], "no such series");
  }),
  z.object({
    ...retentionShape,
    ...paging,
    cell: z.object({ cohort: z.string().max(40), lag: z.number().int().min(0).max(400), breakdownValue: BreakdownValue }),
  }),
  z.object({
    ...distributionShape,
    ...paging,
    bucket: z.object({ from: z.number().nullable(), period: z.string().max(40).optional() }),
  }).superRefine(checkDistribution),
  z.object({
    ...lifecycleShape,
    ...paging,
    cell: z.object({ period: z.string().max(40), status: z.enum(["new", "returning", "resurrecting", "dormant"]) }),
  }),
  z.object({ ...stickinessShape, ...paging, bucket: z.object({ intervals: z.number().int().min(1) }) }),
  z.object({ ...pathsShape, ...paging, edge: z.object({ source: Name, target: Name }) }),
]);
export type ActorsRequest = z.infer<typeof ActorsRequest>;
