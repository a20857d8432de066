/**
 * Formulas come from users, so the parser must evaluate the usual arithmetic with the usual
 * precedence, never evaluate anything else, name the position of a mistake, and turn division by
 * zero into 0 like an empty bucket.
 */
import { describe, expect, test } from "bun:test";
import { parseFormula } from "./formula.ts";

const ev = (src: string, ...values: number[]) => parseFormula(src).evaluate(values);

describe("formulas", () => {
  test.each([
    ["A/B*100", [1, 4], 25],
    ["A + B * 2", [1, 4], 9],
    ["(A + B) * 2", [1, 4], 10],
    ["-A + 3", [1], 2],
    ["--A", [2], 2],
    ["a - b - c", [10, 3, 2], 5],
    ["A / B / C", [12, 3, 2], 2],
    ["2 * .5", [], 1],
    ["A/B", [5, 0], 0],
    ["(A - A) / (B - B)", [1, 1], 0],
    ["C", [1, 2], 0],
  ])("%s with %p = %p", (src, values, want) => {
    expect(ev(src, ...values)).toBe(want);
  });

  test("letters are reported for validation", () => {
    expect(parseFormula("B/A + b").letters).toEqual([0, 1]);
  });

  test.each([
    ["", "empty"],
    ["A +", "unexpected end"],
    ["A B", 'unexpected "B" at position 2'],
    ["(A", "expected )"],
    ["A; process.exit()", 'unexpected ";" at position 1'],
    ["AB", 'unexpected "B" at position 1'],
    ["A ** 2", 'unexpected "*" at position 3'],
  ])("rejects %p (%s)", (src, msg) => {
    expect(() => parseFormula(src)).toThrow(msg);
  });
});
