/**
 * Person-ordered kernels trust their input order, so the helper the data layer uses to get it must
 * sort by (person, time) with ties in input order — for short and long runs, already-sorted input
 * and sub-millisecond times — exactly like a plain comparison sort.
 */
import { describe, expect, test } from "bun:test";
import { int, rng } from "./fixtures.ts";
import { labelOf, permute, personOrder, sortRows } from "./stream.ts";

function naive(person: Int32Array, ts: Float64Array): number[] {
  return [...person.keys()].sort((a, b) => person[a]! - person[b]! || ts[a]! - ts[b]! || a - b);
}

describe("personOrder", () => {
  test.each([
    ["short runs", 200, 60, 1],
    ["long runs (packed-key sort)", 2000, 3, 1],
    ["sub-millisecond times", 500, 4, 0.25],
  ])("matches a comparison sort: %s", (_, n, persons, step) => {
    const r = rng(n + persons);
    const person = Int32Array.from({ length: n }, () => int(r, persons));
    const ts = Float64Array.from({ length: n }, () => 1.7e12 + int(r, 50) * step);
    const { order, ts: sorted } = personOrder(person, ts, n, persons);
    expect([...order]).toEqual(naive(person, ts));
    expect([...sorted]).toEqual([...order].map((i) => ts[i]!));
  });

  test("already ordered input comes back as the identity", () => {
    const person = Int32Array.from([0, 0, 1, 3, 3]);
    const ts = Float64Array.from([1, 1, 0, 5, 6]);
    expect([...personOrder(person, ts, 5, 4).order]).toEqual([0, 1, 2, 3, 4]);
  });

  test("sortRows permutes every column and keeps only n rows", () => {
    const rows = { n: 3, persons: 2, person: Int32Array.from([1, 0, 1, 9]), ts: Float64Array.from([5, 7, 2, 0]), match: Uint32Array.from([10, 20, 30, 40]) };
    const { rows: s, order } = sortRows(rows);
    expect([...order]).toEqual([1, 2, 0]);
    expect([[...s.person], [...s.ts], [...s.match]]).toEqual([[0, 1, 1], [7, 2, 5], [20, 30, 10]]);
    expect([...permute(Float64Array.from([0.5, 1.5, 2.5]), order)]).toEqual([1.5, 2.5, 0.5]);
  });

  test("missing codes read as the empty string", () => {
    expect([labelOf({ codes: new Int32Array(0), labels: ["a"] }, -1), labelOf({ codes: new Int32Array(0), labels: ["a"] }, 0)]).toEqual(["", "a"]);
  });
});
