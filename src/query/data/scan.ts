/**
 * The one pass from store chunks to kernel rows. Chunks (per segment or tail, UTC day and event) are
 * visited in day order; each row is kept when its time is in range, its identity maps to a person and
 * some selector matches it; its match bits come from the selectors' chunk-wide masks (a kind that
 * needs rows the kernel does not select — strict funnels' other events, paths — adds a selector for
 * them and masks its bit off afterwards). Output is flat typed arrays in chunk order — trends use
 * them as they are, person-ordered kernels group them (group.ts).
 */
import type { Chunk, StoreReader } from "../../store/reader.ts";
import { leaves, type Filter } from "../filter.ts";
import { ALL_EVENTS } from "../schema.ts";
import { type BreakdownSource, ChunkRows, type CodeLookup, compileVec, type Env, type ValueLookup, type ValueSource, type VecFilter } from "./columns.ts";

/** Selector is "rows of this event (or any: `$all` or null) passing this filter". */
export interface Selector {
  readonly event: string | null;
  readonly where?: Filter | undefined;
}

/**
 * Compiled is a selector resolved against the snapshot: event ids (null = any) and its filter — as
 * a chunk-wide evaluator, and for a filter on person properties only also as a pass/fail byte per
 * person id, which row loops that know each row's person use instead.
 */
export interface Compiled {
  readonly events: ReadonlySet<number> | null;
  readonly filter: VecFilter | undefined;
  readonly personPass?: Uint8Array;
}

/** compileSelector resolves a selector, AND-ing the query's global filter into it. */
export function compileSelector(s: Selector, globalWhere: Filter | undefined, env: Env, persons?: number): Compiled {
  const where = s.where && globalWhere ? { and: [s.where, globalWhere] } : (s.where ?? globalWhere);
  const filter = compileVec(where, env);
  const events = eventIds(s.event, env);
  if (!where || persons === undefined || !leaves(where).every((l) => l.type === "person")) return { events, filter };
  return { events, filter, personPass: env.people.mask(JSON.stringify(where), persons, () => personMask(filter!, env, persons)) };
}

