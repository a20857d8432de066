/**
 * Protects the filter editor's reading and writing of the query grammar: flat lists round-trip, nested
 * trees are recognised as such (and not flattened into a different meaning), half-typed rows never reach
 * the engine, and typed text becomes the value type the data actually has.
 */
import { describe, expect, test } from "bun:test";
import type { FilterLeaf } from "../query/types.ts";
import { coerce, flatten, isComplete, listValue, unflatten, withOp } from "./filter-model.ts";

const leaf = (property: string, op: FilterLeaf["op"], value?: FilterLeaf["value"]): FilterLeaf => ({ property, type: "event", op, value });

describe("flatten / unflatten", () => {
  test("flat filters round-trip; the smallest form is written", () => {
    const a = leaf("$browser", "eq", "Chrome");
    const b = leaf("amount", "gt", 10);
    expect(flatten(undefined)).toEqual({ mode: "and", leaves: [] });
    expect(flatten(a)).toEqual({ mode: "and", leaves: [a] });
    expect(flatten({ or: [a, b] })).toEqual({ mode: "or", leaves: [a, b] });
    expect(unflatten({ mode: "and", leaves: [] })).toBeUndefined();
    expect(unflatten({ mode: "or", leaves: [a] })).toEqual(a);
    expect(unflatten({ mode: "or", leaves: [a, b] })).toEqual({ or: [a, b] });
  });

  test("nested trees are not flattened", () => {
    expect(flatten({ not: leaf("x", "is_set") })).toBeNull();
    expect(flatten({ and: [leaf("x", "is_set"), { or: [leaf("y", "eq", 1)] }] })).toBeNull();
  });

  test("incomplete rows are left out", () => {
    const f = unflatten({ mode: "and", leaves: [leaf("", "eq", "x"), leaf("plan", "eq", ""), leaf("amount", "between", [1, null]), leaf("city", "is_set")] });
    expect(f).toEqual(leaf("city", "is_set"));
  });
});

describe("values", () => {
  test.each([
    ["eq", "42", [42, 7], 42],
    ["eq", "007", ["007", "12"], "007"],
    ["eq", "12", ["007", "12"], "12"],
    ["eq", "true", [true, false], true],
    ["eq", "Chrome", [], "Chrome"],
    ["eq", "42", [], "42"],
    ["gt", "3.5", ["x"], 3.5],
  ] as const)("%s %s with known %j → %j", (op, text, known, want) => {
    expect(coerce(text, op, known)).toBe(want);
  });

  test("operators reshape the value so the row stays valid", () => {
    const l = leaf("amount", "eq", 10);
    expect(withOp(l, "in", [10, 20])).toEqual(leaf("amount", "in", [10]));
    expect(withOp(leaf("amount", "in", [1, 5]), "between", [])).toEqual(leaf("amount", "between", [1, 5]));
    expect(withOp(l, "is_set", [])).toEqual({ property: "amount", type: "event", op: "is_set" });
    expect(listValue("a, b,, c", "in", [])).toEqual(["a", "b", "c"]);
    expect(isComplete(leaf("amount", "between", [1, 5]))).toBe(true);
    expect(isComplete(leaf("amount", "in", []))).toBe(false);
    expect(isComplete(leaf("amount", "gt", Number.NaN))).toBe(false);
  });
});
