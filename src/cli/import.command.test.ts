import { describe, expect, test } from "bun:test";
import { PLAIN_EVERY_MS, progressDisplay, progressLine } from "./import.command.ts";

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

describe("where progress is drawn", () => {
  function recorder(isTTY: boolean) {
    let text = "";
    let clock = 0;
    const out = { isTTY, write: (t: string) => (text += t) };
    return { out, now: () => clock, tick: (ms: number) => (clock += ms), text: () => text };
  }
  const at = (lines: number) => ({ ...base, lines, accepted: lines });

  test("a terminal: every update redrawn in place, and ended with a newline before what follows", () => {
    const r = recorder(true);
    const d = progressDisplay(r.out, 0, r.now);
    for (const n of [10, 20, 30]) {
      r.tick(200);
      d.draw(at(n));
    }
    d.below();
    d.below(); // nothing drawn since: no blank line
    expect(r.text().split("\r")).toHaveLength(4);
    expect(r.text().endsWith("dropped, 50/s   \n")).toBe(true);
    expect(r.text().match(/\n/g)).toHaveLength(1);
  });

  test("not a terminal: plain lines, the first at once, then at most one per PLAIN_EVERY_MS", () => {
    const r = recorder(false);
    const d = progressDisplay(r.out, 0, r.now);
    // Updates every 200 ms for 12 s: lines at 0.2 s, 5.2 s and 10.2 s.
    for (let n = 1; n <= 60; n++) {
      r.tick(200);
      d.draw(at(n));
    }
    d.below();
    expect(r.text()).not.toContain("\r");
    expect(r.text().split("\n").filter(Boolean)).toEqual([
      "1 lines, 1 stored, 0 rejected, 0 dropped, 5/s",
      `${1 + PLAIN_EVERY_MS / 200} lines, ${1 + PLAIN_EVERY_MS / 200} stored, 0 rejected, 0 dropped, 5/s`,
      `${1 + (2 * PLAIN_EVERY_MS) / 200} lines, ${1 + (2 * PLAIN_EVERY_MS) / 200} stored, 0 rejected, 0 dropped, 5/s`,
    ]);
  });
});
