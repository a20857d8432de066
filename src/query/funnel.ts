/**
 * Funnels (SPEC §5.2): the driver that walks person runs through the ordered/strict or unordered
 * machine, and the views built from its per-person outcomes — steps, time to convert, trends by
 * entry period, actors. Attempts may only start inside [dateFrom, dateTo); later steps may fall after
 * dateTo up to the window, so the data layer passes rows up to dateTo + window.
 *
 * Breakdown attribution gives each person one value: first_touch / last_touch = the first / last
 * non-missing value over the person's step rows (from dateFrom to dateTo + window); step N = the
 * value on the counted attempt's step-N row ("" when that row lacks it), and a person whose counted
 * attempt never reached step N is left out, as PostHog drops them. Lines are ranked as PostHog
 * orders them — most persons completing the funnel, then most stopping one step earlier, and so
 * on — and values beyond the limit share "$other".
 *
 * Conversion times (PostHog): the steps view averages the gaps of the counted attempts that are
 * longer than zero; time to convert takes every converter, with PostHog's bins.
 */
import { type FunnelConfig, OrderedMachine } from "./funnel-ordered.ts";
import { UnorderedMachine } from "./funnel-unordered.ts";
import type { FunnelStepsResult, FunnelTrendsResult, TimeToConvertResult } from "./results.ts";
import { eventLabel, type FunnelQuery, funnelToStep, windowMs } from "./schema.ts";
import { mean, median } from "./stats.ts";
import { type Codes, labelOf, type Rows } from "./stream.ts";
import type { Buckets, Range } from "./time.ts";
import { OTHER, rankLabels } from "./breakdown.ts";

/** FunnelInput: rows sorted by (person, ts, stable) with bits 0..n−1 = steps, n.. = exclusions. */
export interface FunnelInput {
  rows: Rows;
  breakdown?: Codes;
}

/** FunnelSpec is a funnel query reduced to what the kernel needs. */
export interface FunnelSpec extends FunnelConfig {
  unordered: boolean;
  attribution: "first_touch" | "last_touch" | "step";
  attributionStep: number;
}

/** funnelSpec reduces a validated query. */
export function funnelSpec(q: FunnelQuery): FunnelSpec {
  return {
    steps: q.steps.length, windowMs: windowMs(q.window), strict: q.order === "strict", unordered: q.order === "unordered",
    exclusions: q.exclusions.map((x) => ({ fromStep: x.fromStep, toStep: x.toStep })),
    attribution: q.breakdown?.attribution ?? "first_touch", attributionStep: q.breakdown?.step ?? 0,
  };
}

/**
 * FunnelPersons are the outcomes, one per person (or per person and entry period): depth = steps
 * reached by the counted attempt (1..n), 0 = removed by an exclusion; times = that attempt's step
 * times (count × n, NaN past depth); code = breakdown code (-1 missing).
 */
export interface FunnelPersons {
  count: number;
  steps: number;
  person: Int32Array;
  period: Int32Array;
  depth: Int8Array;
  code: Int32Array;
  times: Float64Array;
}

/**
 * funnelPersons runs the funnel for every person; with `periods` (funnel trends) once per entry
 * period of each person, attempts restricted to entries inside that period, so re-entering within a
 * period counts once and each period is judged on its own — except that a person an exclusion removes
 * over the whole range (SPEC §5.2: "removed from every step") is in no period either.
 */
