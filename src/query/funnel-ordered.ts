/**
 * The ordered and strict funnel, one person at a time (SPEC §5.2), in one pass over the person's
 * rows in time order.
 *
 * An attempt starts at every step-1 row inside the entry range and advances greedily: at the first
 * later row matching its next step within the window (inclusive, absolute ms from its step 1).
 * Attempts waiting at the same step are in lockstep — a row advances, or an exclusion voids, all of
 * those still inside their window at once — and differ only in when their window closes (older
 * first). So each step level keeps a queue of attempts in entry order: a row moves the queue's live
 * suffix one level up, an exclusion voids the live suffix, and the closed prefix stays where it is
 * forever. Each attempt moves at most n times: O(rows + attempts × n) per person.
 *
 * The person counts at the deepest depth any attempt reached (a shadow machine run without the
 * exclusions measures it: voiding never changes how far an attempt gets) if a clean attempt
 * reaches it; the counted attempt is the clean one that got there first, ties to the most recent
 * entry ("a repeated step 1 converts from the most recent one"). Otherwise the person is removed.
 *
 * Rows at the same instant follow PostHog's UDF: when they all match the same steps and exclusions
 * they are taken one by one like any row; otherwise only their step matches count, one (row, step)
 * at a time in step order — no exclusion and no strict break at that instant, and a row never moves
 * an attempt twice. Within one row the exclusion check comes first (a row never voids the attempt
 * it enters or advances to fromStep), then steps from the highest down so one event never satisfies
 * two consecutive steps. Strict (PostHog): after a row, attempts waiting at step k survive only if
 * the row matches step k — an unrelated event breaks them, a repeat of the step just reached does
 * not. Non-strict funnels ignore rows matching nothing (they are not events of the funnel).
 */
import type { Rows } from "./stream.ts";

/** FunnelConfig is what the machines need from a funnel query. */
export interface FunnelConfig {
  steps: number;
  windowMs: number;
  strict: boolean;
  /** exclusions[i] uses match bit steps + i and spans steps [fromStep, toStep). */
  exclusions: { fromStep: number; toStep: number }[];
}

/** OrderedMachine evaluates one person's attempts; results are left in the public fields. */
export class OrderedMachine {
  /** maxAll is the deepest depth (steps reached) of any attempt, voided or not. */
  maxAll = 0;
  /** recDepth is the deepest depth of a clean attempt; recTimes/recRows describe the counted one. */
  recDepth = 0;
  readonly recTimes: Float64Array;
  readonly recRows: Int32Array;

  private readonly n: number;
  private readonly stepMask: number;
  private readonly shadow: OrderedMachine | null; // the same funnel without exclusions: maxAll
  private readonly exFrom: Int32Array;
  private readonly exTo: Int32Array;
  // attempts: entry time, level, voided, sequence number of their last advance, step times and rows
  private cap = 0;
  private count = 0;
  private attT = new Float64Array(0);
  private attLevel = new Int32Array(0);
  private attVoid = new Uint8Array(0);
  private attSeq = new Int32Array(0);
  private attTimes = new Float64Array(0);
  private attRows = new Int32Array(0);
  private queue: Int32Array[] = []; // per level: attempt ids in entry order, live ones from head
  private readonly head: Int32Array;
  private readonly tail: Int32Array;
  private readonly relevant: number; // the match bits that make a row an event of this funnel
  private seq = 0;
  private done = false;
  private group = new Int32Array(16);

  constructor(private readonly cfg: FunnelConfig) {
    const n = (this.n = cfg.steps);
    this.stepMask = n >= 32 ? -1 : (1 << n) - 1;
    this.shadow = cfg.exclusions.length > 0 ? new OrderedMachine({ ...cfg, exclusions: [] }) : null;
    this.recTimes = new Float64Array(n);
    this.recRows = new Int32Array(n);
    this.exFrom = Int32Array.from(cfg.exclusions, (x) => x.fromStep);
    this.exTo = Int32Array.from(cfg.exclusions, (x) => x.toStep);
    this.head = new Int32Array(n);
    this.tail = new Int32Array(n);
    this.relevant = cfg.strict ? -1 : n + cfg.exclusions.length >= 32 ? -1 : (1 << (n + cfg.exclusions.length)) - 1;
    this.grow(64);
  }

  /** run evaluates rows [a, b) of one person, letting attempts start only at times in [entryLo, entryHi). */
  run(rows: Rows, a: number, b: number, entryLo: number, entryHi: number): void {
    this.head.fill(0);
    this.tail.fill(0);
    this.count = 0;
    this.maxAll = 0;
    this.recDepth = 0;
    this.done = false;
    const ts = rows.ts;
    const W = this.cfg.windowMs;
    for (let i = a; i < b && !this.done; ) {
      const t = ts[i]!;
      if (t < entryLo) {
        i++;
        continue;
      }
      if (t - W >= entryHi) break; // past every possible attempt's window
      let j = i + 1;
      while (j < b && ts[j] === t) j++;
      if (j === i + 1) this.row(rows, i, t, entryLo, entryHi);
      else this.sameInstant(rows, i, j, t, entryLo, entryHi);
      i = j;
    }
    this.finish();
    if (this.shadow) {
      this.shadow.run(rows, a, b, entryLo, entryHi);
      this.maxAll = this.shadow.recDepth;
    }
  }

