/**
 * Tail packs: the events of one group commit are one row of `events_tail_N` (docs/architecture.md "Tail"; the
 * writer cuts a commit of more than 1,000 events into several packs).
 * A row per event cost the writer's thread ~0.8–1.3 µs per event in SQLite inserts; one row per commit
 * ~0.3–0.5 µs (stack.md §2b's insert figures, and a 1M-event micro-benchmark here: 1.2–1.8 against
 * 0.7–0.9 µs per event with the properties' JSON). A pack is:
 *
 * - `seq`: the seq of its last event (the rowid, so `max(seq)` and `seq > ?` keep working on packs),
 * - `n`: its number of events,
 * - `cols`: n × 40 bytes, column after column: `ts` and `received_at` as Float64, then as Uint32 how far
 *   each event's seq is below the pack's, `event`, `identity`, `source`, `msg_hi`, `msg_lo`,
 * - `props`: the JSON array of the events' properties.
 *
 * Events stay in seq order inside a pack, and packs do not overlap, so reading packs in `seq` order reads
 * events in seq order.
 */
import { grown } from "../lib/grown.ts";
import type { TailRow } from "./segment.ts";

const BYTES_PER_EVENT = 40;

/** PackRow is one row of a tail table as SQLite returns it. */
export interface PackRow {
  seq: number;
  n: number;
  cols: Uint8Array;
  props: string;
}

/** PackView reads a pack's columns in place. */
export class PackView {
  readonly n: number;
  readonly ts: Float64Array;
  readonly receivedAt: Float64Array;
  readonly #back: Uint32Array;
  readonly event: Uint32Array;
  readonly identity: Uint32Array;
  readonly source: Uint32Array;
  readonly hi: Uint32Array;
  readonly lo: Uint32Array;
  readonly #last: number;

  constructor(row: Pick<PackRow, "seq" | "n" | "cols">) {
    const n = row.n;
    if (row.cols.byteLength !== n * BYTES_PER_EVENT) throw new Error(`tail pack ${row.seq}: ${row.cols.byteLength} bytes for ${n} events`);
    // Float64Array needs an 8-aligned offset; SQLite's blob may sit anywhere in its buffer.
    const bytes = row.cols.byteOffset % 8 === 0 ? row.cols : row.cols.slice();
    const { buffer, byteOffset } = bytes;
    this.n = n;
    this.#last = row.seq;
    this.ts = new Float64Array(buffer, byteOffset, n);
    this.receivedAt = new Float64Array(buffer, byteOffset + 8 * n, n);
    const u32 = (k: number) => new Uint32Array(buffer, byteOffset + 16 * n + 4 * n * k, n);
    this.#back = u32(0);
    this.event = u32(1);
    this.identity = u32(2);
    this.source = u32(3);
    this.hi = u32(4);
    this.lo = u32(5);
  }

  seq(i: number): number {
    return this.#last - this.#back[i]!;
  }
}

/** PackBuilder collects the events of one pack, in seq order. */
export class PackBuilder {
  #seq = new Float64Array(1024);
  #ts = new Float64Array(1024);
  #receivedAt = new Float64Array(1024);
  #u32 = new Uint32Array(1024 * 5);
  #props: unknown[] = [];

  get length(): number {
    return this.#props.length;
  }

  add(seq: number, ts: number, event: number, identity: number, source: number, hi: number, lo: number, receivedAt: number, props: unknown): void {
    const i = this.#props.length;
    if (i === this.#seq.length) this.#grow();
    this.#seq[i] = seq;
    this.#ts[i] = ts;
    this.#receivedAt[i] = receivedAt;
    const o = i * 5;
    this.#u32[o] = event;
    this.#u32[o + 1] = identity;
    this.#u32[o + 2] = source;
    this.#u32[o + 3] = hi;
    this.#u32[o + 4] = lo;
    this.#props.push(props);
  }

  /** take returns the pack and empties the builder. */
  take(): PackRow {
    const n = this.#props.length;
    const last = this.#seq[n - 1]!;
    const buffer = new ArrayBuffer(n * BYTES_PER_EVENT);
    new Float64Array(buffer, 0, n).set(this.#ts.subarray(0, n));
    new Float64Array(buffer, 8 * n, n).set(this.#receivedAt.subarray(0, n));
    const cols = new Uint32Array(buffer, 16 * n, 6 * n);
    for (let i = 0; i < n; i++) {
      cols[i] = last - this.#seq[i]!;
      const o = i * 5;
      for (let k = 0; k < 5; k++) cols[(k + 1) * n + i] = this.#u32[o + k]!;
    }
    const props = JSON.stringify(this.#props);
    this.#props = [];
    return { seq: last, n, cols: new Uint8Array(buffer), props };
  }

  /** clear drops what was added (a rolled-back transaction). */
  clear(): void {
    this.#props = [];
  }

  #grow(): void {
    const cap = this.#seq.length * 2;
    this.#seq = grown(this.#seq, cap);
    this.#ts = grown(this.#ts, cap);
    this.#receivedAt = grown(this.#receivedAt, cap);
    this.#u32 = grown(this.#u32, cap * 5);
  }
}

/** unpack turns a pack into tail rows (properties parsed). */
export function unpack(row: PackRow): TailRow[] {
  const v = new PackView(row);
  const props = JSON.parse(row.props) as Record<string, unknown>[];
  const rows: TailRow[] = new Array(v.n);
  for (let i = 0; i < v.n; i++) {
    rows[i] = {
      seq: v.seq(i), ts: v.ts[i]!, event: v.event[i]!, identity: v.identity[i]!, source: v.source[i]!,
      msgHi: v.hi[i]!, msgLo: v.lo[i]!, props: props[i]!,
    };
  }
  return rows;
}

/** PACK_COLUMNS is the column list of a tail table's insert. */
export const PACK_COLUMNS = "(seq, n, cols, props)";
