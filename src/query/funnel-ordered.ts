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
 * The person counts at the deepest depth any attempt reached (a second, exclusion-blind set of
 * levels keeping only the newest attempt each, which dominates for progress) if a clean attempt
 * reaches it; the counted attempt is the clean one that got there first, ties to the most recent
 * entry ("a repeated step 1 converts from the most recent one"). Otherwise the person is removed.
 *
 * Rows at the same instant are taken in step order (lowest matched step first), rows matching no
 * step last — so an excluded event at the instant fromStep is reached voids, one at the instant
 * toStep is reached does not. Within one row the exclusion check comes first (a row never voids
 * the attempt it enters or advances to fromStep), then steps from the highest down so one event
 * never satisfies two consecutive steps. Strict: an attempt survives a row only if it advanced.
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
  private readonly blind: boolean;
  private readonly aEntry: Int32Array; // exclusion-blind levels: newest attempt's entry row, -1 empty
  private readonly aT: Float64Array;
  private readonly aAt: Int32Array;
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
  private readonly arrived: Int32Array; // strict: first queue slot filled by the current row
  private seq = 0;
  private done = false;
  private group = new Int32Array(16);

  constructor(private readonly cfg: FunnelConfig) {
    const n = (this.n = cfg.steps);
    this.stepMask = n >= 32 ? -1 : (1 << n) - 1;
    this.blind = cfg.exclusions.length > 0;
    this.recTimes = new Float64Array(n);
    this.recRows = new Int32Array(n);
    this.aEntry = new Int32Array(n);
    this.aT = new Float64Array(n);
    this.aAt = new Int32Array(n);
    this.exFrom = Int32Array.from(cfg.exclusions, (x) => x.fromStep);
    this.exTo = Int32Array.from(cfg.exclusions, (x) => x.toStep);
    this.head = new Int32Array(n);
    this.tail = new Int32Array(n);
    this.arrived = new Int32Array(n);
    this.grow(64);
  }

  /** run evaluates rows [a, b) of one person, letting attempts start only at times in [entryLo, entryHi). */
  run(rows: Rows, a: number, b: number, entryLo: number, entryHi: number): void {
    this.aEntry.fill(-1);
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
  }

  private sameInstant(rows: Rows, i: number, j: number, t: number, lo: number, hi: number): void {
    const size = j - i;
    if (this.group.length < size) this.group = new Int32Array(size * 2);
    const g = this.group;
    const key = (r: number) => {
      const s = rows.match[r]! & this.stepMask;
      return s === 0 ? 32 : 31 - Math.clz32(s & -s);
    };
    for (let x = 0; x < size; x++) {
      const r = i + x;
      const k = key(r);
      let y = x - 1;
      while (y >= 0 && key(g[y]!) > k) {
        g[y + 1] = g[y]!;
        y--;
      }
      g[y + 1] = r;
    }
    for (let x = 0; x < size && !this.done; x++) this.row(rows, g[x]!, t, lo, hi);
  }

  private row(rows: Rows, r: number, t: number, lo: number, hi: number): void {
    const n = this.n;
    const m = rows.match[r]!;
    const strict = this.cfg.strict;
    this.seq++;
    if (this.blind && n < 32 && m >>> n) this.exclude(m >>> n, t);
    if (strict) this.arrived.fill(-1);
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
    if (!this.blind) this.maxAll = Math.max(this.maxAll, this.recDepth);
    if (strict) {
      for (let k = 0; k < n; k++) {
        this.head[k] = this.arrived[k]! < 0 ? this.tail[k]! : this.arrived[k]!;
        if (this.aAt[k] !== r) this.aEntry[k] = -1;
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
    if (this.cfg.strict && this.arrived[0]! < 0) this.arrived[0] = this.tail[0]!;
    this.queue[0]![this.tail[0]!++] = id;
    if (this.recDepth < 1) this.recDepth = 1;
    this.aEntry[0] = r;
    this.aT[0] = t;
    this.aAt[0] = r;
    if (this.maxAll < 1) this.maxAll = 1;
  }

  private advance(k: number, r: number, t: number): void {
    const n = this.n;
    const W = this.cfg.windowMs;
    const from = this.queue[k - 1]!;
    const to = this.queue[k]!;
    let h = this.head[k - 1]!;
    const end = this.tail[k - 1]!;
    while (h < end && t - this.attT[from[h]!]! > W) h++; // window closed: stays at k − 1 for good
    this.head[k - 1] = end;
    if (h < end) {
      if (this.cfg.strict && this.arrived[k]! < 0) this.arrived[k] = this.tail[k]!;
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
    if (this.blind) {
      const ae = this.aEntry[k - 1]!;
      if (ae >= 0 && t - this.aT[k - 1]! <= W && this.aEntry[k] !== ae) {
        this.aEntry[k] = ae;
        this.aT[k] = this.aT[k - 1]!;
        this.aAt[k] = r;
        if (k + 1 > this.maxAll) this.maxAll = k + 1;
      }
    }
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
    if (!this.blind) this.maxAll = bestDepth;
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
