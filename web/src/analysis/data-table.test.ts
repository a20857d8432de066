/** Protects how the persons behind a table number are titled: every leading label cell names the segment. */
import { expect, test } from "bun:test";
import { rowLabel } from "./data-table.tsx";
import { pct, periodText, type TableModel } from "./table-model.ts";

test("a row is named by its label cells up to the first number", () => {
  const table: TableModel = {
    columns: [{ label: "Step" }, { label: "Breakdown" }, { label: "Persons", numeric: true }],
    rows: [[{ value: "3. order_completed" }, { value: "WeChat Mini Program" }, { value: 5461 }]],
  };
  expect(rowLabel(table, table.rows[0]!)).toBe("3. order_completed · WeChat Mini Program");
  const retention: TableModel = { columns: [{ label: "Cohort" }, { label: "Size", numeric: true }], rows: [[{ value: "2024-06-10", display: "Jun 10" }, { value: 4 }]] };
  expect(rowLabel(retention, retention.rows[0]!)).toBe("Jun 10");
});

test("a share that is not zero never reads as 0.0%", () => {
  expect(pct(1, 3000)).toBe("<0.1%");
  expect(pct(0, 3000)).toBe("0.0%");
  expect(pct(2, 3000)).toBe("0.1%");
  expect(pct(1, 4)).toBe("25.0%");
  expect(pct(1, 0)).toBe("—");
});

test("an hour reads as a day and a time, a day as it is", () => {
  expect(periodText("2026-11-27T23:00")).toBe("2026-11-27 23:00");
  expect(periodText("2026-11-27")).toBe("2026-11-27");
  expect(periodText("2026-W48")).toBe("2026-W48");
});
