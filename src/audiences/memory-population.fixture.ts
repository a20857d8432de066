/**
 * Test fixture: the `Population` contract answered from plain typed arrays, for the evaluator tests,
 * the agreement test and the benchmark. It is not a mock of the store — it is a second, trivial
 * implementation of the data-layer contract, so the pure algorithm can be tested without SQLite.
 *
 * `exact: false` answers scans the loosest way the contract allows (every event of the name, in
 * shuffled chunks with chunk-local dictionaries and events of persons outside the population), so
 * the evaluator's own range filtering and grouping are exercised.
 */
import { mulberry32 } from "../lib/random.ts";
import { addRow, emptySet, type Bitset } from "./bitset.ts";
import type { PersonSnapshot } from "./evaluate-person.ts";
import { readPath, type Column, type EventChunk, type EventScan, type Population } from "./population.ts";

/** EventBlock holds every event of one name as columns sorted by ts; `prop` gives a property column. */
export interface EventBlock {
  readonly row: Int32Array;
  readonly ts: Float64Array;
  readonly prop: (path: string) => Column | undefined;
}

/** ArrayPopulationOptions tune how scans are answered. */
export interface ArrayPopulationOptions {
  readonly chunkSize?: number;
  /** false: answer every scan with all events of the name, chunks shuffled by `seed` */
  readonly exact?: boolean;
  readonly seed?: number;
}

/** ArrayPopulation implements Population over in-memory columns. */
export class ArrayPopulation implements Population {
  private readonly empty: Bitset;

  constructor(
    readonly personIds: Int32Array,
    private readonly traitColumn: (property: string) => Column | undefined,
    private readonly tagSets: ReadonlyMap<string, Bitset>,
    private readonly audienceSets: ReadonlyMap<string, Bitset>,
    private readonly blocks: ReadonlyMap<string, EventBlock>,
    private readonly options: ArrayPopulationOptions = {},
  ) {
    this.empty = emptySet(personIds.length);
  }

  trait(property: string): Column {
    return this.traitColumn(property) ?? { codes: new Uint8Array(this.personIds.length), values: [undefined] };
  }

  tag(name: string, value?: string): Bitset {
    return this.tagSets.get(tagKey(name, value)) ?? this.empty;
  }

  audience(id: string): Bitset {
    return this.audienceSets.get(id) ?? this.empty;
  }

  *events(scan: EventScan): Iterable<EventChunk> {
    const block = this.blocks.get(scan.event);
    if (!block) return;
    const size = this.options.chunkSize ?? 65_536;
    if (this.options.exact === false) {
      yield* shuffledChunks(block, scan, size, this.options.seed ?? 1);
      return;
    }
    const lo = lowerBound(block.ts, scan.from);
    const hi = lowerBound(block.ts, scan.to);
    for (let i = lo; i < hi; i += size) {
      const j = Math.min(hi, i + size);
      const props = new Map<string, Column>();
      for (const p of scan.props) {
        const col = block.prop(p);
        if (col) props.set(p, { codes: col.codes.subarray(i, j), values: col.values });
      }
      yield { n: j - i, row: block.row.subarray(i, j), ts: block.ts.subarray(i, j), props };
    }
  }
}

function tagKey(name: string, value: string | undefined): string {
  return value === undefined ? name : `${name}\u0000${value}`;
}

function lowerBound(xs: Float64Array, x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}


