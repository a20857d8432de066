/**
 * Dedup: exact "stored once per (source, messageId)" for any re-send window, without holding every
 * message hash in memory (docs/architecture.md "Dedup").
 *
 * - Tail rows (not yet compacted) are in two exact in-memory logs, one per tail table (tail-log.ts);
 *   compaction empties a tail table, so its log is dropped whole when the plan lands.
 * - Every stored hash is in a Bloom filter (20 bits per key: ~37 MB at 10M events instead of the
 *   ~150 MB an exact set held), added when it is claimed. Compacted ones are also on disk in a hash run:
 *   each compaction writes the sealed tail's hashes sorted and cut into blocks by their top bits
 *   (`dedup_runs`, `dedup_blocks`), and the smallest runs are merged (log-structured), so the exact check
 *   behind a filter hit reads one small block per run in one query: one run per ~2M hashes plus at most 8
 *   smaller ones (5 at 10M events), however many days the events span. Only re-sent messages and the
 *   filter's false positives (~0.025% per full filter) take it.
 * - Runs keep the hashes of events deleted later (privacy): a re-sent message of a deleted event stays a
 *   duplicate rather than bringing the event back.
 */
import type { Database, Statement } from "bun:sqlite";
import { Words } from "../lib/off-heap.ts";
import { pairIndex, pairsOf, sortPairs, wordsOf } from "./hash-pairs.ts";
import { hash64 } from "./hash-set64.ts";
import { TailLog } from "./tail-log.ts";
import { PackView, type PackRow } from "./tail-pack.ts";

/**
 * Blocks hold 32–64 hashes on average (256–512 bytes): a WITHOUT ROWID row over ~1 KB spills into an
 * overflow page, and with 256-hash blocks one exact check took 126 µs instead of 40 µs (30 runs).
 */
const BLOCK_HASHES = 64;
const MAX_BITS = 20;

/** blockBits is how many top bits of a hash pick its block in a run of `n` hashes (≤ 64 per block on average). */
export function blockBits(n: number): number {
  return Math.min(MAX_BITS, Math.max(0, Math.ceil(Math.log2(n / BLOCK_HASHES))));
}

/** blockOf is the block of a run with `bits` block bits that can hold a hash with high half `hi`. */
export function blockOf(bits: number, hi: number): number {
  return bits === 0 ? 0 : hi >>> (32 - bits);
}

/**
 * BuiltRun is a run of hashes ready to be written: its sorted [lo, hi] pairs, in one buffer (a plan moves
 * it to the writer whole; as 30k block views a 2M-hash run was ~20 MB of objects on each thread's heap).
 */
export interface BuiltRun {
  readonly hashes: number;
  readonly bits: number;
  readonly pairs: Uint32Array<ArrayBuffer>;
}

/** buildRun makes a run of sorted [lo, hi] pairs. */
export function buildRun(pairs: Uint32Array<ArrayBuffer>): BuiltRun {
  const hashes = pairs.length >>> 1;
  return { hashes, bits: blockBits(hashes), pairs };
}

/** blocksOf cuts a run into its blocks by their top bits: [block, hashes as little-endian uint64], in order. */
export function* blocksOf(run: BuiltRun): Generator<[number, Uint8Array]> {
  const { pairs, bits, hashes: n } = run;
  for (let start = 0; start < n; ) {
    const block = blockOf(bits, pairs[2 * start + 1]!);
    let end = start + 1;
    while (end < n && blockOf(bits, pairs[2 * end + 1]!) === block) end++;
    yield [block, new Uint8Array(pairs.buffer, pairs.byteOffset + start * 8, (end - start) * 8)];
    start = end;
  }
}

/** hashRun sorts hashes given as halves into a run. */
export function hashRun(hi: ArrayLike<number>, lo: ArrayLike<number>): BuiltRun {
  return buildRun(sortPairs(pairsOf(hi, lo)));
}

/**
 * mergeRuns merges runs, each given as its blocks in order, into `out` (sized for all their hashes) in
 * sorted order; `onBlock` is called after each block read.
 */
