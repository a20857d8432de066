/**
 * Response shapes of SPEC §5.0 (fixed: these field names are public; fields may only be added).
 * Every response is `{results: [...]}` plus `timing` and kind-specific extras; period labels are
 * the local start of the period in the query's zone ("2020-06-10", "2020-06-10T13:00" for hours).
 */

/** Response wraps the results of any analysis. */
export interface Response<T> {
  results: T[];
  timing?: { ms: number };
}

export interface TrendsPoint {
  t: string;
  value: number;
}

/** TrendsResult is one line: a series (or the formula) for one breakdown value. */
export interface TrendsResult {
  series: string;
  event: string;
  breakdownValue: string | null;
  points: TrendsPoint[];
  /** total over the range: distinct persons for `users`, the math over all rows otherwise. */
  total: number;
  /** compare: which period the line belongs to, present only when the query compares. */
  compare?: "current" | "previous";
}

export interface FunnelStep {
  event: string;
  count: number;
  avgSecondsFromPrevious: number | null;
  medianSecondsFromPrevious: number | null;
}

export interface FunnelStepsResult {
  breakdownValue: string | null;
  steps: FunnelStep[];
}

export interface FunnelTrendsResult {
  period: string;
  entered: number;
  converted: number;
  /** rate in percent with 2 decimals; 0 when nobody entered. */
  rate: number;
  breakdownValue?: string | null;
}

export interface TimeToConvertResult {
  averageSeconds: number | null;
  medianSeconds: number | null;
  /**
   * bins: [bin start in seconds, persons]; a bin is [its start, the next start), the last one [its start,
   * its start + the bins' width), which holds only conversions exactly at its start.
   */
  bins: [number, number][];
}

export interface RetentionResult {
  breakdownValue: string | null;
  cohorts: { period: string; values: number[] }[];
}

export interface DistributionBucket {
  /** from is null only for the bucket below the first custom edge. */
  from: number | null;
  /** to is null for the open last bucket. */
  to: number | null;
  persons: number;
  /** period is present in the per-interval variant. */
  period?: string;
}

export interface DistributionResponse extends Response<DistributionBucket> {
  totalPersons: number;
}

export interface LifecycleResult {
  period: string;
  new: number;
  returning: number;
  resurrecting: number;
  /** dormant is reported as a negative count, as in PostHog. */
  dormant: number;
}

export interface StickinessResult {
  intervals: number;
  persons: number;
}

export interface PathEdge {
  source: string;
  target: string;
  persons: number;
}

export interface Actor {
  id: string;
  identifiers: { type: string; value: string }[];
  traits: Record<string, unknown>;
}

export interface ActorsResponse {
  persons: Actor[];
  next: string | null;
}
