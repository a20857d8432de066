/**
 * The filter editor's model: the query grammar's filter (SPEC §5) seen as "all of" / "any of" a flat
 * list of property conditions, which is what the editor shows. Deeper trees (from an edited link or the
 * API) are kept as they are and edited as JSON rather than silently flattened.
 */
import type { Filter, FilterLeaf, FilterOp } from "../query/types.ts";

export type Scalar = string | number | boolean | null;

export interface FlatFilter {
  mode: "and" | "or";
  leaves: FilterLeaf[];
}

const isLeaf = (f: Filter): f is FilterLeaf => "property" in f;

/** flatten reads a filter as a flat list, or null when it is nested deeper than the editor shows. */
export function flatten(f: Filter | undefined): FlatFilter | null {
  if (f === undefined) return { mode: "and", leaves: [] };
  if (isLeaf(f)) return { mode: "and", leaves: [f] };
  if ("and" in f && f.and.every(isLeaf)) return { mode: "and", leaves: f.and };
  if ("or" in f && f.or.every(isLeaf)) return { mode: "or", leaves: f.or };
  return null;
}

/** unflatten builds the smallest filter for a flat list (undefined when empty, a bare leaf when one). */
export function unflatten(flat: FlatFilter): Filter | undefined {
  const leaves = flat.leaves.filter(isComplete);
  if (leaves.length === 0) return undefined;
  if (leaves.length === 1) return leaves[0];
  return flat.mode === "and" ? { and: leaves } : { or: leaves };
}

export const NO_VALUE_OPS: readonly FilterOp[] = ["is_set", "is_not_set"];
export const LIST_OPS: readonly FilterOp[] = ["in", "not_in"];
export const NUMBER_OPS: readonly FilterOp[] = ["gt", "gte", "lt", "lte", "between"];
export const ALL_OPS: readonly FilterOp[] = [
  "eq", "neq", "in", "not_in", "contains", "not_contains", "starts_with", "regex", "gt", "gte", "lt", "lte", "between", "is_set", "is_not_set",
];

/** isComplete tells whether a condition can be sent (a half-typed row is left out of the query). */
export function isComplete(l: FilterLeaf): boolean {
  if (l.property.trim() === "") return false;
  if (NO_VALUE_OPS.includes(l.op)) return true;
  const v = l.value;
  if (l.op === "between") return Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === "number" && Number.isFinite(x));
  if (LIST_OPS.includes(l.op)) return Array.isArray(v) && v.length > 0;
  if (NUMBER_OPS.includes(l.op)) return typeof v === "number" && Number.isFinite(v);
  return v !== undefined && v !== "";
}

/**
 * coerce turns typed text into the value to compare with: numbers for numeric operators, and for the
 * others a number or boolean only when the property's known values are of that type (a product id
 * "007" stays text unless the data says otherwise).
 */
export function coerce(text: string, op: FilterOp, known: readonly Scalar[]): Scalar {
  const t = text.trim();
  if (NUMBER_OPS.includes(op)) return t === "" ? null : Number(t);
  const typed = known.find((k) => String(k) === t);
  if (typed !== undefined) return typed;
  if (known.length > 0 && known.every((k) => typeof k === "number") && t !== "" && Number.isFinite(Number(t))) return Number(t);
  if (known.length > 0 && known.every((k) => typeof k === "boolean") && (t === "true" || t === "false")) return t === "true";
  return t;
}

/** valueText shows a leaf's value in its input: lists comma-separated. */
export function valueText(v: FilterLeaf["value"]): string {
  if (v === undefined || v === null) return "";
  return Array.isArray(v) ? v.map((x) => String(x)).join(", ") : String(v);
}

/** withOp changes the operator and reshapes the value so it stays valid for the new operator. */
export function withOp(l: FilterLeaf, op: FilterOp, known: readonly Scalar[]): FilterLeaf {
  const text = valueText(l.value);
  if (NO_VALUE_OPS.includes(op)) return { property: l.property, type: l.type, op };
  if (op === "between") {
    const [a = "", b = ""] = text.split(",").map((s) => s.trim());
    return { ...l, op, value: [a === "" ? null : Number(a), b === "" ? null : Number(b)] };
  }
  if (LIST_OPS.includes(op)) return { ...l, op, value: listValue(text, op, known) };
  return { ...l, op, value: coerce(text.split(",")[0] ?? "", op, known) };
}

/** listValue parses "a, b, c" for in / not_in. */
export function listValue(text: string, op: FilterOp, known: readonly Scalar[]): Scalar[] {
  return text.split(",").map((s) => s.trim()).filter((s) => s !== "").map((s) => coerce(s, op, known));
}
