/**
 * StoreReader is the read side of the event store: a consistent snapshot of segments + tail, decoded
 * columns cached in memory, and the identity → person map. It runs on a read-only connection in the
 * store worker (or in-process in tests) so long scans never stall the writer.
 */
import type { Database } from "bun:sqlite";
import { decodeColumn } from "./codec.ts";
import { COL, DAY_MS, decodeProp, dictKey, type ColumnSource, type Directory, type PropColumn, type TailRow } from "./segment.ts";
import { unpack, type PackRow } from "./tail-pack.ts";

/** SegmentMeta is a segment's row in `segments` with its directory parsed. */
export interface SegmentMeta {
  readonly id: number;
  readonly day: number;
  readonly rows: number;
  readonly minTs: number;
  readonly maxTs: number;
  readonly directory: Directory;
}

/** Chunk is the rows of one event on one UTC day from one segment or from the tail. */
export interface Chunk {
  readonly event: number;
  readonly n: number;
  /** Row times are tsBase + ts[i] (ms); the UTC day start keeps them in 32 bits. */
  readonly tsBase: number;
  readonly ts: Uint32Array;
  readonly identity: Uint32Array;
  /** Segment id, or 0 for the tail. */
  readonly segment: number;
  /** prop decodes one property key for these rows (undefined when no row has it). */
  prop(key: string): PropColumn | undefined;
}

/** ScanRange selects chunks: rows with from <= ts < to, restricted to some events when given. */
export interface ScanRange {
  readonly from: number;
  readonly to: number;
  readonly events?: ReadonlySet<number> | null;
}

interface TailDay {
  readonly day: number;
  readonly rows: TailRow[];
  chunks?: Map<number, Chunk>;
}

/** Bytes of decoded columns kept between queries before the least recently used are dropped. */
const CACHE_BYTES = 512 * 1024 * 1024;

export class StoreReader {
  readonly #db: Database;
  #version = -1;
  #epoch = -1;
  #compacted = 0;
  #segments = new Map<number, SegmentMeta>();
  /** The tail rows decoded so far (up to #tailSeq); queries decode the rest on demand (tailRows). */
  #tail: TailRow[] = [];
  #tailSeq = 0;
  /** The snapshot's last tail seq. */
  #headSeq = 0;
  #tailDays: Map<number, TailDay> | null = null;
  #cache = new Map<string, { value: unknown; bytes: number }>();
  #cacheBytes = 0;
  #identityMax = 0;
  #changeSeq = 0;
  #personOf = new Int32Array(1024).fill(-1);
  #names = new Map<number, string>();

  /**
   * @param openSealed decrypts a sealed value (PII traits, for person-property filters); without it they
   *   read as absent.
   */
  constructor(db: Database, readonly openSealed?: (sealed: string) => string) {
    this.#db = db;
  }

  /**
   * read runs `fn` on a fresh, consistent snapshot: metadata refresh and every lazy column load inside
   * `fn` see the same database state even while the writer and compaction go on.
   */
  read<T>(fn: () => T): T {
    const inTx = this.#db.inTransaction;
    if (!inTx) this.#db.exec("BEGIN");
    try {
      this.#refresh();
      return fn();
    } finally {
      if (!inTx) this.#db.exec("COMMIT");
    }
  }

  /** db is the snapshot's read-only connection: read-side rooms read their own tables through it inside read(). */
  get db(): Database {
    return this.#db;
  }

  /** version changes whenever readers could see different data (cache key for query results). */
  get dataVersion(): string {
    return `${this.#version}:${this.#epoch}:${this.#headSeq}:${this.#changeSeq}:${this.#identityMax}`;
  }

  /** identityVersion changes whenever the identity → person map may have changed (new identities, merges, deletions). */
  get identityVersion(): string {
    return `${this.#epoch}:${this.#identityMax}:${this.#changeSeq}`;
  }

  /** segments lists the live segments. */
  get segments(): ReadonlyMap<number, SegmentMeta> {
    return this.#segments;
  }

