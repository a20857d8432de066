/**
 * HashSet64 is an open-addressing set of 64-bit keys given as two uint32 halves, 8 bytes per slot (a JS
 * Set of the same keys as strings costs ~100 bytes each). It holds the identity graph's conflicting and
 * removed pairs and the suppressed identifiers.
 * Halves are interleaved so one probe touches one cache line; the capacity is not a power of two
 * (slots are picked by multiply-shift) so growth is 1.5x rather than 2x (linear probing stays short at loads up to 0.7).
 */
const MAX_LOAD = 0.7;
const GROWTH = 1.5;

export class HashSet64 {
  #slots: Uint32Array<ArrayBuffer>;
  #cap: number;
  #size = 0;

  constructor(capacity = 1 << 16) {
    this.#cap = Math.max(16, Math.ceil(capacity / MAX_LOAD));
    this.#slots = new Uint32Array(this.#cap * 2);
  }

  /** size is the number of keys held. */
  get size(): number {
    return this.#size;
  }

  /** has reports whether (hi, lo) is in the set. The all-zero key is stored as (0, 1). */
  has(hi: number, lo: number): boolean {
    if (hi === 0 && lo === 0) lo = 1;
    const s = this.#slots;
    let i = this.#slot(hi, lo);
    for (;;) {
      const h = s[2 * i]!;
      const l = s[2 * i + 1]!;
      if (h === 0 && l === 0) return false;
      if (h === hi && l === lo) return true;
      if (++i === this.#cap) i = 0;
    }
  }

  /** add inserts (hi, lo) and returns false when it was already present. */
  add(hi: number, lo: number): boolean {
    if (hi === 0 && lo === 0) lo = 1;
    if (this.#size + 1 > this.#cap * MAX_LOAD) this.#grow();
    const s = this.#slots;
    let i = this.#slot(hi, lo);
    for (;;) {
      const h = s[2 * i]!;
      const l = s[2 * i + 1]!;
      if (h === 0 && l === 0) {
        s[2 * i] = hi;
        s[2 * i + 1] = lo;
        this.#size++;
        return true;
      }
      if (h === hi && l === lo) return false;
      if (++i === this.#cap) i = 0;
    }
  }

  /** delete removes (hi, lo) (backward-shift deletion keeps probe chains intact). */
  delete(hi: number, lo: number): boolean {
    if (hi === 0 && lo === 0) lo = 1;
    const s = this.#slots;
    const cap = this.#cap;
    let i = this.#slot(hi, lo);
    for (;;) {
      const h = s[2 * i]!;
      const l = s[2 * i + 1]!;
      if (h === 0 && l === 0) return false;
      if (h === hi && l === lo) break;
      if (++i === cap) i = 0;
    }
    let j = i;
    for (;;) {
      if (++j === cap) j = 0;
      const h = s[2 * j]!;
      const l = s[2 * j + 1]!;
      if (h === 0 && l === 0) break;
      const home = this.#slot(h, l);
      // Move j back to i when i lies cyclically between j's home slot and j.
      if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
        s[2 * i] = h;
        s[2 * i + 1] = l;
        i = j;
      }
    }
    s[2 * i] = 0;
    s[2 * i + 1] = 0;
    this.#size--;
    return true;
  }

  #slot(hi: number, lo: number): number {
    // The keys are already hashes; mix both halves, then map onto [0, cap) without a modulo.
    const mixed = (Math.imul(lo ^ (hi >>> 15), 0x9e3779b1) ^ hi) >>> 0;
    return Math.floor((mixed * this.#cap) / 4294967296);
  }

  #grow(): void {
    const old = this.#slots;
    this.#cap = Math.ceil(this.#cap * GROWTH);
    this.#slots = new Uint32Array(this.#cap * 2);
    this.#size = 0;
    for (let i = 0; i < old.length; i += 2) {
      const h = old[i]!;
      const l = old[i + 1]!;
      if (h !== 0 || l !== 0) this.add(h, l);
    }
    release(old);
  }
}

/**
 * release frees an outgrown table now rather than at the collector's next pass, which on a busy ingest
 * thread can be seconds away (the identity index's 64 tables fill evenly and grow within moments of each
 * other). Detaching the buffer (`transfer(0)`) frees its memory, so only call it on a table nothing else
 * references.
 */
export function release(old: Uint32Array<ArrayBuffer>): void {
  old.buffer.transfer(0);
}

/** hash64 hashes a string to two independent uint32 halves (a 64-bit key for HashSet64) without BigInt. */
export function hash64(key: string): [number, number] {
  return [Bun.hash.murmur32v3(key, 0x5bd1e995) >>> 0, Bun.hash.xxHash32(key, 0x27d4eb2f) >>> 0];
}
