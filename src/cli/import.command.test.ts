import { expect, test } from "bun:test";
import { progressLine } from "./import.command.ts";

const base = { lines: 0, accepted: 0, duplicates: 0, rejected: 0, dropped: 0, bytes: 0, totalBytes: null, errors: [] };

test("a file of known size: a bar, the share read and the time left at the rate so far", () => {
  // A quarter of the bytes in 10 s: 30 s left.
  const p = { ...base, lines: 1000, accepted: 990, rejected: 10, bytes: 250, totalBytes: 1000 };
  expect(progressLine(p, 0, 10_000)).toBe(`\r[██████░░░░░░░░░░░░░░░░░░] 25.0% · 30s left · 1000 lines, 990 stored, 10 rejected, 0 dropped, 99/s   `);
  expect(progressLine({ ...p, bytes: 10, totalBytes: 1000 }, 0, 10_000)).toContain("1.0% · 16m30s left");
  expect(progressLine({ ...p, bytes: 1000 }, 0, 10_000)).toContain("[████████████████████████] 100.0% · 1000 lines");
});

test("stdin (size unknown): counts and rate only; re-sent messages are counted apart", () => {
  const p = { ...base, lines: 50, accepted: 50, duplicates: 20, bytes: 4096 };
  expect(progressLine(p, 0, 1000)).toBe("\r50 lines, 30 stored, 20 already stored, 0 rejected, 0 dropped, 50/s   ");
});
