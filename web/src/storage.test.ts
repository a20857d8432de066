/** The sizes the storage banner and the Sources page print, in both languages. */
import { expect, test } from "bun:test";
import { formatBytes } from "./storage.tsx";

test.each<[number, string, string]>([
  [0, "0 B", "0 B"],
  [1023, "1,023 B", "1,023 B"],
  [1536, "1.5 KB", "1.5 KB"],
  [12 * 1024 ** 2, "12 MB", "12 MB"],
  [1.25 * 1024 ** 3, "1.3 GB", "1.3 GB"],
  [512 * 1024 ** 3, "512 GB", "512 GB"],
  [3 * 1024 ** 4, "3 TB", "3 TB"],
])("%d bytes", (n, en, zh) => {
  expect([formatBytes(n, "en"), formatBytes(n, "zh")]).toEqual([en, zh]);
});