export function funnelPersons(input: FunnelInput, spec: FunnelSpec, entry: Range, periods?: Buckets): FunnelPersons {
  const { rows } = input;
  const { n: len, person, ts, match } = rows;
  const n = spec.steps;
  const machine = spec.unordered ? new UnorderedMachine(spec) : new OrderedMachine(spec);
  const stepMask = n >= 32 ? -1 : (1 << n) - 1;
  let runs = 0; // persons in the rows: the outcomes' capacity, so the builder does not grow by copies
  for (let i = 0; i < len; i++) if (i === 0 || person[i] !== person[i - 1]) runs++;
  const out = new Outcomes(n, Math.max(16, periods ? runs * 2 : runs));
  const codes = input.breakdown?.codes;
  const lastUsable = entry.to + spec.windowMs;
  const entryMask = spec.unordered ? stepMask : 1;
  const attributeStep = codes !== undefined && spec.attribution === "step";
  const emit = (p: number, period: number, touch: number) => {
    if (machine.recDepth === 0 && machine.maxAll === 0) return;
    const depth = machine.recDepth === machine.maxAll ? machine.recDepth : 0;
    if (attributeStep && depth > 0 && depth <= spec.attributionStep) return;
    const code = !attributeStep ? touch : depth > spec.attributionStep ? codes[machine.recRows[spec.attributionStep]!]! : -1;
    out.push(p, period, depth, code, machine.recTimes);
  };
  for (let a = 0; a < len; ) {
    const p = person[a]!;
    let b = a;
    let enters = false;
    let touch = -1;
    for (; b < len && person[b] === p; b++) {
      const m = match[b]! & stepMask;
      const t = ts[b]!;
      if (m === 0 || t < entry.from || t >= lastUsable) continue;
      if (m & entryMask && t < entry.to) enters = true;
      if (codes && codes[b]! >= 0 && (touch < 0 || spec.attribution === "last_touch")) touch = codes[b]!;
    }
    if (!enters) {
      a = b;
      continue;
    }
    if (!periods) {
      machine.run(rows, a, b, entry.from, entry.to);
      emit(p, -1, touch);
    } else {
      if (spec.exclusions.length > 0) {
        // PostHog's test_exclusion_multiday_partial_first_day_exclusion_second_day: the voided deepest
        // attempt of day 2 takes the person out of day 1 too
        machine.run(rows, a, b, entry.from, entry.to);
        if (machine.maxAll > 0 && machine.recDepth !== machine.maxAll) {
          a = b;
          continue;
        }
      }
      let start = a;
      for (let i = a; i < b; i++) {
        const t = ts[i]!;
        if (t < entry.from || t >= entry.to || !(match[i]! & entryMask)) continue;
        const k = periods.indexOf(t);
        if (k < 0) continue;
        const lo = Math.max(entry.from, periods.starts[k]!);
        const hi = Math.min(entry.to, periods.starts[k + 1]!);
        while (ts[start]! < lo) start++;
        machine.run(rows, start, b, lo, hi);
        emit(p, k, touch);
        while (i + 1 < b && ts[i + 1]! < hi) i++;
      }
    }
    a = b;
  }
  return out.done();
}

/** Outcomes accumulates FunnelPersons; a class with plain fields keeps the per-person push cheap. */
class Outcomes {
  count = 0;
  person: Int32Array;
  period: Int32Array;
  depth: Int8Array;
  code: Int32Array;
  times: Float64Array;

  constructor(private readonly n: number, private cap: number) {
    this.person = new Int32Array(cap);
    this.period = new Int32Array(cap);
    this.depth = new Int8Array(cap);
    this.code = new Int32Array(cap);
    this.times = new Float64Array(cap * n);
  }

  push(p: number, k: number, d: number, c: number, t: Float64Array): void {
    if (this.count === this.cap) this.grow();
    const i = this.count++;
    this.person[i] = p;
    this.period[i] = k;
    this.depth[i] = d;
    this.code[i] = c;
    const n = this.n;
    const times = this.times;
    for (let s = 0; s < n; s++) times[i * n + s] = s < d ? t[s]! : NaN;
  }

  private grow(): void {
    this.cap *= 2;
    const person = new Int32Array(this.cap);
    const period = new Int32Array(this.cap);
    const depth = new Int8Array(this.cap);
    const code = new Int32Array(this.cap);
    const times = new Float64Array(this.cap * this.n);
    person.set(this.person);
    period.set(this.period);
    depth.set(this.depth);
    code.set(this.code);
    times.set(this.times);
    Object.assign(this, { person, period, depth, code, times });
  }

  done(): FunnelPersons {
    return { count: this.count, steps: this.n, person: this.person, period: this.period, depth: this.depth, code: this.code, times: this.times };
  }
}