  /**
   * tailRows are the events not yet compacted, in arrival order, decoded when first asked for: compaction
   * reads the packs instead (tailPacks), so while nothing queries, the tail is never held decoded.
   */
  get tailRows(): readonly TailRow[] {
    if (this.#tailSeq < this.#headSeq) {
      for (const p of this.tailPacks(Math.max(this.#tailSeq, this.#compacted), this.#headSeq)) {
        for (const r of unpack(p)) this.#tail.push(r);
        this.#tailSeq = p.seq;
      }
      this.#tailSeq = this.#headSeq;
      this.#tailDays = null;
    }
    return this.#tail;
  }

  /**
   * tailPacks yields the packs with after < seq <= upTo in seq order, one at a time (SQLite merges the two
   * tables' rowid order, no sorter): reading them all first held 110 MB of pack blobs at once (300k events).
   */
  *tailPacks(after: number, upTo: number): Generator<PackRow> {
    const packs = this.#db.query<PackRow, [number, number]>(
      `SELECT seq, n, cols, props FROM events_tail_0 WHERE seq > ?1 AND seq <= ?2
       UNION ALL SELECT seq, n, cols, props FROM events_tail_1 WHERE seq > ?1 AND seq <= ?2
       ORDER BY seq`,
    );
    yield* packs.iterate(after, upTo);
  }

  /** epoch changes when events are deleted (privacy); compaction built on an older epoch is void. */
  get epoch(): number {
    return this.#epoch;
  }

  /** compactedSeq is the highest seq already moved into segments. */
  get compactedSeq(): number {
    return this.#compacted;
  }

  /** seenSeq is the highest seq this snapshot holds: seqs grow in commit order, so it has seen every commit up to it. */
  get seenSeq(): number {
    return Math.max(this.#headSeq, this.#compacted);
  }

  /** eventId returns the id of an event name, or undefined when no such event was ever stored. */
  eventId(name: string): number | undefined {
    for (const [id, n] of this.#names) if (n === name) return id;
    return undefined;
  }

  /** eventName returns the name of an event id. */
  eventName(id: number): string {
    return this.#names.get(id) ?? `#${id}`;
  }

  /** eventNames lists every known event name by id. */
  get eventNames(): ReadonlyMap<number, string> {
    return this.#names;
  }

  /** personOf maps an identity id to its current (merged) person id, -1 when unknown. */
  personOf(identity: number): number {
    return identity < this.#personOf.length ? this.#personOf[identity]! : -1;
  }

  /** identityToPerson is the whole map (index = identity id); valid until the next read(). */
  get identityToPerson(): Int32Array {
    return this.#personOf;
  }

  /**
   * segmentColumns reads a segment's column blobs when asked, one at a time (merges and rewrites rebuild
   * from them): a merge decodes one property after another, and reading every blob first held all of them
   * at once. Use it inside the same `read()`.
   */
  segmentColumns(segment: number): ColumnSource {
    const names = this.#db
      .query<{ name: string }, [number]>("SELECT name FROM segment_columns WHERE segment_id = ?")
      .all(segment)
      .map((r) => r.name);
    const blob = this.#db.query<{ data: Uint8Array }, [number, string]>("SELECT data FROM segment_columns WHERE segment_id = ? AND name = ?");
    return { keys: () => names, get: (name) => blob.get(segment, name)?.data };
  }

  /** dedupRuns lists the published dedup runs (compaction merges the small ones). */
  dedupRuns(): { id: number; hashes: number }[] {
    return this.#db.query<{ id: number; hashes: number }, []>("SELECT id, hashes FROM dedup_runs WHERE staged = 0").all();
  }

  /**
   * runBlocks yields a dedup run's blocks in order (so its hashes come out sorted), one at a time: a full run
   * is 16 MB. Each call has a statement of its own, so several runs can be read side by side (a merge).
   */
  *runBlocks(run: number): Generator<Uint8Array> {
    const blocks = this.#db.prepare<{ keys: Uint8Array }, [number]>("SELECT keys FROM dedup_blocks WHERE run_id = ? ORDER BY block");
    try {
      for (const r of blocks.iterate(run)) yield r.keys;
    } finally {
      blocks.finalize();
    }
  }

  /** chunks returns every chunk overlapping the range; rows outside [from, to) are the caller's to skip. */
  chunks(range: ScanRange): Chunk[] {
    const out: Chunk[] = [];
    const firstDay = Math.floor(range.from / DAY_MS);
    const lastDay = Math.floor((range.to - 1) / DAY_MS);
    for (const seg of this.#segments.values()) {
      if (seg.day < firstDay || seg.day > lastDay) continue;
      if (seg.maxTs < range.from || seg.minTs >= range.to) continue;
      for (const [ev, [start, count]] of Object.entries(seg.directory.events)) {
        const event = Number(ev);
        if (range.events && !range.events.has(event)) continue;
        out.push(this.#segmentChunk(seg, event, start, count));
      }
    }
    for (const td of this.#tailByDay().values()) {
      if (td.day < firstDay || td.day > lastDay) continue;
      for (const c of this.#tailChunks(td).values()) {
        if (range.events && !range.events.has(c.event)) continue;
        out.push(c);
      }
    }
    return out;
  }

  /** hourCounts adds, per event, the rows per UTC hour in [from, to) (hour-aligned) from directories. */
  hourCounts(from: number, to: number, visit: (event: number, hourStart: number, count: number) => void): void {
    for (const seg of this.#segments.values()) {
      const base = seg.day * DAY_MS;
      if (base + DAY_MS <= from || base >= to) continue;
      for (const [ev, [, , hours]] of Object.entries(seg.directory.events)) {
        hours.forEach((c, h) => {
          const t = base + h * 3_600_000;
          if (c > 0 && t >= from && t < to) visit(Number(ev), t, c);
        });
      }
    }
    for (const r of this.tailRows) {
      const h = r.ts - (r.ts % 3_600_000);
      if (h >= from && h < to) visit(r.event, h, 1);
    }
  }

  #refresh(): void {
    const state = new Map(
      this.#db.query<{ key: string; value: number }, []>("SELECT key, value FROM store_state").all().map((r) => [r.key, r.value]),
    );
    const version = state.get("version") ?? 0;
    const compacted = state.get("compacted_seq") ?? 0;
    if (version !== this.#version) {
      const live = this.#db
        .query<{ id: number; day: number; rows: number; min_ts: number; max_ts: number }, []>(
          "SELECT id, day, rows, min_ts, max_ts FROM segments WHERE staged = 0",
        )
        .all();
      const next = new Map<number, SegmentMeta>();
      const dirStmt = this.#db.query<{ directory: string }, [number]>("SELECT directory FROM segments WHERE id = ?");
      for (const r of live) {
        const known = this.#segments.get(r.id);
        next.set(r.id, known ?? {
          id: r.id, day: r.day, rows: r.rows, minTs: r.min_ts, maxTs: r.max_ts,
          directory: JSON.parse(dirStmt.get(r.id)!.directory) as Directory,
        });
      }
      for (const id of this.#segments.keys()) if (!next.has(id)) this.#dropCached(`${id}:`);
      this.#segments = next;
      this.#version = version;
    }
    const epoch = state.get("epoch") ?? 0;
    if (epoch !== this.#epoch) {
      // Person deletions remove tail rows in place: reload the tail whole.
      this.#tail = [];
      this.#tailSeq = 0;
      this.#headSeq = 0;
      this.#tailDays = null;
      // They remove identities too: rebuild the identity map from the table (whose person_id is
      // current, so the change log up to now needs no replay) instead of keeping deleted persons.
      if (this.#epoch >= 0) {
        this.#personOf.fill(-1);
        this.#identityMax = 0;
        this.#changeSeq = this.#db.query<{ s: number | null }, []>("SELECT max(seq) AS s FROM identity_changes").get()?.s ?? 0;
      }
      this.#epoch = epoch;
    }
    if (compacted !== this.#compacted) {
      this.#tail = this.#tail.filter((r) => r.seq > compacted);
      this.#tailDays = null;
      this.#compacted = compacted;
    }
    const head = this.#db
      .query<{ s: number | null }, []>("SELECT max(s) AS s FROM (SELECT max(seq) AS s FROM events_tail_0 UNION ALL SELECT max(seq) FROM events_tail_1)")
      .get()?.s ?? 0;
    this.#headSeq = Math.max(this.#headSeq, head);
    for (const r of this.#db
      .query<{ id: number; name: string }, [number]>("SELECT id, name FROM event_names WHERE id > ?")
      .all(this.#names.size === 0 ? 0 : Math.max(...this.#names.keys()))) {
      this.#names.set(r.id, r.name);
    }
    this.#refreshIdentities();
  }

  #refreshIdentities(): void {
    const rows = this.#db
      .query<{ id: number; person_id: number }, [number]>("SELECT id, person_id FROM identities WHERE id > ? ORDER BY id")
      .all(this.#identityMax);
    if (rows.length > 0) {
      const max = rows[rows.length - 1]!.id;
      if (max >= this.#personOf.length) {
        let cap = this.#personOf.length;
        while (cap <= max) cap *= 2;
        const grown = new Int32Array(cap).fill(-1);
        grown.set(this.#personOf);
        this.#personOf = grown;
      }
      for (const r of rows) this.#personOf[r.id] = r.person_id;
      this.#identityMax = max;
    }
    const changes = this.#db
      .query<{ seq: number; identity_id: number; person_id: number }, [number]>(
        "SELECT seq, identity_id, person_id FROM identity_changes WHERE seq > ? ORDER BY seq",
      )
      .all(this.#changeSeq);
    for (const c of changes) {
      if (c.identity_id < this.#personOf.length) this.#personOf[c.identity_id] = c.person_id;
      this.#changeSeq = c.seq;
    }
  }

  #column<T>(key: string, load: () => T, bytes: (v: T) => number): T {
    const hit = this.#cache.get(key);
    if (hit) {
      this.#cache.delete(key);
      this.#cache.set(key, hit);
      return hit.value as T;
    }
    const value = load();
    const size = bytes(value);
    this.#cache.set(key, { value, bytes: size });
    this.#cacheBytes += size;
    for (const [k, v] of this.#cache) {
      if (this.#cacheBytes <= CACHE_BYTES) break;
      this.#cache.delete(k);
      this.#cacheBytes -= v.bytes;
    }
    return value;
  }

  #dropCached(prefix: string): void {
    for (const [k, v] of this.#cache) {
      if (!k.startsWith(prefix)) continue;
      this.#cache.delete(k);
      this.#cacheBytes -= v.bytes;
    }
  }

  #blob(segment: number, name: string): Uint8Array | undefined {
    return this.#db
      .query<{ data: Uint8Array }, [number, string]>("SELECT data FROM segment_columns WHERE segment_id = ? AND name = ?")
      .get(segment, name)?.data;
  }

  /** column returns a whole decoded base column of a segment (cached); timeline and privacy ops use it. */
  column(segment: number, name: string): Uint32Array {
    return this.#column(`${segment}:${name}`, () => {
      const blob = this.#blob(segment, name);
      if (!blob) throw new Error(`segment ${segment} has no column ${name}`);
      const col = decodeColumn(blob);
      return col instanceof Uint32Array ? col : Uint32Array.from(col);
    }, (a) => a.byteLength);
  }

  /** propColumn returns a whole decoded property column of a segment (cached), undefined when absent. */
  propColumn(segment: number, key: string): PropColumn | undefined {
    return this.#column(`${segment}:p:${key}`, () => {
      const codes = this.#blob(segment, `p:${key}`);
      const dict = this.#blob(segment, `d:${key}`);
      return codes && dict ? decodeProp(codes, dict) : undefined;
    }, (v) => (v ? v.codes.byteLength + v.dict.length * 32 : 0));
  }

  #segmentChunk(seg: SegmentMeta, event: number, start: number, count: number): Chunk {
    const ts = this.column(seg.id, COL.ts).subarray(start, start + count);
    const identity = this.column(seg.id, COL.identity).subarray(start, start + count);
    const keys = new Set(seg.directory.events[event]?.[3] ?? []);
    return {
      event, n: count, tsBase: seg.day * DAY_MS, ts, identity, segment: seg.id,
      prop: (key) => {
        if (!keys.has(key)) return undefined;
        const p = this.propColumn(seg.id, key);
        if (!p) throw new Error(`segment ${seg.id} has no property column ${key}`);
        return { codes: p.codes.subarray(start, start + count), dict: p.dict };
      },
    };
  }

  #tailByDay(): Map<number, TailDay> {
    const rows = this.tailRows;
    if (this.#tailDays) return this.#tailDays;
    const days = new Map<number, TailDay>();
    for (const r of rows) {
      const day = Math.floor(r.ts / DAY_MS);
      let td = days.get(day);
      if (!td) days.set(day, (td = { day, rows: [] }));
      td.rows.push(r);
    }
    this.#tailDays = days;
    return days;
  }

  #tailChunks(td: TailDay): Map<number, Chunk> {
    if (td.chunks) return td.chunks;
    const byEvent = new Map<number, TailRow[]>();
    for (const r of td.rows) {
      let list = byEvent.get(r.event);
      if (!list) byEvent.set(r.event, (list = []));
      list.push(r);
    }
    const base = td.day * DAY_MS;
    td.chunks = new Map();
    for (const [event, rows] of byEvent) {
      const props = new Map<string, PropColumn | undefined>();
      td.chunks.set(event, {
        event, n: rows.length, tsBase: base, segment: 0,
        ts: Uint32Array.from(rows, (r) => r.ts - base),
        identity: Uint32Array.from(rows, (r) => r.identity),
        prop: (key) => {
          if (props.has(key)) return props.get(key);
          const index = new Map<string, number>();
          const dict: unknown[] = [];
          const codes = new Uint32Array(rows.length);
          rows.forEach((r, i) => {
            const v = r.props[key];
            if (v === undefined) return;
            const k = dictKey(v);
            let c = index.get(k);
            if (c === undefined) {
              dict.push(v);
              index.set(k, (c = dict.length));
            }
            codes[i] = c;
          });
          const col = dict.length > 0 ? { codes, dict } : undefined;
          props.set(key, col);
          return col;
        },
      });
    }
    return td.chunks;
  }
}
