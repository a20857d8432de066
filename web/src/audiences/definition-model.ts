/**
 * The audience builder's model: the SPEC §6 definition tree and pure edits on it by path (a list of
 * child indexes; "not" has one child at index 0), so every change is one immutable replace. Limits are
 * the server's (depth ≤ 6, ≤ 50 leaves), checked here to grey out buttons before the server says no.
 */
import type { Node, Window } from "../../../src/audiences/definition.ts";

export type { Node, Window };
export type LeafKind = "attr" | "tag" | "audience" | "event" | "did_not" | "sequence";
export type Path = readonly number[];

export const MAX_DEPTH = 6;
export const MAX_LEAVES = 50;

const LAST_30_DAYS: Window = { kind: "last", n: 30, unit: "day" };

/** newLeaf is a sensible starting condition of each kind (the user fills in names). */
export function newLeaf(kind: LeafKind): Node {
  switch (kind) {
    case "attr":
      return { kind: "attr", property: "", op: "eq", value: "" };
    case "tag":
      return { kind: "tag", tag: "", present: true };
    case "audience":
      return { kind: "audience", audience: "", member: true };
    case "event":
      return { kind: "event", event: "", window: LAST_30_DAYS, measure: { fn: "count" }, cmp: { op: "gte", value: 1 } };
    case "did_not":
      return { kind: "did_not", event: "", window: LAST_30_DAYS };
    case "sequence":
      return { kind: "sequence", steps: [{ event: "" }, { event: "" }], within: { n: 30, unit: "minute" }, window: { kind: "last", n: 7, unit: "day" }, completed: true };
  }
}

/** children lists a node's children (none for leaves). */
export function children(n: Node): Node[] {
  if (n.kind === "and" || n.kind === "or") return n.children;
  if (n.kind === "not") return [n.child];
  return [];
}

function withChildren(n: Node, kids: Node[]): Node {
  if (n.kind === "and" || n.kind === "or") return { ...n, children: kids };
  if (n.kind === "not") return { kind: "not", child: kids[0]! };
  return n;
}

/** at returns the node at a path. */
export function at(root: Node, path: Path): Node {
  return path.reduce((n, i) => children(n)[i]!, root);
}

/** replace returns a new tree with the node at `path` replaced. */
export function replace(root: Node, path: Path, node: Node): Node {
  if (path.length === 0) return node;
  const [i, ...rest] = path;
  const kids = children(root);
  return withChildren(root, kids.map((k, j) => (j === i ? replace(k, rest, node) : k)));
}

/**
 * remove deletes the node at `path`. A group left empty goes with it, and a "not" loses its only
 * child by going too; the root itself is never removed (it becomes an empty "all of" instead).
 */
export function remove(root: Node, path: Path): Node {
  if (path.length === 0) return { kind: "and", children: [] };
  const parentPath = path.slice(0, -1);
  const parent = at(root, parentPath);
  const kids = children(parent).filter((_, j) => j !== path[path.length - 1]);
  if (kids.length === 0 && parentPath.length > 0) return remove(root, parentPath);
  if (kids.length === 0) return { kind: parent.kind === "or" ? "or" : "and", children: [] };
  return replace(root, parentPath, withChildren(parent, kids));
}

/** append adds a child to the group at `path`. */
export function append(root: Node, path: Path, child: Node): Node {
  const g = at(root, path);
  return replace(root, path, withChildren(g, [...children(g), child]));
}

/** toggleNot wraps a node in "not", or unwraps it when it already is one. */
export function toggleNot(root: Node, path: Path): Node {
  const n = at(root, path);
  return replace(root, path, n.kind === "not" ? n.child : { kind: "not", child: n });
}

/** depth counts nodes on the longest root-to-leaf path (a lone leaf has depth 1), as the server does. */
export function depth(n: Node): number {
  const kids = children(n);
  return 1 + (kids.length ? Math.max(...kids.map(depth)) : 0);
}

export function leafCount(n: Node): number {
  const kids = children(n);
  return n.kind === "and" || n.kind === "or" || n.kind === "not" ? kids.reduce((s, k) => s + leafCount(k), 0) : 1;
}

/**
 * incomplete lists paths of conditions that cannot be evaluated yet (no event name, no property…), so
 * the live count waits for them instead of showing an error while someone is still typing. An empty
 * root group is complete: it means "everyone".
 */
export function incomplete(n: Node, path: Path = []): Path[] {
  switch (n.kind) {
    case "and":
    case "or":
      if (n.children.length === 0 && path.length > 0) return [path];
      return n.children.flatMap((c, i) => incomplete(c, [...path, i]));
    case "not":
      return incomplete(n.child, [...path, 0]);
    case "attr":
      return n.property.trim() === "" ? [path] : [];
    case "tag":
      return n.tag.trim() === "" ? [path] : [];
    case "audience":
      return n.audience === "" ? [path] : [];
    case "event":
      return n.event.trim() === "" || ("property" in n.measure && n.measure.property.trim() === "") ? [path] : [];
    case "did_not":
      return n.event.trim() === "" ? [path] : [];
    case "sequence":
      return n.steps.some((s) => s.event.trim() === "") ? [path] : [];
  }
}

/** conditionNumbers names condition paths as the editor numbers them: [6, 0] → "7.1". */
export function conditionNumbers(paths: Path[]): string[] {
  return paths.map((p) => p.map((i) => i + 1).join("."));
}

/** sendable turns the edited tree into what the server accepts: an empty root group is "everyone". */
export function sendable(n: Node): Node | null {
  if ((n.kind === "and" || n.kind === "or") && n.children.length === 0) return null;
  return n;
}
