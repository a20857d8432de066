/**
 * What makes a pack static (static.ts): its definition reads its own members. Kept free of server imports
 * so the dashboard can tell a saved list from a rule.
 */
import type { Node } from "./definition.ts";

/** staticDefinition is the definition of static pack `id`: its own members. */
export function staticDefinition(id: number): Node {
  return { kind: "audience", audience: String(id), member: true };
}

/** isStatic tells whether a pack is a static list. */
export function isStatic(a: { readonly id: number; readonly definition: Node }): boolean {
  const d = a.definition;
  return d.kind === "audience" && d.member && d.audience === String(a.id);
}
