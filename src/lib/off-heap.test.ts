import { describe, expect, test } from "bun:test";
import { offHeap, STAGE_WORDS, Words } from "./off-heap.ts";

test("Words are off the JS heap on this machine (glibc)", () => {
  expect(offHeap).toBe(true);
});

// The same behaviour off the heap and in the Uint32Array fallback (hosts without a loadable libc).
describe.each([["off the heap", false], ["on the JS heap", true]] as const)("Words %s", (_, jsHeap) => {
  const words = (n: number) => new Words(n, jsHeap);

  test("starts zeroed, reads back what was written, one word or a run at a time", () => {
    const w = words(100);
    expect(w.length).toBe(100);
    expect(w.bytes).toBe(400);
    expect(w.get(0)).toBe(0);
    expect(w.get(99)).toBe(0);
    w.set(7, 0xffffffff);
    w.set(8, 42);
    expect(w.get(7)).toBe(0xffffffff);
    expect(w.get(8)).toBe(42);
    w.store(20, 3, Uint32Array.of(1, 2, 3, 4));
    const into = new Uint32Array(5).fill(9);
    w.load(19, 5, into);
    expect([...into]).toEqual([0, 1, 2, 3, 0]);
    const staged = w.peek(20, 3);
    expect([...staged.subarray(0, 3)]).toEqual([1, 2, 3]);
    staged[1] = 7;
    w.poke(20, 3);
    expect(w.get(21)).toBe(7);
    w.set(21, 2);
    w.clear(20, 22);
    expect([w.get(20), w.get(21), w.get(22)]).toEqual([0, 0, 3]);
    w.clear(0, 100); // clear has no staging bound
    expect(w.get(7)).toBe(0);
    w.free();
  });

  test("resize keeps the words that fit and zeroes the new ones", () => {
    const w = words(4);
    w.store(0, 4, Uint32Array.of(5, 6, 7, 8));
    w.resize(10_000);
    expect([w.get(0), w.get(3), w.get(4), w.get(9_999)]).toEqual([5, 8, 0, 0]);
    w.set(9_999, 1);
    w.resize(2);
    expect(w.length).toBe(2);
    expect([w.get(0), w.get(1)]).toEqual([5, 6]);
    w.resize(6);
    expect([w.get(1), w.get(2), w.get(5)]).toEqual([6, 0, 0]);
    w.free();
  });

  test("refuses any access outside the array, and every access after free", () => {
    const w = words(8);
    expect(() => w.get(8)).toThrow(RangeError);
    expect(() => w.get(-1)).toThrow(RangeError);
    expect(() => w.set(8, 1)).toThrow(RangeError);
    expect(() => w.load(6, 3, new Uint32Array(3))).toThrow(RangeError);
    expect(() => w.peek(0, 9)).toThrow(RangeError);
    expect(() => w.poke(7, 2)).toThrow(RangeError);
    expect(() => w.store(0, STAGE_WORDS + 1, new Uint32Array(STAGE_WORDS + 1))).toThrow(RangeError);
    w.free();
    expect(w.length).toBe(0);
    expect(() => w.get(0)).toThrow("outside an array of 0");
    w.free();
  });
});
