/**
 * The numeric helpers under every kernel: one quantile definition (linear interpolation, type 7)
 * whether computed by sorting or by linear-time selection, and the per-cell distinct counting that
 * replaces JS Sets — including the grouped-pairs path used when a bitset would be too large.
 */
import { describe, expect, test } from "bun:test";
import { int, rng } from "./fixtures.ts";
import { CellPersons, mean, median, quantile, selectQuantile, slotBucketDistinct } from "./stats.ts";

describe("quantiles", () => {
  test.each([
    [[1, 2], 0.5, 1.5],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 0.9, 10],
    [[5], 0.99, 5],
    [[], 0.5, 0],
    [[1, 2, 3, 4], 0.95, 3.85],
  ])("quantile(%p, %p) = %p", (xs, p, want) => {
    expect(quantile(xs, p)).toBeCloseTo(want, 12);
  });

  test("selection agrees with sorting on random data with many ties", () => {
    const r = rng(42);
    for (let round = 0; round < 300; round++) {
      const xs = Array.from({ length: int(r, 60) }, () => int(r, 10) - 3 + (r() < 0.2 ? 0.5 : 0));
      const p = [0.5, 0.9, 0.95, 0.99, 0, 1][int(r, 6)]!;
      const sorted = [...xs].sort((a, b) => a - b);
      const arr = Float64Array.from([99, ...xs, -99]); // a slice in the middle of a bigger array
      expect(selectQuantile(arr, 1, xs.length + 1, p)).toBeCloseTo(quantile(sorted, p), 12);
      expect([arr[0], arr[arr.length - 1]]).toEqual([99, -99]);
    }
  });

  test("median and mean of nothing are null", () => {
    expect([median([]), mean([])]).toEqual([null, null]);
    expect([median([3, 1, 2]), mean([1, 2])]).toEqual([2, 1.5]);
  });
});

describe("distinct persons per cell", () => {
  test("slotBucketDistinct counts each person once per (slot, bucket) and once per slot over the range", () => {
    // 2 buckets (+ the whole-range cell), 40 slots so the per-person masks take two words
    const B = 2, K = 40, stride = B + 1;
    const rows: [number, number, number, number][] = [ // person, slot, bucket, match
      [5, 0, 0, 1], [5, 0, 0, 1], [5, 0, 1, 1], [7, 0, 1, 1], [5, 33, 0, 1], [5, 33, 0, 1], [9, 33, 1, 1], [9, 33, 1, 2],
    ];
    const person = Int32Array.from(rows, (r) => r[0]);
    const match = Uint32Array.from(rows, (r) => r[3]);
    const out = slotBucketDistinct(person, match, 1, Int32Array.from(rows, (r) => r[2]), Uint8Array.from(rows, (r) => r[1]), rows.length, K, B, 10);
    expect([out[0], out[1], out[2]]).toEqual([1, 2, 2]);
    expect([out[33 * stride], out[33 * stride + 1], out[33 * stride + 2]]).toEqual([1, 1, 2]);
    expect(out.reduce((a, b) => a + b, 0)).toBe(9);
  });

  test.each([5, 12, 20, 40])("slotBucketDistinct with %d slots: the same counts whether rows come in bucket order or not", (K) => {
    const r = rng(7 + K);
    const n = 2000, B = 12;
    const rows = Array.from({ length: n }, () => [int(r, 300), int(r, K), int(r, B + 1) - 1, 1 + int(r, 3)] as const)
      .sort((x, y) => x[2] - y[2]); // bucket order (−1 first)
    const run = (rs: readonly (readonly [number, number, number, number])[]) => slotBucketDistinct(
      Int32Array.from(rs, (x) => x[0]), Uint32Array.from(rs, (x) => x[3]), 1, Int32Array.from(rs, (x) => x[2]),
      Uint8Array.from(rs, (x) => x[1]), rs.length, K, B, 300);
    const shuffled = [...rows].sort(() => r() - 0.5);
    expect([...run(shuffled)]).toEqual([...run(rows)]);
    // the reference: distinct (person, slot, bucket) and (person, slot) among rows with bit 1
    const kept = rows.filter((x) => x[2] >= 0 && x[3] & 1);
    const want = new Float64Array(K * (B + 1));
    for (const key of new Set(kept.map((x) => `${x[1]}:${x[2]}:${x[0]}`))) { const [k, b] = key.split(":").map(Number); want[k! * (B + 1) + b!]!++; }
    for (const key of new Set(kept.map((x) => `${x[1]}:${x[0]}`))) want[Number(key.split(":")[0]) * (B + 1) + B]!++;
    expect([...run(rows)]).toEqual([...want]);
  });

  test("CellPersons finds distinct persons and the busiest person per cell", () => {
    const c = new CellPersons(3, 10);
    for (const [cell, person] of [[2, 1], [0, 3], [2, 1], [0, 4], [2, 7], [2, 1], [0, 3]] as const) c.add(cell, person);
    for (let i = 0; i < 3000; i++) c.add(1, i % 10); // grows past the initial buffer
    const { distinct, most } = c.stats();
    expect([...distinct]).toEqual([2, 10, 2]);
    expect([...most]).toEqual([2, 300, 3]);
  });
});
