/**
 * Protects the funnel table: conversion from the start and from the previous step, drop-off counts,
 * and the 1-based `step` / `dropOffAfter` selectors the actors endpoint expects (SPEC §5.2) — an
 * off-by-one here would list the wrong persons behind a number.
 */
import { expect, test } from "bun:test";
import { binText, funnelTable } from "./funnel-table.ts";
import { duration, exactDuration } from "../../analysis/table-model.ts";
import { zh } from "../../i18n/zh.ts";

// Keys as they are, but time units as the English dictionary has them ("unit.m" → "m").
const t = ((k: string) => (k.startsWith("unit.") ? k.slice(5) : k)) as never;
const steps = (bv: string | null, ...counts: number[]) => ({
  breakdownValue: bv,
  steps: counts.map((count, i) => ({ event: ["view", "cart", "pay"][i]!, count, avgSecondsFromPrevious: i ? 90 : null, medianSecondsFromPrevious: i ? 60 : null })),
});

test("steps view: conversion, drop-off and 1-based selectors", () => {
  const table = funnelTable({ results: [steps(null, 200, 50, 20)] }, { kind: "funnel", steps: [] }, t);
  expect(table.columns.map((c) => c.label)).toEqual(["funnel.step", "funnel.persons", "funnel.fromStart", "funnel.fromPrevious", "funnel.dropped", "funnel.medianTime", "funnel.avgTime"]);
  expect(table.rows.map((r) => r.map((c) => c.display ?? c.value))).toEqual([
    ["1. view", 200, "100.0%", "—", "—", "—", "—"],
    ["2. cart", 50, "25.0%", "25.0%", 150, "1m", "2m"],
    ["3. pay", 20, "10.0%", "40.0%", 30, "1m", "2m"],
  ]);
  expect(table.rows[2]![1]!.actors).toEqual({ step: 3, breakdownValue: null });
  expect(table.rows[2]![4]!.actors).toEqual({ dropOffAfter: 2, breakdownValue: null });
});

test("breakdown rows carry their value; empty first steps show no percentages", () => {
  const table = funnelTable({ results: [steps("wechat", 10, 5), steps("", 0, 0)] }, { kind: "funnel", steps: [], breakdown: { property: "$channel" } }, t);
  expect(table.columns[1]!.label).toBe("query.breakdown");
  expect(table.rows[1]!.slice(0, 3).map((c) => c.value)).toEqual(["2. cart", "wechat", 5]);
  expect(table.rows[1]![2]!.actors).toEqual({ step: 2, breakdownValue: "wechat" });
  expect(table.rows[3]!.map((c) => c.display ?? c.value)).toEqual(["2. cart", "query.none", 0, "—", "—", 0, "1m", "2m"]);
});

test("trends and time-to-convert views", () => {
  const three = [{ event: "view" }, { event: "cart" }, { event: "pay" }];
  const trends = funnelTable({ results: [{ period: "2024-05-01", entered: 3, converted: 2, rate: 66.67 }] }, { kind: "funnel", steps: three, view: "trends" }, t);
  expect(trends.rows).toEqual([[
    { value: "2024-05-01", display: "2024-05-01" },
    { value: 3, actors: { step: 1, period: "2024-05-01", breakdownValue: null } }, // entered: reached step 1 then
    { value: 2, actors: { step: 3, period: "2024-05-01", breakdownValue: null } }, // converted: reached the last step
    { value: 66.67, display: "66.67%" },
  ]]);
  const middle = funnelTable({ results: [{ period: "2024-05-01", entered: 3, converted: 2, rate: 66.67 }] }, { kind: "funnel", steps: three, view: "trends", fromStep: 1, toStep: 2 }, t);
  expect([middle.rows[0]![1]!.actors, middle.rows[0]![2]!.actors]).toEqual([{ step: 2, period: "2024-05-01", breakdownValue: null }, { step: 3, period: "2024-05-01", breakdownValue: null }]);
  const ttc = funnelTable({ results: [{ averageSeconds: 210, medianSeconds: 210, bins: [[60, 1], [210, 0], [360, 1]] }] }, { kind: "funnel", steps: [], view: "time_to_convert" }, t);
  // bins are [start, next start), the last as wide as the others: exact edges, each count opening its bin
  expect(ttc.rows.map((r) => r.map((c) => c.display ?? c.value))).toEqual([["1m – 3m 30s", 1], ["3m 30s – 6m", 0], ["6m – 8m 30s", 1]]);
  expect(ttc.rows.map((r) => r[1]!.actors)).toEqual([{ bin: { from: 60, to: 210 } }, { bin: { from: 210, to: 360 } }, { bin: { from: 360, to: 510 } }]);
});

test("durations speak the UI's language", () => {
  const tz = ((k: string) => (zh as Record<string, string>)[k] ?? k) as Parameters<typeof duration>[1];
  expect([duration(45, tz), duration(900, tz), duration(18_000, tz), duration(2 * 86_400, tz)]).toEqual(["45 秒", "15 分钟", "5.0 小时", "2.0 天"]);
  expect([duration(45), duration(900)]).toEqual(["45s", "15m"]);
  // bin edges are exact: 210 s is not "4m"
  expect([exactDuration(0), exactDuration(210), exactDuration(3600), exactDuration(90_061)]).toEqual(["0s", "3m 30s", "1h", "1d 1h 1m 1s"]);
  expect(binText({ from: 120, to: 210, persons: 3 }, tz!)).toBe("2 分钟 – 3 分钟 30 秒");
});
