import { expect, test } from "bun:test";
import { paceCollections } from "./gc-pacer.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("collections run while busy, never while idle, and stop when stopped", async () => {
  let busy = false;
  let collections = 0;
  const stop = paceCollections(() => busy, { everyMs: 5, collect: () => collections++ });
  await sleep(100);
  expect(collections).toBe(0);
  busy = true;
  await sleep(100);
  expect(collections).toBeGreaterThan(0);
  stop();
  const after = collections;
  await sleep(50);
  expect(collections).toBe(after);
});
