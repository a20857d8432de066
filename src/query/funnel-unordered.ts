/**
 * The unordered funnel, one person at a time (SPEC §5.2: steps in any order within the window,
 * results "completed ≥ k steps"). An attempt is the window [T, T + W] opened by any step row at time
 * T inside the entry range; it completes as many steps as can be given distinct rows inside the
 * window (a bipartite matching; with one step per row, simply the steps present). Its k-th
 * completion time is the earliest instant by which k steps can be matched, so the reported timings
 * are the sorted first times of the steps.
 *
 * Exclusions (whole funnel only, as in PostHog) void an attempt when an excluded row other than
 * the one opening the window falls in [T, T + W] before the attempt completes (at the completing
 * instant it no longer voids). As in the
 * ordered funnel, the person counts at the deepest depth of any attempt only if a clean attempt
 * reaches it; the counted attempt is the earliest such window.
 */
import type { FunnelConfig } from "./funnel-ordered.ts";
import { popcount } from "./stats.ts";
import type { Rows } from "./stream.ts";

/** UnorderedMachine evaluates one person's windows; results are left in the public fields. */
export class UnorderedMachine {
  maxAll = 0;
  recDepth = 0;
  readonly recTimes: Float64Array;
  readonly recRows: Int32Array;

  private readonly n: number;
  private readonly stepMask: number;
  private readonly first: Float64Array; // per step: first time inside the current window
  private readonly ptr: Int32Array; // per step: cursor into that step's times
  private readonly cnt: Int32Array;
  private readonly off: Int32Array;
  private times = new Float64Array(64); // the person's step times grouped by step
  private xt = new Float64Array(16); // the person's exclusion times
  private xr = new Int32Array(16); // and rows
  private readonly matchOf: Int32Array; // matching: step → row
  private readonly seen: Uint8Array;
  private readonly sorted: Float64Array;

  constructor(private readonly cfg: FunnelConfig) {
    const n = (this.n = cfg.steps);
    this.stepMask = n >= 32 ? -1 : (1 << n) - 1;
    this.recTimes = new Float64Array(n);
    this.recRows = new Int32Array(n);
    this.first = new Float64Array(n);
    this.ptr = new Int32Array(n);
    this.cnt = new Int32Array(n);
    this.off = new Int32Array(n + 1);
    this.matchOf = new Int32Array(n);
    this.seen = new Uint8Array(n);
    this.sorted = new Float64Array(n);
  }

  run(rows: Rows, a: number, b: number, entryLo: number, entryHi: number): void {
    const { ts, match } = rows;
    const n = this.n;
    const W = this.cfg.windowMs;
    const end = entryHi + W; // rows at or after this are beyond every window
    this.maxAll = 0;
    this.recDepth = 0;
    this.cnt.fill(0);
    let multi = false;
    let xn = 0;
    for (let i = a; i < b; i++) {
      const t = ts[i]!;
      if (t < entryLo || t >= end) continue;
      const s = match[i]! & this.stepMask;
      if (s & (s - 1)) multi = true;
      for (let k = 0; k < n; k++) if (s & (1 << k)) this.cnt[k]!++;
      if (n < 32 && match[i]! >>> n) {
        if (xn === this.xt.length) [this.xt, this.xr] = [grow(this.xt), grow(this.xr)];
        this.xr[xn] = i;
        this.xt[xn++] = t;
      }
    }
    this.off[0] = 0;
    for (let k = 0; k < n; k++) this.off[k + 1] = this.off[k]! + this.cnt[k]!;
    if (!multi) this.fillTimes(rows, a, b, entryLo, end);

    let xp = 0;
    let lastT = NaN;
    for (let i = a; i < b; i++) {
      const T = ts[i]!;
      if (T >= entryHi) break;
      if (T < entryLo || (match[i]! & this.stepMask) === 0 || T === lastT) continue;
      lastT = T;
      const depth = multi ? this.matchWindow(rows, i, b, T + W) : this.presentSteps(T, T + W);
      const done = depth === n ? this.sorted[n - 1]! : Infinity;
      while (xp < xn && this.xt[xp]! < T) xp++;
      const x = xp < xn && this.xr[xp] === i ? xp + 1 : xp; // the entry row does not void its own window
      const voided = x < xn && this.xt[x]! <= T + W && this.xt[x]! < done;
      if (depth > this.maxAll) this.maxAll = depth;
      if (!voided && depth > this.recDepth) {
        this.recDepth = depth;
        this.recTimes.set(this.sorted.subarray(0, depth));
        this.recRows.fill(-1);
        this.recRows[0] = i;
      }
      if (this.recDepth === n) break;
    }
  }