/** Lines are the breakdown values shown (one "" line without breakdown) and each outcome's line (-1 none). */
interface Lines {
  labels: string[];
  line: Int32Array;
}

/**
 * linesOf keeps the `limit` breakdown labels most persons entered with, orders them as PostHog does — by
 * persons whose depth is exactly n, then exactly n − 1, …, ties by label — and folds the rest into "$other"
 * (rankLabels).
 */
function linesOf(q: FunnelQuery, fp: FunnelPersons, bd: Codes | undefined): Lines {
  const line = new Int32Array(fp.count);
  if (!q.breakdown) return { labels: [""], line };
  const n = fp.steps;
  const raw = Array.from({ length: fp.count }, (_, i) => (bd ? labelOf(bd, fp.code[i]!) : ""));
  const exact = new Map<string, Float64Array>();
  raw.forEach((l, i) => {
    const d = fp.depth[i]!;
    if (d === 0) return;
    let v = exact.get(l);
    if (!v) exact.set(l, (v = new Float64Array(n)));
    v[n - d]!++;
  });
  const labels = rankLabels(exact, q.breakdown.limit);
  const index = new Map(labels.map((l, k) => [l, k]));
  const other = index.get(OTHER) ?? -1;
  raw.forEach((l, i) => (line[i] = index.get(l) ?? other));
  return { labels, line };
}

/** funnelSteps is the steps view: per breakdown value, persons reaching each step and the time from the previous one. */
export function funnelSteps(q: FunnelQuery, fp: FunnelPersons, bd?: Codes): FunnelStepsResult[] {
  const n = fp.steps;
  const { labels, line } = linesOf(q, fp, bd);
  const count = labels.map(() => new Array<number>(n).fill(0));
  const gaps = labels.map(() => Array.from({ length: n }, (): number[] => []));
  for (let i = 0; i < fp.count; i++) {
    const d = fp.depth[i]!;
    const k = line[i]!;
    if (d === 0 || k < 0) continue;
    for (let s = 0; s < d; s++) {
      count[k]![s]!++;
      const gap = s > 0 ? (fp.times[i * n + s]! - fp.times[i * n + s - 1]!) / 1000 : 0;
      if (gap > 0) gaps[k]![s]!.push(gap); // PostHog: groupArrayIf(timings[i], timings[i] > 0)
    }
  }
  return labels.map((label, k) => ({
    breakdownValue: q.breakdown ? label : null,
    steps: q.steps.map((st, s) => ({
      event: eventLabel(st.event), count: count[k]![s]!,
      avgSecondsFromPrevious: s === 0 ? null : mean(gaps[k]![s]!), medianSecondsFromPrevious: s === 0 ? null : median(gaps[k]![s]!),
    })),
  }));
}

/**
 * funnelTimeToConvert is the histogram of seconds from fromStep to toStep over converted persons (one,
 * whatever the breakdown: PostHog's time-to-convert ignores it too),
 * binned as PostHog: count = `bins` or ⌈∛converters⌉ (at most 60), from ⌊min⌋ in steps of
 * ⌈(⌈max⌉ − ⌊min⌋) / count⌉ s (60 s when that is 0), count + 1 bin starts.
 */
export function funnelTimeToConvert(q: FunnelQuery, fp: FunnelPersons): TimeToConvertResult[] {
  const from = q.fromStep;
  const to = funnelToStep(q);
  const secs: number[] = [];
  for (let i = 0; i < fp.count; i++) {
    const s = convertSeconds(fp, i, from, to);
    if (!Number.isNaN(s)) secs.push(s);
  }
  return [{ averageSeconds: mean(secs), medianSeconds: median(secs), bins: histogram(secs, q.bins) }];
}

/** convertSeconds is outcome i's seconds from step `from` to step `to` (0-based), NaN when it did not reach `to`. */
function convertSeconds(fp: FunnelPersons, i: number, from: number, to: number): number {
  const n = fp.steps;
  return fp.depth[i]! > to ? (fp.times[i * n + to]! - fp.times[i * n + from]!) / 1000 : NaN;
}