export function mergeRuns(runs: readonly Iterator<Uint8Array>[], out: Uint32Array, onBlock: () => void = () => {}): void {
  const words: (Uint32Array | null)[] = runs.map(() => null);
  const at = runs.map(() => 0);
  const advance = (k: number) => {
    for (let r = runs[k]!.next(); !r.done; r = runs[k]!.next()) {
      onBlock();
      if (r.value.byteLength === 0) continue;
      words[k] = wordsOf(r.value);
      at[k] = 0;
      return;
    }
    words[k] = null;
  };
  runs.forEach((_, k) => advance(k));
  let o = 0;
  for (;;) {
    // A handful of runs: the smallest head by a linear scan.
    let best = -1;
    let hi = 0;
    let lo = 0;
    for (let k = 0; k < runs.length; k++) {
      const w = words[k];
      if (!w) continue;
      const h = w[at[k]! + 1]!;
      const l = w[at[k]!]!;
      if (best === -1 || h < hi || (h === hi && l < lo)) {
        best = k;
        hi = h;
        lo = l;
      }
    }
    if (best === -1) break;
    if (o + 2 > out.length) throw new Error(`dedup runs hold more than the ${out.length >>> 1} hashes counted`);
    out[o++] = lo;
    out[o++] = hi;
    if ((at[best]! += 2) === words[best]!.length) advance(best);
  }
  if (o !== out.length) throw new Error(`dedup runs hold ${o >>> 1} hashes, ${out.length >>> 1} counted`);
}

/** blockHas binary-searches one block for (hi, lo). */
export function blockHas(block: Uint8Array, hi: number, lo: number): boolean {
  return pairIndex(wordsOf(block), hi, lo) >= 0;
}

/** messageHash is the dedup key of (source, messageId). */
export function messageHash(source: number, messageId: string): [number, number] {
  return hash64(`${source}\u0000${messageId}`);
}

/**
 * Bits per key: 20 gave 0.025% false positives for this 64-byte blocked filter with 8 probes (12: 0.42%,
 * 16: 0.089%; measured with 10M random keys). Each false positive costs an exact check on disk, ~200 µs
 * at 10M events (a page read per run): at 16 bits the ~1,800 checks per million events took ~4% of the
 * writer's thread.
 */
const BLOOM_BITS_PER_KEY = 20;

/**
 * Bloom is a blocked Bloom filter: each key sets 8 bits inside one 64-byte block (one cache line per
 * probe). Its bits are off the JS heap (Words): as a typed array the filter made the collector let that
 * much more garbage pile up (off-heap.ts).
 */
class Bloom {
  readonly #bits: Words;
  readonly #blocks: number;
  readonly capacity: number;
  count = 0;

  constructor(capacity: number, bitsPerKey: number) {
    this.capacity = capacity;
    this.#blocks = Math.ceil((capacity * bitsPerKey) / 512);
    this.#bits = new Words(this.#blocks * 16);
  }

  #blockOf(hi: number): number {
    return Math.floor((hi * this.#blocks) / 4294967296) * 16;
  }

  /** has reads only the words it probes: a new key usually misses on the first or second. */
  has(hi: number, lo: number): boolean {
    const bits = this.#bits;
    const b = this.#blockOf(hi);
    let h = lo;
    for (let i = 0; i < 8; i++) {
      if ((bits.get(b + ((h >>> 27) & 15)) & (1 << (h & 31))) === 0) return false;
      h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
    }
    return true;
  }

  /** hasOrAdd returns true when (hi, lo) may be present, else adds it: one block read, one written back. */
  hasOrAdd(hi: number, lo: number): boolean {
    const b = this.#blockOf(hi);
    const block = this.#bits.peek(b, 16);
    let h = lo;
    let present = true;
    for (let i = 0; i < 8; i++) {
      const w = (h >>> 27) & 15;
      const m = 1 << (h & 31);
      if ((block[w]! & m) === 0) {
        present = false;
        block[w]! |= m;
      }
      h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
    }
    if (present) return true;
    this.#bits.poke(b, 16);
    this.count++;
    return false;
  }
}

/**
 * BloomChain grows by adding a filter twice the size of the last one when it is full (a Bloom filter
 * cannot be resized without its keys); a probe checks each, newest first.
 */
class BloomChain {
  readonly #filters: Bloom[];
  readonly #bitsPerKey: number;

  constructor(capacity: number, bitsPerKey: number) {
    this.#bitsPerKey = bitsPerKey;
    this.#filters = [new Bloom(capacity, bitsPerKey)];
  }

  add(hi: number, lo: number): void {
    this.hasOrAdd(hi, lo);
  }

