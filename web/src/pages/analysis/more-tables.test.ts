/**
 * Protects the smaller analysis tables: bucket labels read as people count ("3–9", "10+"), shares per
 * period in the per-interval distribution, lifecycle's four statuses with dormant kept negative, and
 * the selectors that open each number's persons.
 */
import { expect, test } from "bun:test";
import { bucketLabel, distributionTable, lifecycleTable, pathsTable, stickinessTable } from "./more-tables.ts";

const t = ((k: string) => k) as never;

test("bucket labels", () => {
  expect(bucketLabel({ from: 1, to: 2 }, true)).toBe("1");
  expect(bucketLabel({ from: 3, to: 10 }, true)).toBe("3–9");
  expect(bucketLabel({ from: 10, to: null }, true)).toBe("10+");
  expect(bucketLabel({ from: null, to: 1 }, true)).toBe("< 1");
  expect(bucketLabel({ from: 0.5, to: 100 }, false)).toBe("[0.5, 100)");
});

test("distribution: shares of the total, or of the period", () => {
  const whole = distributionTable([{ from: 1, to: 3, persons: 30 }, { from: 3, to: null, persons: 10 }], 40, { kind: "distribution", event: "e" }, t);
  expect(whole.rows.map((r) => r.map((c) => c.display ?? c.value))).toEqual([["1–2", 30, "75.0%"], ["3+", 10, "25.0%"]]);
  expect(whole.rows[1]![1]!.actors).toEqual({ bucket: { from: 3, period: undefined } });
  const per = distributionTable([{ from: 1, to: null, persons: 2, period: "2024-01-01" }, { from: 1, to: null, persons: 6, period: "2024-01-02" }], 8, { kind: "distribution", event: "e" }, t);
  expect(per.rows.map((r) => r.map((c) => c.display ?? c.value))).toEqual([["2024-01-01", "1+", 2, "100.0%"], ["2024-01-02", "1+", 6, "100.0%"]]);
});

test("lifecycle, stickiness and paths", () => {
  const lc = lifecycleTable([{ period: "2024-01-09", new: 1, returning: 2, resurrecting: 0, dormant: -3 }], t);
  expect(lc.rows[0]!.map((c) => c.value)).toEqual(["2024-01-09", 1, 2, 0, -3]);
  expect(lc.rows[0]![4]!.actors).toEqual({ cell: { period: "2024-01-09", status: "dormant" } });
  const st = stickinessTable([{ intervals: 1, persons: 3 }, { intervals: 2, persons: 1 }], "day", t);
  expect(st.rows.map((r) => r.map((c) => c.display ?? c.value))).toEqual([[1, 3, "75.0%"], [2, 1, "25.0%"]]);
  const p = pathsTable([{ source: "1_a", target: "2_b", persons: 1 }, { source: "1_a", target: "2_c", persons: 5 }], t);
  expect(p.rows.map((r) => r[2]!.value)).toEqual([5, 1]);
  expect(p.rows[0]![2]!.actors).toEqual({ edge: { source: "1_a", target: "2_c" } });
  // Shown as the chart names the steps; CSV keeps the ids.
  expect(p.rows[0]!.slice(0, 2).map((c) => [c.value, c.display])).toEqual([["1_a", "1. a"], ["2_c", "2. c"]]);
});
