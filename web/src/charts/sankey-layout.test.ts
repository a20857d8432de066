/**
 * Protects the paths Sankey layout: steps become columns in order, a node is as tall as the persons
 * passing through it, one scale holds across columns, bands leave a node stacked without overlap, and
 * event names containing underscores keep them.
 */
import { expect, test } from "bun:test";
import { parseNode, sankeyLayout } from "./sankey-layout.ts";

const edges = [
  { source: "1_$pageview", target: "2_add_to_cart", persons: 30 },
  { source: "1_$pageview", target: "2_search", persons: 10 },
  { source: "2_add_to_cart", target: "3_order_completed", persons: 20 },
];

test("node names split at the first underscore after the step", () => {
  expect(parseNode("3_order_completed")).toEqual({ column: 3, label: "order_completed" });
  expect(parseNode("odd")).toEqual({ column: 1, label: "odd" });
});

test("columns, sizes and stacked bands", () => {
  const s = sankeyLayout(edges, 412, 400);
  expect(s.columns).toBe(3);
  const n = Object.fromEntries(s.nodes.map((x) => [x.id, x]));
  expect([n["1_$pageview"]!.x, n["2_add_to_cart"]!.x, n["3_order_completed"]!.x]).toEqual([0, 200, 400]);
  // Column 2 is the fullest (30 + 10 persons with one gap): it sets the scale.
  const k = (400 - 10) / 40;
  expect(n["1_$pageview"]!.h).toBeCloseTo(40 * k);
  expect(n["2_add_to_cart"]!.h).toBeCloseTo(30 * k);
  expect(n["2_search"]!.y).toBeCloseTo(30 * k + 10);
  expect(n["3_order_completed"]!.h).toBeCloseTo(20 * k);
  const out = s.links.filter((l) => l.source === "1_$pageview").sort((a, b) => a.sy - b.sy);
  expect(out.map((l) => l.target)).toEqual(["2_add_to_cart", "2_search"]);
  expect(out[0]!.sy + out[0]!.width / 2).toBeCloseTo(out[1]!.sy - out[1]!.width / 2);
  expect(out[1]!.sy + out[1]!.width / 2).toBeCloseTo(n["1_$pageview"]!.h);
});

test("no edges, no nodes", () => {
  expect(sankeyLayout([], 400, 300)).toEqual({ nodes: [], links: [], columns: 0 });
});

test("every node that fits is labelled, however thin; a label too close to the one above is left to the node's title", () => {
  const s = sankeyLayout(
    [
      { source: "1_a", target: "2_b", persons: 1000 },
      { source: "1_a", target: "2_c", persons: 2 },
      { source: "1_a", target: "2_d", persons: 1 },
      { source: "2_c", target: "3_e", persons: 1 },
    ],
    400,
    300,
  );
  const n = Object.fromEntries(s.nodes.map((x) => [x.id, x]));
  // The rightmost step's only node is under 1 px tall and still labelled.
  expect(n["3_e"]!.h).toBeLessThan(10);
  expect(n["3_e"]!.labelled).toBe(true);
  expect(n["2_c"]!.labelled).toBe(true);
  // 2_d sits one gap under 2_c: its label would overlap.
  expect(n["2_d"]!.labelY - n["2_c"]!.labelY).toBeLessThan(14);
  expect(n["2_d"]!.labelled).toBe(false);
  expect(s.nodes.every((x) => x.labelY >= x.y && x.labelY <= x.y + Math.max(x.h, 1))).toBe(true);
});
