/**
 * Event analysis (SPEC §5.1). One pass over rows in any order: each row finds its bucket, its
 * breakdown slot and, per matching series, feeds that series' math. A series' state is a flat array
 * of cells — slot × bucket, plus one "whole range" cell per slot — so `total` is computed from the
 * rows (distinct persons over the range for `users`), never by summing points.
 *
 * Math: total = rows; users = distinct persons; per_user_avg = rows / distinct persons;
 * per_user_max = the most rows one person has; sum/avg/min/max/median/p90/p95/p99 over the rows'
 * numeric property, rows without it ignored. An empty cell is 0 (PostHog's ifNull(…, 0)).
 */
import { parseFormula } from "./formula.ts";
import type { TrendsResult } from "./results.ts";
import type { TrendsMath, TrendsQuery } from "./schema.ts";
import { CellCounter, Distinct, quantile } from "./stats.ts";
import { type Codes, labelOf, type Rows } from "./stream.ts";
import type { Buckets } from "./time.ts";

/** TrendsInput: rows with bit s = series s; per-row breakdown codes; per-series numeric columns. */
export interface TrendsInput {
  rows: Rows;
  breakdown?: Codes;
  /** values[s] is series s's property per row, NaN when absent (property math only). */
  values?: (Float64Array | undefined)[];
}

/** Slots map breakdown codes to output lines: the top N labels by volume, then "$other". */
export interface Slots {
  /** slotOfCode[code + 1] is the slot of a code (index 0 = missing). */
  slotOfCode: Int32Array;
  labels: string[];
}

/** TrendsLine is the numbers of one series for one slot. */
export interface TrendsLine {
  series: number;
  slot: number;
  points: Float64Array;
  total: number;
}

export const OTHER = "$other";

const QUANTILE: Partial<Record<TrendsMath, number>> = { median: 0.5, p90: 0.9, p95: 0.95, p99: 0.99 };

/**
 * breakdownSlots ranks breakdown labels by the number of series matches inside the buckets' range
 * (ties by label) and keeps `limit` of them; the rest share "$other". Codes with equal labels merge.
 * Codes unseen in the range get "$other" when it exists and slot -1 (skipped) otherwise, so the
 * previous period of compare is drawn with the current period's lines.
 */
export function breakdownSlots(input: TrendsInput, b: Buckets, seriesCount: number, limit: number): Slots {
  const bd = input.breakdown;
  if (!bd) return { slotOfCode: new Int32Array(1), labels: [""] };
  const { n, ts, match } = input.rows;
  const mask = seriesCount >= 32 ? 0xffffffff : (1 << seriesCount) - 1;
  const volume = new Float64Array(bd.labels.length + 1);
  for (let i = 0; i < n; i++) {
    const m = match[i]! & mask;
    if (m === 0 || b.indexOf(ts[i]!) < 0) continue;
    volume[bd.codes[i]! + 1]! += popcount(m);
  }
  const byLabel = new Map<string, number>();
  volume.forEach((v, i) => {
    if (v > 0) byLabel.set(labelOf(bd, i - 1), (byLabel.get(labelOf(bd, i - 1)) ?? 0) + v);
  });
  const ranked = [...byLabel].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)).map(([l]) => l);
  const labels = ranked.slice(0, limit);
  if (ranked.length > limit) labels.push(OTHER);
  const slotOf = new Map(labels.map((l, i) => [l, i]));
  const slotOfCode = new Int32Array(bd.labels.length + 1);
  const rest = ranked.length > limit ? limit : -1;
  for (let i = 0; i < slotOfCode.length; i++) slotOfCode[i] = slotOf.get(labelOf(bd, i - 1)) ?? rest;
  return { slotOfCode, labels };
}

