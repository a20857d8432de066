/**
 * Message hashes as [lo, hi] uint32 pairs: the layout dedup runs are stored in (dedup.ts) and tail logs
 * keep (tail-log.ts). A pair is the little-endian uint64 `hi·2³² + lo` on the machines Bun runs on, so
 * sorting and searching need no BigInt per hash.
 */

/** sortPairs sorts pairs in place (one native BigUint64Array sort) and returns them. */
export function sortPairs(pairs: Uint32Array<ArrayBuffer>): Uint32Array<ArrayBuffer> {
  new BigUint64Array(pairs.buffer, pairs.byteOffset, pairs.length >>> 1).sort();
  return pairs;
}

/** pairsOf interleaves hash halves into [lo, hi] pairs. */
export function pairsOf(hi: ArrayLike<number>, lo: ArrayLike<number>): Uint32Array<ArrayBuffer> {
  const pairs = new Uint32Array(2 * hi.length);
  for (let i = 0; i < hi.length; i++) {
    pairs[2 * i] = lo[i]!;
    pairs[2 * i + 1] = hi[i]!;
  }
  return pairs;
}

/** wordsOf views a blob of pairs as uint32 words; SQLite may hand blobs back at any byte offset (then it copies). */
export function wordsOf(blob: Uint8Array): Uint32Array {
  return blob.byteOffset % 4 === 0 ? new Uint32Array(blob.buffer, blob.byteOffset, blob.byteLength >>> 2) : new Uint32Array(blob.slice().buffer);
}

/** pairIndex binary-searches sorted [lo, hi] pairs for (hi, lo) and returns its pair index, or -1. */
export function pairIndex(words: Uint32Array, hi: number, lo: number): number {
  let a = 0;
  let b = words.length >>> 1;
  while (a < b) {
    const mid = (a + b) >>> 1;
    const h = words[2 * mid + 1]!;
    if (h < hi || (h === hi && words[2 * mid]! < lo)) a = mid + 1;
    else b = mid;
  }
  return a < words.length >>> 1 && words[2 * a + 1] === hi && words[2 * a] === lo ? a : -1;
}
