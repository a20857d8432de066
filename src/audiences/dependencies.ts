/**
 * Definitions reference other audiences and tags; rule tags reference them too. Materialisation must
 * run in dependency order (a pack is computed after the packs and tags it reads), and no pack may
 * depend on itself through others — Mautic inlined nested segments and could loop (mautic#13088);
 * PostHog sorts nested cohorts topologically. Nodes are keyed `audience:<id>` and `tag:<name>`.
 */
import type { Node } from "./definition.ts";

/** Reference is one `tag` or `audience` leaf with its path in the definition. */
export interface Reference {
  readonly kind: "tag" | "audience";
  readonly ref: string;
  readonly path: (string | number)[];
}

/** referencesOf lists the tag and audience leaves of a definition with their paths. */
export function referencesOf(def: Node, path: (string | number)[] = []): Reference[] {
  switch (def.kind) {
    case "and": case "or": return def.children.flatMap((c, i) => referencesOf(c, [...path, "children", i]));
    case "not": return referencesOf(def.child, [...path, "child"]);
    case "tag": return [{ kind: "tag", ref: def.tag, path }];
    case "audience": return [{ kind: "audience", ref: def.audience, path }];
    default: return [];
  }
}

/** depKey names a dependency-graph node. */
export function depKey(kind: "tag" | "audience", ref: string): string {
  return `${kind}:${ref}`;
}

/** dependencyKeys returns the graph nodes a definition reads, without duplicates. */
export function dependencyKeys(def: Node): string[] {
  return [...new Set(referencesOf(def).map((r) => depKey(r.kind, r.ref)))];
}

/** DepItem is one graph node and the nodes it reads; unknown deps (manual tags) are leaves. */
export interface DepItem {
  readonly key: string;
  readonly deps: readonly string[];
}

/** CycleError reports a dependency cycle as the closed path of node keys. */
export class CycleError extends Error {
  override name = "CycleError";
  constructor(readonly cycle: readonly string[]) {
    super(`dependency cycle: ${cycle.map((k) => k.replace(":", " ")).join(" → ")}`);
  }
}

/**
 * dependencyOrder returns the keys so that every item comes after the items it depends on (stable:
 * otherwise in input order), or throws a CycleError naming one cycle.
 */
export function dependencyOrder(items: readonly DepItem[]): string[] {
  const byKey = new Map(items.map((i) => [i.key, i]));
  const state = new Map<string, "open" | "done">();
  const order: string[] = [];
  const trail: string[] = [];
  // Iterative DFS: graphs are small, but a recursion limit must not be the failure mode.
  for (const root of items) {
    if (state.has(root.key)) continue;
    const stack: { key: string; next: number }[] = [{ key: root.key, next: 0 }];
    state.set(root.key, "open");
    trail.push(root.key);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const deps = byKey.get(top.key)?.deps ?? [];
      if (top.next < deps.length) {
        const dep = deps[top.next++]!;
        if (!byKey.has(dep) || state.get(dep) === "done") continue;
        if (state.get(dep) === "open") throw new CycleError([...trail.slice(trail.indexOf(dep)), dep]);
        state.set(dep, "open");
        trail.push(dep);
        stack.push({ key: dep, next: 0 });
      } else {
        stack.pop();
        trail.pop();
        state.set(top.key, "done");
        order.push(top.key);
      }
    }
  }
  return order;
}