  /** hasOrAdd returns true when (hi, lo) may be present, else adds it to the newest filter. */
  hasOrAdd(hi: number, lo: number): boolean {
    const f = this.#filters;
    for (let i = f.length - 2; i >= 0; i--) if (f[i]!.has(hi, lo)) return true;
    let last = f[f.length - 1]!;
    if (last.count >= last.capacity) {
      if (last.has(hi, lo)) return true;
      f.push((last = new Bloom(last.capacity * 2, this.#bitsPerKey)));
    }
    return last.hasOrAdd(hi, lo);
  }
}

export interface DedupOptions {
  /** Smallest first Bloom filter, in keys (default 2M: 5 MB; at start it holds 1.5x the stored events). */
  readonly bloomKeys?: number;
  /** Tests set 1 to make nearly every probe a false positive, so the exact check runs for every event. */
  readonly bloomBitsPerKey?: number;
}

/**
 * FIND_BLOCKS fetches, for hash high half ?1, the one block per run that could hold it: a primary-key
 * lookup per run (dedup_runs.bits says how many top bits pick the block). CROSS JOIN keeps runs as the
 * outer loop: with a plain JOIN SQLite chose to scan every block instead. Newest runs first: a re-sent
 * message is more often a recent one, and the check stops at the first block that holds it.
 */
export const FIND_BLOCKS = `SELECT b.keys FROM dedup_runs r
  CROSS JOIN dedup_blocks b ON b.run_id = r.id AND b.block = CASE r.bits WHEN 0 THEN 0 ELSE ?1 >> (32 - r.bits) END
  ORDER BY r.id DESC`;

/** Dedup answers "was this message stored before?" and claims it for the commit in progress. */
export class Dedup {
  /** The hashes in events_tail_0 and _1, exactly. */
  readonly #tails: [TailLog, TailLog];
  /** The sealed tail (waiting for its compaction plan), or null. */
  #sealed: 0 | 1 | null = null;
  readonly #bloom: BloomChain;
  readonly #find: Statement<{ keys: Uint8Array }, [number]>;
  /** Disk checks made (filter hits that were in neither tail). */
  diskChecks = 0;

  /**
   * The constructor loads every stored hash into the filter, and each tail's rows into its log; the tail
   * the writer is not appending to counts as sealed.
   */
  constructor(db: Database, opts: DedupOptions = {}) {
    const compacted = db.query<{ n: number }, []>("SELECT coalesce(sum(hashes), 0) AS n FROM dedup_runs").get()!.n;
    this.#bloom = new BloomChain(Math.max(opts.bloomKeys ?? 1 << 21, Math.ceil(compacted * 1.5)), opts.bloomBitsPerKey ?? BLOOM_BITS_PER_KEY);
    for (const { keys } of db.query<{ keys: Uint8Array }, []>("SELECT keys FROM dedup_blocks").iterate()) {
      const w = wordsOf(keys);
      for (let i = 0; i < w.length; i += 2) this.#bloom.add(w[i + 1]!, w[i]!);
    }
    this.#tails = [new TailLog(), new TailLog()];
    for (const t of [0, 1] as const) {
      for (const r of db.query<PackRow, []>(`SELECT seq, n, cols FROM events_tail_${t}`).iterate()) {
        const v = new PackView(r);
        for (let i = 0; i < v.n; i++) {
          this.#tails[t].add(v.hi[i]!, v.lo[i]!);
          this.#bloom.add(v.hi[i]!, v.lo[i]!);
        }
      }
    }
    const active = db.query<{ value: 0 | 1 }, []>("SELECT value FROM store_state WHERE key = 'tail'").get()!.value;
    this.sealed(active === 0 ? 1 : 0);
    this.#find = db.prepare(FIND_BLOCKS);
  }

  /**
   * claim returns true when (hi, lo) was never stored, and then holds it for tail table `table` (the one
   * the commit writes to); a later claim of the same hash returns false until `release` gives it back.
   * A new message costs one probe per filter of the chain and an append to the tail's log; only a filter
   * hit (a repeat, or a false positive) looks in the tails and then on disk.
   */
  claim(table: 0 | 1, hi: number, lo: number): boolean {
    if (this.#bloom.hasOrAdd(hi, lo) && (this.#tails[table].has(hi, lo) || this.#inSealed(hi, lo) || this.#stored(hi, lo))) return false;
    this.#tails[table].add(hi, lo);
    return true;
  }

  /**
   * release gives back a claim whose event was not stored (rejected, or its transaction rolled back). The
   * filter keeps it: a later claim then costs one exact check that finds nothing.
   */
  release(table: 0 | 1, hi: number, lo: number): void {
    this.#tails[table].delete(hi, lo);
  }

  /** sealed is called when the writer turns away from tail `table`, which waits for its compaction plan. */
  sealed(table: 0 | 1): void {
    this.#sealed = table;
  }

  /**
   * compacted is called once a plan that emptied the sealed tail `table` is published: its hashes are now
   * in a run, so its log goes.
   */
  compacted(table: 0 | 1): void {
    this.#tails[table] = new TailLog();
    if (this.#sealed === table) this.#sealed = null;
  }

  #inSealed(hi: number, lo: number): boolean {
    return this.#sealed !== null && this.#tails[this.#sealed].has(hi, lo);
  }

  /** #stored is the exact check: one query fetches the block (hi, lo) would be in, of every run. */
  #stored(hi: number, lo: number): boolean {
    this.diskChecks++;
    for (const { keys } of this.#find.iterate(hi)) if (blockHas(keys, hi, lo)) return true;
    return false;
  }
}
