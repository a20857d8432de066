/**
 * Protects the in-memory identity index the resolver trusts per event: exact lookups through growth and
 * deletions (backward-shift deletion must keep every probe chain intact), person circles that merge and
 * undo exactly, and rebuilding persons from member lists.
 */
import { expect, test } from "bun:test";
import { Fingerprinter, parseHash } from "./fingerprint.ts";
import { IdentityIndex } from "./identity-index.ts";

const fp = (i: number): [number, number, number] => [Math.imul(i, 2654435761) >>> 0, (i * 40503) >>> 0, i ^ 0x5bd1e995];

test("lookups stay exact through growth and deletions", () => {
  const index = new IdentityIndex(16);
  const ns = index.nsId("anonymous_id");
  // 20k identities over the 64 tables: each grows several times.
  for (let i = 1; i <= 20_000; i++) index.add(i, ...fp(i), ns, 1 + (i % 100));
  for (let i = 1; i <= 20_000; i += 3) index.remove(i, fp(i)[0], fp(i)[1]);
  let wrong = 0;
  for (let i = 1; i <= 20_000; i++) if (index.find(...fp(i)) !== (i % 3 === 1 ? 0 : i)) wrong++;
  expect(wrong).toBe(0);
  expect(index.size).toBe(20_000 - 6667);
  // A fingerprint that shares the first 64 bits but not the check word is not a match.
  const [hi, lo] = fp(2);
  expect(index.find(hi, lo, 12345)).toBe(0);
  expect(index.members(5).every((id) => index.personOf(id) === 5)).toBe(true);
});

test("merge and undoMerge restore both circles, sizes and user_ids exactly", () => {
  const index = new IdentityIndex();
  const user = index.userIdNs;
  const anon = index.nsId("anonymous_id");
  index.add(1, ...fp(1), user, 10);
  index.add(2, ...fp(2), anon, 10);
  index.add(3, ...fp(3), anon, 20);
  index.add(4, ...fp(4), anon, 20);
  const snapshot = () => [10, 20].map((p) => [index.members(p).sort(), index.sizeOf(p), index.hasUserId(p)]);
  const before = snapshot();
  const undo = index.merge(10, 20);
  expect(index.members(10).sort()).toEqual([1, 2, 3, 4]);
  expect([index.sizeOf(20), index.personOf(3), index.hasUserId(10)]).toEqual([0, 10, true]);
  index.undoMerge(undo);
  expect(snapshot()).toEqual(before);
  index.assign(new Map([[10, [1]], [30, [2, 3, 4]]]));
  expect([index.members(30).sort(), index.personOf(2), index.sizeOf(10), index.hasUserId(30)]).toEqual([[2, 3, 4], 30, 1, false]);
});

test("a stored value_hash parses back to the fingerprint the index was keyed with", () => {
  const fp = new Fingerprinter({ keyedHash: (v) => `key-of-${v}` });
  for (const value of ["u1", "a5f8c2c0-3e61-4f4b-9d55-0c7d3b2f8e11", "李雷", "+8613800138000"]) {
    const hash = fp.hashOf("user_id", value);
    expect(hash).toHaveLength(22);
    expect(parseHash(hash)).toEqual([fp.hi, fp.lo, fp.chk]);
  }
  expect(() => parseHash("not*a*fingerprint!")).toThrow(/not a fingerprint/);
});
