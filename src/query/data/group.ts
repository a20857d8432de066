/**
 * Person order for the kernels that walk one person at a time. Person ids are dense, so rows are
 * grouped with a counting sort (one count pass, one scatter pass per column) instead of a comparison
 * sort; the scan visits chunks in day order and segment chunks are time-ordered per identity, so a
 * person's group is already nearly in time order and only its out-of-order runs are fixed up —
 * insertion sort for short groups, a numeric sort of packed (time, position) keys for long ones.
 * Ties keep scan order (stable), as the kernels' contract asks.
 */
import type { Scan } from "./scan.ts";

// One loop per element type: a loop shared by several typed-array types is polymorphic and ran
// 3–4× slower here (the kernels' permute saw the same).
function scatterI32(src: Int32Array, n: number, dest: Int32Array): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[dest[i]!] = src[i]!;
  return out;
}

function scatterU32(src: Uint32Array, n: number, dest: Int32Array): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[dest[i]!] = src[i]!;
  return out;
}

function scatterF64(src: Float64Array, n: number, dest: Int32Array): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[dest[i]!] = src[i]!;
  return out;
}

/**
 * groupByPerson returns the scan's rows ordered by (person, ts, scan order); with `timeOrder` false
 * only grouped by person (kernels that merely count per person skip the fix-ups). Few rows among
 * many persons are ordered by a radix sort instead, which avoids the counting sort's passes over
 * every person id.
 */
export function groupByPerson(s: Scan, timeOrder = true): Scan {
  const { n, persons } = s;
  const dest = n * 16 < persons ? sparseDest(s.person, n, persons) : denseDest(s.person, n, persons);
  const out: Scan = {
    n, persons,
    person: scatterI32(s.person, n, dest),
    ts: scatterF64(s.ts, n, dest),
    match: scatterU32(s.match, n, dest),
    codes: s.codes && scatterI32(s.codes, n, dest),
    values: s.values?.map((v) => v && scatterF64(v, n, dest)),
    event: s.event && scatterI32(s.event, n, dest),
  };
  if (timeOrder) fixRuns(out);
  return out;
}

/** denseDest is a stable counting sort by person: dest[i] is row i's position in person order. */
function denseDest(person: Int32Array, n: number, persons: number): Int32Array {
  const start = new Int32Array(persons + 1);
  for (let i = 0; i < n; i++) start[person[i]! + 1]!++;
  for (let p = 0; p < persons; p++) start[p + 1]! += start[p]!;
  const dest = new Int32Array(n);
  for (let i = 0; i < n; i++) dest[i] = start[person[i]!]!++;
  return dest;
}

/**
 * sparseDest is the same order by an LSD radix sort of row indexes on 11-bit digits of the person id
 * (stable, so scan order survives): for few rows among many persons it avoids passes over every id.
 */
function sparseDest(person: Int32Array, n: number, persons: number): Int32Array {
  let idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  let next = new Int32Array(n);
  const count = new Int32Array(2049);
  for (let shift = 0; persons - 1 >>> shift > 0 || shift === 0; shift += 11) {
    count.fill(0);
    for (let j = 0; j < n; j++) count[((person[idx[j]!]! >>> shift) & 2047) + 1]!++;
    for (let d = 0; d < 2048; d++) count[d + 1]! += count[d]!;
    for (let j = 0; j < n; j++) next[count[(person[idx[j]!]! >>> shift) & 2047]!++] = idx[j]!;
    [idx, next] = [next, idx];
  }
  const dest = next; // reuse the spare buffer
  for (let j = 0; j < n; j++) dest[idx[j]!] = j;
  return dest;
}

/** fixRuns puts each person's rows in time order where the scan left them out of order. */
function fixRuns(s: Scan): void {
  const { ts, person, n } = s;
  const ints: Int32Array[] = [];
  if (s.codes) ints.push(s.codes);
  if (s.event) ints.push(s.event);
  const floats: Float64Array[] = [ts];
  for (const v of s.values ?? []) if (v) floats.push(v);
  let idx = new Int32Array(64);
  let keys = new Float64Array(64);
  let tmp = new Float64Array(64);
  for (let a = 0; a < n; ) {
    const p = person[a]!;
    let b = a + 1;
    let sorted = true;
    for (; b < n && person[b] === p; b++) if (ts[b - 1]! > ts[b]!) sorted = false;
    const m = b - a;
    if (sorted) {
      a = b;
      continue;
    }
    if (idx.length < m) [idx, keys, tmp] = [new Int32Array(m * 2), new Float64Array(m * 2), new Float64Array(m * 2)];
    if (m <= 32) {
      // insertion sort of positions by time (stable)
      for (let j = 0; j < m; j++) {
        const t = ts[a + j]!;
        let k = j - 1;
        while (k >= 0 && ts[a + idx[k]!]! > t) {
          idx[k + 1] = idx[k]!;
          k--;
        }
        idx[k + 1] = j;
      }
    } else {
      let lo = Infinity;
      let hi = -Infinity;
      for (let j = 0; j < m; j++) [lo, hi] = [Math.min(lo, ts[a + j]!), Math.max(hi, ts[a + j]!)];
      if ((hi - lo + 1) * m < 2 ** 53) {
        // (ms offset, position) packed into one exact double: a numeric sort without a comparator
        const k = keys.subarray(0, m);
        for (let j = 0; j < m; j++) k[j] = (ts[a + j]! - lo) * m + j;
        k.sort();
        for (let j = 0; j < m; j++) idx[j] = k[j]! % m;
      } else {
        const order = Array.from({ length: m }, (_, j) => j).sort((x, y) => ts[a + x]! - ts[a + y]! || x - y);
        idx.set(order);
      }
    }
    for (const c of floats) applyF64(c, a, m, idx, tmp);
    applyU32(s.match, a, m, idx, tmp);
    for (const c of ints) applyI32(c, a, m, idx, tmp);
    a = b;
  }
}

/** applyF64 permutes col[a, a + m) so that position j takes the old position idx[j] (one per type, as above). */
function applyF64(col: Float64Array, a: number, m: number, idx: Int32Array, tmp: Float64Array): void {
  for (let j = 0; j < m; j++) tmp[j] = col[a + idx[j]!]!;
  for (let j = 0; j < m; j++) col[a + j] = tmp[j]!;
}

function applyU32(col: Uint32Array, a: number, m: number, idx: Int32Array, tmp: Float64Array): void {
  for (let j = 0; j < m; j++) tmp[j] = col[a + idx[j]!]!;
  for (let j = 0; j < m; j++) col[a + j] = tmp[j]!;
}

function applyI32(col: Int32Array, a: number, m: number, idx: Int32Array, tmp: Float64Array): void {
  for (let j = 0; j < m; j++) tmp[j] = col[a + idx[j]!]!;
  for (let j = 0; j < m; j++) col[a + j] = tmp[j]!;
}
