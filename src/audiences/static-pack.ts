/**
 * What makes a pack static (static.ts): its definition reads its own members; and the description a list
 * saved from an analysis' persons gets, which names that analysis. Kept free of server imports so the
 * dashboard can tell a saved list from a rule, and where it came from.
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

/** savedFromDescription is the description of a pack saved from the persons of analysis `kind`. */
export function savedFromDescription(kind: string): string {
  return `saved from a ${kind} actors list`;
}

/** savedFromKind reads the analysis back from that description (null once someone rewrote it). */
export function savedFromKind(description: string | null): string | null {
  return /^saved from an? (\w+) actors list$/.exec(description ?? "")?.[1] ?? null;
}

/** CONTACT_COLUMNS are the identifiers a pack's CSV gives columns of their own (the first of each). */
export const CONTACT_COLUMNS = ["user_id", "email", "phone"] as const;
