/**
 * The query API of SPEC §5 as the dashboard sends and reads it. Filter and audience shapes come type-only
 * from the server modules; the query bodies are the *input* side of src/query/schema.ts (fields with
 * server defaults are optional here) and the answers are SPEC §5.0's fixed shapes.
 */
import type { z } from "zod";
export type { Filter, FilterLeaf, FilterOp } from "../../../src/query/filter.ts";
import type { Filter } from "../../../src/query/filter.ts";
import type { Query as QuerySchema } from "../../../src/query/schema.ts";

export type Interval = "hour" | "day" | "week" | "month";
export type PropertyType = "event" | "person";
export type QueryKind = "trends" | "funnel" | "retention" | "distribution" | "lifecycle" | "stickiness" | "paths";

/** Common are the fields every query kind shares. */
export interface Common {
  dateFrom?: string;
  dateTo?: string;
  timezone?: string;
  where?: Filter;
}

export interface EventRef {
  event: string;
  where?: Filter;
}

export type TrendsMath = "total" | "users" | "per_user_avg" | "per_user_max" | "sum" | "avg" | "min" | "max" | "median" | "p90" | "p95" | "p99";
export const PROPERTY_MATH: readonly TrendsMath[] = ["sum", "avg", "min", "max", "median", "p90", "p95", "p99"];

export interface Series extends EventRef {
  math?: TrendsMath;
  property?: string;
}

export interface Breakdown {
  property: string;
  type?: PropertyType;
  limit?: number;
}

export interface TrendsQuery extends Common {
  kind: "trends";
  series: Series[];
  interval?: Interval;
  breakdown?: Breakdown;
  compare?: boolean;
  formula?: string;
}

export type WindowUnit = "second" | "minute" | "hour" | "day" | "week";
export type FunnelView = "steps" | "trends" | "time_to_convert";

export interface FunnelQuery extends Common {
  kind: "funnel";
  steps: EventRef[];
  window?: { n: number; unit: WindowUnit };
  order?: "ordered" | "strict" | "unordered";
  exclusions?: (EventRef & { fromStep: number; toStep: number })[];
  breakdown?: Breakdown & { attribution?: "first_touch" | "last_touch" | "step"; step?: number };
  view?: FunnelView;
  interval?: Interval;
  fromStep?: number;
  toStep?: number;
}

export interface RetentionQuery extends Common {
  kind: "retention";
  startEvent: EventRef;
  returnEvent: EventRef;
  period?: "day" | "week" | "month";
  intervals?: number;
  mode?: "recurring" | "first_time";
  cumulative?: boolean;
  breakdown?: { property: string; type?: "person"; limit?: number };
}

export type DistributionMeasure = "count" | "active_days" | "active_hours" | "sum";

export interface DistributionQuery extends Common {
  kind: "distribution";
  event: string;
  measure?: DistributionMeasure;
  property?: string;
  buckets?: number[];
  interval?: Interval;
}

export interface LifecycleQuery extends Common {
  kind: "lifecycle";
  event: string;
  interval?: Interval;
}

export interface StickinessQuery extends Common {
  kind: "stickiness";
  event: string;
  interval?: Interval;
  cumulative?: boolean;
}

export interface PathsQuery extends Common {
  kind: "paths";
  startEvent?: EventRef;
  endEvent?: EventRef;
  stepLimit?: number;
  edgeLimit?: number;
  /** only transitions taken by at least this many paths */
  minEdgeWeight?: number;
  excludeEvents?: string[];
  sessionGapMinutes?: number | null;
}

export type Query = TrendsQuery | FunnelQuery | RetentionQuery | DistributionQuery | LifecycleQuery | StickinessQuery | PathsQuery;

// ---- answers (SPEC §5.0, fixed): the query room's own types

export type {
  Actor, DistributionBucket, FunnelStep, FunnelStepsResult, FunnelTrendsResult, LifecycleResult, PathEdge, RetentionResult,
  StickinessResult, TimeToConvertResult, TrendsResult,
} from "../../../src/query/results.ts";
import type {
  Actor, DistributionBucket, FunnelStepsResult, FunnelTrendsResult, LifecycleResult, PathEdge, RetentionResult,
  StickinessResult, TimeToConvertResult, TrendsResult,
} from "../../../src/query/results.ts";

export interface Timing {
  timing?: { ms: number };
}

/** Answer maps a query kind (and funnel view) to what `POST /api/query` returns for it. */
export type Answer<K extends QueryKind> = Timing &
  (K extends "trends"
    ? { results: TrendsResult[] }
    : K extends "funnel"
      ? { results: FunnelStepsResult[] | FunnelTrendsResult[] | TimeToConvertResult[] }
      : K extends "retention"
        ? { results: RetentionResult[] }
        : K extends "distribution"
          ? { results: DistributionBucket[]; totalPersons: number }
          : K extends "lifecycle"
            ? { results: LifecycleResult[] }
            : K extends "stickiness"
              ? { results: StickinessResult[] }
              : { results: PathEdge[] });

export interface ActorsPage {
  persons: Actor[];
  next: string | null;
  /** total is the whole selection's size (POST /api/query/actors gives it; the persons search does not). */
  total?: number;
  /** audience is the pack created by `saveAs`. */
  audience?: { id: number; name: string; size: number | null };
}

/**
 * ActorsSelector names the clicked number for `POST /api/query/actors` (merged into the query body):
 * funnel step / drop-off (1-based; a funnel trends period's entrants and converters) or time-to-convert bin
 * (converted in [from, to) seconds), trends point, retention or lifecycle cell, distribution or
 * stickiness bucket, paths edge.
 */
export type ActorsSelector =
  | { step: number; breakdownValue?: string | null; period?: string }
  | { dropOffAfter: number; breakdownValue?: string | null }
  | { bin: { from: number; to: number } }
  | { point: { series: string; period?: string; breakdownValue?: string | null; previous?: boolean } }
  | { cell: { cohort: string; lag: number; breakdownValue?: string | null } }
  | { cell: { period: string; status: "new" | "returning" | "resurrecting" | "dormant" } }
  | { bucket: { from: number | null; period?: string } }
  | { bucket: { intervals: number } }
  | { edge: { source: string; target: string } };

// ---- the event catalogue the pickers read (GET /api/events, GET /api/events/properties)

export type { EventInfo as EventName, PropertyInfo } from "../../../src/query/catalog.ts";

/**
 * QueryInput is what `POST /api/query` accepts (the schema's input side). The dashboard's own query types
 * above are narrower (an event is always named); the runner checks them against it where they are sent.
 */
export type QueryInput = z.input<typeof QuerySchema>;
