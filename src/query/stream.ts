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
 * personOrder returns the permutation that sorts rows by (person, ts), ties in input order: a
 * counting sort on person (O(n + persons)), then each person's run sorted by time unless it
 * already is — store chunks arrive time-ordered per identity, so most runs are.
 */
export function personOrder(person: Int32Array, ts: Float64Array, n: number, persons: number): Uint32Array {
  const start = new Int32Array(persons + 1);
  for (let i = 0; i < n; i++) start[person[i]! + 1]!++;
  for (let p = 0; p < persons; p++) start[p + 1]! += start[p]!;
  const order = new Uint32Array(n);
  const fill = start.slice(0, persons);
  for (let i = 0; i < n; i++) order[fill[person[i]!]!++] = i;
  for (let a = 0; a < n; ) {
    const p = person[order[a]!]!;
    const b = start[p + 1]!;
    sortRun(order, ts, a, b);
    a = b;
  }
  return order;
}

function sortRun(order: Uint32Array, ts: Float64Array, a: number, b: number): void {
  let sorted = true;
  for (let i = a + 1; i < b && sorted; i++) sorted = ts[order[i - 1]!]! <= ts[order[i]!]!;
  if (sorted) return;
  if (b - a > 48) {
    const run = Array.from(order.subarray(a, b)).sort((x, y) => ts[x]! - ts[y]! || x - y);
    order.set(run, a);
    return;
  }
  for (let i = a + 1; i < b; i++) {
    const v = order[i]!;
    const t = ts[v]!;
    let j = i - 1;
    while (j >= a && (ts[order[j]!]! > t || (ts[order[j]!]! === t && order[j]! > v))) {
      order[j + 1] = order[j]!;
      j--;
    }
    order[j + 1] = v;
  }
}

type Typed = Int32Array | Uint32Array | Float64Array;

/** permute gathers `src` in `order` into a new array of the same type (apply to every column). */
export function permute<T extends Typed>(src: T, order: Uint32Array): T {
  const out = new (src.constructor as new (n: number) => T)(order.length);
  for (let i = 0; i < order.length; i++) out[i] = src[order[i]!]!;
  return out;
}

/** sortRows returns rows sorted by (person, ts, input order) and the permutation used for other columns. */
export function sortRows(rows: Rows): { rows: Rows; order: Uint32Array } {
  const order = personOrder(rows.person, rows.ts, rows.n, rows.persons);
  return {
    order,
    rows: { n: rows.n, persons: rows.persons, person: permute(rows.person, order), ts: permute(rows.ts, order), match: permute(rows.match, order) },
  };
}
