/**
 * `attr` leaves: the §5 operators (reused from the shared filter grammar, so "5" = 5 everywhere) plus
 * date operators. Both evaluators call the predicate built here — per person, or once per distinct
 * trait value in the set evaluator — so attribute semantics cannot drift between them.
 *
 * Date semantics (values read by `valueToInstant`: a date-only trait is the start of its local day):
 * - `date_in_last d`        value ∈ (asOf − d, asOf]
 * - `date_more_than_ago d`  value ≤ asOf − d   (the past complement of date_in_last)
 * - `date_in_next d`        value ∈ (asOf, asOf + d]
 * - `anniversary_in_next d` the value's month-day, as a whole local day in any year, falls in the local
 *                           days [day of asOf + 1 ms, + d); 29 February falls on 28 February in other
 *                           years. With the nightly asOf (end of yesterday) or any time today,
 *                           `{n:1,unit:"day"}` means today and `{n:7,unit:"day"}` today and the next 6 days.
 * - `date_before X`         value < start of X;  `date_after X`  value ≥ end of X (after that whole day,
 *                           or strictly after a datetime); `date_between [X, Y]` start of X ≤ value < end of Y.
 */
import { compileLeaf, type FilterOp } from "../query/filter.ts";
import type { AttrNode, Duration } from "./definition.ts";
import { DAY_MS, parseDateInput, shift, startOfLocalDay, valueToInstant } from "./zone.ts";

/** AttrTest decides one attribute value. */
export type AttrTest = (value: unknown) => boolean;

/** compileAttr builds the value test of an `attr` leaf for one asOf and time zone. */
export function compileAttr(node: AttrNode, asOf: number, tz: string): AttrTest {
  const instant = (v: unknown) => valueToInstant(v, tz);
  switch (node.op) {
    case "date_in_last": {
      const lo = shift(asOf, node.value as Duration, -1, tz);
      return (v) => { const t = instant(v); return t !== null && t > lo && t <= asOf; };
    }
    case "date_more_than_ago": {
      const hi = shift(asOf, node.value as Duration, -1, tz);
      return (v) => { const t = instant(v); return t !== null && t <= hi; };
    }
    case "date_in_next": {
      const hi = shift(asOf, node.value as Duration, 1, tz);
      return (v) => { const t = instant(v); return t !== null && t > asOf && t <= hi; };
    }
    case "anniversary_in_next": {
      // Whole local days from the day after asOf's last millisecond: the nightly asOf (end of yesterday)
      // and any instant of today both give today and the n − 1 days after it, never n + 1 local days.
      const day = startOfLocalDay(asOf + 1, tz) - 1;
      return anniversaryTest(day, shift(day, node.value as Duration, 1, tz), tz);
    }
    case "date_before": {
      const bound = parseDateInput(node.value as string, tz)!.start;
      return (v) => { const t = instant(v); return t !== null && t < bound; };
    }
    case "date_after": {
      const bound = parseDateInput(node.value as string, tz)!.end;
      return (v) => { const t = instant(v); return t !== null && t >= bound; };
    }
    case "date_between": {
      const [a, b] = node.value as [string, string];
      const lo = parseDateInput(a, tz)!.start;
      const hi = parseDateInput(b, tz)!.end;
      return (v) => { const t = instant(v); return t !== null && t >= lo && t < hi; };
    }
    default:
      return compileLeaf(node.op satisfies FilterOp, node.value);
  }
}

/** anniversaryTest matches values whose local month-day overlaps `(asOf, hi]` in some year. */
function anniversaryTest(asOf: number, hi: number, tz: string): AttrTest {
  const firstYear = Temporal.Instant.fromEpochMilliseconds(asOf).toZonedDateTimeISO(tz).year;
  const lastYear = Temporal.Instant.fromEpochMilliseconds(hi).toZonedDateTimeISO(tz).year;
  // Integer ms: the local day [start, end) overlaps [asOf + 1, hi] when start ≤ hi and end > asOf + 1.
  const overlaps = (year: number, month: number, day: number) => {
    const leapless = month === 2 && day === 29 && !Temporal.PlainDate.from({ year, month: 1, day: 1 }).inLeapYear;
    const d = Temporal.PlainDate.from({ year, month, day: leapless ? 28 : day });
    const start = d.toZonedDateTime({ timeZone: tz }).epochMilliseconds;
    const end = d.add({ days: 1 }).toZonedDateTime({ timeZone: tz }).epochMilliseconds;
    return start <= hi && end > asOf + 1;
  };
  const coversAYear = hi - asOf >= 366 * DAY_MS;
  return (v) => {
    const t = valueToInstant(v, tz);
    if (t === null) return false;
    if (coversAYear) return true;
    const local = Temporal.Instant.fromEpochMilliseconds(t).toZonedDateTimeISO(tz);
    for (let y = firstYear; y <= lastYear; y++) if (overlaps(y, local.month, local.day)) return true;
    return false;
  };
}
