/**
 * Protects the audience builder's edits: replace/append/remove by path never touch siblings, emptied
 * groups disappear instead of becoming invalid empty groups, "not" wraps and unwraps, depth and leaf
 * counts match the server's limits, and half-filled conditions hold the live count back.
 */
import { describe, expect, test } from "bun:test";
import { append, at, conditionNumbers, depth, incomplete, leafCount, newLeaf, remove, replace, sendable, toggleNot, type Node } from "./definition-model.ts";

const tag = (name: string): Node => ({ kind: "tag", tag: name, present: true });
const tree: Node = { kind: "and", children: [tag("a"), { kind: "or", children: [tag("b"), { kind: "not", child: tag("c") }] }] };

describe("edits by path", () => {
  test("at, replace and append", () => {
    expect(at(tree, [1, 1, 0])).toEqual(tag("c"));
    const r = replace(tree, [1, 0], tag("B"));
    expect(at(r, [1, 0])).toEqual(tag("B"));
    expect(at(r, [1, 1])).toBe(at(tree, [1, 1]));
    expect(children(at(append(tree, [1], tag("d")), [1]))).toEqual(["b", "not", "d"]);
  });

  test("remove: siblings stay; an emptied group or not goes too; the root stays a group", () => {
    expect(remove(tree, [1, 0])).toEqual({ kind: "and", children: [tag("a"), { kind: "or", children: [{ kind: "not", child: tag("c") }] }] });
    expect(remove(tree, [1, 1, 0])).toEqual({ kind: "and", children: [tag("a"), { kind: "or", children: [tag("b")] }] });
    expect(remove({ kind: "or", children: [tag("x")] }, [0])).toEqual({ kind: "or", children: [] });
    expect(remove(tree, [])).toEqual({ kind: "and", children: [] });
  });

  test("not wraps and unwraps", () => {
    const wrapped = toggleNot(tree, [0]);
    expect(at(wrapped, [0])).toEqual({ kind: "not", child: tag("a") });
    expect(toggleNot(wrapped, [0])).toEqual(tree);
  });
});

describe("limits and completeness", () => {
  test("depth and leaves count like the server", () => {
    expect(depth(tag("x"))).toBe(1);
    expect(depth(tree)).toBe(4);
    expect(leafCount(tree)).toBe(3);
  });

  test("half-filled conditions and empty inner groups are incomplete; an empty root is everyone", () => {
    const t: Node = { kind: "and", children: [newLeaf("event"), tag("ok"), { kind: "or", children: [] }, { kind: "sequence", steps: [{ event: "a" }, { event: "" }], within: { n: 1, unit: "hour" }, window: { kind: "ever" }, completed: true }] };
    expect(incomplete(t)).toEqual([[0], [2], [3]]);
    expect(incomplete({ kind: "and", children: [] })).toEqual([]);
    expect(sendable({ kind: "and", children: [] })).toBeNull();
    expect(incomplete({ kind: "event", event: "pay", window: { kind: "ever" }, measure: { fn: "sum", property: "" }, cmp: { op: "gt", value: 0 } })).toEqual([[]]);
  });
});

function children(n: Node): string[] {
  return n.kind === "or" || n.kind === "and" ? n.children.map((c) => (c.kind === "tag" ? c.tag : c.kind)) : [];
}

test("unfinished conditions are named as the editor numbers them", () => {
  const t: Node = { kind: "and", children: [tag("ok"), newLeaf("event"), { kind: "or", children: [tag("ok"), newLeaf("attr")] }] };
  expect(conditionNumbers(incomplete(t))).toEqual(["2", "3.2"]);
});

test("a new A-then-B condition means what its name says: A, then B", () => {
  expect(newLeaf("sequence")).toMatchObject({ kind: "sequence", completed: true });
});
