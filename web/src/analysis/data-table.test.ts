/** Protects how the persons behind a table number are titled: every leading label cell names the segment. */
import { expect, test } from "bun:test";
import { rowLabel } from "./data-table.tsx";
import type { TableModel } from "./table-model.ts";

test("a row is named by its label cells up to the first number", () => {
  const table: TableModel = {
    columns: [{ label: "Step" }, { label: "Breakdown" }, { label: "Persons", numeric: true }],
    rows: [[{ value: "3. order_completed" }, { value: "WeChat Mini Program" }, { value: 5461 }]],
  };
  expect(rowLabel(table, table.rows[0]!)).toBe("3. order_completed · WeChat Mini Program");
  const retention: TableModel = { columns: [{ label: "Cohort" }, { label: "Size", numeric: true }], rows: [[{ value: "2024-06-10", display: "Jun 10" }, { value: 4 }]] };
  expect(rowLabel(retention, retention.rows[0]!)).toBe("Jun 10");
});
