/** Protects stacked bars: each series ends where the next begins, and negative values stack downwards. */
import { expect, test } from "bun:test";
import { stack } from "./palette.ts";

test("positive and negative series stack separately; a zero stays on its own side", () => {
  expect(stack([[1, 2], [3, 0], [-2, -1], [4, 1], [-1, 0]])).toEqual([[1, 2], [4, 2], [-2, -1], [8, 3], [-3, -1]]);
  expect(stack([[0, 0], [2, 1]])).toEqual([[0, 0], [2, 1]]);
  expect(stack([])).toEqual([]);
});