  private fillTimes(rows: Rows, a: number, b: number, lo: number, end: number): void {
    const { ts, match } = rows;
    if (this.times.length < this.off[this.n]!) this.times = new Float64Array(this.off[this.n]! * 2);
    const fill = this.ptr;
    for (let k = 0; k < this.n; k++) fill[k] = this.off[k]!;
    for (let i = a; i < b; i++) {
      const t = ts[i]!;
      if (t < lo || t >= end) continue;
      const s = match[i]! & this.stepMask;
      if (s) this.times[fill[31 - Math.clz32(s)]!++] = t;
    }
    for (let k = 0; k < this.n; k++) fill[k] = this.off[k]!;
  }

  /** presentSteps: one step per row, so the window completes the steps that occur in it. */
  private presentSteps(T: number, last: number): number {
    let d = 0;
    for (let k = 0; k < this.n; k++) {
      let p = this.ptr[k]!;
      const e = this.off[k + 1]!;
      while (p < e && this.times[p]! < T) p++;
      this.ptr[k] = p;
      if (p < e && this.times[p]! <= last) this.first[k] = this.times[p]!;
      else continue;
      let y = d - 1; // insertion into sorted
      while (y >= 0 && this.sorted[y]! > this.first[k]!) {
        this.sorted[y + 1] = this.sorted[y]!;
        y--;
      }
      this.sorted[y + 1] = this.first[k]!;
      d++;
    }
    return d;
  }

  /**
   * matchWindow grows a maximum matching row by row (Kuhn's augmenting paths keep it maximum for
   * every prefix), recording the time of each size increase. Rows whose step set already appears as
   * often as it has steps cannot enlarge the matching and are skipped.
   */
  private matchWindow(rows: Rows, i: number, b: number, last: number): number {
    const { ts, match } = rows;
    this.matchOf.fill(-1);
    const masks: number[] = [];
    const copies: number[] = [];
    let size = 0;
    for (let r = i; r < b && ts[r]! <= last && size < this.n; r++) {
      const s = match[r]! & this.stepMask;
      if (s === 0) continue;
      let mi = masks.indexOf(s);
      if (mi < 0) {
        mi = masks.push(s) - 1;
        copies.push(0);
      }
      if (copies[mi]! >= popcount(s)) continue;
      copies[mi]!++;
      this.seen.fill(0);
      if (this.augment(rows, r)) this.sorted[size++] = ts[r]!;
    }
    return size;
  }

  private augment(rows: Rows, r: number): boolean {
    let s = rows.match[r]! & this.stepMask;
    while (s !== 0) {
      const k = 31 - Math.clz32(s & -s);
      s &= s - 1;
      if (this.seen[k]) continue;
      this.seen[k] = 1;
      const holder = this.matchOf[k]!;
      if (holder < 0 || this.augment(rows, holder)) {
        this.matchOf[k] = r;
        return true;
      }
    }
    return false;
  }
}

function grow<T extends Float64Array | Int32Array>(a: T): T {
  const b = new (a.constructor as new (n: number) => T)(a.length * 2);
  b.set(a);
  return b;
}
