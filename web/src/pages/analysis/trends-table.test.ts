/**
 * Protects the event analysis table: one row per line with the range total first, the persons behind
 * each number addressed by series letter, period, breakdown value and compare side, and no click-through
 * on formula lines (they have no persons of their own).
 */
import { expect, test } from "bun:test";
import type { TrendsResult } from "../../query/types.ts";
import { formulaIssue, lineAt, onRightAxis, trendsTable } from "./trends-table.ts";

const t = (k: string) => k;
const pts = (...v: number[]) => v.map((value, i) => ({ t: `2024-06-1${i}`, value }));

test("lines, totals and actors selectors", () => {
  const results: TrendsResult[] = [
    { series: "A", event: "signup", breakdownValue: "wechat", points: pts(1, 2), total: 3, compare: "current" },
    { series: "A", event: "signup", breakdownValue: "wechat", points: pts(4, 0).map((p, i) => ({ ...p, t: `2024-06-0${i}` })), total: 4, compare: "previous" },
    { series: "A/B", event: "$formula", breakdownValue: null, points: pts(50, 25), total: 40 },
  ];
  const table = trendsTable(results, { kind: "trends", series: [{ event: "signup", math: "users" }] }, t as never);
  expect(table.columns.map((c) => c.label)).toEqual(["query.series", "math.users", "2024-06-10", "2024-06-11"]);
  expect(table.rows[0]!.map((c) => c.value)).toEqual(["A. signup · wechat", 3, 1, 2]);
  expect(table.rows[0]![2]!.actors).toEqual({ point: { series: "A", period: "2024-06-10", breakdownValue: "wechat", previous: false } });
  expect(table.rows[0]![1]!.actors).toEqual({ point: { series: "A", period: undefined, breakdownValue: "wechat", previous: false } });
  expect(table.rows[1]![0]!.value).toBe("A. signup · wechat (query.previous)");
  expect(table.rows[1]![2]!.actors).toMatchObject({ point: { period: "2024-06-00", previous: true } });
  expect(table.rows[2]!.map((c) => c.value)).toEqual(["ƒ A/B", 40, 50, 25]);
  expect(table.rows[2]!.every((c) => c.actors === undefined)).toBe(true);
});

test("property math goes on the right axis, counts and formulas on the left", () => {
  const q = { kind: "trends" as const, series: [{ event: "view", math: "users" as const }, { event: "pay", math: "sum" as const, property: "revenue" }] };
  const r = (series: string, event: string): TrendsResult => ({ series, event, breakdownValue: null, points: [], total: 0 });
  expect([onRightAxis(r("A", "view"), q), onRightAxis(r("B", "pay"), q), onRightAxis(r("A/B", "$formula"), q)]).toEqual([false, true, false]);
});

test("a chart click opens the line it was meant for: the nearest value, or the stacked segment under it", () => {
  const values = [[10, 50], [40, 20], [25, 5]];
  expect([lineAt(values, 0, 12, false), lineAt(values, 0, 38, false), lineAt(values, 0, 26, false), lineAt(values, 1, 48, false)]).toEqual([0, 1, 2, 0]);
  // Stacked at category 0: 0–10 is line 0, 10–50 line 1, 50–75 line 2.
  expect([lineAt(values, 0, 9, true), lineAt(values, 0, 30, true), lineAt(values, 0, 60, true), lineAt(values, 0, 99, true)]).toEqual([0, 1, 2, 2]);
});

test("a formula is checked in the browser, in the UI's language, before it is sent", () => {
  const say = ((k: string, p?: Record<string, unknown>) => `${k}${p ? JSON.stringify(p) : ""}`) as Parameters<typeof formulaIssue>[2];
  expect(formulaIssue("A/B*100", 2, say)).toBeNull();
  expect(formulaIssue(undefined, 2, say)).toBeNull();
  expect(formulaIssue("A/C*100", 2, say)).toBe('trends.formulaLetters{"letters":"C","n":2}');
  expect(formulaIssue("A/", 2, say)).toBe("trends.formulaSyntax");
});
