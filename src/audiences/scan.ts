/**
 * Event scans with filters, shared by the set evaluator and the computed tags (RFM, lifecycle): a
 * §5 filter is evaluated once per dictionary entry of a chunk, then per row by table lookup, and
 * every chunk comes with one mask per requested filter.
 */
import { compileLeaf, leaves, type Filter } from "../query/filter.ts";
import type { Column, EventChunk, Population } from "./population.ts";
import type { Range } from "./windows.ts";

type VecFilter = (chunk: EventChunk) => Uint8Array;

/** compileVecFilter evaluates a §5 filter for a whole chunk, one table per property dictionary. */
function compileVecFilter(f: Filter): VecFilter {
  if ("and" in f || "or" in f) {
    const isAnd = "and" in f;
    const parts = (isAnd ? f.and : f.or).map(compileVecFilter);
    return (chunk) => {
      const out = new Uint8Array(chunk.n).fill(isAnd ? 1 : 0);
      for (const p of parts) {
        const m = p(chunk);
        for (let i = 0; i < chunk.n; i++) out[i] = isAnd ? out[i]! & m[i]! : out[i]! | m[i]!;
      }
      return out;
    };
  }
  if ("not" in f) {
    const inner = compileVecFilter(f.not);
    return (chunk) => inner(chunk).map((x) => x ^ 1);
  }
  const test = compileLeaf(f.op, f.value);
  const tables = new WeakMap<readonly unknown[], Uint8Array>();
  return (chunk) => {
    const col = chunk.props.get(f.property);
    if (!col) return new Uint8Array(chunk.n).fill(test(undefined) ? 1 : 0);
    const table = codeTable(col, tables, (v) => (test(v) ? 1 : 0), Uint8Array);
    const out = new Uint8Array(chunk.n);
    for (let i = 0; i < chunk.n; i++) out[i] = table[col.codes[i]!]!;
    return out;
  };
}

/** codeTable maps every dictionary code through `fn` once, cached per dictionary. */
export function codeTable<T extends Uint8Array | Float64Array>(
  col: Column, cache: WeakMap<readonly unknown[], T>, fn: (v: unknown) => number,
  Ctor: new (n: number) => T,
): T {
  let table = cache.get(col.values);
  if (!table) {
    table = new Ctor(Math.max(1, col.values.length));
    table[0] = fn(undefined);
    for (let c = 1; c < col.values.length; c++) table[c] = fn(col.values[c]);
    cache.set(col.values, table);
  }
  return table;
}

/** MatchedChunk is a scanned chunk with, per filter, mask[i] = 1 when event i counts. */
export interface MatchedChunk {
  readonly chunk: EventChunk;
  readonly masks: Uint8Array[];
}

/**
 * scanEvents streams the chunks of one event name over a range; an event counts for a filter when
 * its person is in the population, its ts is in `range` and it passes the filter (undefined = all).
 */
export function* scanEvents(
  pop: Population, event: string, range: Range, filters: readonly (Filter[] | undefined)[],
  extraProps: readonly string[],
): Generator<MatchedChunk> {
  if (!(range.from < range.to)) return;
  const vecs = filters.map((w) => (w && w.length > 0 ? compileVecFilter({ and: w }) : null));
  const props = new Set(extraProps);
  for (const w of filters) for (const l of leaves(w && { and: w })) props.add(l.property);
  for (const chunk of pop.events({ event, from: range.from, to: range.to, props: [...props] })) {
    const base = new Uint8Array(chunk.n);
    for (let i = 0; i < chunk.n; i++) {
      const t = chunk.ts[i]!;
      base[i] = chunk.row[i]! >= 0 && t >= range.from && t < range.to ? 1 : 0;
    }
    const masks = vecs.map((v) => {
      if (!v) return base;
      const m = v(chunk);
      for (let i = 0; i < chunk.n; i++) m[i]! &= base[i]!;
      return m;
    });
    yield { chunk, masks };
  }
}
