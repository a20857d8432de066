/**
 * The set evaluator: one definition over the whole population → the set of matching rows, for
 * preview and T+1 materialisation. Same semantics as evaluate-person.ts (the randomized agreement
 * test holds them together); built for 1M persons / 10M events:
 *
 * - and/or/not are bitset algebra; `and` evaluates cheap children (tags, audiences, traits) first and
 *   stops scanning events once the intersection is empty, `or` stops once it is full;
 * - trait and event-property predicates run once per dictionary entry, then per row by table lookup;
 * - event leaves accumulate per-row counters in typed arrays, one pass over the scanned chunks;
 * - distinct_days and sequences group (row, ts) pairs with a counting sort by row, because chunks
 *   come in store order (per segment), not per person.
 */
import type { Filter } from "../query/filter.ts";
import { compileAttr } from "./attr.ts";
import {
  addRow, complement, countRows, emptySet, intersectInto, isFull, toRows, unionInto, type Bitset,
} from "./bitset.ts";
import type { DidNotNode, EventNode, Measure, Node, SequenceNode } from "./definition.ts";
import type { EvalContext } from "./evaluate-person.ts";
import { compileCmp, numericValue, zeroMatches } from "./measure.ts";
import type { Population } from "./population.ts";
import { codeTable, scanEvents, type MatchedChunk } from "./scan.ts";
import { resolveWindow, type Range } from "./windows.ts";
import { elapsedMs, localDays } from "./zone.ts";

/** evaluateSet returns the rows of `pop` matching a (validated) definition as of `ctx.asOf`. */
export function evaluateSet(def: Node, pop: Population, ctx: EvalContext): Bitset {
  const out = new SetEvaluator(pop, ctx).node(def);
  return out.slice();
}

/** personIdsOf converts a row set into the ascending person ids it stands for. */
export function personIdsOf(rows: Bitset, pop: Population): Int32Array {
  return toRows(rows).map((r) => pop.personIds[r]!);
}

/** cost orders the children of `and`/`or`: membership lookups, then traits, then event scans. */
function cost(n: Node): number {
  switch (n.kind) {
    case "and": case "or": return n.children.reduce((s, c) => s + cost(c), 0);
    case "not": return cost(n.child);
    case "tag": case "audience": return 0;
    case "attr": return 1;
    case "event": case "did_not": return 10;
    case "sequence": return 20;
  }
}

/** Growable typed list for (row, ts) pairs of unknown count. */
class F64List {
  data = new Float64Array(1024);
  len = 0;
  push(x: number): void {
    if (this.len === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.len++] = x;
  }
}

/** Pairs holds events as parallel columns: row, ts and an occurrence id (unique per scanned event). */
class Pairs {
  readonly row = new F64List();
  readonly ts = new F64List();
  readonly occ = new F64List();
  add(row: number, ts: number, occ: number): void {
    this.row.push(row);
    this.ts.push(ts);
    this.occ.push(occ);
  }
  /** grouped returns, per row, a slice of pair indices sorted by ts: `order[start[r] .. start[r+1])`. */
  grouped(size: number): { start: Int32Array; order: Int32Array } {
    const n = this.row.len;
    const rows = this.row.data;
    const ts = this.ts.data;
    const start = new Int32Array(size + 1);
    for (let i = 0; i < n; i++) start[rows[i]! + 1]!++;
    for (let r = 0; r < size; r++) start[r + 1]! += start[r]!;
    const fill = start.slice(0, size);
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[fill[rows[i]!]!++] = i;
    for (let r = 0; r < size; r++) sortByTs(order, start[r]!, start[r + 1]!, ts);
    return { start, order };
  }
}

/** sortByTs sorts `order[lo..hi)` by ts: insertion sort for the short, mostly sorted common case. */
function sortByTs(order: Int32Array, lo: number, hi: number, ts: Float64Array): void {
  if (hi - lo > 48) {
    const part = Array.from(order.subarray(lo, hi)).sort((a, b) => ts[a]! - ts[b]!);
    order.set(part, lo);
    return;
  }
  for (let i = lo + 1; i < hi; i++) {
    const x = order[i]!;
    const t = ts[x]!;
    let j = i - 1;
    while (j >= lo && ts[order[j]!]! > t) {
      order[j + 1] = order[j]!;
      j--;
    }
    order[j + 1] = x;
  }
}

class SetEvaluator {
  private readonly size: number;
  private occurrences = 0;