/** personMask evaluates a person-only filter over every person id at once (as one chunk whose row i is person i). */
function personMask(filter: VecFilter, env: Env, persons: number): Uint8Array {
  const ids = new Uint32Array(persons);
  for (let p = 0; p < persons; p++) ids[p] = p;
  const everyone: Chunk = { event: -1, n: persons, tsBase: 0, ts: new Uint32Array(0), identity: ids, segment: -1, prop: () => undefined };
  const m = filter(new ChunkRows(everyone, Int32Array.from(ids)));
  return typeof m === "boolean" ? new Uint8Array(persons).fill(m ? 1 : 0) : m;
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

/** Out is where the row loops write. */
interface Out {
  readonly person: Int32Array;
  readonly time: Float64Array;
  readonly match: Uint32Array;
  readonly codes: Int32Array;
}

/*
 * The row loops, one per shape of work. JSC keeps one set of type feedback per function: a single
 * loop serving every shape ran the filtered audience query 2× slower once a trends query had run
 * (measured at 10M events), so plain, filtered and column-carrying scans each get their own copy.
 * Each keeps rows in [from, to) of a known person (and in `only`) whose match bits are not all off,
 * writes them from `w` on and returns the new `w`.
 */

function rowsPlain(c: Chunk, from: number, to: number, bits: number, pm: Int32Array, only: Uint32Array | undefined, out: Out, w: number): number {
  const { n, ts, identity, tsBase } = c;
  const { person, time, match } = out;
  const pmLen = pm.length;
  for (let i = 0; i < n; i++) {
    const t = tsBase + ts[i]!;
    if (t < from || t >= to) continue;
    const id = identity[i]!;
    const p = id < pmLen ? pm[id]! : -1;
    if (p < 0 || (only && !(only[p >>> 5]! & (1 << (p & 31))))) continue;
    person[w] = p;
    time[w] = t;
    match[w++] = bits;
  }
  return w;
}

function rowsFiltered(
  c: Chunk, from: number, to: number, bits: number, masks: Uint8Array[], maskBits: number[], passes: Uint8Array[], passBits: number[],
  pm: Int32Array, only: Uint32Array | undefined, out: Out, w: number,
): number {
  const { n, ts, identity, tsBase } = c;
  const { person, time, match } = out;
  const pmLen = pm.length;
  const M = masks.length;
  const PP = passes.length;
  for (let i = 0; i < n; i++) {
    const t = tsBase + ts[i]!;
    if (t < from || t >= to) continue;
    let m = bits;
    for (let k = 0; k < M; k++) if (masks[k]![i]) m |= maskBits[k]!;
    if (m === 0) continue;
    const id = identity[i]!;
    const p = id < pmLen ? pm[id]! : -1;
    if (p < 0 || (only && !(only[p >>> 5]! & (1 << (p & 31))))) continue;
    for (let k = 0; k < PP; k++) if (m & passBits[k]! && !passes[k]![p]) m &= ~passBits[k]!;
    if (m === 0) continue;
    person[w] = p;
    time[w] = t;
    match[w++] = m;
  }
  return w;
}

function rowsWithColumns(
  c: Chunk, from: number, to: number, bits: number, masks: Uint8Array[], maskBits: number[], passes: Uint8Array[], passBits: number[],
  pm: Int32Array, only: Uint32Array | undefined, out: Out, w: number,
  look: CodeLookup | undefined, vals: ValueLookup[] | null, valueCols: (Float64Array | undefined)[],
): number {
  const { n, ts, identity, tsBase } = c;
  const { person, time, match, codes } = out;
  const pmLen = pm.length;
  const M = masks.length;
  const PP = passes.length;
  // the breakdown code: ROW by dictionary code, PERSON by the row's person, ALL one for the chunk
  const by = look === undefined ? NONE : look.by === "all" ? ALL : look.by === "row" ? ROW : PERSON;
  const ctable = look && look.by !== "all" ? look.table : EMPTY_I32;
  const ccodes = look && look.by !== "all" ? look.codes : EMPTY_I32;
  const cconst = look && look.by === "all" ? look.code : -1;
  for (let i = 0; i < n; i++) {
    const t = tsBase + ts[i]!;
    if (t < from || t >= to) continue;
    let m = bits;
    for (let k = 0; k < M; k++) if (masks[k]![i]) m |= maskBits[k]!;
    if (m === 0) continue;
    const id = identity[i]!;
    const p = id < pmLen ? pm[id]! : -1;
    if (p < 0 || (only && !(only[p >>> 5]! & (1 << (p & 31))))) continue;
    for (let k = 0; k < PP; k++) if (m & passBits[k]! && !passes[k]![p]) m &= ~passBits[k]!;
    if (m === 0) continue;
    person[w] = p;
    time[w] = t;
    match[w] = m;
    if (by !== NONE) codes[w] = by === ROW ? ctable[ccodes[i]!]! : by === ALL ? cconst : p < ccodes.length ? ctable[ccodes[p]!]! : -1;
    if (vals) {
      for (let s = 0; s < vals.length; s++) {
        const col = valueCols[s];
        if (!col) continue;
        const v = vals[s]!;
        col[w] = m & (1 << s) ? (typeof v === "number" ? v : v.table[v.codes[i]!]!) : NaN;
      }
    }
    w++;
  }
  return w;
}

/** scan reads the rows a spec asks for; `persons` bounds the person ids of the result. */
export function scan(env: Env, spec: ScanSpec, persons: number): Scan {
  const { from, to, selectors } = spec;
  const chunks = chunksOf(env.reader, from, to, union(selectors.map((s) => s.events)));
  const pm = env.reader.identityToPerson;
  // The chunks' row count bounds the output: one allocation, no growing copies.
  let cap = 0;
  for (const c of chunks) cap += c.n;
  const out: Out = { person: new Int32Array(cap), time: new Float64Array(cap), match: new Uint32Array(cap), codes: spec.breakdown ? new Int32Array(cap) : EMPTY_I32 };
  const { person, time, match } = out;
  const codesOut = spec.breakdown ? out.codes : undefined;
  const valueCols = (spec.values ?? []).map((v) => (v ? new Float64Array(cap) : undefined));
  const eventOut = spec.event ? new Int32Array(cap) : undefined;
  const anyValues = valueCols.some((v) => v !== undefined);
  const only = spec.only;
  const valueSources = spec.values ?? [];
  const maskBits: number[] = [];
  const masks: Uint8Array[] = [];
  const passBits: number[] = [];
  const passes: Uint8Array[] = [];
  let w = 0;
  for (const c of chunks) {
    const rows = new ChunkRows(c, pm);
    let bits = 0;
    maskBits.length = 0;
    masks.length = 0;
    passBits.length = 0;
    passes.length = 0;
    for (let k = 0; k < selectors.length; k++) {
      const s = selectors[k]!;
      if (s.events && !s.events.has(c.event)) continue;
      if (s.personPass) {
        bits |= 1 << k;
        passBits.push(1 << k);
        passes.push(s.personPass);
        continue;
      }
      const m = s.filter ? s.filter(rows) : true;
      if (m === true) bits |= 1 << k;
      else if (m !== false) {
        maskBits.push(1 << k);
        masks.push(m);
      }
    }
    if (bits === 0 && masks.length === 0) continue;
    const first = w;
    const look = spec.breakdown?.(rows);
    const vals = anyValues ? valueSources.map((v) => (v ? v(rows) : NaN)) : null;
    if (look || vals) w = rowsWithColumns(c, from, to, bits, masks, maskBits, passes, passBits, pm, only, out, w, look, vals, valueCols);
    else if (masks.length > 0 || passes.length > 0) w = rowsFiltered(c, from, to, bits, masks, maskBits, passes, passBits, pm, only, out, w);
    else w = rowsPlain(c, from, to, bits, pm, only, out, w);
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
  const pass = sel.personPass;
  for (const c of chunksOf(env.reader, from, to, sel.events)) {
    const m = pass || !sel.filter ? true : sel.filter(new ChunkRows(c, pm));
    if (m === false) continue;
    const { n, ts, identity, tsBase } = c;
    for (let i = 0; i < n; i++) {
      if (m !== true && !m[i]) continue;
      const t = tsBase + ts[i]!;
      if (t < from || t >= to) continue;
      const id = identity[i]!;
      const p = id < pmLen ? pm[id]! : -1;
      if (p >= 0 && (!pass || pass[p])) set[p >>> 5]! |= 1 << (p & 31);
    }
  }
  return set;
}
