/**
 * Small numeric helpers shared by the kernels: quantiles with one definition everywhere, a bitset
 * and an open-addressing counter for distinct persons per cell. Both exist to avoid per-row objects:
 * a JS Set of millions of (cell, person) keys costs ~10× the time and memory of these.
 */

/**
 * quantile of ascending `sorted` values with linear interpolation between closest ranks (numpy's
 * default, type 7): median of [1, 2] is 1.5, p90 of 1..11 is 10. Empty → 0, like an empty bucket.
 */
export function quantile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const a = sorted[lo]!;
  return lo + 1 < n ? a + (h - lo) * (sorted[lo + 1]! - a) : a;
}

/**
 * selectQuantile is `quantile` of a[lo, hi) in linear expected time (Hoare selection), reordering
 * that slice; trends medians over millions of rows would otherwise spend their time sorting.
 */
export function selectQuantile(a: Float64Array, lo: number, hi: number, p: number): number {
  const n = hi - lo;
  if (n === 0) return 0;
  const h = (n - 1) * p;
  const k = Math.floor(h);
  const v = select(a, lo, hi - 1, lo + k);
  if (h === k) return v;
  let next = Infinity; // after select, everything right of lo + k is ≥ v: the next rank is their minimum
  for (let i = lo + k + 1; i < hi; i++) if (a[i]! < next) next = a[i]!;
  return v + (h - k) * (next - v);
}

function select(a: Float64Array, left: number, right: number, k: number): number {
  while (right > left) {
    const x = a[left]!;
    const y = a[(left + right) >> 1]!;
    const z = a[right]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const tmp = a[i]!;
        a[i++] = a[j]!;
        a[j--] = tmp;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break;
  }
  return a[k]!;
}

/** median of unsorted values, or null when there are none (funnel timings). */
export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  return quantile(Float64Array.from(values).sort(), 0.5);
}

/** mean of values, or null when there are none. */
export function mean(values: number[]): number | null {
  if (values.length === 0) return null;
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/** CellCounter counts per (cell, person) key; `add` returns the key's new count (1 = first time). */
export class CellCounter {
  private keys: Float64Array;
  private vals: Float64Array;
  private used = 0;

  constructor(capacity = 1024) {
    let c = 16;
    while (c < capacity * 2) c *= 2;
    this.keys = new Float64Array(c).fill(-1);
    this.vals = new Float64Array(c);
  }

  /** size is the number of distinct keys. */
  get size(): number {
    return this.used;
  }

  add(key: number, delta = 1): number {
    if (this.used * 2 >= this.keys.length) this.grow();
    const mask = this.keys.length - 1;
    let i = hash(key) & mask;
    for (;;) {
      const k = this.keys[i]!;
      if (k === key) return (this.vals[i]! += delta);
      if (k === -1) {
        this.keys[i] = key;
        this.used++;
        return (this.vals[i] = delta);
      }
      i = (i + 1) & mask;
    }
  }

  /** forEach visits every (key, count). */
  forEach(fn: (key: number, count: number) => void): void {
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] !== -1) fn(this.keys[i]!, this.vals[i]!);
  }

  private grow(): void {
    const { keys, vals } = this;
    this.keys = new Float64Array(keys.length * 2).fill(-1);
    this.vals = new Float64Array(keys.length * 2);
    this.used = 0;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== -1) this.add(keys[i]!, vals[i]!);
  }
}

function hash(key: number): number {
  const lo = key >>> 0;
  const hi = (key / 4294967296) >>> 0;
  return Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b) ^ (lo >>> 15);
}

/**
 * Distinct counts, per cell, the persons seen in it: a bitset of cells × persons when that fits in
 * `maxBits` (the usual daily chart: 31 cells × 1M persons = 4 MB), an open-addressing table otherwise.
 */
export class Distinct {
  private readonly bits: Uint32Array | null;
  private readonly table: CellCounter | null;
  /** counts[c] is the number of distinct persons in cell c. */
  readonly counts: Float64Array;

  constructor(cells: number, private readonly persons: number, maxBits = 2 ** 28) {
    const words = Math.ceil(persons / 32);
    this.bits = cells * words * 32 <= maxBits ? new Uint32Array(cells * words) : null;
    this.table = this.bits ? null : new CellCounter();
    this.counts = new Float64Array(cells);
    this.words = words;
  }

  private readonly words: number;

  /** mark records person in cell; returns true the first time. */
  mark(cell: number, person: number): boolean {
    const bits = this.bits;
    if (bits) {
      const w = cell * this.words + (person >>> 5);
      const m = 1 << (person & 31);
      if (bits[w]! & m) return false;
      bits[w] = bits[w]! | m;
    } else if (this.table!.add(cell * this.persons + person) !== 1) return false;
    this.counts[cell]!++;
    return true;
  }
}
