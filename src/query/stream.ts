/**
 * The kernels' input contract. The data layer turns store column chunks `{ts, identity, event,
 * property codes + dictionaries}` and the identity→person map into one `Rows` per query: parallel
 * typed arrays, one entry per event, no objects per row. What a row *means* to an analysis is
 * folded into `match` bits up front (event name + `where` evaluated once per dictionary entry), so
 * kernels only do integer tests:
 *
 * | kernel       | order                 | match bits                                             | extras                         |
 * |--------------|-----------------------|--------------------------------------------------------|--------------------------------|
 * | trends       | any                   | bit s: series s                                        | row `breakdown`, `values[s]`   |
 * | funnel       | (person, ts, stable)  | bits 0..n−1: steps; n..n+e−1: exclusions; 0 = other*   | row `breakdown`                |
 * | retention    | (person, ts)          | bit 0: start event, bit 1: return event                | person `breakdown`, `firstStart` |
 * | distribution | (person, ts)          | bit 0: the event                                       | row `value`                    |
 * | lifecycle    | (person, ts)          | bit 0: the event                                       | person `firstSeen`             |
 * | stickiness   | (person, ts)          | bit 0: the event                                       |                                |
 * | paths        | (person, ts, stable)  | bit 0: the start/end event                             | row `event` codes + names      |
 *
 * (*) strict funnels also need every other event of their persons, as rows with no step bit.
 * Persons are dense-ish integers below `persons` (the identity→person Int32Array's roots), so
 * kernels keep per-person state in typed arrays indexed by person.
 */

/** Rows are one analysis's events as parallel arrays; only the first `n` entries are read. */
export interface Rows {
  n: number;
  /** person is the canonical (merged) person of each row, 0 ≤ person < persons. */
  person: Int32Array;
  /** ts is the event time in epoch ms UTC. */
  ts: Float64Array;
  /** match holds, per row, one bit per selector of the analysis (see the table above). */
  match: Uint32Array;
  /** persons bounds the person ids (exclusive). */
  persons: number;
}

/** Codes are dictionary codes of a property (per row or per person); -1 is missing and reads as "". */
export interface Codes {
  codes: Int32Array;
  labels: string[];
}

/** labelOf reads a code's label, missing values as "" (SPEC: missing breakdown values are ""). */
export function labelOf(c: Codes, code: number): string {
  return code < 0 ? "" : (c.labels[code] ?? "");
}

/**
 * personOrder returns the permutation that sorts rows by (person, ts), ties in input order, and the
 * times in that order: a stable counting sort on person (O(n + persons)), the times gathered once,
 * then each person's run ordered by time unless it already is (store chunks arrive time-ordered per
 * identity, so most runs are) — insertion sort for short runs, a native numeric sort of packed
 * (ms offset, position) keys for long ones. Working on the gathered times keeps runs cache-local.
 */
export function personOrder(person: Int32Array, ts: Float64Array, n: number, persons: number): { order: Uint32Array; ts: Float64Array } {
  const order = new Uint32Array(n);
  let sorted = true;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const t = ts[i]!;
    if (t < min) min = t;
    if (t > max) max = t;
    if (i > 0 && sorted) sorted = person[i - 1]! < person[i]! || (person[i - 1] === person[i] && ts[i - 1]! <= t);
  }
  if (sorted) {
    for (let i = 0; i < n; i++) order[i] = i;
    return { order, ts: ts.slice(0, n) };
  }
  const start = new Int32Array(persons + 1);
  for (let i = 0; i < n; i++) start[person[i]! + 1]!++;
  for (let p = 0; p < persons; p++) start[p + 1]! += start[p]!;
  const fill = start.slice(0, persons);
  for (let i = 0; i < n; i++) order[fill[person[i]!]!++] = i;
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) t[i] = ts[order[i]!]!;
  let keys = new Float64Array(64);
  for (let p = 0; p < persons; p++) {
    const a = start[p]!;
    const b = start[p + 1]!;
    const m = b - a;
    if (m < 2) continue;
    let runSorted = true;
    for (let i = a + 1; i < b && runSorted; i++) runSorted = t[i - 1]! <= t[i]!;
    if (runSorted) continue;
    if (m > 32 && (max - min + 1) * m < 2 ** 53) {
      if (keys.length < m) keys = new Float64Array(m * 2);
      const k = keys.subarray(0, m);
      for (let j = 0; j < m; j++) k[j] = Math.floor(t[a + j]! - min) * m + j;
      k.sort();
      const run = order.slice(a, b);
      const times = t.slice(a, b);
      for (let j = 0; j < m; j++) {
        const from = k[j]! % m;
        order[a + j] = run[from]!;
        t[a + j] = times[from]!;
      }
    }
    insertionSort(order, t, a, b); // finishes short runs; long ones are sorted already (or to the ms)
  }
  return { order, ts: t };
}

function insertionSort(order: Uint32Array, t: Float64Array, a: number, b: number): void {
  for (let i = a + 1; i < b; i++) {
    const v = order[i]!;
    const x = t[i]!;
    let j = i - 1;
    while (j >= a && t[j]! > x) {
      order[j + 1] = order[j]!;
      t[j + 1] = t[j]!;
      j--;
    }
    order[j + 1] = v;
    t[j + 1] = x;
  }
}

/** permute gathers `src` in `order` into a new array of the same type (apply to every column). */
export function permute<T extends Int32Array | Uint32Array | Float64Array>(src: T, order: Uint32Array): T {
  // one loop per element type keeps each loop monomorphic (a shared generic loop ran 3× slower)
  if (src instanceof Float64Array) {
    const out = new Float64Array(order.length);
    for (let i = 0; i < order.length; i++) out[i] = src[order[i]!]!;
    return out as T;
  }
  if (src instanceof Int32Array) {
    const out = new Int32Array(order.length);
    for (let i = 0; i < order.length; i++) out[i] = src[order[i]!]!;
    return out as T;
  }
  const out = new Uint32Array(order.length);
  for (let i = 0; i < order.length; i++) out[i] = src[order[i]!]!;
  return out as T;
}

/** sortRows returns rows sorted by (person, ts, input order) and the permutation used for other columns. */
export function sortRows(rows: Rows): { rows: Rows; order: Uint32Array } {
  const { order, ts } = personOrder(rows.person, rows.ts, rows.n, rows.persons);
  return {
    order,
    rows: { n: rows.n, persons: rows.persons, person: permute(rows.person.subarray(0, rows.n), order), ts, match: permute(rows.match.subarray(0, rows.n), order) },
  };
}