/** Chunks of a whole block in shuffled order, each with its own dictionary and a ghost event. */
function* shuffledChunks(block: EventBlock, scan: EventScan, size: number, seed: number): Iterable<EventChunk> {
  const rnd = mulberry32(seed);
  const idx = Array.from({ length: block.row.length }, (_, i) => i);
  for (let i = idx.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  for (let s = 0; s < idx.length; s += size) {
    const part = idx.slice(s, s + size);
    const n = part.length + 1;
    const row = new Int32Array(n);
    const ts = new Float64Array(n);
    part.forEach((k, i) => { row[i] = block.row[k]!; ts[i] = block.ts[k]!; });
    row[n - 1] = -1; // an event of a person outside the population
    ts[n - 1] = block.ts[part[0]!]!;
    const props = new Map<string, Column>();
    for (const p of scan.props) {
      const col = block.prop(p);
      if (!col) continue;
      const values: unknown[] = [undefined];
      const local = new Map<number, number>();
      const codes = new Uint32Array(n);
      part.forEach((k, i) => {
        const c = col.codes[k]!;
        if (c === 0) return;
        let lc = local.get(c);
        if (lc === undefined) local.set(c, (lc = values.push(col.values[c]) - 1));
        codes[i] = lc;
      });
      props.set(p, { codes, values });
    }
    yield { n, row, ts, props };
  }
}

/** ColumnBuilder dictionary-encodes values (5 and "5" stay distinct, as in the person snapshot). */
export class ColumnBuilder {
  private readonly values: unknown[] = [undefined];
  private readonly index = new Map<string, number>();
  readonly codes: Uint32Array;

  constructor(length: number) {
    this.codes = new Uint32Array(length);
  }

  set(i: number, v: unknown): void {
    if (v === undefined) return;
    const key = `${typeof v}:${JSON.stringify(v)}`;
    let c = this.index.get(key);
    if (c === undefined) this.index.set(key, (c = this.values.push(v) - 1));
    this.codes[i] = c;
  }

  build(): Column {
    return { codes: this.codes, values: this.values };
  }
}

/** FixturePerson is a person snapshot with its id. */
export type FixturePerson = PersonSnapshot & { readonly id: number };

/** populationFromSnapshots builds the columnar fixture from person snapshots. */
export function populationFromSnapshots(
  persons: readonly FixturePerson[], options: ArrayPopulationOptions = {},
): ArrayPopulation {
  const sorted = [...persons].sort((a, b) => a.id - b.id);
  const n = sorted.length;
  const personIds = Int32Array.from(sorted.map((p) => p.id));
  const traitColumn = memo((name: string) => {
    const b = new ColumnBuilder(n);
    sorted.forEach((p, r) => b.set(r, readPath(p.traits, name)));
    return b.build();
  });
  const sets = (keysOf: (p: FixturePerson) => string[]) => {
    const out = new Map<string, Bitset>();
    sorted.forEach((p, r) => {
      for (const k of keysOf(p)) {
        let s = out.get(k);
        if (!s) out.set(k, (s = emptySet(n)));
        addRow(s, r);
      }
    });
    return out;
  };
  const tagSets = sets((p) => [...p.tags].flatMap(([t, v]) => (v === null ? [t] : [t, tagKey(t, v)])));
  const audienceSets = sets((p) => [...p.audiences]);
  const byName = new Map<string, { row: number; ts: number; props: Readonly<Record<string, unknown>> }[]>();
  sorted.forEach((p, r) => {
    for (const e of p.events) {
      let list = byName.get(e.event);
      if (!list) byName.set(e.event, (list = []));
      list.push({ row: r, ts: e.ts, props: e.props });
    }
  });
  const blocks = new Map<string, EventBlock>();
  for (const [name, list] of byName) {
    list.sort((a, b) => a.ts - b.ts);
    const prop = memo((path: string) => {
      const b = new ColumnBuilder(list.length);
      list.forEach((e, i) => b.set(i, readPath(e.props, path)));
      return b.build();
    });
    blocks.set(name, {
      row: Int32Array.from(list.map((e) => e.row)),
      ts: Float64Array.from(list.map((e) => e.ts)),
      prop,
    });
  }
  return new ArrayPopulation(personIds, traitColumn, tagSets, audienceSets, blocks, options);
}

function memo<T>(build: (key: string) => T): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    let v = cache.get(key);
    if (v === undefined) cache.set(key, (v = build(key)));
    return v;
  };
}
