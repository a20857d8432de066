/**
 * Protects the date presets: what "last 7 days" asks the engine for (seven calendar days, today
 * included), that a range is recognised back as its preset when a shared link is opened, and that
 * switching to custom starts from the same calendar days in the project's zone, not the browser's.
 */
import { describe, expect, test } from "bun:test";
import { absoluteDay, endsToday, isoDay, presetOf, PRESETS, rangeOf } from "./dates.ts";

describe("date presets", () => {
  test.each([
    ["today", "today", "today"],
    ["yesterday", "yesterday", "yesterday"],
    ["7d", "-6d", "today"],
    ["14d", "-13d", "today"],
    ["30d", "-29d", "today"],
    ["90d", "-89d", "today"],
  ] as const)("%s → %s … %s", (preset, from, to) => {
    expect(rangeOf(preset)).toEqual({ dateFrom: from, dateTo: to });
  });

  test("every preset round-trips; other ranges are custom; a query without dates is the 7-day default", () => {
    for (const p of PRESETS) expect(presetOf(rangeOf(p).dateFrom, rangeOf(p).dateTo)).toBe(p);
    expect(presetOf("2024-01-01", "2024-01-31")).toBe("custom");
    expect(presetOf("-6d", "yesterday")).toBe("custom");
    expect(presetOf(undefined, undefined)).toBe("7d");
  });

  test("absolute days are taken in the project time zone", () => {
    const now = Date.parse("2024-03-10T20:00:00Z"); // already 11 March in Shanghai
    expect(isoDay(now, "Asia/Shanghai")).toBe("2024-03-11");
    expect(isoDay(now, "America/New_York")).toBe("2024-03-10");
    expect(absoluteDay("today", now, "Asia/Shanghai")).toBe("2024-03-11");
    expect(absoluteDay("yesterday", now, "Asia/Shanghai")).toBe("2024-03-10");
    expect(absoluteDay("-29d", now, "Asia/Shanghai")).toBe("2024-02-11");
    expect(absoluteDay("2024-01-05T10:00:00Z", now, "UTC")).toBe("2024-01-05");
  });
});

test("a range running to today holds a period that is not over", () => {
  expect([endsToday({}), endsToday({ dateTo: "today" }), endsToday({ dateTo: "yesterday" }), endsToday({ dateTo: "2024-03-10" })]).toEqual([true, true, false, false]);
});
