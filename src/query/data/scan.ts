/**
 * The one pass from store chunks to kernel rows. Chunks (per segment or tail, UTC day and event) are
 * visited in day order; each row is kept when its time is in range, its identity maps to a person and
 * some selector matches it; its match bits come from the selectors' chunk-wide masks (a kind that
 * needs rows the kernel does not select — strict funnels' other events, paths — adds a selector for
 * them and masks its bit off afterwards). Output is flat typed arrays in chunk order — trends use
 * them as they are, person-ordered kernels group them (group.ts).
 */
import type { Chunk, StoreReader } from "../../store/reader.ts";
import type { Filter } from "../filter.ts";
import { ALL_EVENTS } from "../schema.ts";
import { type BreakdownSource, ChunkRows, compileVec, type Env, type ValueSource, type VecFilter } from "./columns.ts";

/** Selector is "rows of this event (or any: `$all` or null) passing this filter". */
export interface Selector {
  readonly event: string | null;
  readonly where?: Filter | undefined;
}

/** Compiled is a selector resolved against the snapshot: event ids (null = any) and its filter. */
export interface Compiled {
  readonly events: ReadonlySet<number> | null;
  readonly filter: VecFilter | undefined;
}

/** compileSelector resolves a selector, AND-ing the query's global filter into it. */
export function compileSelector(s: Selector, globalWhere: Filter | undefined, env: Env): Compiled {
  const where = s.where && globalWhere ? { and: [s.where, globalWhere] } : (s.where ?? globalWhere);
  return { events: eventIds(s.event, env), filter: compileVec(where, env) };
}

/** eventIds maps an event name to its id set: null for any event, empty for a name never stored. */
export function eventIds(name: string | null, env: Env): ReadonlySet<number> | null {
  if (name === null || name === ALL_EVENTS) return null;
  const id = env.reader.eventId(name);
  return new Set(id === undefined ? [] : [id]);
}

/** ScanSpec says which rows to read and what to read off them. */
export interface ScanSpec {
  readonly from: number;
  readonly to: number;
  /** selectors[s] sets match bit s. */
  readonly selectors: readonly Compiled[];
  /** only keeps rows of the persons set in this bitset (indexed by person id). */
  readonly only?: Uint32Array;
  readonly breakdown?: BreakdownSource;
  /** values[s] reads selector s's numeric property (rows not matching s get NaN). */
  readonly values?: readonly (ValueSource | undefined)[];
  /** event asks for each row's event id (paths). */
  readonly event?: boolean;
}

/** Scan is rows as parallel arrays (the kernels' `Rows` plus optional columns). */
export interface Scan {
  n: number;
  persons: number;
  person: Int32Array;
  ts: Float64Array;
  match: Uint32Array;
  codes?: Int32Array;
  values?: (Float64Array | undefined)[];
  event?: Int32Array;
}

function union(sets: (ReadonlySet<number> | null)[]): ReadonlySet<number> | null {
  if (sets.some((s) => s === null)) return null;
  const out = new Set<number>();
  for (const s of sets) for (const e of s!) out.add(e);
  return out;
}

// how a chunk's rows get their breakdown code (columns.ts CodeLookup), as small ints for the row loop
const NONE = 0;
const ALL = 1;
const ROW = 2;
const PERSON = 3;
const EMPTY_I32 = new Int32Array(0);

/**
 * chunksOf lists the chunks a scan reads in (day, event, segment, tail last) order. Grouping keeps
 * that order among rows of one person at the same millisecond, so such ties read by event id, then
 * by arrival — the same before and after compaction.
 */
export function chunksOf(reader: StoreReader, from: number, to: number, events: ReadonlySet<number> | null): Chunk[] {
  if (events !== null && events.size === 0) return [];
  return reader
    .chunks({ from, to, events })
    .sort((a, b) => a.tsBase - b.tsBase || a.event - b.event || (a.segment || Infinity) - (b.segment || Infinity));
}

