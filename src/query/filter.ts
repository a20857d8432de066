/**
 * The one filter grammar used everywhere (SPEC §5): `{and}`, `{or}`, `{not}` and property leaves.
 * `compileFilter` turns a filter into a predicate over a property getter, so the column store can
 * evaluate a leaf once per dictionary value and the single-person evaluators can reuse it as is.
 */
import { z } from "zod";

export const FilterOp = z.enum([
  "eq", "neq", "gt", "gte", "lt", "lte", "in", "not_in", "contains", "not_contains",
  "starts_with", "regex", "is_set", "is_not_set", "between",
]);
export type FilterOp = z.infer<typeof FilterOp>;

const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** A leaf compares one event or person property with a value. */
export const FilterLeaf = z
  .object({
    property: z.string().min(1).max(200),
    type: z.enum(["event", "person"]).default("event"),
    op: FilterOp,
    value: z.union([Scalar, z.array(Scalar).max(1000)]).optional(),
  })
  .superRefine((leaf, ctx) => {
    const v = leaf.value;
    const need = (ok: boolean, msg: string) => ok || ctx.addIssue({ code: "custom", path: ["value"], message: msg });
    switch (leaf.op) {
      case "is_set": case "is_not_set": return;
      case "in": case "not_in": return void need(Array.isArray(v), `op ${leaf.op} needs an array value`);
      case "between":
        return void need(Array.isArray(v) && v.length === 2, "op between needs [from, to]");
      case "regex":
        if (typeof v !== "string") return void need(false, "op regex needs a string pattern");
        try { new RegExp(v); } catch { need(false, "invalid regular expression"); }
        return;
      default: return void need(v !== undefined, `op ${leaf.op} needs a value`);
    }
  });
export type FilterLeaf = z.infer<typeof FilterLeaf>;

export type Filter = FilterLeaf | { and: Filter[] } | { or: Filter[] } | { not: Filter };

/** Filter is recursive; depth and size are bounded so a request cannot blow the stack. */
export const Filter: z.ZodType<Filter> = z.lazy(() =>
  z.union([
    z.object({ and: z.array(Filter).max(100) }).strict(),
    z.object({ or: z.array(Filter).max(100) }).strict(),
    z.object({ not: Filter }).strict(),
    FilterLeaf,
  ]),
);

/** leaves lists every leaf of a filter (to know which property columns a query needs). */
export function leaves(f: Filter | undefined): FilterLeaf[] {
  if (!f) return [];
  if ("and" in f) return f.and.flatMap(leaves);
  if ("or" in f) return f.or.flatMap(leaves);
  if ("not" in f) return leaves(f.not);
  return [f];
}

/** Getter returns a property value of the thing being filtered, or undefined when absent. */
export type Getter = (leaf: FilterLeaf) => unknown;

/** compileFilter returns a predicate; an absent filter matches everything. */
export function compileFilter(f: Filter | undefined): (get: Getter) => boolean {
  if (!f) return () => true;
  if ("and" in f) {
    const parts = f.and.map(compileFilter);
    return (get) => parts.every((p) => p(get));
  }
  if ("or" in f) {
    const parts = f.or.map(compileFilter);
    return (get) => parts.some((p) => p(get));
  }
  if ("not" in f) {
    const inner = compileFilter(f.not);
    return (get) => !inner(get);
  }
  const leaf = f;
  const test = compileLeaf(leaf.op, leaf.value);
  return (get) => test(get(leaf));
}

function isAbsent(x: unknown): boolean {
  return x === undefined || x === null || x === "";
}

function asNumber(x: unknown): number | null {
  if (typeof x === "number") return Number.isFinite(x) ? x : null;
  if (typeof x === "boolean") return null;
  if (typeof x === "string" && x.trim() !== "") {
    const n = Number(x);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function asTime(x: unknown): number | null {
  if (typeof x !== "string" || !ISO_DATE.test(x)) return null;
  const t = Date.parse(x);
  return Number.isNaN(t) ? null : t;
}

function text(x: unknown): string {
  if (typeof x === "string") return x;
  if (typeof x === "object" && x !== null) return JSON.stringify(x);
  return String(x);
}

/** equals compares numbers numerically and everything else by its text, as analysts expect ("5" = 5). */
export function equals(actual: unknown, expected: unknown): boolean {
  if (isAbsent(actual)) return isAbsent(expected);
  const a = asNumber(actual);
  const b = asNumber(expected);
  if (a !== null && b !== null) return a === b;
  return text(actual) === text(expected);
}

/**
 * compare orders numbers numerically, ISO dates chronologically, anything else as text. A number (or
 * numeric text, "5") is compared with numbers only: "abc" is not greater than "5" (PostHog's toFloat).
 */
export function compare(actual: unknown, expected: unknown): number | null {
  if (isAbsent(actual)) return null;
  const a = asNumber(actual);
  const b = asNumber(expected);
  if (a !== null && b !== null) return a - b;
  if (b !== null) return null;
  const ta = asTime(actual);
  const tb = asTime(expected);
  if (ta !== null && tb !== null) return ta - tb;
  const sa = text(actual);
  const sb = text(expected);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** compileLeaf returns the value test of one operator (absent values fail every positive test). */
export function compileLeaf(op: FilterOp, value: unknown): (actual: unknown) => boolean {
  const list = Array.isArray(value) ? value : [value];
  switch (op) {
    case "is_set": return (a) => !isAbsent(a);
    case "is_not_set": return (a) => isAbsent(a);
    case "eq": case "in": return (a) => list.some((v) => equals(a, v));
    case "neq": case "not_in": return (a) => !list.some((v) => equals(a, v));
    case "gt": return (a) => { const c = compare(a, value); return c !== null && c > 0; };
    case "gte": return (a) => { const c = compare(a, value); return c !== null && c >= 0; };
    case "lt": return (a) => { const c = compare(a, value); return c !== null && c < 0; };
    case "lte": return (a) => { const c = compare(a, value); return c !== null && c <= 0; };
    case "between": {
      const [lo, hi] = list;
      return (a) => {
        const c1 = compare(a, lo);
        const c2 = compare(a, hi);
        return c1 !== null && c2 !== null && c1 >= 0 && c2 <= 0;
      };
    }
    case "contains": case "not_contains": {
      const needles = list.map((v) => text(v).toLowerCase());
      const has = (a: unknown) => !isAbsent(a) && needles.some((n) => text(a).toLowerCase().includes(n));
      return op === "contains" ? has : (a) => !has(a);
    }
    case "starts_with": {
      const prefixes = list.map((v) => text(v).toLowerCase());
      return (a) => !isAbsent(a) && prefixes.some((p) => text(a).toLowerCase().startsWith(p));
    }
    case "regex": {
      const re = new RegExp(String(value));
      return (a) => !isAbsent(a) && re.test(text(a));
    }
  }
}
