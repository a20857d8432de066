/**
 * Protects person grouping, which every person-walking kernel relies on: rows come out ordered by
 * (person, time), ties in scan order, with every column moved alike — through the counting sort (many
 * rows per person id) and the radix sort (few rows among many ids), and with runs long enough for the
 * packed-key sort.
 */
import { expect, test } from "bun:test";
import { int, rng } from "../fixtures.ts";
import { groupByPerson } from "./group.ts";
import type { Scan } from "./scan.ts";

function randomScan(seed: number, n: number, persons: number, heavy: boolean): Scan {
  const r = rng(seed);
  const person = Int32Array.from({ length: n }, () => (heavy && r() < 0.5 ? 7 : int(r, persons)));
  const ts = Float64Array.from({ length: n }, () => 1_700_000_000_000 + int(r, 50) * 1000);
  return {
    n, persons, person, ts,
    match: Uint32Array.from({ length: n }, (_, i) => i),
    codes: Int32Array.from({ length: n }, (_, i) => 0 - i),
    values: [Float64Array.from({ length: n }, (_, i) => i / 2)],
    event: Int32Array.from({ length: n }, (_, i) => i % 5),
  };
}

test.each([
  ["dense: many rows per person id", 5000, 300, false],
  ["sparse: few rows among a million ids", 2000, 1_000_000, false],
  ["one heavy person: long runs", 3000, 50, true],
])("%s", (_name, n, persons, heavy) => {
  for (const seed of [1, 2, 3]) {
    const s = randomScan(seed, n, persons, heavy);
    const want = Array.from({ length: n }, (_, i) => i).sort((a, b) => s.person[a]! - s.person[b]! || s.ts[a]! - s.ts[b]! || a - b);
    const g = groupByPerson(s);
    // match holds the original index, so it names the permutation; every other column must follow it
    expect([...g.match]).toEqual(want);
    expect([...g.person]).toEqual(want.map((i) => s.person[i]!));
    expect([...g.ts]).toEqual(want.map((i) => s.ts[i]!));
    expect([...g.codes!]).toEqual(want.map((i) => 0 - i));
    expect([...g.values![0]!]).toEqual(want.map((i) => i / 2));
    expect([...g.event!]).toEqual(want.map((i) => i % 5));
    // without time order, persons are grouped and each person's rows keep scan order
    const byPerson = groupByPerson(s, false);
    expect([...byPerson.match]).toEqual(Array.from({ length: n }, (_, i) => i).sort((a, b) => s.person[a]! - s.person[b]! || a - b));
  }
});
