/**
 * Protects the public definition JSON of SPEC §6: the spec's own example parses unchanged, every leaf
 * kind validates its fields, and limit violations are refused with a message naming the path — the
 * builder UI shows these messages next to the offending condition.
 */
import { describe, expect, test } from "bun:test";
import { Definition, describeIssues, MAX_DEPTH, showPath, type Node } from "./definition.ts";

const issuesOf = (input: unknown) => {
  const r = Definition.safeParse(input);
  if (r.success) throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
  return describeIssues(r.error, ["definition"]);
};

const attr = (i = 0): Node => ({ kind: "attr", property: `p${i}`, op: "eq", value: i });
const nest = (depth: number): unknown => (depth === 1 ? attr() : { kind: "not", child: nest(depth - 1) });

test("the SPEC §6 example nodes parse unchanged", () => {
  const spec = {
    kind: "and",
    children: [
      { kind: "attr", property: "city", op: "eq", value: "Shanghai" },
      { kind: "tag", tag: "high_spender", present: true },
      { kind: "audience", audience: "42", member: true },
      {
        kind: "event", event: "purchase", where: [{ property: "amount", op: "gt", value: 100 }],
        window: { kind: "last", n: 30, unit: "day" },
        measure: { fn: "count" }, cmp: { op: "gte", value: 3, includeZero: false },
      },
      {
        kind: "event", event: "purchase", window: { kind: "between_ago", from: { n: 14, unit: "day" }, to: { n: 7, unit: "day" } },
        measure: { fn: "sum", property: "amount" }, cmp: { op: "between", value: 3, value2: 5 },
      },
      { kind: "did_not", event: "pay", window: { kind: "absolute", from: "2024-01-01", to: "2024-01-31T23:00:00+08:00" } },
      {
        kind: "sequence", steps: [{ event: "add_to_cart" }, { event: "pay" }], within: { n: 30, unit: "minute" },
        window: { kind: "ever" }, completed: true,
      },
      { kind: "or", children: [{ kind: "not", child: { kind: "event", event: "x", window: { kind: "ever" }, measure: { fn: "distinct_days" }, cmp: { op: "gt", value: 2 } } }] },
    ],
  };
  // The shared filter grammar fills its default `type: "event"`; nothing else is added or dropped.
  expect(Definition.parse(spec)).toMatchObject(spec as Node);
});

describe("limits name the path", () => {
  test(`depth ${MAX_DEPTH} is accepted, ${MAX_DEPTH + 1} is refused at the too-deep node`, () => {
    expect(Definition.safeParse(nest(MAX_DEPTH)).success).toBe(true);
    const issues = issuesOf(nest(MAX_DEPTH + 1));
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe("definition.child.child.child.child.child.child");
    expect(issues[0]!.message).toContain("deeper than 6");
  });

  test("50 leaves are accepted, 51 are refused", () => {
    const many = (k: number) => ({ kind: "or", children: Array.from({ length: k }, (_, i) => attr(i)) });
    expect(Definition.safeParse(many(50)).success).toBe(true);
    expect(issuesOf(many(51))[0]!.message).toContain("51 conditions; at most 50");
  });

  test("a hostile 100 000-level document is refused without recursing", () => {
    let deep: unknown = attr();
    for (let i = 0; i < 100_000; i++) deep = { kind: "not", child: deep };
    expect(issuesOf(deep)[0]!.message).toContain("deeper");
  });
});

describe("field validation", () => {
  test.each([
    ["unknown kind", { kind: "and", children: [{ kind: "nope" }] }, "definition.children.0.kind"],
    ["empty and", { kind: "and", children: [] }, "definition.children"],
    ["misspelt field", { kind: "tag", tag: "a", present: true, presnet: 1 }, "definition"],
    ["between without value2", { kind: "event", event: "e", window: { kind: "ever" }, measure: { fn: "count" }, cmp: { op: "between", value: 3 } }, "definition.cmp.value2"],
    ["value2 on gte", { kind: "event", event: "e", window: { kind: "ever" }, measure: { fn: "count" }, cmp: { op: "gte", value: 3, value2: 4 } }, "definition.cmp.value2"],
    ["sum without property", { kind: "event", event: "e", window: { kind: "ever" }, measure: { fn: "sum" }, cmp: { op: "gte", value: 3 } }, "definition.measure.property"],
    ["zero-length window", { kind: "did_not", event: "e", window: { kind: "last", n: 0, unit: "day" } }, "definition.window.n"],
    ["between_ago reversed", { kind: "did_not", event: "e", window: { kind: "between_ago", from: { n: 7, unit: "day" }, to: { n: 14, unit: "day" } } }, "definition.window.from"],
    ["absolute without bounds", { kind: "did_not", event: "e", window: { kind: "absolute" } }, "definition.window"],
    ["absolute bad date", { kind: "did_not", event: "e", window: { kind: "absolute", from: "2024-02-30" } }, "definition.window.from"],
    ["person filter in where", { kind: "did_not", event: "e", where: [{ property: "city", type: "person", op: "eq", value: "x" }], window: { kind: "ever" } }, "definition.where.0"],
    ["month gap", { kind: "sequence", steps: [{ event: "a" }, { event: "b" }], within: { n: 1, unit: "month" }, window: { kind: "ever" }, completed: true }, "definition.within.unit"],
    ["three steps", { kind: "sequence", steps: [{ event: "a" }, { event: "b" }, { event: "c" }], within: { n: 1, unit: "day" }, window: { kind: "ever" }, completed: true }, "definition.steps"],
    ["date op without duration", { kind: "attr", property: "signup", op: "date_in_last", value: 7 }, "definition.value"],
    ["date_between with one date", { kind: "attr", property: "signup", op: "date_between", value: ["2024-01-01"] }, "definition.value"],
    ["duration on eq", { kind: "attr", property: "signup", op: "eq", value: { n: 1, unit: "day" } }, "definition.value"],
    ["in without array", { kind: "attr", property: "city", op: "in", value: "x" }, "definition.value"],
    ["bad regex", { kind: "attr", property: "city", op: "regex", value: "(" }, "definition.value"],
    ["tag as attr", { kind: "attr", property: "$tag:vip", op: "is_set" }, "definition.property"],
    ["pack as attr", { kind: "attr", property: "$audience:3", op: "eq", value: true }, "definition.property"],
  ])("%s", (_name, input, path) => {
    expect(issuesOf(input).map((i) => i.path)).toContain(path);
  });

  test("date operators accept their documented values", () => {
    for (const node of [
      { kind: "attr", property: "birthday", op: "anniversary_in_next", value: { n: 7, unit: "day" } },
      { kind: "attr", property: "signup", op: "date_more_than_ago", value: { n: 3, unit: "month" } },
      { kind: "attr", property: "signup", op: "date_before", value: "2024-01-31" },
      { kind: "attr", property: "signup", op: "date_between", value: ["2024-01-01", "2024-01-31T12:00:00Z"] },
      { kind: "attr", property: "vip", op: "is_set" },
      { kind: "tag", tag: "rfm_class", present: true, value: "重要价值客户" },
    ]) expect(Definition.safeParse(node).success).toBe(true);
  });
});

test("showPath renders zod paths the way users read them", () => {
  expect(showPath([])).toBe("(root)");
  expect(showPath(["children", 2, "child", "window"])).toBe("children[2].child.window");
});
