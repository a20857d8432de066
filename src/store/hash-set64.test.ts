/**
 * HashSet64 is the exact-dedup structure: a bug here either stores duplicates or silently drops new
 * events. Checked against a JS Set under random inserts and deletes, including growth.
 */
import { expect, test } from "bun:test";
import { HashSet64 } from "./hash-set64.ts";

test("agrees with a Set under random adds, deletes and growth", () => {
  const set = new HashSet64(4);
  const ref = new Set<string>();
  let seed = 7;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % 5000);
  for (let i = 0; i < 60_000; i++) {
    const hi = rnd();
    const lo = rnd() * 3;
    const k = `${hi}:${lo === 0 && hi === 0 ? 1 : lo}`;
    if (i % 3 === 0) {
      expect(set.delete(hi, lo)).toBe(ref.delete(k));
    } else {
      expect(set.add(hi, lo)).toBe(!ref.has(k));
      ref.add(k);
    }
    if (i % 997 === 0) expect(set.size).toBe(ref.size);
  }
  for (const k of ref) {
    const [h, l] = k.split(":").map(Number) as [number, number];
    expect(set.has(h, l)).toBe(true);
  }
  expect(set.size).toBe(ref.size);
});
