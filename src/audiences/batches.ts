/**
 * Writing many ids in batches. Fixed batch sizes keep the number of distinct SQL texts — and of
 * statements in bun:sqlite's per-text cache — bounded (5), whatever the list length. Measured: 1M
 * audience_members rows insert in 1.45 s this way vs 0.85 s through one raw prepared statement; only
 * diffs are written at night, so the typed builder wins. Synchronous: batches run inside one
 * `db.transaction()` (src/db/sync.ts).
 */
const BATCHES = [2048, 256, 32, 4, 1];

/** forBatches calls `fn` on consecutive slices of `items` until all are consumed. */
export function forBatches<T extends { length: number; slice(a: number, b: number): T }>(items: T, fn: (batch: T) => void): void {
  let i = 0;
  for (const size of BATCHES) {
    for (; i + size <= items.length; i += size) fn(items.slice(i, i + size));
  }
}
