/** Deterministic pseudo-random numbers for generated data sets (benchmarks, demo): same seed, same data. */

/** rng returns a xorshift32 generator of floats in [0, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/** zipfCdf returns cumulative weights for ranks 1..n with exponent s (pick with `pickCdf`). */
export function zipfCdf(n: number, s: number): Float64Array {
  const w = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += 1 / Math.pow(i + 1, s);
  let acc = 0;
  for (let i = 0; i < n; i++) w[i] = acc += 1 / Math.pow(i + 1, s) / sum;
  return w;
}

/** pickCdf returns the index whose cumulative weight first reaches u. */
export function pickCdf(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid]! < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** mulberry32 is the tests' seeded PRNG in [0, 1): tiny, and a failing seed can be replayed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
