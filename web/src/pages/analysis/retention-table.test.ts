/**
 * Protects the retention heat map: lag shares are of the cohort's own size, the average row weights by
 * cohort size and ignores cohorts too young for a lag (the triangle), and each cell addresses its
 * persons by cohort period and lag.
 */
import { expect, test } from "bun:test";
import { averages, retentionTable } from "./retention-table.ts";

const t = ((k: string, p?: Record<string, unknown>) => (p?.n !== undefined ? `${k}:${p.n}` : k)) as never;
const results = [{ breakdownValue: null, cohorts: [
  { period: "2024-06-10", values: [10, 5, 2] },
  { period: "2024-06-11", values: [30, 6] },
  { period: "2024-06-12", values: [0] },
] }];

test("weighted averages over the cohorts that reached each lag", () => {
  expect(averages(results)).toEqual([
    { lag: 0, share: 1, cohorts: 2 },
    { lag: 1, share: 11 / 40, cohorts: 2 },
    { lag: 2, share: 0.2, cohorts: 1 },
  ]);
});

test("rows, shares, counts and selectors", () => {
  const table = retentionTable(results, { kind: "retention", startEvent: { event: "a" }, returnEvent: { event: "b" }, period: "week" }, t, false);
  expect(table.columns.map((c) => c.label)).toEqual(["retention.cohort", "retention.persons", "retention.lag.week:1", "retention.lag.week:2"]);
  expect(table.rows[0]!.map((c) => c.display ?? c.value)).toEqual(["retention.average", 40, "27.5%", "20.0%"]);
  expect(table.rows[1]!.map((c) => c.display ?? c.value)).toEqual(["2024-06-10", 10, "50.0%", "20.0%"]);
  expect(table.rows[2]!.map((c) => c.display ?? c.value)).toEqual(["2024-06-11", 30, "20.0%", ""]);
  // Shading is relative to the best share in the table (50 %), so 20 % shades at 0.4.
  expect(table.rows[1]![3]).toMatchObject({ value: 2, heat: 0.4, actors: { cell: { cohort: "2024-06-10", lag: 2, breakdownValue: null } } });
  const counts = retentionTable(results, { kind: "retention", startEvent: { event: "a" }, returnEvent: { event: "b" } }, t, true);
  expect(counts.rows[1]!.map((c) => c.display ?? c.value)).toEqual(["2024-06-10", 10, 5, 2]);
});
