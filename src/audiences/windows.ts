/**
 * Window resolution: every window becomes one half-open range `[from, to)` of integer milliseconds,
 * computed once per evaluation from `asOf` in the project time zone (reference/automation.md §3.3:
 * edges computed per run avoid the edge disagreements of UTC day diffs and 30-day months).
 *
 * - `last n unit`          = (asOf − n·unit, asOf]            = [asOf − n·unit + 1, asOf + 1)
 * - `between_ago from, to` = (asOf − from, asOf − to]         = [asOf − from + 1, asOf − to + 1)
 * - `absolute from, to`    = [start of from, end of to), where a date means its whole local day and a
 *                            datetime is inclusive (`to: "…T10:00:00Z"` includes 10:00:00.000)
 * - `ever`                 = everything up to asOf
 * Every window is then clipped to `ts ≤ asOf`: an evaluation sees the world as of `asOf`, so a rerun
 * of a past day gives that day's answer even after newer events arrived.
 */
import type { Window } from "./definition.ts";
import { parseDateInput, shift } from "./zone.ts";

/** Range is `[from, to)` in integer epoch milliseconds; `from ≥ to` is an empty range. */
export interface Range {
  readonly from: number;
  readonly to: number;
}

/** resolveWindow turns a window into a range as of `asOf` (integer ms) in time zone `tz`. */
export function resolveWindow(w: Window, asOf: number, tz: string): Range {
  const end = asOf + 1;
  switch (w.kind) {
    case "ever":
      return { from: Number.NEGATIVE_INFINITY, to: end };
    case "last":
      return { from: shift(asOf, w, -1, tz) + 1, to: end };
    case "between_ago":
      return { from: shift(asOf, w.from, -1, tz) + 1, to: Math.min(end, shift(asOf, w.to, -1, tz) + 1) };
    case "absolute": {
      const from = w.from === undefined ? Number.NEGATIVE_INFINITY : (parseDateInput(w.from, tz)?.start ?? end);
      const to = w.to === undefined ? end : (parseDateInput(w.to, tz)?.end ?? from);
      return { from, to: Math.min(to, end) };
    }
  }
}

/** inRange tests one timestamp against a range. */
export function inRange(r: Range, ts: number): boolean {
  return ts >= r.from && ts < r.to;
}
