/**
 * Segments: the columnar, immutable form of one UTC day of events (docs/architecture.md).
 * Rows are sorted by (event, identity, ts) so each event is one contiguous row range and identity runs
 * delta-encode to a byte or two. Every property key becomes a code column into a segment-local
 * dictionary, so a filter is evaluated once per distinct value instead of once per row.
 */
import { grown } from "../lib/grown.ts";
import { codesFor, decodeColumn, decodeJson, encodeColumn, encodeJson, type IntArray } from "./codec.ts";

export const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** TailRow is one event as read from events_tail (props parsed). */
export interface TailRow {
  seq: number;
  ts: number;
  event: number;
  identity: number;
  source: number;
  msgHi: number;
  msgLo: number;
  props: Record<string, unknown>;
}

/** EventRange is [firstRow, rowCount, events per UTC hour (24), property keys present]. */
export type EventRange = [number, number, number[], string[]];

/** Directory says where each event's rows are and how many fall in each UTC hour (a free rollup). */
export interface Directory {
  events: Record<string, EventRange>;
}

/** BuiltSegment is a segment ready to be written. */
export interface BuiltSegment {
  day: number;
  rows: number;
  minTs: number;
  maxTs: number;
  directory: Directory;
  columns: [string, Uint8Array][];
}

/** Base column names; property columns are `p:<key>` (codes) and `d:<key>` (dictionary). */
export const COL = { ts: "ts", identity: "identity", source: "source", msgHi: "msg_hi", msgLo: "msg_lo" } as const;

/** dictKey distinguishes "5" from 5 and compares objects by their JSON. */
export function dictKey(v: unknown): string {
  return typeof v === "string" ? `s${v}` : `j${JSON.stringify(v)}`;
}

/**
 * PropBuilder codes one property's values in arrival order; separate maps avoid building a key string per
 * value. `codes[i]` is row i's code (0 = absent).
 */
class PropBuilder {
  codes: Uint32Array;
  readonly values: unknown[] = [];
  /** The events that have this property (the directory lists each event's keys). */
  readonly events = new Set<number>();
  readonly #str = new Map<string, number>();
  readonly #num = new Map<number, number>();
  readonly #other = new Map<string, number>();
  #last: unknown = undefined;
  #lastCode = 0;

  constructor(capacity: number) {
    this.codes = new Uint32Array(capacity);
  }

  code(v: unknown): number {
    // A person's next event often repeats the value: skip the hash lookup.
    if (v === this.#last && typeof v !== "object") return this.#lastCode;
    const map = typeof v === "string" ? this.#str : typeof v === "number" ? this.#num : this.#other;
    const k = typeof v === "string" || typeof v === "number" ? v : JSON.stringify(v);
    let code = (map as Map<unknown, number>).get(k);
    if (code === undefined) {
      this.values.push(v);
      code = this.values.length;
      (map as Map<unknown, number>).set(k, code);
    }
    this.#last = v;
    this.#lastCode = code;
    return code;
  }
}

/**
 * SegmentBuilder collects the rows of one UTC day in any order and builds the segment. It keeps typed
 * arrays and one code per property, not the rows: compaction feeds it a tail pack at a time, so building
 * from 250k tail rows holds ~60 bytes per row instead of every row's parsed object (~500 bytes with
 * the garbage of decoding them, which made the RSS peaks while ingesting).
 */
export class SegmentBuilder {
  #n = 0;
  #seq = new Float64Array(1024);
  #ts = new Float64Array(1024);
  #event = new Uint32Array(1024);
  #identity = new Uint32Array(1024);
  #source = new Uint32Array(1024);
  #msgHi = new Uint32Array(1024);
  #msgLo = new Uint32Array(1024);
  readonly #props = new Map<string, PropBuilder>();

  constructor(readonly day: number) {}

  get length(): number {
    return this.#n;
  }

