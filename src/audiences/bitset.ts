/**
 * Row sets as bitsets (one bit per population row in Uint32 words) for the and/or/not algebra of the
 * set evaluator: at 1M persons a set is 125 KB and an intersection takes well under a millisecond.
 * Invariant: bits at positions ≥ size are zero, so counts and complements stay exact.
 */

/** Bitset is a set of rows `0..size-1`. */
export type Bitset = Uint32Array;

const words = (size: number) => (size + 31) >>> 5;

/** emptySet allocates a set with no rows. */
export function emptySet(size: number): Bitset {
  return new Uint32Array(words(size));
}


/** addRow puts one row into a set. */
export function addRow(s: Bitset, row: number): void {
  s[row >>> 5]! |= 1 << (row & 31);
}


/** complement returns the rows not in `s` (a new set). */
export function complement(s: Bitset, size: number): Bitset {
  const out = new Uint32Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = ~s[i]!;
  const tail = size & 31;
  if (tail !== 0 && out.length > 0) out[out.length - 1]! &= (1 << tail) - 1;
  return out;
}

/** intersectInto narrows `target` to the rows also in `other` and reports whether any row is left. */
export function intersectInto(target: Bitset, other: Bitset): boolean {
  let any = 0;
  for (let i = 0; i < target.length; i++) any |= target[i]! &= other[i]!;
  return any !== 0;
}

/** unionInto adds the rows of `other` to `target`. */
export function unionInto(target: Bitset, other: Bitset): void {
  for (let i = 0; i < target.length; i++) target[i]! |= other[i]!;
}

/** isFull reports whether a set holds every row. */
export function isFull(s: Bitset, size: number): boolean {
  return countRows(complement(s, size)) === 0;
}

/** countRows counts the rows of a set (SWAR popcount). */
export function countRows(s: Bitset): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    let v = s[i]!;
    v -= (v >>> 1) & 0x55555555;
    v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
    n += (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
  }
  return n;
}

/** toRows lists the rows of a set in ascending order. */
export function toRows(s: Bitset): Int32Array {
  const out = new Int32Array(countRows(s));
  let k = 0;
  for (let i = 0; i < s.length; i++) {
    let v = s[i]!;
    while (v !== 0) {
      const low = v & -v;
      out[k++] = (i << 5) + 31 - Math.clz32(low);
      v ^= low;
    }
  }
  return out;
}