/** scan reads the rows a spec asks for; `persons` bounds the person ids of the result. */
export function scan(env: Env, spec: ScanSpec, persons: number): Scan {
  const { from, to, selectors } = spec;
  const chunks = chunksOf(env.reader, from, to, union(selectors.map((s) => s.events)));
  const pm = env.reader.identityToPerson;
  const pmLen = pm.length;
  // The chunks' row count bounds the output: one allocation, no growing copies.
  let cap = 0;
  for (const c of chunks) cap += c.n;
  const person = new Int32Array(cap);
  const time = new Float64Array(cap);
  const match = new Uint32Array(cap);
  const codesOut = spec.breakdown ? new Int32Array(cap) : undefined;
  const valueCols = (spec.values ?? []).map((v) => (v ? new Float64Array(cap) : undefined));
  const eventOut = spec.event ? new Int32Array(cap) : undefined;
  const anyValues = valueCols.some((v) => v !== undefined);
  const only = spec.only;
  const valueSources = spec.values ?? [];
  const maskBits: number[] = [];
  const masks: Uint8Array[] = [];
  let w = 0;
  for (const c of chunks) {
    const rows = new ChunkRows(c, pm);
    let bits = 0;
    maskBits.length = 0;
    masks.length = 0;
    for (let k = 0; k < selectors.length; k++) {
      const s = selectors[k]!;
      if (s.events && !s.events.has(c.event)) continue;
      const m = s.filter ? s.filter(rows) : true;
      if (m === true) bits |= 1 << k;
      else if (m !== false) {
        maskBits.push(1 << k);
        masks.push(m);
      }
    }
    if (bits === 0 && masks.length === 0) continue;
    const { n, ts, identity, tsBase } = c;
    const first = w;
    const M = masks.length;
    // the optional columns, as per-chunk lookups applied inline (ROW: by dictionary code, PERSON: by person)
    const look = spec.breakdown?.(rows);
    const by = look === undefined ? NONE : look.by === "all" ? ALL : look.by === "row" ? ROW : PERSON;
    const ctable = look && look.by !== "all" ? look.table : EMPTY_I32;
    const ccodes = look && look.by !== "all" ? look.codes : EMPTY_I32;
    const cconst = look && look.by === "all" ? look.code : -1;
    const vals = valueSources.map((v) => (v ? v(rows) : NaN));
    for (let i = 0; i < n; i++) {
      const t = tsBase + ts[i]!;
      if (t < from || t >= to) continue;
      let m = bits;
      for (let k = 0; k < M; k++) if (masks[k]![i]) m |= maskBits[k]!;
      if (m === 0) continue;
      const id = identity[i]!;
      const p = id < pmLen ? pm[id]! : -1;
      if (p < 0) continue;
      if (only && !(only[p >>> 5]! & (1 << (p & 31)))) continue;
      person[w] = p;
      time[w] = t;
      match[w] = m;
      if (by !== NONE) codesOut![w] = by === ROW ? ctable[ccodes[i]!]! : by === ALL ? cconst : p < ccodes.length ? ctable[ccodes[p]!]! : -1;
      if (anyValues) {
        for (let s = 0; s < vals.length; s++) {
          const col = valueCols[s];
          if (!col) continue;
          const v = vals[s]!;
          col[w] = m & (1 << s) ? (typeof v === "number" ? v : v.table[v.codes[i]!]!) : NaN;
        }
      }
      w++;
    }
    if (eventOut) eventOut.fill(c.event, first, w);
  }
  return {
    n: w, persons, person, ts: time, match,
    codes: codesOut, values: anyValues ? valueCols : undefined, event: eventOut,
  };
}

/** personsWith returns the bitset of persons having a row of `sel` in [from, to). */
export function personsWith(env: Env, sel: Compiled, from: number, to: number, persons: number): Uint32Array {
  const set = new Uint32Array((persons + 31) >>> 5);
  const pm = env.reader.identityToPerson;
  const pmLen = pm.length;
  for (const c of chunksOf(env.reader, from, to, sel.events)) {
    const rows = new ChunkRows(c, pm);
    const m = sel.filter ? sel.filter(rows) : true;
    if (m === false) continue;
    const { n, ts, identity, tsBase } = c;
    for (let i = 0; i < n; i++) {
      if (m !== true && !m[i]) continue;
      const t = tsBase + ts[i]!;
      if (t < from || t >= to) continue;
      const id = identity[i]!;
      const p = id < pmLen ? pm[id]! : -1;
      if (p >= 0) set[p >>> 5]! |= 1 << (p & 31);
    }
  }
  return set;
}
