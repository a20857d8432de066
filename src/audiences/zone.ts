/**
 * Calendar arithmetic in the project time zone, shared by windows, date operators and day counts.
 *
 * Temporal (built into Bun 1.4.5) does the zoned arithmetic, so "7 days before 23:59:59.999" is
 * 23:59:59.999 seven local days earlier even across a DST change, and "1 month before 31 March" is the
 * last day of February (Temporal's `constrain` overflow). Local times that fall into a DST gap move
 * forward and ambiguous ones take the earlier offset (Temporal's `compatible` disambiguation).
 */
import { zone, type Zone } from "../query/zone.ts";

/** TimeUnit is every unit a duration may use; month is the only one without a fixed length. */
export type TimeUnit = "second" | "minute" | "hour" | "day" | "week" | "month";

/** Duration is `n` units, as written in definitions (`{"n":30,"unit":"day"}`). */
export interface Duration {
  readonly n: number;
  readonly unit: TimeUnit;
}

const FIXED_MS: Partial<Record<TimeUnit, number>> = { second: 1_000, minute: 60_000, hour: 3_600_000 };

/** DAY_MS is the length of a UTC day (local days may be 23 or 25 hours long). */
export const DAY_MS = 86_400_000;

function zoned(ms: number, tz: string): Temporal.ZonedDateTime {
  return Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(tz);
}

/**
 * shift moves an instant by ±duration: seconds, minutes and hours as exact elapsed time, days, weeks
 * and months as local calendar steps in `tz`.
 */
export function shift(ms: number, d: Duration, sign: 1 | -1, tz: string): number {
  const fixed = FIXED_MS[d.unit];
  if (fixed !== undefined) return ms + sign * d.n * fixed;
  const by = d.unit === "day" ? { days: d.n } : d.unit === "week" ? { weeks: d.n } : { months: d.n };
  const z = zoned(ms, tz);
  return (sign === 1 ? z.add(by) : z.subtract(by)).epochMilliseconds;
}

/** GapUnit is a unit of fixed length: a day here is 24 hours of elapsed time. */
export type GapUnit = Exclude<TimeUnit, "month">;

/** elapsedMs is the exact length of a fixed-length duration ("within 2 days" = 48 hours, as in funnels). */
export function elapsedMs(d: { readonly n: number; readonly unit: GapUnit }): number {
  return d.n * (FIXED_MS[d.unit] ?? (d.unit === "day" ? DAY_MS : 7 * DAY_MS));
}

/** nominalMs is a duration's typical length (a month counts 30 days); only for sanity checks. */
export function nominalMs(d: Duration): number {
  return d.unit === "month" ? d.n * 30 * DAY_MS : elapsedMs({ n: d.n, unit: d.unit });
}

/** startOfLocalDay returns the first millisecond of the local day containing `ms`. */
export function startOfLocalDay(ms: number, tz: string): number {
  return zoned(ms, tz).startOfDay().epochMilliseconds;
}

/**
 * t1AsOf is the asOf a nightly (T+1) run uses: the last millisecond of yesterday in `tz`.
 * With it, `last 7 days` covers exactly the seven full local days before today, for events and for
 * date-only traits alike, and "anniversary in the next 1 day" means "today".
 */
export function t1AsOf(nowMs: number, tz: string): number {
  return startOfLocalDay(nowMs, tz) - 1;
}

/** DateSpan is a date input resolved to `[start, end)` in ms; a datetime spans one millisecond. */
export interface DateSpan {
  readonly start: number;
  readonly end: number;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const HAS_OFFSET = /(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * parseDateInput reads `2024-01-31` (the whole local day), an ISO datetime with an offset (that
 * instant) or without one (that local wall time in `tz`); anything else is null.
 */
export function parseDateInput(s: string, tz: string): DateSpan | null {
  try {
    if (DATE_ONLY.test(s)) {
      const day = Temporal.PlainDate.from(s, { overflow: "reject" });
      const start = day.toZonedDateTime({ timeZone: tz }).epochMilliseconds;
      const end = day.add({ days: 1 }).toZonedDateTime({ timeZone: tz }).epochMilliseconds;
      return { start, end };
    }
    if (!DATE_TIME.test(s)) return null;
    const iso = s.replace(" ", "T");
    const ms = HAS_OFFSET.test(iso)
      ? Temporal.Instant.from(iso).epochMilliseconds
      : Temporal.PlainDateTime.from(iso, { overflow: "reject" }).toZonedDateTime(tz).epochMilliseconds;
    return { start: ms, end: ms + 1 };
  } catch {
    return null;
  }
}

/** isDateInput validates a date input without a time zone (any valid zone gives the same answer). */
export function isDateInput(s: string): boolean {
  return parseDateInput(s, "UTC") !== null;
}

/**
 * valueToInstant reads a trait as a point in time: date strings as in parseDateInput (a date-only
 * value is the start of its local day), numbers as epoch milliseconds, or epoch seconds when below
 * 10^11 (connectors send both; 10^11 s is the year 5138, 10^11 ms is March 1973).
 */
export function valueToInstant(v: unknown, tz: string): number | null {
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return null;
    return Math.abs(v) < 1e11 ? v * 1000 : v;
  }
  if (typeof v !== "string") return null;
  return parseDateInput(v.trim(), tz)?.start ?? null;
}

/**
 * LocalDays numbers local days (days since 1970-01-01 local) fast enough to call per event, on the
 * query room's offset tables (src/query/zone.ts), so analyses and audiences agree on every local day.
 */
export class LocalDays {
  readonly #zone: Zone;

  constructor(tz: string) {
    this.#zone = zone(tz);
  }

  /** day returns the local day number of an instant. */
  day(ms: number): number {
    return Math.floor(this.#zone.wall(ms) / DAY_MS);
  }
}

const localDaysByZone = new Map<string, LocalDays>();

/** localDays returns the shared LocalDays of a zone. */
export function localDays(tz: string): LocalDays {
  let d = localDaysByZone.get(tz);
  if (!d) localDaysByZone.set(tz, (d = new LocalDays(tz)));
  return d;
}
