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

test("the lock lives as long as its holder, whether or not it keeps the release function, and dies with it", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const holder = Bun.spawn([process.execPath, "-e", `require(${JSON.stringify(`${import.meta.dir}/data-lock.ts`)}).lockDataDir(${JSON.stringify(dir)}); Bun.gc(true); console.log("held"); setInterval(() => {}, 1000);`], { stdout: "pipe", stderr: "ignore" });
    try {
      // Wait for the holder to say it holds the lock (its output may come in pieces).
      let said = "";
      for await (const chunk of holder.stdout) if ((said += new TextDecoder().decode(chunk)).includes("held")) break;
      expect(() => lockDataDir(dir)).toThrow(`(pid ${holder.pid})`);
    } finally {
      holder.kill(9);
      await holder.exited;
    }
    lockDataDir(dir)();
  } finally {
    cleanup();
  }
});
