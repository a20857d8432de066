/**
 * Stickiness (SPEC §5.5, PostHog's semantics): persons by the number of intervals of the range in
 * which they did the event, from 1 to the number of intervals (zeros included, so the chart has
 * every bar); `cumulative` counts persons active in k or more intervals. Intervals are whole.
 */
import type { StickinessResult } from "./results.ts";
import type { Rows } from "./stream.ts";
import type { Buckets } from "./time.ts";

/** activeIntervals calls `fn(person, k)` with each person's number of active intervals (k ≥ 1). */
function activeIntervals(rows: Rows, periods: Buckets, fn: (p: number, k: number) => void): void {
  const { n, person, ts, match } = rows;
  for (let a = 0; a < n; ) {
    const p = person[a]!;
    let last = -1;
    let k = 0;
    let b = a;
    for (; b < n && person[b] === p; b++) {
      if (!(match[b]! & 1)) continue;
      const x = periods.indexOf(ts[b]!);
      if (x >= 0 && x !== last) {
        k++;
        last = x;
      }
    }
    if (k > 0) fn(p, k);
    a = b;
  }
}

/** stickinessResults: rows sorted by (person, ts) with bit 0 = the event. */
export function stickinessResults(rows: Rows, periods: Buckets, cumulative: boolean): StickinessResult[] {
  const C = periods.length;
  const persons = new Float64Array(C + 1);
  activeIntervals(rows, periods, (_p, k) => persons[k]!++);
  if (cumulative) for (let k = C - 1; k >= 1; k--) persons[k]! += persons[k + 1]!;
  return Array.from({ length: C }, (_, i) => ({ intervals: i + 1, persons: persons[i + 1]! }));
}

/** stickinessActors lists the persons active in exactly (cumulative: at least) `intervals` intervals. */
export function stickinessActors(rows: Rows, periods: Buckets, cumulative: boolean, intervals: number): Int32Array {
  const out: number[] = [];
  activeIntervals(rows, periods, (p, k) => (cumulative ? k >= intervals : k === intervals) && out.push(p));
  return Int32Array.from(out);
}
