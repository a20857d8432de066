import { expect, test } from "bun:test";
import { afterEvents, paceCollections } from "./gc-pacer.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("collections run when due, never otherwise, and stop when stopped", async () => {
  let due = false;
  let collections = 0;
  const stop = paceCollections(() => due, { everyMs: 5, collect: () => collections++ });
  await sleep(100);
  expect(collections).toBe(0);
  due = true;
  await sleep(100);
  expect(collections).toBeGreaterThan(0);
  stop();
  const after = collections;
  await sleep(50);
  expect(collections).toBe(after);
});

test("afterEvents is due once n more events were counted since it was last due", () => {
  let seq = 500;
  const due = afterEvents(() => seq, 1000);
  expect(due()).toBe(false);
  seq = 1499;
  expect(due()).toBe(false);
  seq = 1500;
  expect(due()).toBe(true);
  expect(due()).toBe(false);
  seq = 2499;
  expect(due()).toBe(false);
  seq = 9000;
  expect([due(), due()]).toEqual([true, false]);
});