function histogram(secs: number[], bins?: number): [number, number][] {
  if (secs.length === 0) return [];
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of secs) [lo, hi] = [Math.min(lo, s), Math.max(hi, s)];
  lo = Math.floor(lo);
  hi = Math.ceil(hi);
  const count = bins ?? Math.min(60, Math.max(1, Math.ceil(Math.cbrt(secs.length))));
  const width = Math.ceil((hi - lo) / count) || 60;
  const out: [number, number][] = [];
  for (let k = 0; k <= count; k++) out.push([Math.round(lo + k * width), 0]);
  for (const s of secs) {
    // Bin k is exactly [start k, start k + width): the edges are whole seconds, so a quotient that rounding
    // carried across one is settled against the edge itself — the same comparison the actors' `bin` makes.
    let k = Math.floor((s - lo) / width);
    if (s < lo + k * width) k--;
    else if (s >= lo + (k + 1) * width) k++;
    out[k]![1]++;
  }
  return out;
}

/** funnelTrends is conversion by entry period: persons entering (reaching fromStep) and converting (toStep). */
export function funnelTrends(q: FunnelQuery, fp: FunnelPersons, periods: Buckets, bd?: Codes): FunnelTrendsResult[] {
  const from = q.fromStep;
  const to = funnelToStep(q);
  const { labels, line } = linesOf(q, fp, bd);
  const P = periods.length;
  const entered = new Float64Array(labels.length * P);
  const converted = new Float64Array(labels.length * P);
  for (let i = 0; i < fp.count; i++) {
    const d = fp.depth[i]!;
    if (d <= from || line[i]! < 0) continue;
    const cell = line[i]! * P + fp.period[i]!;
    entered[cell]!++;
    if (d > to) converted[cell]!++;
  }
  return labels.flatMap((label, k) =>
    periods.labels.map((period, p) => {
      const e = entered[k * P + p]!;
      const c = converted[k * P + p]!;
      const row = { period, entered: e, converted: c, rate: e ? Math.round((c / e) * 10000) / 100 : 0 };
      return q.breakdown ? { ...row, breakdownValue: label } : row;
    }));
}

/** FunnelSelector is what was clicked: one of `step`, `dropOffAfter` (1-based) or a time-to-convert `bin`. */
export interface FunnelSelector {
  step?: number | undefined;
  dropOffAfter?: number | undefined;
  /** bin: converted (fromStep → toStep) in [from, to) seconds, as funnelTimeToConvert counts a bin. */
  bin?: { from: number; to: number } | undefined;
  breakdownValue?: string | null | undefined;
  /** inPeriod is an index into the trends view's periods (persons computed per period). */
  inPeriod?: number;
}

/**
 * funnelActors lists the persons who reached step k (1-based), dropped off right after it, or converted
 * within a time-to-convert bin (every converter, as the histogram, unless a breakdown value narrows them);
 * `inPeriod` keeps the attempts entered in that period.
 */
export function funnelActors(q: FunnelQuery, fp: FunnelPersons, sel: FunnelSelector, bd?: Codes): Int32Array {
  const { labels, line } = linesOf(q, fp, bd);
  const want = q.breakdown && sel.breakdownValue != null ? labels.indexOf(sel.breakdownValue) : -2;
  const from = q.fromStep;
  const to = funnelToStep(q);
  const out: number[] = [];
  for (let i = 0; i < fp.count; i++) {
    const d = fp.depth[i]!;
    if (d === 0 || (want !== -2 && line[i] !== want) || (sel.inPeriod !== undefined && fp.period[i] !== sel.inPeriod)) continue;
    let hit: boolean;
    if (sel.bin) {
      const s = convertSeconds(fp, i, from, to); // NaN (not converted) is in no bin
      hit = s >= sel.bin.from && s < sel.bin.to;
    } else hit = sel.step !== undefined ? d >= sel.step : d === sel.dropOffAfter;
    if (hit) out.push(fp.person[i]!);
  }
  return Int32Array.from(out);
}
