/**
 * Protects the stored form of pack membership: the BLOB round-trips exactly (sparse, dense, empty,
 * large ids), stays small for a million members, refuses unsorted input, and diffs give exactly the
 * entered / exited persons that become `audience_entered` / `audience_exited` events.
 */
import { expect, test } from "bun:test";
import { decodeMembers, diffMembers, encodeMembers } from "./membership.ts";

test.each([
  ["empty", []],
  ["one", [0]],
  ["sparse and large", [3, 200, 70_000, 2_000_000_000, 2_147_483_647]],
  ["dense", Array.from({ length: 1000 }, (_, i) => i * 2 + 1)],
])("round-trips %s", (_name, ids) => {
  const arr = Int32Array.from(ids);
  expect([...decodeMembers(encodeMembers(arr))]).toEqual(ids);
});

test("a million members of a 3M population fit in well under a megabyte", () => {
  const ids = new Int32Array(1_000_000);
  let id = 0;
  for (let i = 0; i < ids.length; i++) ids[i] = id += 1 + ((i * 7919) % 5);
  const blob = encodeMembers(ids);
  expect(blob.length).toBeLessThan(1_000_000);
  expect(decodeMembers(blob)).toEqual(ids);
});

test("unsorted or duplicate ids are refused", () => {
  expect(() => encodeMembers(Int32Array.from([1, 1]))).toThrow("strictly ascending");
  expect(() => encodeMembers(Int32Array.from([5, 2]))).toThrow("strictly ascending");
});

test("diff lists entered and exited persons", () => {
  const d = diffMembers(Int32Array.from([1, 2, 5, 9]), Int32Array.from([2, 3, 9, 10, 11]));
  expect([...d.entered]).toEqual([3, 10, 11]);
  expect([...d.exited]).toEqual([1, 5]);
  expect(diffMembers(new Int32Array(0), Int32Array.from([4])).entered).toEqual(Int32Array.from([4]));
});
