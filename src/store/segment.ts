/**
 * Segments: the columnar, immutable form of one UTC day of events (docs/architecture.md).
 * Rows are sorted by (event, identity, ts) so each event is one contiguous row range and identity runs
 * delta-encode to a byte or two. Every property key becomes a code column into a segment-local
 * dictionary, so a filter is evaluated once per distinct value instead of once per row.
 */
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

/** PropBuilder accumulates one property's codes; separate maps avoid building a key string per value. */
class PropBuilder {
  readonly codes: Uint32Array;
  readonly values: unknown[] = [];
  readonly #str = new Map<string, number>();
  readonly #num = new Map<number, number>();
  readonly #other = new Map<string, number>();
  #last: unknown = undefined;
  #lastCode = 0;
  /** The event whose key list already names this property (rows arrive grouped by event). */
  seenIn = -1;

  constructor(n: number) {
    this.codes = new Uint32Array(n);
  }

  code(v: unknown): number {
    // Rows are grouped by person, whose next value is usually the same: skip the hash lookup.
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

/** sortOrder returns row indexes sorted by (event, identity, ts, seq) without comparing objects. */
function sortOrder(rows: readonly TailRow[], base: number): Uint32Array {
  const n = rows.length;
  const byEvent = new Map<number, number[]>();
  rows.forEach((r, i) => {
    let list = byEvent.get(r.event);
    if (!list) byEvent.set(r.event, (list = []));
    list.push(i);
  });
  const order = new Uint32Array(n);
  const key = new Float64Array(n);
  // identity * 2^27 + ms-of-day is exact below 2^53 while identities stay under 2^26.
  const packed = rows.every((r) => r.identity < 2 ** 26);
  for (let i = 0; i < n; i++) key[i] = packed ? rows[i]!.identity * 134_217_728 + (rows[i]!.ts - base) : 0;
  let at = 0;
  for (const event of [...byEvent.keys()].sort((a, b) => a - b)) {
    const part = Uint32Array.from(byEvent.get(event)!);
    part.sort(packed
      ? (a, b) => key[a]! - key[b]! || rows[a]!.seq - rows[b]!.seq
      : (a, b) => rows[a]!.identity - rows[b]!.identity || rows[a]!.ts - rows[b]!.ts || rows[a]!.seq - rows[b]!.seq);
    order.set(part, at);
    at += part.length;
  }
  return order;
}

/** buildSegment turns the rows of one UTC day into compressed columns. */
export function buildSegment(day: number, rows: readonly TailRow[]): BuiltSegment {
  const n = rows.length;
  const base = day * DAY_MS;
  const order = sortOrder(rows, base);
  const b = new BaseBuilder(n);
  const props = new Map<string, PropBuilder>();
  let keysOfEvent = new Set<string>();
  for (let i = 0; i < n; i++) {
    const r = rows[order[i]!]!;
    const off = r.ts - base;
    if (off < 0 || off >= DAY_MS) throw new Error(`row ${r.seq} is not on UTC day ${day}`);
    const previous = b.range;
    if (b.row(i, r.event, off, r.identity, r.source, r.msgHi, r.msgLo) && previous) {
      previous[3] = [...keysOfEvent];
      keysOfEvent = new Set();
    }
    const p = r.props;
    for (const key in p) {
      const v = p[key];
      if (v === undefined) continue;
      let col = props.get(key);
      if (!col) props.set(key, (col = new PropBuilder(n)));
      if (col.seenIn !== r.event) {
        col.seenIn = r.event;
        keysOfEvent.add(key);
      }
      col.codes[i] = col.code(v);
    }
  }
  if (b.range) b.range[3] = [...keysOfEvent];
  const columns = baseColumns(b.arrays);
  for (const [key, col] of props) {
    const narrow = codesFor(col.values.length, n);
    narrow.set(col.codes);
    columns.push([`p:${key}`, encodeColumn(narrow)], [`d:${key}`, encodeJson(col.values)]);
  }
  return { day, rows: n, minTs: base + b.minTs, maxTs: base + b.maxTs, directory: { events: b.events }, columns };
}

/**
 * BaseBuilder fills a segment's base arrays and event directory row by row in segment order (building
 * from the tail and merging segments both end here).
 */
export class BaseBuilder {
  readonly arrays: BaseArrays;
  readonly events: Record<string, EventRange> = {};
  /** The range of the event of the last row. */
  range: EventRange | undefined;
  /** Smallest and largest ts, as offsets in the day. */
  minTs = Infinity;
  maxTs = -Infinity;
  #event = -1;

  constructor(n: number) {
    this.arrays = {
      ts: new Uint32Array(n), identity: new Uint32Array(n), source: new Uint16Array(n),
      msgHi: new Uint32Array(n), msgLo: new Uint32Array(n),
    };
  }

  /** row writes row i (`ts` is the offset in the day) and returns true when it starts its event's range. */
  row(i: number, event: number, ts: number, identity: number, source: number, msgHi: number, msgLo: number): boolean {
    const starts = event !== this.#event;
    if (starts) {
      this.range = this.events[event] = [i, 0, new Array<number>(24).fill(0), []];
      this.#event = event;
    }
    const range = this.range!;
    range[1]++;
    range[2][(ts / HOUR_MS) | 0]!++;
    const a = this.arrays;
    a.ts[i] = ts;
    a.identity[i] = identity;
    a.source[i] = source;
    a.msgHi[i] = msgHi;
    a.msgLo[i] = msgLo;
    if (ts < this.minTs) this.minTs = ts;
    if (ts > this.maxTs) this.maxTs = ts;
    return starts;
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

/** baseColumns encodes the base arrays (identity delta-encoded: sorted runs shrink to a byte or two). */
export function baseColumns(b: BaseArrays): [string, Uint8Array][] {
  return [
    [COL.ts, encodeColumn(b.ts)],
    [COL.identity, encodeColumn(b.identity, true)],
    [COL.source, encodeColumn(b.source)],
    [COL.msgHi, encodeColumn(b.msgHi)],
    [COL.msgLo, encodeColumn(b.msgLo)],
  ];
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

/** segmentRows turns a segment back into rows (merges and privacy rewrites rebuild from these). */
export function segmentRows(day: number, directory: Directory, columns: Map<string, Uint8Array>): TailRow[] {
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
