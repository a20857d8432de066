/**
 * The comparison half of `event` leaves, shared by both evaluators.
 *
 * Zero semantics (PostHog and Unomi never match a count of 0 unless asked): when no event contributes
 * to the measure — no matching event in the window, or, for sum/avg/min/max, none carrying a numeric
 * value — the person matches only if `includeZero` is set and 0 satisfies the comparison. So
 * `count lte 2` means 1..2, and 0..2 with includeZero; `did_not` is the explicit "zero".
 */
import type { Cmp } from "./definition.ts";

/** numericValue reads a property as a number the way the §5 filters do (numbers and numeric text). */
export function numericValue(x: unknown): number | null {
  if (typeof x === "number") return Number.isFinite(x) ? x : null;
  if (typeof x === "string" && x.trim() !== "") {
    const n = Number(x);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/** compileCmp returns the numeric test of a comparison (between is inclusive at both ends). */
export function compileCmp(c: Cmp): (x: number) => boolean {
  const v = c.value;
  switch (c.op) {
    case "gte": return (x) => x >= v;
    case "gt": return (x) => x > v;
    case "lte": return (x) => x <= v;
    case "lt": return (x) => x < v;
    case "eq": return (x) => x === v;
    case "between": {
      const v2 = c.value2 ?? v;
      return (x) => x >= v && x <= v2;
    }
  }
}

/** zeroMatches says whether a person with nothing to measure matches the comparison. */
export function zeroMatches(c: Cmp): boolean {
  return c.includeZero === true && compileCmp(c)(0);
}
