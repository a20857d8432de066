/**
 * Lifecycle (SPEC §5.5, PostHog's semantics): per interval, persons who did the event are `new`
 * (the interval holds their first-ever event — the data layer passes each person's first event
 * time of any kind, not when their row was written), `returning` (also active the interval
 * before) or `resurrecting` (not active the interval before, seen earlier); persons active the
 * interval before but not in this one are `dormant`, reported negative. Intervals are whole; rows
 * are read from one interval before the range so the first interval can tell returning from
 * resurrecting — `lifecyclePeriods` builds those periods.
 */
import type { LifecycleResult } from "./results.ts";
import type { Rows } from "./stream.ts";
import { buckets, type Buckets, type Calendar, type Interval, type Range, startOf } from "./time.ts";

/** LifecycleInput: rows sorted by (person, ts) with bit 0 = the event; firstSeen per person (NaN unknown). */
export interface LifecycleInput {
  rows: Rows;
  firstSeen: Float64Array;
}

/** lifecyclePeriods are the whole intervals of the range plus the one before it (period 0, not reported). */
export function lifecyclePeriods(cal: Calendar, range: Range, interval: Interval): Buckets {
  const first = buckets(cal, range, interval, true).starts[0]!;
  return buckets(cal, { from: startOf(cal, first - 1, interval), to: range.to }, interval, true);
}

export type LifecycleStatus = "new" | "returning" | "resurrecting" | "dormant";
const STATUSES: LifecycleStatus[] = ["new", "returning", "resurrecting", "dormant"];

/** eachStatus calls `fn(person, period, status)` for every reported period a person has a status in. */
function eachStatus(input: LifecycleInput, periods: Buckets, fn: (p: number, k: number, s: number) => void): void {
  const { n, person, ts, match } = input.rows;
  const C = periods.length;
  const active = new Int32Array(C);
  for (let a = 0; a < n; ) {
    const p = person[a]!;
    let na = 0;
    let b = a;
    for (; b < n && person[b] === p; b++) {
      if (!(match[b]! & 1)) continue;
      const k = periods.indexOf(ts[b]!);
      if (k >= 0 && (na === 0 || active[na - 1] !== k)) active[na++] = k;
    }
    const born = periods.indexOf(input.firstSeen[p] ?? NaN);
    for (let x = 0; x < na; x++) {
      const k = active[x]!;
      if (k > 0) fn(p, k, k === born ? 0 : x > 0 && active[x - 1] === k - 1 ? 1 : 2);
      const next = x + 1 < na ? active[x + 1]! : C;
      if (next !== k + 1 && k + 1 < C) fn(p, k + 1, 3);
    }
    a = b;
  }
}

/** lifecycleResults counts each status per reported period (dormant negative). */
export function lifecycleResults(input: LifecycleInput, periods: Buckets): LifecycleResult[] {
  const C = periods.length;
  const counts = new Float64Array(C * 4);
  eachStatus(input, periods, (_p, k, s) => counts[k * 4 + s]!++);
  return periods.labels.slice(1).map((period, i) => {
    const k = (i + 1) * 4;
    // 0 − x rather than −x: an empty period's dormant is 0, not −0
    return { period, new: counts[k]!, returning: counts[k + 1]!, resurrecting: counts[k + 2]!, dormant: 0 - counts[k + 3]! };
  });
}

/** lifecycleActors lists the persons with `status` in the period labelled `period`. */
export function lifecycleActors(input: LifecycleInput, periods: Buckets, cell: { period: string; status: LifecycleStatus }): Int32Array {
  const k = periods.labels.indexOf(cell.period);
  const s = STATUSES.indexOf(cell.status);
  const out: number[] = [];
  if (k > 0) eachStatus(input, periods, (p, kk, ss) => kk === k && ss === s && out.push(p));
  return Int32Array.from(out);
}
