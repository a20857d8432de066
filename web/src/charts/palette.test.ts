/** Protects stacked bars: each series ends where the next begins, and negative values stack downwards. */
import { expect, test } from "bun:test";
import { segmentAt, stack } from "./palette.ts";

test("positive and negative series stack separately; a zero stays on its own side", () => {
  expect(stack([[1, 2], [3, 0], [-2, -1], [4, 1], [-1, 0]])).toEqual([[1, 2], [4, 2], [-2, -1], [8, 3], [-3, -1]]);
  expect(stack([[0, 0], [2, 1]])).toEqual([[0, 0], [2, 1]]);
  expect(stack([])).toEqual([]);
});

test("a point of a stacked bar belongs to the segment drawn there", () => {
  const lifecycle = [[3, 1], [2, 0], [1, 4], [-5, -2]]; // new, returning, resurrecting, dormant
  expect(segmentAt(lifecycle, 0, 1)).toBe(0);
  expect(segmentAt(lifecycle, 0, 4)).toBe(1);
  expect(segmentAt(lifecycle, 0, 5.5)).toBe(2);
  expect(segmentAt(lifecycle, 0, -3)).toBe(3);
  expect(segmentAt(lifecycle, 0, 7)).toBe(-1);
  expect(segmentAt(lifecycle, 1, 3)).toBe(2); // returning is empty on the second bar
});
