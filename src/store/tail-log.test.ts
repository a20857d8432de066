/**
 * TailLog is dedup's exact answer for the tails: a miss stores a duplicate, a false hit drops an event.
 * Checked against a Set across chunk boundaries, with deletes from the open chunk and from sorted ones.
 */
import { expect, test } from "bun:test";
import { TailLog } from "./tail-log.ts";

test("agrees with a Set under adds, deletes and lookups across many chunks", () => {
  const log = new TailLog();
  const ref = new Map<string, [number, number]>();
  let seed = 11;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  const key = (hi: number, lo: number) => `${hi}:${lo}`;
  const added: [number, number][] = [];
  for (let i = 0; i < 30_000; i++) {
    // A few high halves repeat, so pairs differ only in their low half.
    const hi = i % 10 === 0 ? 7 : rnd();
    const lo = rnd();
    if (!ref.has(key(hi, lo))) {
      log.add(hi, lo);
      ref.set(key(hi, lo), [hi, lo]);
      added.push([hi, lo]);
    }
    if (i % 7 === 0) {
      // Delete the newest (a rejected claim), an older one (a rolled-back commit; maybe deleted already) or
      // one never added.
      const never: [number, number] = [rnd(), rnd()];
      const pick = i % 3 === 0 ? added.at(-1)! : i % 3 === 1 ? added[rnd() % added.length]! : never;
      expect(log.delete(pick[0], pick[1])).toBe(ref.delete(key(pick[0], pick[1])));
    }
  }
  expect(log.size).toBe(ref.size);
  for (const [hi, lo] of ref.values()) expect(log.has(hi, lo)).toBe(true);
  for (let i = 0; i < 5_000; i++) {
    const hi = i % 2 ? 7 : rnd();
    const lo = rnd();
    expect(log.has(hi, lo)).toBe(ref.has(key(hi, lo)));
  }
});
