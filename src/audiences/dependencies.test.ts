/**
 * Protects nested audiences: references are found at any depth with their paths, materialisation
 * order puts every pack after what it reads, and cycles (including self-reference and cycles through
 * rule tags) are refused with a message that shows the loop.
 */
import { describe, expect, test } from "bun:test";
import type { Node } from "./definition.ts";
import { CycleError, dependencyKeys, dependencyOrder, referencesOf } from "./dependencies.ts";

const aud = (id: string): Node => ({ kind: "audience", audience: id, member: true });
const tag = (name: string): Node => ({ kind: "tag", tag: name, present: false });

test("references are found at any depth with their paths", () => {
  const def: Node = { kind: "and", children: [aud("1"), { kind: "not", child: { kind: "or", children: [tag("vip"), aud("1")] } }] };
  expect(referencesOf(def)).toEqual([
    { kind: "audience", ref: "1", path: ["children", 0] },
    { kind: "tag", ref: "vip", path: ["children", 1, "child", "children", 0] },
    { kind: "audience", ref: "1", path: ["children", 1, "child", "children", 1] },
  ]);
  expect(dependencyKeys(def)).toEqual(["audience:1", "tag:vip"]);
});

describe("dependencyOrder", () => {
  test("every item comes after what it reads; unknown deps are leaves; otherwise input order", () => {
    const order = dependencyOrder([
      { key: "audience:3", deps: ["audience:2", "tag:vip"] },
      { key: "audience:1", deps: [] },
      { key: "audience:2", deps: ["tag:rfm", "tag:manual"] },
      { key: "tag:rfm", deps: [] },
      { key: "tag:vip", deps: ["audience:1"] },
    ]);
    expect(order).toEqual(["tag:rfm", "audience:2", "audience:1", "tag:vip", "audience:3"]);
  });

  test.each([
    ["self-reference", [{ key: "audience:1", deps: ["audience:1"] }], "audience 1 → audience 1"],
    ["through others", [
      { key: "audience:1", deps: ["audience:2"] },
      { key: "audience:2", deps: ["audience:3"] },
      { key: "audience:3", deps: ["audience:1"] },
    ], "audience 1 → audience 2 → audience 3 → audience 1"],
    ["through a rule tag", [
      { key: "audience:4", deps: ["audience:9"] },
      { key: "audience:9", deps: ["tag:loyal"] },
      { key: "tag:loyal", deps: ["audience:9"] },
    ], "audience 9 → tag loyal → audience 9"],
  ])("a cycle %s is refused with the loop in the message", (_name, items, loop) => {
    expect(() => dependencyOrder(items)).toThrow(CycleError);
    expect(() => dependencyOrder(items)).toThrow(`dependency cycle: ${loop}`);
  });
});
