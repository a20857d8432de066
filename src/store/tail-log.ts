/**
 * TailLog holds the message hashes of one tail table exactly, for the check behind a Bloom filter hit
 * (dedup.ts). Adding is an append: probing a hash table on every event cost ~0.4 µs on the busy writer's
 * thread (~5% of it), a cache miss each time even for a table of 100k keys, while the exact answer is
 * only needed for the ~0.1% of claims the filter cannot rule out. A lookup scans the open chunk and
 * binary-searches the sorted ones: a few µs for a 100k-row tail.
 */
import { pairIndex, sortPairs } from "./hash-pairs.ts";

/** Hashes per chunk (32 KB): the open one is scanned linearly, full ones are sorted. */
const CHUNK = 4096;

export class TailLog {
  readonly #sorted: Uint32Array<ArrayBuffer>[] = [];
  /** The open chunk: [lo, hi] pairs in arrival order. */
  #open = new Uint32Array(2 * CHUNK);
  #n = 0;

  /** size is the number of hashes held. */
  get size(): number {
    return this.#sorted.reduce((n, c) => n + (c.length >>> 1), this.#n);
  }

  /** add appends (hi, lo); the caller knows it is not held yet. */
  add(hi: number, lo: number): void {
    const n = this.#n;
    this.#open[2 * n] = lo;
    this.#open[2 * n + 1] = hi;
    if ((this.#n = n + 1) === CHUNK) {
      this.#sorted.push(sortPairs(this.#open));
      this.#open = new Uint32Array(2 * CHUNK);
      this.#n = 0;
    }
  }

  has(hi: number, lo: number): boolean {
    return this.#openIndex(hi, lo) >= 0 || this.#sorted.some((c) => pairIndex(c, hi, lo) >= 0);
  }

  /** delete removes (hi, lo) and returns whether it was held. */
  delete(hi: number, lo: number): boolean {
    const i = this.#openIndex(hi, lo);
    if (i >= 0) {
      // Order does not matter in the open chunk: the last pair fills the hole.
      const last = --this.#n;
      this.#open[2 * i] = this.#open[2 * last]!;
      this.#open[2 * i + 1] = this.#open[2 * last + 1]!;
      return true;
    }
    for (let k = 0; k < this.#sorted.length; k++) {
      const c = this.#sorted[k]!;
      const at = pairIndex(c, hi, lo);
      if (at < 0) continue;
      c.copyWithin(2 * at, 2 * at + 2);
      this.#sorted[k] = c.subarray(0, c.length - 2);
      return true;
    }
    return false;
  }

  /** #openIndex scans the open chunk from its newest pair (a rejected event's claim is the last one). */
  #openIndex(hi: number, lo: number): number {
    const o = this.#open;
    for (let i = this.#n - 1; i >= 0; i--) if (o[2 * i + 1] === hi && o[2 * i] === lo) return i;
    return -1;
  }
}
