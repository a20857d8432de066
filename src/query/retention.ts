/**
 * Retention (SPEC §5.3): calendar periods in the query's zone, cohort i = persons who did the start
 * event in period i (`recurring`: every such period; `first_time`: only the period of their
 * lifetime-first start event, which the data layer looks up, so people who started before the range
 * are in no cohort). Lag 0 is the cohort size; lag k ≥ 1 counts members who did the return event in
 * period i + k (`cumulative`: in i + k or any later period). Cohort i reports lags up to the last
 * period begun by dateTo, and up to `intervals` when given (the triangle).
 *
 * Periods are whole: the first cohort is the whole period containing dateFrom, and returns count
 * until the end of the period containing dateTo (the data layer reads rows over `periods.lo..hi`).
 * One pass over rows sorted by person; per person, cohort and return periods go to small scratch
 * lists, then cohort × return pairs are added to the grid.
 */
import type { RetentionResult } from "./results.ts";
import type { RetentionQuery } from "./schema.ts";
import { type Codes, labelOf, type Rows } from "./stream.ts";
import type { Buckets } from "./time.ts";
import { topLabels } from "./breakdown.ts";

/** RetentionInput: rows sorted by person with bit 0 = start event, bit 1 = return event. */
export interface RetentionInput {
  rows: Rows;
  /** breakdown holds person-property codes indexed by person. */
  breakdown?: Codes;
  /** firstStart[person] is the lifetime-first start event's time (NaN if none); needed for first_time. */
  firstStart?: Float64Array;
}

interface Spec {
  firstTime: boolean;
  cumulative: boolean;
  maxLag: number;
}

/** Visit is called per person with the ascending period indexes of their cohorts and returns. */
type Visit = (person: number, cohorts: Int32Array, nc: number, returns: Int32Array, nr: number) => void;

function eachPerson(input: RetentionInput, periods: Buckets, firstTime: boolean, visit: Visit): void {
  const { n, person, ts, match } = input.rows;
  const C = periods.length;
  const cohorts = new Int32Array(C);
  const returns = new Int32Array(C);
  for (let a = 0; a < n; ) {
    const p = person[a]!;
    let nc = 0;
    let nr = 0;
    let b = a;
    for (; b < n && person[b] === p; b++) {
      const m = match[b]!;
      if ((m & 3) === 0) continue;
      const k = periods.indexOf(ts[b]!);
      if (k < 0) continue;
      if (m & 1 && !firstTime && (nc === 0 || cohorts[nc - 1] !== k)) cohorts[nc++] = k;
      if (m & 2 && (nr === 0 || returns[nr - 1] !== k)) returns[nr++] = k;
    }
    if (firstTime) {
      const k = periods.indexOf(input.firstStart?.[p] ?? NaN);
      if (k >= 0) cohorts[nc++] = k;
    }
    if (nc > 0) visit(p, cohorts, nc, returns, nr);
    a = b;
  }
}

/** addLags adds a member of cohort i at every lag ≥ 1 where they count, into grid row `row`. */
function addLags(g: Float64Array, row: number, i: number, returns: Int32Array, nr: number, spec: Spec, last: number): void {
  const maxLag = Math.min(spec.maxLag, last - i);
  if (spec.cumulative) {
    const final = nr > 0 ? Math.min(returns[nr - 1]! - i, maxLag) : 0;
    for (let lag = 1; lag <= final; lag++) g[row + lag]!++;
    return;
  }
  for (let r = 0; r < nr; r++) {
    const lag = returns[r]! - i;
    if (lag >= 1 && lag <= maxLag) g[row + lag]!++;
  }
}

/** countsAt tells whether a member of cohort i counts at `lag` (the same rule as addLags). */
function countsAt(i: number, lag: number, returns: Int32Array, nr: number, spec: Spec, last: number): boolean {
  if (lag === 0) return true;
  if (lag > Math.min(spec.maxLag, last - i)) return false;
  for (let r = 0; r < nr; r++) {
    const d = returns[r]! - i;
    if (spec.cumulative ? d >= lag : d === lag) return true;
  }
  return false;
}

function specOf(q: RetentionQuery, periods: Buckets): Spec {
  return { firstTime: q.mode === "first_time", cumulative: q.cumulative, maxLag: q.intervals ?? periods.length - 1 };
}

/** slots ranks person breakdown labels by cohort memberships; beyond the limit they share "$other". */
function slotsOf(q: RetentionQuery, input: RetentionInput, periods: Buckets): { slot: (p: number) => number; labels: string[] } {
  const bd = input.breakdown;
  if (!q.breakdown || !bd) return { slot: () => 0, labels: [""] };
  const volume = new Map<string, number>();
  eachPerson(input, periods, q.mode === "first_time", (p, _c, nc) => {
    const l = labelOf(bd, bd.codes[p] ?? -1);
    volume.set(l, (volume.get(l) ?? 0) + nc);
  });
  const labels = topLabels(volume, q.breakdown.limit);
  const index = new Map(labels.map((l, i) => [l, i]));
  return { slot: (p) => index.get(labelOf(bd, bd.codes[p] ?? -1)) ?? labels.length - 1, labels };
}

/** retentionResults computes the cohort grid, one result per breakdown value (one without breakdown). */
export function retentionResults(q: RetentionQuery, input: RetentionInput, periods: Buckets): RetentionResult[] {
  const spec = specOf(q, periods);
  const C = periods.length;
  const L = Math.min(spec.maxLag, C - 1) + 1;
  const { slot, labels } = slotsOf(q, input, periods);
  const grid = labels.map(() => new Float64Array(C * L));
  eachPerson(input, periods, spec.firstTime, (p, cohorts, nc, returns, nr) => {
    const g = grid[slot(p)]!;
    for (let c = 0; c < nc; c++) {
      const i = cohorts[c]!;
      g[i * L]!++;
      addLags(g, i * L, i, returns, nr, spec, C - 1);
    }
  });
  return labels.map((label, s) => ({
    breakdownValue: q.breakdown ? label : null,
    cohorts: periods.labels.map((period, i) => ({
      period,
      values: Array.from(grid[s]!.subarray(i * L, i * L + Math.min(L, C - i))),
    })),
  }));
}

/** retentionActors lists the persons of one cell: cohort `period`, `lag` (0 = the cohort itself). */
export function retentionActors(
  q: RetentionQuery,
  input: RetentionInput,
  periods: Buckets,
  cell: { cohort: string; lag: number; breakdownValue?: string | null | undefined },
): Int32Array {
  const spec = specOf(q, periods);
  const i = periods.labels.indexOf(cell.cohort);
  const out: number[] = [];
  if (i < 0) return Int32Array.from(out);
  const { slot, labels } = slotsOf(q, input, periods);
  const want = q.breakdown && cell.breakdownValue != null ? labels.indexOf(cell.breakdownValue) : -1;
  eachPerson(input, periods, spec.firstTime, (p, cohorts, nc, returns, nr) => {
    if (want >= 0 && slot(p) !== want) return;
    if (cohorts.subarray(0, nc).includes(i) && countsAt(i, cell.lag, returns, nr, spec, periods.length - 1)) out.push(p);
  });
  return Int32Array.from(out);
}