  /** hashes are the rows' message hashes, in arrival order. */
  get hashes(): { hi: Uint32Array; lo: Uint32Array } {
    return { hi: this.#msgHi.subarray(0, this.#n), lo: this.#msgLo.subarray(0, this.#n) };
  }

  add(seq: number, ts: number, event: number, identity: number, source: number, msgHi: number, msgLo: number, props: Record<string, unknown>): void {
    const off = ts - this.day * DAY_MS;
    if (off < 0 || off >= DAY_MS) throw new Error(`row ${seq} is not on UTC day ${this.day}`);
    const i = this.#n++;
    if (i === this.#seq.length) this.#grow(2 * i);
    this.#seq[i] = seq;
    this.#ts[i] = ts;
    this.#event[i] = event;
    this.#identity[i] = identity;
    this.#source[i] = source;
    this.#msgHi[i] = msgHi;
    this.#msgLo[i] = msgLo;
    for (const key in props) {
      const v = props[key];
      if (v === undefined) continue;
      let col = this.#props.get(key);
      if (!col) this.#props.set(key, (col = new PropBuilder(this.#seq.length)));
      col.events.add(event);
      col.codes[i] = col.code(v);
    }
  }

  /** build sorts the rows by (event, identity, ts, arrival seq) and compresses the columns. */
  build(): BuiltSegment {
    const n = this.#n;
    const base = this.day * DAY_MS;
    const order = this.#order(base);
    const b = new BaseBuilder(n);
    for (let i = 0; i < n; i++) {
      const r = order[i]!;
      b.row(i, this.#event[r]!, this.#ts[r]! - base, this.#identity[r]!, this.#source[r]!, this.#msgHi[r]!, this.#msgLo[r]!);
    }
    const columns = baseColumns(b.arrays);
    for (const [key, col] of this.#props) {
      const codes = codesFor(col.values.length, n);
      for (let i = 0; i < n; i++) codes[i] = col.codes[order[i]!]!;
      columns.push([`p:${key}`, encodeColumn(codes)], [`d:${key}`, encodeJson(col.values)]);
      for (const event of col.events) b.events[event]![3].push(key);
    }
    return { day: this.day, rows: n, minTs: base + b.minTs, maxTs: base + b.maxTs, directory: { events: b.events }, columns };
  }

  /** #order returns row indexes sorted by (event, identity, ts, seq) without comparing objects. */
  #order(base: number): Uint32Array {
    const n = this.#n;
    const event = this.#event;
    const identity = this.#identity;
    const ts = this.#ts;
    const seq = this.#seq;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    // identity * 2^27 + ms-of-day is exact below 2^53 while identities stay under 2^26.
    let packed = true;
    for (let i = 0; i < n && packed; i++) packed = identity[i]! < 2 ** 26;
    if (packed) {
      const key = new Float64Array(n);
      for (let i = 0; i < n; i++) key[i] = identity[i]! * 134_217_728 + (ts[i]! - base);
      return order.sort((a, b) => event[a]! - event[b]! || key[a]! - key[b]! || seq[a]! - seq[b]!);
    }
    return order.sort((a, b) => event[a]! - event[b]! || identity[a]! - identity[b]! || ts[a]! - ts[b]! || seq[a]! - seq[b]!);
  }

  #grow(cap: number): void {
    this.#seq = grown(this.#seq, cap);
    this.#ts = grown(this.#ts, cap);
    this.#event = grown(this.#event, cap);
    this.#identity = grown(this.#identity, cap);
    this.#source = grown(this.#source, cap);
    this.#msgHi = grown(this.#msgHi, cap);
    this.#msgLo = grown(this.#msgLo, cap);
    for (const col of this.#props.values()) col.codes = grown(col.codes, cap);
  }
}

/** buildSegment turns the rows of one UTC day into compressed columns. */
export function buildSegment(day: number, rows: readonly TailRow[]): BuiltSegment {
  const b = new SegmentBuilder(day);
  for (const r of rows) b.add(r.seq, r.ts, r.event, r.identity, r.source, r.msgHi, r.msgLo, r.props);
  return b.build();
}

/**
 * DirectoryBuilder describes a segment's rows as they are placed in segment order: each event's row range,
 * its rows per UTC hour, and the smallest and largest ts.
 */
export class DirectoryBuilder {
  readonly events: Record<string, EventRange> = {};
  /** Smallest and largest ts, as offsets in the day. */
  minTs = Infinity;
  maxTs = -Infinity;
  #range: EventRange | undefined;
  #event = -1;

  /** place counts row i, of `event` at `ts` (the offset in the day). */
  place(i: number, event: number, ts: number): void {
    if (event !== this.#event) {
      this.#range = this.events[event] = [i, 0, new Array<number>(24).fill(0), []];
      this.#event = event;
    }
    const range = this.#range!;
    range[1]++;
    range[2][(ts / HOUR_MS) | 0]!++;
    if (ts < this.minTs) this.minTs = ts;
    if (ts > this.maxTs) this.maxTs = ts;
  }
}

/**
 * BaseBuilder fills a segment's base arrays and directory row by row in segment order (building from the
 * tail ends here; a merge gathers the arrays a column at a time, segment-merge.ts).
 */
export class BaseBuilder extends DirectoryBuilder {
  readonly arrays: BaseArrays;

  constructor(n: number) {
    super();
    this.arrays = {
      ts: new Uint32Array(n), identity: new Uint32Array(n), source: new Uint16Array(n),
      msgHi: new Uint32Array(n), msgLo: new Uint32Array(n),
    };
  }

  /** row writes row i (`ts` is the offset in the day). */
  row(i: number, event: number, ts: number, identity: number, source: number, msgHi: number, msgLo: number): void {
    this.place(i, event, ts);
    const a = this.arrays;
    a.ts[i] = ts;
    a.identity[i] = identity;
    a.source[i] = source;
    a.msgHi[i] = msgHi;
    a.msgLo[i] = msgLo;
  }
}

/** BaseArrays are a segment's columns every row has, in segment order. */
export interface BaseArrays {
  ts: Uint32Array;
  identity: Uint32Array;
  source: Uint16Array;
  msgHi: Uint32Array;
  msgLo: Uint32Array;
}

/** BASE_KEYS: the base arrays, in the order a segment lists their columns (COL names them). */
export const BASE_KEYS = ["ts", "identity", "source", "msgHi", "msgLo"] as const;

/** baseColumn encodes one base array (identity delta-encoded: sorted runs shrink to a byte or two). */
export function baseColumn(key: keyof BaseArrays, values: IntArray): [string, Uint8Array] {
  return [COL[key], encodeColumn(values, key === "identity")];
}

/** baseColumns encodes the base arrays. */
export function baseColumns(b: BaseArrays): [string, Uint8Array][] {
  return BASE_KEYS.map((key) => baseColumn(key, b[key]));
}

/** PropColumn is one property of a row range: code 0 = absent, otherwise dict[code - 1]. */
export interface PropColumn {
  codes: IntArray;
  dict: unknown[];
}

/** decodeProp decodes a property's code and dictionary columns. */
export function decodeProp(codes: Uint8Array, dict: Uint8Array): PropColumn {
  return { codes: decodeColumn(codes) as IntArray, dict: decodeJson<unknown[]>(dict) };
}

/** ColumnSource gives a segment's column blobs by name (a Map, or StoreReader.segmentColumns reading each when asked). */
export interface ColumnSource {
  get(name: string): Uint8Array | undefined;
  keys(): Iterable<string>;
}

/** segmentRows turns a segment back into rows (privacy rewrites and the recent-events list rebuild from these). */
export function segmentRows(day: number, directory: Directory, columns: ColumnSource): TailRow[] {
  const get = (name: string) => {
    const blob = columns.get(name);
    if (!blob) throw new Error(`segment column ${name} is missing`);
    return decodeColumn(blob);
  };
  const ts = get(COL.ts);
  const identity = get(COL.identity);
  const source = get(COL.source);
  const msgHi = get(COL.msgHi);
  const msgLo = get(COL.msgLo);
  const base = day * DAY_MS;
  const rows: TailRow[] = Array.from({ length: ts.length }, (_, i) => ({
    seq: i,
    ts: base + ts[i]!,
    event: 0,
    identity: identity[i]!,
    source: source[i]!,
    msgHi: msgHi[i]!,
    msgLo: msgLo[i]!,
    props: {},
  }));
  const decoded = new Map<string, PropColumn>();
  for (const [event, [start, count, , keys]] of Object.entries(directory.events)) {
    for (let i = start; i < start + count; i++) rows[i]!.event = Number(event);
    for (const key of keys) {
      let p = decoded.get(key);
      if (!p) decoded.set(key, (p = decodeProp(columns.get(`p:${key}`)!, columns.get(`d:${key}`)!)));
      for (let i = start; i < start + count; i++) {
        const c = p.codes[i]!;
        if (c !== 0) rows[i]!.props[key] = p.dict[c - 1];
      }
    }
  }
  return rows;
}