function popcount(m: number): number {
  m -= (m >>> 1) & 0x55555555;
  m = (m & 0x33333333) + ((m >>> 2) & 0x33333333);
  return (Math.imul((m + (m >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

/** trends computes every series × slot line over the buckets (call again with other buckets for compare). */
export function trends(input: TrendsInput, b: Buckets, math: TrendsMath[], slots: Slots): TrendsLine[] {
  const { n, ts, match, person } = input.rows;
  const persons = input.rows.persons;
  const B = b.length;
  const K = slots.labels.length;
  const cells = K * (B + 1); // cell = slot * (B + 1) + bucket; bucket B is the whole range
  const S = math.length;
  const count = math.map(() => new Float64Array(cells));
  const needsUsers = (m: TrendsMath) => m === "users" || m === "per_user_avg";
  const users = math.map((m) => (needsUsers(m) ? new Distinct(cells, persons) : null));
  const perUser = math.map((m) => (m === "per_user_max" ? new CellCounter() : null));
  const hasValue = (m: TrendsMath) => m === "sum" || m === "avg" || m === "min" || m === "max";
  const sum = math.map((m) => (hasValue(m) ? new Float64Array(cells) : null));
  const vcount = math.map((m) => (hasValue(m) ? new Float64Array(cells) : null));
  const vmin = math.map((m) => (m === "min" ? new Float64Array(cells).fill(Infinity) : null));
  const vmax = math.map((m) => (m === "max" ? new Float64Array(cells).fill(-Infinity) : null));
  const lists = math.map((m) => (QUANTILE[m] !== undefined ? Array.from({ length: cells }, (): number[] => []) : null));
  const valueCol = math.map((m, s) => (hasValue(m) || QUANTILE[m] !== undefined ? input.values?.[s] : undefined));
  const codes = input.breakdown?.codes;
  const slotOfCode = slots.slotOfCode;
  const mask = S >= 32 ? 0xffffffff : (1 << S) - 1;

  for (let i = 0; i < n; i++) {
    let m = match[i]! & mask;
    if (m === 0) continue;
    const bucket = b.indexOf(ts[i]!);
    if (bucket < 0) continue;
    const slot = codes ? slotOfCode[codes[i]! + 1]! : 0;
    if (slot < 0) continue;
    const cell = slot * (B + 1) + bucket;
    const all = slot * (B + 1) + B;
    const p = person[i]!;
    while (m !== 0) {
      const s = 31 - Math.clz32(m & -m);
      m &= m - 1;
      const c = count[s]!;
      c[cell]!++;
      c[all]!++;
      const u = users[s];
      if (u) {
        u.mark(cell, p);
        u.mark(all, p);
        continue;
      }
      const pu = perUser[s];
      if (pu) {
        pu.add(cell * persons + p);
        pu.add(all * persons + p);
        continue;
      }
      const col = valueCol[s];
      if (!col) continue;
      const v = col[i]!;
      if (v !== v) continue; // NaN: the row has no numeric value
      const sm = sum[s];
      if (sm) {
        sm[cell]! += v;
        sm[all]! += v;
        vcount[s]![cell]!++;
        vcount[s]![all]!++;
        const mn = vmin[s];
        if (mn) {
          if (v < mn[cell]!) mn[cell] = v;
          if (v < mn[all]!) mn[all] = v;
        }
        const mx = vmax[s];
        if (mx) {
          if (v > mx[cell]!) mx[cell] = v;
          if (v > mx[all]!) mx[all] = v;
        }
      } else {
        lists[s]![cell]!.push(v);
        lists[s]![all]!.push(v);
      }
    }
  }

  const lines: TrendsLine[] = [];
  for (let s = 0; s < S; s++) {
    const value = cellValues(math[s]!, cells, persons, {
      count: count[s]!, users: users[s]?.counts, perUser: perUser[s], sum: sum[s], vcount: vcount[s],
      vmin: vmin[s], vmax: vmax[s], lists: lists[s],
    });
    for (let k = 0; k < K; k++) {
      const base = k * (B + 1);
      lines.push({ series: s, slot: k, points: value.slice(base, base + B), total: value[base + B]! });
    }
  }
  return lines;
}

interface Acc {
  count: Float64Array;
  users?: Float64Array | undefined;
  perUser?: CellCounter | null | undefined;
  sum?: Float64Array | null | undefined;
  vcount?: Float64Array | null | undefined;
  vmin?: Float64Array | null | undefined;
  vmax?: Float64Array | null | undefined;
  lists?: number[][] | null | undefined;
}

function cellValues(m: TrendsMath, cells: number, persons: number, a: Acc): Float64Array {
  const out = new Float64Array(cells);
  for (let c = 0; c < cells; c++) {
    switch (m) {
      case "total": out[c] = a.count[c]!; break;
      case "users": out[c] = a.users![c]!; break;
      case "per_user_avg": out[c] = a.users![c]! ? a.count[c]! / a.users![c]! : 0; break;
      case "sum": out[c] = a.sum![c]!; break;
      case "avg": out[c] = a.vcount![c]! ? a.sum![c]! / a.vcount![c]! : 0; break;
      case "min": out[c] = a.vcount![c]! ? a.vmin![c]! : 0; break;
      case "max": out[c] = a.vcount![c]! ? a.vmax![c]! : 0; break;
      case "per_user_max": break;
      default: out[c] = quantile(a.lists![c]!.sort((x, y) => x - y), QUANTILE[m]!);
    }
  }
  if (m === "per_user_max") {
    a.perUser!.forEach((key, n) => {
      const c = Math.floor(key / persons);
      if (n > out[c]!) out[c] = n;
    });
  }
  return out;
}

/**
 * trendsResults assembles the §5.0 lines: per series (or the formula, which replaces them) and
 * breakdown value, current period first; with `previous` buckets the same lines for the previous
 * period follow, marked `compare`.
 */
export function trendsResults(q: TrendsQuery, input: TrendsInput, current: Buckets, previous?: Buckets): TrendsResult[] {
  const math = q.series.map((s) => s.math);
  const slots = breakdownSlots(input, current, q.series.length, q.breakdown?.limit ?? 10);
  const formula = q.formula === undefined ? null : parseFormula(q.formula);
  const periods: [Buckets, "current" | "previous"][] = [[current, "current"]];
  if (previous) periods.push([previous, "previous"]);
  const out: TrendsResult[] = [];
  for (const [b, which] of periods) {
    const lines = trends(input, b, math, slots);
    const K = slots.labels.length;
    const line = (s: number, k: number) => lines[s * K + k]!;
    for (let k = 0; k < K; k++) {
      const breakdownValue = q.breakdown ? slots.labels[k]! : null;
      const tag = previous ? { compare: which } : {};
      if (formula) {
        const at = (pick: (l: TrendsLine) => number) => formula.evaluate(q.series.map((_, s) => pick(line(s, k))));
        out.push({
          series: q.formula!, event: "$formula", breakdownValue,
          points: b.labels.map((t, i) => ({ t, value: at((l) => l.points[i]!) })),
          total: at((l) => l.total), ...tag,
        });
        continue;
      }
      for (let s = 0; s < q.series.length; s++) {
        const l = line(s, k);
        out.push({
          series: String.fromCharCode(65 + s), event: q.series[s]!.event, breakdownValue,
          points: b.labels.map((t, i) => ({ t, value: l.points[i]! })), total: l.total, ...tag,
        });
      }
    }
  }
  return out;
}
