/**
 * Distribution (分布分析, SPEC §5.4): how many persons did the event how many times, on how many
 * local days or hours, or for how much of a numeric property — over the range or per interval.
 * Only persons who did the event at least once appear; `totalPersons` counts them all.
 *
 * Buckets: custom edges [1, 3, 10] → [1,3) [3,10) [10,∞) (`to` null on the open bucket); values
 * below the first edge (a sum under 1, say) get a leading {from: null, to: 1} bucket when there are
 * any. Automatic buckets: for counts of times/days/hours the edges 1, 2, 3, 4, 5, 10, 20, 50, 100,
 * 200, 500, … up to the largest value (exact small counts, then a 1-2-5 ladder); for sums, about ten
 * equal "nice" steps (1, 2 or 5 × 10^k wide) from the smallest value. One set of edges serves every
 * period of the per-interval variant so its histograms line up.
 */
import type { DistributionBucket, DistributionResponse } from "./results.ts";
import type { DistributionQuery } from "./schema.ts";
import type { Rows } from "./stream.ts";
import type { Buckets, Range } from "./time.ts";

/** DistributionInput: rows sorted by (person, ts) with bit 0 = the event; `value` for measure sum. */
export interface DistributionInput {
  rows: Rows;
  value?: Float64Array;
}

/** DistributionFrame says how to measure: `units` are local days or hours (active_days/hours); `periods` the per-interval split. */
export interface DistributionFrame {
  range: Range;
  units?: Buckets;
  periods?: Buckets;
}

/** Measures are one value per (person, period) with at least one event. */
interface Measures {
  count: number;
  person: Int32Array;
  period: Int32Array;
  value: Float64Array;
}

const COUNT = 0;
const SUM = 1;
const UNITS = 2;

function measure(input: DistributionInput, q: DistributionQuery, f: DistributionFrame): Measures {
  const { n, person, ts, match } = input.rows;
  const out: Measures = { count: 0, person: new Int32Array(1024), period: new Int32Array(1024), value: new Float64Array(1024) };
  const { from, to } = f.range;
  const val = input.value;
  const kind = q.measure === "count" ? COUNT : q.measure === "sum" ? SUM : UNITS;
  let cur = -1; // person of the open (person, period) entry
  let curK = -1;
  let lastUnit = -1;
  let e = -1;
  for (let i = 0; i < n; i++) {
    const t = ts[i]!;
    if (!(match[i]! & 1) || t < from || t >= to) continue;
    const k = f.periods ? f.periods.indexOf(t) : 0;
    if (k < 0) continue;
    const p = person[i]!;
    if (p !== cur || k !== curK) {
      if (out.count === out.value.length) grow(out);
      e = out.count++;
      out.person[e] = p;
      out.period[e] = k;
      out.value[e] = 0;
      cur = p;
      curK = k;
      lastUnit = -1;
    }
    if (kind === COUNT) out.value[e]!++;
    else if (kind === SUM) {
      const v = val ? val[i]! : NaN;
      if (v === v) out.value[e]! += v;
    } else {
      const u = f.units!.indexOf(t);
      if (u !== lastUnit) {
        out.value[e]!++;
        lastUnit = u;
      }
    }
  }
  return out;
}

function grow(m: Measures): void {
  const size = m.value.length * 2;
  const [person, period, value] = [new Int32Array(size), new Int32Array(size), new Float64Array(size)];
  person.set(m.person);
  period.set(m.period);
  value.set(m.value);
  [m.person, m.period, m.value] = [person, period, value];
}

const LADDER = [1, 2, 3, 4, 5];

/** autoEdges picks bucket edges for the values (see the file comment). */
export function autoEdges(values: ArrayLike<number>, integral: boolean): number[] {
  if (values.length === 0) return integral ? [1] : [0];
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) [lo, hi] = [Math.min(lo, values[i]!), Math.max(hi, values[i]!)];
  if (integral) {
    const edges = LADDER.filter((e) => e <= hi);
    for (let mag = 10; mag <= hi; mag *= 10) for (const m of [1, 2, 5]) if (m * mag <= hi) edges.push(m * mag);
    return edges.length ? edges : [1];
  }
  if (hi === lo) return [lo];
  const raw = (hi - lo) / 10;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const edges: number[] = [];
  for (let e = Math.floor(lo / step) * step; e <= hi; e += step) edges.push(Number(e.toPrecision(12)));
  return edges;
}

function bucketize(values: ArrayLike<number>, edges: number[]): DistributionBucket[] {
  const counts = new Array<number>(edges.length + 1).fill(0); // [0] = below the first edge
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    let a = 0;
    let b = edges.length;
    while (a < b) {
      const m = (a + b) >> 1;
      if (edges[m]! <= v) a = m + 1;
      else b = m;
    }
    counts[a]!++;
  }
  const out: DistributionBucket[] = [];
  if (counts[0]) out.push({ from: null, to: edges[0]!, persons: counts[0] });
  edges.forEach((e, i) => out.push({ from: e, to: edges[i + 1] ?? null, persons: counts[i + 1]! }));
  return out;
}

/** distributionResults computes the histogram (or one per period, each bucket carrying its `period`). */
export function distributionResults(q: DistributionQuery, input: DistributionInput, f: DistributionFrame): DistributionResponse {
  const m = measure(input, q, f);
  const values = m.value.subarray(0, m.count);
  const edges = q.buckets ?? autoEdges(values, q.measure !== "sum");
  let distinct = 0; // entries are grouped by person
  for (let i = 0; i < m.count; i++) if (i === 0 || m.person[i] !== m.person[i - 1]) distinct++;
  if (!f.periods) return { results: bucketize(values, edges), totalPersons: distinct };
  const results: DistributionBucket[] = [];
  f.periods.labels.forEach((period, k) => {
    const vs: number[] = [];
    for (let i = 0; i < m.count; i++) if (m.period[i] === k) vs.push(values[i]!);
    for (const b of bucketize(vs, edges)) results.push({ period, ...b });
  });
  return { results, totalPersons: distinct };
}

/** distributionActors lists the persons of one bucket (identified by its `from`; null = below the first edge). */
export function distributionActors(
  q: DistributionQuery,
  input: DistributionInput,
  f: DistributionFrame,
  bucket: { from: number | null; period?: string | undefined },
): Int32Array {
  const m = measure(input, q, f);
  const values = m.value.subarray(0, m.count);
  const edges = q.buckets ?? autoEdges(values, q.measure !== "sum");
  const k = bucket.period === undefined || !f.periods ? -1 : f.periods.labels.indexOf(bucket.period);
  const i = bucket.from === null ? -1 : edges.indexOf(bucket.from);
  const lo = i < 0 ? -Infinity : edges[i]!;
  const hi = i < 0 ? edges[0]! : (edges[i + 1] ?? Infinity);
  const out: number[] = [];
  if (bucket.from !== null && i < 0) return Int32Array.from(out);
  for (let x = 0; x < m.count; x++) {
    if (k >= 0 && m.period[x] !== k) continue;
    if (values[x]! >= lo && values[x]! < hi) out.push(m.person[x]!);
  }
  return Int32Array.from(out);
}
