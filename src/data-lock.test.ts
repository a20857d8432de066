/**
 * Protects the one-writer rule: the data directory's lock refuses a second holder, in this process or
 * another, names it, and is free again once its holder releases it or dies (kill -9 included).
 */
import { expect, test } from "bun:test";
import { tempDir } from "../test/helpers.ts";
import { lockDataDir } from "./data-lock.ts";

test("a second holder is refused by name until the first releases", () => {
  const { dir, cleanup } = tempDir();
  try {
    const release = lockDataDir(dir);
    expect(() => lockDataDir(dir)).toThrow(`another Tessera process (pid ${process.pid}) is using this data directory`);
    release();
    lockDataDir(dir)();
  } finally {
    cleanup();
  }
});

test("the lock dies with its holder", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const holder = Bun.spawn([process.execPath, "-e", `require(${JSON.stringify(`${import.meta.dir}/data-lock.ts`)}).lockDataDir(${JSON.stringify(dir)}); console.log("held"); setInterval(() => {}, 1000);`], { stdout: "pipe" });
    const reader = holder.stdout.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain("held");
    expect(() => lockDataDir(dir)).toThrow(`(pid ${holder.pid})`);
    holder.kill(9);
    await holder.exited;
    lockDataDir(dir)();
  } finally {
    cleanup();
  }
});
