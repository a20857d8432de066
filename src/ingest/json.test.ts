/** jsonPreview: the start of a refused item for the Sources page, bounded however big or deep the item is. */
import { expect, test } from "bun:test";
import { jsonPreview } from "./json.ts";

test("small values come out as JSON.stringify writes them", () => {
  for (const v of [null, true, 3.5, 'a"b', [], {}, [1, "x", null], { a: { b: [1, 2] }, c: "é" }]) {
    expect(jsonPreview(v, 500)).toBe(JSON.stringify(v));
  }
});

test("a huge string, a deep object and a wide array stop at the limit without serialising the rest", () => {
  expect(jsonPreview({ s: "y".repeat(490_000) }, 20)).toBe('{"s":"yyyyyyyyyyyyyy');
  let deep: unknown = 1;
  for (let i = 0; i < 50_000; i++) deep = { a: deep };
  expect(jsonPreview(deep, 40)).toBe('{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":');
  expect(jsonPreview(deep, 10_000)).toBe(`${'{"a":'.repeat(32)}…${"}".repeat(32)}`); // cut at MAX_DEPTH
  expect(jsonPreview(Array.from({ length: 1e6 }, (_, i) => i), 12)).toBe("[0,1,2,3,4,5");
});