  private sameInstant(rows: Rows, i: number, j: number, t: number, lo: number, hi: number): void {
    if (this.group.length < j - i) this.group = new Int32Array((j - i) * 2);
    const g = this.group;
    const match = rows.match;
    const rel = this.relevant;
    let size = 0;
    let same = true;
    for (let r = i; r < j; r++) {
      if (rel !== -1 && (match[r]! & rel) === 0) continue;
      if (size > 0 && (match[r]! & rel) !== (match[g[0]!]! & rel)) same = false;
      g[size++] = r;
    }
    if (same) {
      for (let x = 0; x < size && !this.done; x++) this.row(rows, g[x]!, t, lo, hi);
      return;
    }
    for (let k = 0; k < this.n && !this.done; k++) {
      for (let x = 0; x < size && !this.done; x++) {
        const r = g[x]!;
        if (!(match[r]! & (1 << k))) continue;
        this.seq++;
        if (k === 0) {
          if (t >= lo && t < hi) this.enter(r, t);
        } else this.advance(k, r, t, true);
      }
    }
  }

  private row(rows: Rows, r: number, t: number, lo: number, hi: number): void {
    const n = this.n;
    const m = rows.match[r]!;
    const strict = this.cfg.strict;
    this.seq++;
    if (this.exFrom.length > 0 && n < 32 && m >>> n) this.exclude(m >>> n, t);
    let steps = m & this.stepMask;
    while (steps !== 0) {
      const k = 31 - Math.clz32(steps); // highest first
      steps &= ~(1 << k);
      if (k === 0) {
        if (t >= lo && t < hi) this.enter(r, t);
      } else {
        this.advance(k, r, t);
      }
    }
    if (strict) {
      for (let k = 0; k < n; k++) {
        if (m & (1 << k)) continue;
        this.head[k] = this.tail[k]!;
      }
    }
  }

  private enter(r: number, t: number): void {
    if (this.count === this.cap) this.grow(this.cap * 2);
    const id = this.count++;
    const n = this.n;
    this.attT[id] = t;
    this.attLevel[id] = 0;
    this.attVoid[id] = 0;
    this.attSeq[id] = this.seq;
    this.attTimes[id * n] = t;
    this.attRows[id * n] = r;
    this.queue[0]![this.tail[0]!++] = id;
    if (this.recDepth < 1) this.recDepth = 1;
  }

  private advance(k: number, r: number, t: number, mixed = false): void {
    const n = this.n;
    const W = this.cfg.windowMs;
    const from = this.queue[k - 1]!;
    const to = this.queue[k]!;
    let h = this.head[k - 1]!;
    let end = this.tail[k - 1]!;
    while (h < end && t - this.attT[from[h]!]! > W) h++; // window closed: stays at k − 1 for good
    if (mixed) end = this.holdBack(from, h, end, k, r);
    this.head[k - 1] = end;
    if (h < end) {
      for (; h < end; h++) {
        const id = from[h]!;
        this.attLevel[id] = k;
        this.attSeq[id] = this.seq;
        this.attTimes[id * n + k] = t;
        this.attRows[id * n + k] = r;
        to[this.tail[k]!++] = id;
      }
      if (k + 1 > this.recDepth) this.recDepth = k + 1;
      if (k === n - 1) this.done = true; // complete attempts cannot be voided, nor beaten
    }
  }

  /**
   * holdBack moves the live attempts at k − 1 that already used row r (possible only at a mixed
   * instant) to the end of [h, end), keeping order, and returns where they start: they stay live at
   * k − 1, since one row never serves two steps of one attempt (PostHog's used-uuid check).
   */
  private holdBack(q: Int32Array, h: number, end: number, k: number, r: number): number {
    const n = this.n;
    const kept: number[] = [];
    let w = h;
    for (let x = h; x < end; x++) {
      const id = q[x]!;
      let used = false;
      for (let j = 0; j < k && !used; j++) used = this.attRows[id * n + j] === r;
      if (used) kept.push(id);
      else q[w++] = id;
    }
    for (const id of kept) q[w++] = id;
    return end - kept.length;
  }

  private exclude(ex: number, t: number): void {
    const W = this.cfg.windowMs;
    for (let e = 0; e < this.exFrom.length; e++) {
      if (!(ex & (1 << e))) continue;
      for (let j = this.exFrom[e]!; j < this.exTo[e]!; j++) {
        const q = this.queue[j]!;
        let h = this.head[j]!;
        const end = this.tail[j]!;
        while (h < end && t - this.attT[q[h]!]! > W) h++; // closed windows are out of reach
        for (; h < end; h++) this.attVoid[q[h]!] = 1;
        this.head[j] = end;
      }
    }
  }

  /** finish picks the counted attempt among clean ones at the deepest clean depth. */
  private finish(): void {
    const n = this.n;
    let best = -1;
    let bestDepth = 0;
    for (let id = 0; id < this.count; id++) {
      if (this.attVoid[id]) continue;
      const d = this.attLevel[id]! + 1;
      if (d > bestDepth || (d === bestDepth && this.attSeq[id]! <= this.attSeq[best]!)) [best, bestDepth] = [id, d];
    }
    this.recDepth = bestDepth;
    this.maxAll = bestDepth;
    for (let x = 0; x < bestDepth; x++) {
      this.recTimes[x] = this.attTimes[best * n + x]!;
      this.recRows[x] = this.attRows[best * n + x]!;
    }
  }

  private grow(cap: number): void {
    const n = this.n;
    const copy = <T extends Float64Array | Int32Array | Uint8Array>(a: T, size: number): T => {
      const b = new (a.constructor as new (k: number) => T)(size);
      b.set(a.subarray(0, Math.min(a.length, size)));
      return b;
    };
    this.attT = copy(this.attT, cap);
    this.attLevel = copy(this.attLevel, cap);
    this.attVoid = copy(this.attVoid, cap);
    this.attSeq = copy(this.attSeq, cap);
    this.attTimes = copy(this.attTimes, cap * n);
    this.attRows = copy(this.attRows, cap * n);
    this.queue = Array.from({ length: n }, (_, k) => copy(this.queue[k] ?? new Int32Array(0), cap));
    this.cap = cap;
  }
}
