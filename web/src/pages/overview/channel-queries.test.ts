/**
 * Protects the overview's channel arithmetic: the six queries ask what the columns mean (any event for
 * persons; new = seen by the end minus seen before the start, the day before computed for every date
 * form), and rows are read per breakdown value with totals from the unsplit queries.
 */
import { describe, expect, test } from "bun:test";
import type { TrendsResult } from "../../query/types.ts";
import { channelQueries, channelRows, dayBefore, orderEventOf } from "./channel-queries.ts";

const line = (series: string, breakdownValue: string | null, total: number): TrendsResult => ({ series, event: "x", breakdownValue, points: [], total });

describe("channel queries", () => {
  test.each([["today", "yesterday"], ["yesterday", "-2d"], ["-29d", "-30d"], ["2024-03-01", "2024-02-29"], ["2024-01-01", "2023-12-31"]])("the day before %s is %s", (spec, want) => {
    expect(dayBefore(spec)).toBe(want);
  });

  test("range, ever and before, split and whole", () => {
    const qs = channelQueries({ by: { property: "first_channel", type: "person" }, orderEvent: "order_completed", revenue: "revenue" }, { dateFrom: "-29d", dateTo: "today" });
    expect(qs).toHaveLength(6);
    expect(qs[0]).toMatchObject({ series: [{ event: "$all", math: "users" }, { event: "order_completed", math: "total" }, { event: "order_completed", math: "sum", property: "revenue" }], dateFrom: "-29d", dateTo: "today", breakdown: { property: "first_channel", type: "person", limit: 20 } });
    expect(qs[1]).toMatchObject({ series: [{ event: "$all", math: "users" }], dateTo: "today", breakdown: { property: "first_channel" } });
    expect(qs[2]).toMatchObject({ dateTo: "-30d", breakdown: { property: "first_channel" } });
    expect(qs.slice(3).every((q) => q.breakdown === undefined)).toBe(true);
  });

  test("rows per value, busiest first, Other last; totals from the unsplit queries", () => {
    const out = channelRows([
      [line("A", "web", 10), line("B", "web", 4), line("C", "web", 400.5), line("A", "$other", 50), line("A", "app", 20), line("B", "app", 1), line("C", "app", 99)],
      [line("A", "web", 30), line("A", "app", 25), line("A", "$other", 60), line("A", "jd", 5)],
      [line("A", "web", 28), line("A", "app", 10), line("A", "$other", 60), line("A", "jd", 5)],
      [line("A", null, 75), line("B", null, 5), line("C", null, 499.5)],
      [line("A", null, 110)],
      [line("A", null, 95)],
    ]);
    expect(out.results.map((r) => r.channel)).toEqual(["app", "web", "jd", "$other"]);
    expect(out.results[0]).toEqual({ channel: "app", persons: 25, activePersons: 20, newPersons: 15, orders: 1, revenue: 99 });
    expect(out.results[2]).toEqual({ channel: "jd", persons: 5, activePersons: 0, newPersons: 0, orders: 0, revenue: 0 });
    expect(out.totals).toEqual({ persons: 110, activePersons: 75, newPersons: 15, orders: 5, revenue: 499.5 });
  });
});

test("the order event is the project's own name for it: the busiest known name, order_completed before any order", () => {
  expect(orderEventOf([])).toBe("order_completed");
  expect(orderEventOf([{ name: "Order Completed", count: 12 }, { name: "Page Viewed", count: 900 }])).toBe("Order Completed");
  expect(orderEventOf([{ name: "order_completed", count: 40 }, { name: "Order Completed", count: 3 }])).toBe("order_completed");
  expect(orderEventOf([{ name: "purchase", count: 0 }])).toBe("order_completed");
});