  constructor(private readonly pop: Population, private readonly ctx: EvalContext) {
    this.size = pop.personIds.length;
  }

  /** node returns the rows of a node; the result may be shared with the population (read-only). */
  node(n: Node): Bitset {
    switch (n.kind) {
      case "and": return this.and(n.children);
      case "or": return this.or(n.children);
      case "not": return complement(this.node(n.child), this.size);
      case "attr": {
        const col = this.pop.trait(n.property);
        const test = compileAttr(n, this.ctx.asOf, this.ctx.timezone);
        const table = codeTable(col, new WeakMap(), (v) => (test(v) ? 1 : 0), Uint8Array);
        const out = emptySet(this.size);
        for (let r = 0; r < this.size; r++) if (table[col.codes[r]!]) addRow(out, r);
        return out;
      }
      case "tag": {
        const rows = this.pop.tag(n.tag, n.value);
        return n.present ? rows : complement(rows, this.size);
      }
      case "audience": {
        const rows = this.pop.audience(n.audience);
        return n.member ? rows : complement(rows, this.size);
      }
      case "event": return this.event(n);
      case "did_not": return complement(this.any(n), this.size);
      case "sequence": return this.sequence(n);
    }
  }

  private and(children: readonly Node[]): Bitset {
    let acc: Bitset | null = null;
    for (const c of [...children].sort((x, y) => cost(x) - cost(y))) {
      const s = this.node(c);
      if (acc === null) {
        acc = s.slice();
        if (countRows(acc) === 0) return acc;
      } else if (!intersectInto(acc, s)) {
        return acc;
      }
    }
    return acc ?? emptySet(this.size);
  }

  private or(children: readonly Node[]): Bitset {
    const acc = emptySet(this.size);
    for (const c of [...children].sort((x, y) => cost(x) - cost(y))) {
      unionInto(acc, this.node(c));
      if (isFull(acc, this.size)) break;
    }
    return acc;
  }

  /** scan is scanEvents plus an occurrence id per event, unique within this evaluation. */
  private *scan(
    event: string, range: Range, filters: readonly (Filter[] | undefined)[], extraProps: readonly string[],
  ): Generator<MatchedChunk & { occBase: number }> {
    for (const m of scanEvents(this.pop, event, range, filters, extraProps)) {
      const occBase = this.occurrences;
      this.occurrences += m.chunk.n;
      yield { ...m, occBase };
    }
  }

  private any(n: DidNotNode): Bitset {
    const out = emptySet(this.size);
    const range = resolveWindow(n.window, this.ctx.asOf, this.ctx.timezone);
    for (const { chunk, masks } of this.scan(n.event, range, [n.where], [])) {
      const m = masks[0]!;
      for (let i = 0; i < chunk.n; i++) if (m[i]) addRow(out, chunk.row[i]!);
    }
    return out;
  }

  private event(n: EventNode): Bitset {
    const range = resolveWindow(n.window, this.ctx.asOf, this.ctx.timezone);
    const measured = this.measure(n, range);
    const out = emptySet(this.size);
    const test = compileCmp(n.cmp);
    const zero = zeroMatches(n.cmp);
    for (let r = 0; r < this.size; r++) {
      const v = measured.value(r);
      if (v === null ? zero : test(v)) addRow(out, r);
    }
    return out;
  }

