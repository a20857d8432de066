/** Protects the size history's x-axis from repeating a day when several computations fall on it. */
import { expect, test } from "bun:test";
import { historyLabels } from "./size-history.ts";

const at = (iso: string) => Date.parse(iso);

test("one computation a day is labelled by its day; days with several by day and time", () => {
  const asOfs = [at("2026-11-24T15:59:59Z"), at("2026-11-25T15:59:59Z"), at("2026-11-26T01:30:00Z"), at("2026-11-26T07:05:00Z")];
  expect(historyLabels(asOfs, "Asia/Shanghai")).toEqual(["2026-11-24", "2026-11-25", "2026-11-26 09:30", "2026-11-26 15:05"]);
  expect(historyLabels([at("2026-11-24T10:00:00Z"), at("2026-11-25T10:00:00Z")], "UTC")).toEqual(["2026-11-24", "2026-11-25"]);
  // Two in the same minute keep apart by their seconds.
  expect(historyLabels([at("2026-11-24T10:00:05Z"), at("2026-11-24T10:00:40Z")], "UTC")).toEqual(["2026-11-24 10:00:05", "2026-11-24 10:00:40"]);
});
