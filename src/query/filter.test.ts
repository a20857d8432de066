/**
 * The filter grammar is shared by analyses, audiences and campaigns; these cases pin the operator
 * semantics (type coercion, absent values, negations) so all three agree.
 */
import { describe, expect, test } from "bun:test";
import { compileFilter, compileLeaf, Filter, type FilterOp } from "./filter.ts";

const t = (op: FilterOp, value: unknown, actual: unknown) => compileLeaf(op, value)(actual);

describe("operators", () => {
  test.each([
    ["eq", "Chrome", "Chrome", true],
    ["eq", 5, "5", true],
    ["eq", ["a", "b"], "b", true],
    ["eq", "x", undefined, false],
    ["neq", "x", undefined, true],
    ["neq", "x", "x", false],
    ["in", ["a", "b"], "c", false],
    ["not_in", ["a", "b"], "c", true],
    ["gt", 10, 11, true],
    ["gt", 10, "9", false],
    ["gt", 10, "abc", false],
    ["gt", "5", "abc", false], // numeric text compares with numbers only
    ["gt", "5", "6", true],
    ["gt", "b", "c", true], // text with text
    ["gte", 10, 10, true],
    ["lt", "2024-02-01", "2024-01-31T23:59:59Z", true],
    ["lte", 3, null, false],
    ["between", [1, 3], 3, true],
    ["between", [1, 3], 3.5, false],
    ["contains", "hang", "Shanghai", true],
    ["contains", "HANG", "Shanghai", true],
    ["not_contains", "x", "Shanghai", true],
    ["not_contains", "x", undefined, true],
    ["starts_with", "/pro", "/products/1", true],
    ["regex", "^u\\d+$", "u42", true],
    ["regex", "^u\\d+$", undefined, false],
    ["is_set", undefined, "", false],
    ["is_set", undefined, 0, true],
    ["is_not_set", undefined, undefined, true],
  ] as const)("%s %p on %p → %p", (op, value, actual, want) => {
    expect(t(op, value, actual)).toBe(want);
  });
});

test("and / or / not combine leaves", () => {
  const f = Filter.parse({
    and: [
      { property: "city", type: "person", op: "eq", value: "Shanghai" },
      { not: { property: "$browser", op: "in", value: ["Safari"] } },
      { or: [{ property: "price", op: "gt", value: 100 }, { property: "vip", op: "eq", value: true }] },
    ],
  });
  const p = compileFilter(f);
  const props = (o: Record<string, unknown>) => (leaf: { property: string }) => o[leaf.property];
  expect(p(props({ city: "Shanghai", $browser: "Chrome", price: 120 }))).toBe(true);
  expect(p(props({ city: "Shanghai", $browser: "Safari", price: 120 }))).toBe(false);
  expect(p(props({ city: "Shanghai", $browser: "Chrome", price: 50, vip: "true" }))).toBe(true);
  expect(p(props({ city: "Beijing", price: 500 }))).toBe(false);
});

test("invalid leaves are rejected with a message naming the value", () => {
  const r = Filter.safeParse({ property: "a", op: "between", value: 3 });
  expect(r.success).toBe(false);
  expect(JSON.stringify(r.error?.issues)).toContain("between");
  expect(Filter.safeParse({ property: "a", op: "regex", value: "(" }).success).toBe(false);
});
