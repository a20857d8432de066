/**
 * Words: a uint32 array in memory allocated through libc, outside the JS heap.
 *
 * Why: JSC lets garbage pile up between collections in proportion to the live heap, and typed arrays
 * count as live heap although they hold no pointers. With the identity index and the dedup filter as
 * typed arrays (~80 MB at 1M users), the ingest thread carried hundreds of MB of uncollected `JSON.parse`
 * garbage: in a loop parsing 100-event bodies, RSS rose 267 MB over its base with a 100 MB typed array
 * live, and 26 MB with the same 100 MB allocated here (docs/ingest-benchmark.md, "Off the JS heap").
 * Every kind of JS buffer is counted (ArrayBuffer, SharedArrayBuffer, Bun.mmap, FFI's toArrayBuffer).
 *
 * Reads use bun:ffi's `read.u32`; writes go through a small staging buffer and `memcpy` (an FFI call,
 * so they cost more than a read: write a run of words with one `store`). Memory is freed by `free` or,
 * for an array dropped without it, by a FinalizationRegistry. Where libc cannot be loaded (not glibc or
 * macOS), Words falls back to a plain Uint32Array with the same behaviour.
 */
import { dlopen, FFIType, read, toArrayBuffer } from "bun:ffi";

const { u64, ptr, void: none } = FFIType;
const libc = (() => {
  try {
    return dlopen(process.platform === "darwin" ? "libc.dylib" : "libc.so.6", {
      calloc: { args: [u64, u64], returns: ptr },
      realloc: { args: [u64, u64], returns: ptr },
      free: { args: [u64], returns: none },
      memcpy: { args: [u64, u64, u64], returns: none },
      memset: { args: [u64, FFIType.i32, u64], returns: none },
    }).symbols;
  } catch {
    return null;
  }
})();

/** STAGE_WORDS bounds one `load`/`store`: the staging buffer is this many words. */
export const STAGE_WORDS = 64;

/** The staging buffer: JS writes into `stage`, memcpy moves it to its place (one per thread). */
const stageAt = libc ? Number(libc.calloc(STAGE_WORDS, 4)) : 0;
const stage = libc ? new Uint32Array(toArrayBuffer(stageAt, 0, STAGE_WORDS * 4)) : new Uint32Array(STAGE_WORDS);

const freed = new FinalizationRegistry<number>((at) => libc?.free(at));

/** offHeap tells whether Words live outside the JS heap here (false: the Uint32Array fallback). */
export const offHeap = libc !== null;

type Libc = NonNullable<typeof libc>;

export class Words {
  /** libc when the words are native memory at #at; null when they are #a. */
  readonly #c: Libc | null;
  #at = 0;
  #a: Uint32Array;
  #length: number;

  /** A zeroed array of `length` words (`jsHeap`: a Uint32Array even where libc is there; tests compare both). */
  constructor(length: number, jsHeap = false) {
    this.#length = length;
    this.#c = jsHeap ? null : libc;
    this.#a = new Uint32Array(this.#c ? 0 : length);
    if (this.#c) {
      this.#at = Number(this.#c.calloc(Math.max(1, length), 4));
      if (this.#at === 0) throw new RangeError(`cannot allocate ${length * 4} bytes`);
      freed.register(this, this.#at, this);
    }
  }

  get length(): number {
    return this.#length;
  }

  get bytes(): number {
    return this.#length * 4;
  }

  get(i: number): number {
    this.#check(i, 1);
    return this.#c ? read.u32(this.#at, i * 4) : this.#a[i]!;
  }

  set(i: number, v: number): void {
    this.#check(i, 1);
    const c = this.#c;
    if (!c) this.#a[i] = v;
    else {
      stage[0] = v;
      c.memcpy(this.#at + i * 4, stageAt, 4);
    }
  }

  /** load copies words [i, i + n) (n ≤ STAGE_WORDS) into `into`. */
  load(i: number, n: number, into: Uint32Array): void {
    const from = this.peek(i, n);
    for (let k = 0; k < n; k++) into[k] = from[k]!;
  }

  /**
   * peek copies words [i, i + n) (n ≤ STAGE_WORDS) into the staging buffer and returns it, without a copy
   * into a buffer of the caller's: valid until the next call on any Words of this thread. `poke(i, n)`
   * writes it back.
   */
  peek(i: number, n: number): Uint32Array {
    this.#check(i, n);
    const c = this.#c;
    if (c) c.memcpy(stageAt, this.#at + i * 4, n * 4);
    else for (let k = 0; k < n; k++) stage[k] = this.#a[i + k]!;
    return stage;
  }

  /** poke writes the first n words of the staging buffer (as `peek` returned it) at i. */
  poke(i: number, n: number): void {
    this.#check(i, n);
    const c = this.#c;
    if (c) c.memcpy(this.#at + i * 4, stageAt, n * 4);
    else for (let k = 0; k < n; k++) this.#a[i + k] = stage[k]!;
  }

  /** store writes the first n words of `from` (n ≤ STAGE_WORDS) at i. */
  store(i: number, n: number, from: Uint32Array): void {
    this.#check(i, n);
    for (let k = 0; k < n; k++) stage[k] = from[k]!;
    this.poke(i, n);
  }

  /** clear sets words [from, to) to zero. */
  clear(from: number, to: number): void {
    if (to <= from) return;
    this.#check(from, to - from, Infinity);
    const c = this.#c;
    if (c) c.memset(this.#at + from * 4, 0, (to - from) * 4);
    else this.#a.fill(0, from, to);
  }

  /** resize makes the array `length` words long, keeping what fits; new words are zero. */
  resize(length: number): void {
    const c = this.#c;
    if (!c) {
      const b = new Uint32Array(length);
      b.set(this.#a.subarray(0, Math.min(length, this.#a.length)));
      this.#a = b;
    } else {
      const at = Number(c.realloc(this.#at, Math.max(1, length) * 4));
      if (at === 0) throw new RangeError(`cannot allocate ${length * 4} bytes`);
      freed.unregister(this);
      this.#at = at;
      freed.register(this, at, this);
      if (length > this.#length) c.memset(at + this.#length * 4, 0, (length - this.#length) * 4);
    }
    this.#length = length;
  }

  /** free gives the memory back now; the array is empty afterwards. */
  free(): void {
    const c = this.#c;
    if (!c) this.#a = new Uint32Array(0);
    else if (this.#at !== 0) {
      freed.unregister(this);
      c.free(this.#at);
      this.#at = 0;
    }
    this.#length = 0;
  }

  /** #check keeps every access inside the array: out of bounds, native memory would be someone else's. */
  #check(i: number, n: number, most = STAGE_WORDS): void {
    if (!(i >= 0 && n <= most && i + n <= this.#length)) {
      throw new RangeError(`words [${i}, ${i + n}) outside an array of ${this.#length} (at most ${most} at once)`);
    }
  }
}