  /** measure runs the scan of an event leaf and returns the per-row measured value (null = nothing). */
  private measure(n: EventNode, range: Range): { value: (row: number) => number | null } {
    const m: Measure = n.measure;
    const counts = new Int32Array(this.size);
    if (m.fn === "count") {
      for (const { chunk, masks } of this.scan(n.event, range, [n.where], [])) {
        const mask = masks[0]!;
        for (let i = 0; i < chunk.n; i++) if (mask[i]) counts[chunk.row[i]!]!++;
      }
      return { value: (r) => (counts[r] === 0 ? null : counts[r]!) };
    }
    if (m.fn === "distinct_days") {
      const days = localDays(this.ctx.timezone);
      const pairs = new Pairs();
      for (const { chunk, masks } of this.scan(n.event, range, [n.where], [])) {
        const mask = masks[0]!;
        for (let i = 0; i < chunk.n; i++) if (mask[i]) pairs.add(chunk.row[i]!, days.day(chunk.ts[i]!), 0);
      }
      const { start, order } = pairs.grouped(this.size);
      const day = pairs.ts.data;
      for (let r = 0; r < this.size; r++) {
        let distinct = 0;
        for (let k = start[r]!; k < start[r + 1]!; k++) {
          if (k === start[r] || day[order[k]!] !== day[order[k - 1]!]) distinct++;
        }
        counts[r] = distinct;
      }
      return { value: (r) => (counts[r] === 0 ? null : counts[r]!) };
    }
    const acc = new Float64Array(this.size).fill(m.fn === "min" ? Infinity : m.fn === "max" ? -Infinity : 0);
    const numbers = new WeakMap<readonly unknown[], Float64Array>();
    for (const { chunk, masks } of this.scan(n.event, range, [n.where], [m.property])) {
      const col = chunk.props.get(m.property);
      if (!col) continue;
      const num = codeTable(col, numbers, (v) => numericValue(v) ?? Number.NaN, Float64Array);
      const mask = masks[0]!;
      for (let i = 0; i < chunk.n; i++) {
        if (!mask[i]) continue;
        const x = num[col.codes[i]!]!;
        if (Number.isNaN(x)) continue;
        const r = chunk.row[i]!;
        counts[r]!++;
        if (m.fn === "min") acc[r] = Math.min(acc[r]!, x);
        else if (m.fn === "max") acc[r] = Math.max(acc[r]!, x);
        else acc[r]! += x;
      }
    }
    const avg = m.fn === "avg";
    return { value: (r) => (counts[r] === 0 ? null : avg ? acc[r]! / counts[r]! : acc[r]!) };
  }

  private sequence(n: SequenceNode): Bitset {
    const { asOf, timezone } = this.ctx;
    const range = resolveWindow(n.window, asOf, timezone);
    const gap = elapsedMs(n.within);
    const [sa, sb] = n.steps;
    // B may follow the last A in the window by up to `gap`, but never beyond asOf.
    const bRange: Range = { from: range.from, to: Math.min(range.to + gap, asOf + 1) };
    const a = new Pairs();
    const b = new Pairs();
    if (sa.event === sb.event) {
      // One scan, so an event matching both steps keeps one occurrence id and cannot pair with itself.
      for (const { chunk, masks, occBase } of this.scan(sa.event, bRange, [sa.where, sb.where], [])) {
        const [ma, mb] = masks as [Uint8Array, Uint8Array];
        for (let i = 0; i < chunk.n; i++) {
          const t = chunk.ts[i]!;
          if (ma[i] && t < range.to) a.add(chunk.row[i]!, t, occBase + i);
          if (mb[i]) b.add(chunk.row[i]!, t, occBase + i);
        }
      }
    } else {
      for (const { chunk, masks, occBase } of this.scan(sa.event, range, [sa.where], [])) {
        const m = masks[0]!;
        for (let i = 0; i < chunk.n; i++) if (m[i]) a.add(chunk.row[i]!, chunk.ts[i]!, occBase + i);
      }
      for (const { chunk, masks, occBase } of this.scan(sb.event, bRange, [sb.where], [])) {
        const m = masks[0]!;
        for (let i = 0; i < chunk.n; i++) if (m[i]) b.add(chunk.row[i]!, chunk.ts[i]!, occBase + i);
      }
    }
    const ga = a.grouped(this.size);
    const gb = b.grouped(this.size);
    const [ats, aocc, bts, bocc] = [a.ts.data, a.occ.data, b.ts.data, b.occ.data];
    const out = emptySet(this.size);
    for (let r = 0; r < this.size; r++) {
      const aEnd = ga.start[r + 1]!;
      let k = ga.start[r]!;
      if (k === aEnd) continue;
      const bEnd = gb.start[r + 1]!;
      let p = gb.start[r]!;
      let converted = false;
      let abandoned = false;
      for (; k < aEnd && !converted; k++) {
        const ai = ga.order[k]!;
        const t = ats[ai]!;
        while (p < bEnd && bts[gb.order[p]!]! < t) p++;
        // Only one B entry can share A's occurrence id, so at most two candidates need a look.
        for (let q = p; q < bEnd && bts[gb.order[q]!]! <= t + gap; q++) {
          if (bocc[gb.order[q]!] !== aocc[ai]) {
            converted = true;
            break;
          }
        }
        if (!converted && t + gap <= asOf) abandoned = true;
      }
      if (n.completed ? converted : abandoned && !converted) addRow(out, r);
    }
    return out;
  }
}
