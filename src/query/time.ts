/**
 * Calendar periods and query dates in the query's time zone. Per-row work never touches Intl:
 * kernels call `Buckets.indexOf`, a division when the buckets are equally long and a binary search
 * over their start instants otherwise; `Zone` (zone.ts) turns wall clocks into instants.
 *
 * Wall-clock values are "local time written as if it were UTC" in epoch ms, so `Date.UTC` does the
 * calendar for us. A bucket is the set of instants whose local time floors to the same label; its
 * start is the earliest such instant. Across DST that makes the repeated autumn hour one 2-hour
 * bucket, drops the skipped spring hour, and starts a day whose midnight does not exist at the
 * transition instant, so labels stay unique and increasing.
 */
import { QueryError } from "./errors.ts";
import { DAY, HOUR, zone } from "./zone.ts";

export type Interval = "hour" | "day" | "week" | "month";
export type WeekStart = "monday" | "sunday";

/** Calendar is the zone and week start a query's periods are computed in. */
export interface Calendar {
  zone: string;
  weekStart: WeekStart;
}

/** Range is a half-open span of instants [from, to) in epoch ms. */
export interface Range {
  from: number;
  to: number;
}

/** MAX_BUCKETS bounds a query's periods (e.g. hourly over ~13 months) so a request cannot exhaust memory. */
const MAX_BUCKETS = 10_000;

function monthStart(w: number, addMonths: number): number {
  const d = new Date(w);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + addMonths, 1);
}

/** floorWall floors a wall clock to the start of its hour, day, week or month. */
function floorWall(w: number, interval: Interval, weekStart: WeekStart): number {
  switch (interval) {
    case "hour": return Math.floor(w / HOUR) * HOUR;
    case "day": return Math.floor(w / DAY) * DAY;
    case "week": {
      const day = Math.floor(w / DAY);
      const dow = (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
      const back = (dow - (weekStart === "monday" ? 1 : 0) + 7) % 7;
      return (day - back) * DAY;
    }
    case "month": return monthStart(w, 0);
  }
}

/** addWall moves an interval-aligned wall clock by n intervals. */
function addWall(w: number, interval: Interval, n: number): number {
  switch (interval) {
    case "hour": return w + n * HOUR;
    case "day": return w + n * DAY;
    case "week": return w + 7 * n * DAY;
    case "month": return monthStart(w, n);
  }
}

/** shiftWall moves any wall clock by n calendar units, clamping the day of month (Mar 31 − 1 month = Feb 29). */
function shiftWall(w: number, unit: "hour" | "day" | "week" | "month" | "year", n: number): number {
  if (unit === "hour") return w + n * HOUR;
  if (unit === "day") return w + n * DAY;
  if (unit === "week") return w + 7 * n * DAY;
  const d = new Date(w);
  const months = d.getUTCFullYear() * 12 + d.getUTCMonth() + (unit === "year" ? 12 * n : n);
  const y = Math.floor(months / 12);
  const m = months - 12 * y;
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return Date.UTC(y, m, Math.min(d.getUTCDate(), last)) + (w - Math.floor(w / DAY) * DAY);
}

/** startOf returns the first instant of the calendar period containing instant t. */
export function startOf(cal: Calendar, t: number, interval: Interval): number {
  const z = zone(cal.zone);
  return z.instant(floorWall(z.wall(t), interval, cal.weekStart));
}

/** label formats a period's local start: "2020-06-10", or "2020-06-10T13:00" for hours. */
export function label(wallStart: number, interval: Interval): string {
  const iso = new Date(wallStart).toISOString();
  return interval === "hour" ? iso.slice(0, 13) + ":00" : iso.slice(0, 10);
}

/** Buckets are consecutive calendar periods; rows count only inside [lo, hi). */
export class Buckets {
  /** width is the common length of all buckets, or 0 when DST or months make them differ. */
  readonly width: number;

  constructor(
    /** starts has one entry per bucket plus the end of the last one. */
    readonly starts: Float64Array,
    readonly labels: string[],
    readonly interval: Interval,
    readonly lo: number,
    readonly hi: number,
  ) {
    let w = starts.length > 1 ? starts[1]! - starts[0]! : 0;
    for (let i = 2; i < starts.length && w; i++) if (starts[i]! - starts[i - 1]! !== w) w = 0;
    this.width = w;
  }

  get length(): number {
    return this.labels.length;
  }

  /** indexOf returns the bucket of instant t, or -1 outside [lo, hi). Hot: once per row. */
  indexOf(t: number): number {
    if (!(t >= this.lo && t < this.hi)) return -1;
    const s = this.starts;
    if (this.width) return Math.floor((t - s[0]!) / this.width);
    let a = 0;
    let b = s.length - 2;
    while (a < b) {
      const m = (a + b + 1) >> 1;
      if (s[m]! <= t) a = m;
      else b = m - 1;
    }
    return a;
  }
}

/**
 * buckets lists the periods of `interval` that overlap [range.from, range.to). With `whole`, rows
 * count over the full first and last periods (retention, lifecycle, stickiness reason in periods);
 * without, only inside the range (trends: a Wednesday start keeps the week labelled Monday).
 */
export function buckets(cal: Calendar, range: Range, interval: Interval, whole = false): Buckets {
  if (!(range.from < range.to)) throw new QueryError("dateFrom must be before dateTo");
  const z = zone(cal.zone);
  z.cover(range.from - 2 * DAY, range.to + 40 * DAY);
  const starts: number[] = [];
  const labels: string[] = [];
  let w = floorWall(z.wall(range.from), interval, cal.weekStart);
  for (;;) {
    const s = z.instant(w);
    if (starts.length && s <= starts[starts.length - 1]!) {
      labels[labels.length - 1] = label(w, interval); // the earlier label was skipped by a DST gap
    } else {
      if (s >= range.to) {
        starts.push(s);
        break;
      }
      if (labels.length >= MAX_BUCKETS) throw new QueryError(`more than ${MAX_BUCKETS} ${interval}s in the date range`);
      starts.push(s);
      labels.push(label(w, interval));
    }
    w = addWall(w, interval, 1);
  }
  const st = Float64Array.from(starts);
  return whole
    ? new Buckets(st, labels, interval, st[0]!, st[st.length - 1]!)
    : new Buckets(st, labels, interval, range.from, range.to);
}

/**
 * previousRange is the comparison period of `compare`: the range moved back by as many whole
 * intervals as it has buckets (in wall time, so a daily chart's previous days start at midnight even
 * across DST; hours move in absolute time).
 */
export function previousRange(cal: Calendar, range: Range, interval: Interval): Range {
  const n = buckets(cal, range, interval).length;
  if (interval === "hour") return { from: range.from - n * HOUR, to: range.to - n * HOUR };
  const z = zone(cal.zone);
  const unit = interval === "week" ? "week" : interval;
  return {
    from: z.instant(shiftWall(z.wall(range.from), unit, -n)),
    to: z.instant(shiftWall(z.wall(range.to), unit, -n)),
  };
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?(Z|[+-]\d{2}:?\d{2})?$/;
const RELATIVE = /^-(\d{1,4})([hdwmy])$/;
const UNITS = { h: "hour", d: "day", w: "week", m: "month", y: "year" } as const;

function validWall(y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number | null {
  const w = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(w);
  const ok = back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d &&
    back.getUTCHours() === h && back.getUTCMinutes() === mi && back.getUTCSeconds() === s;
  return ok ? w : null;
}

/** isDateSpec tells whether a query date is well formed (see `resolveDate`). */
export function isDateSpec(spec: string): boolean {
  if (spec === "today" || spec === "yesterday" || spec === "now" || RELATIVE.test(spec)) return true;
  let m = DATE.exec(spec);
  if (m) return validWall(+m[1]!, +m[2]!, +m[3]!) !== null;
  m = DATETIME.exec(spec);
  return m !== null && validWall(+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +(m[6] ?? 0)) !== null;
}

/**
 * resolveDate turns a query date into an instant. As `from` it is the first instant meant; as `to`
 * the exclusive end: a day ("2024-01-31", "today", "-1d") means through the end of that local day,
 * "-12h" through the end of that hour, a datetime through that very millisecond. Relative dates snap
 * to the start of their unit like PostHog's ("-7d" at 2024-01-10 12:00 is 2024-01-03 00:00); weeks,
 * months and years count back calendar-wise from today.
 */
export function resolveDate(spec: string, cal: Calendar, now: number, edge: "from" | "to"): number {
  const z = zone(cal.zone);
  const end = edge === "to";
  const dayRange = (wallDay: number) => z.instant(end ? wallDay + DAY : wallDay);
  if (spec === "now") return end ? now + 1 : now;
  const today = floorWall(z.wall(now), "day", cal.weekStart);
  if (spec === "today") return dayRange(today);
  if (spec === "yesterday") return dayRange(today - DAY);
  let m = RELATIVE.exec(spec);
  if (m) {
    const unit = UNITS[m[2] as keyof typeof UNITS];
    const n = Number(m[1]);
    if (unit === "hour") {
      const h = floorWall(z.wall(now - n * HOUR), "hour", cal.weekStart);
      return z.instant(end ? h + HOUR : h);
    }
    return dayRange(shiftWall(today, unit, -n));
  }
  m = DATE.exec(spec);
  if (m) {
    const w = validWall(+m[1]!, +m[2]!, +m[3]!);
    if (w === null) throw new QueryError(`invalid date ${spec}`);
    return dayRange(w);
  }
  m = DATETIME.exec(spec);
  if (!m) throw new QueryError(`invalid date ${spec}`);
  const w = validWall(+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +(m[6] ?? 0));
  if (w === null) throw new QueryError(`invalid date ${spec}`);
  const ms = m[7] ? Number(m[7].padEnd(3, "0")) : 0;
  let t: number;
  if (m[8]) {
    const tz = m[8];
    const off = tz === "Z" ? 0 : (tz[0] === "-" ? -1 : 1) * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(-2))) * 60_000;
    t = w + ms - off;
  } else {
    t = z.instant(w) + ms;
  }
  return end ? t + 1 : t;
}

/** resolveRange resolves a query's dateFrom/dateTo to a half-open range, rejecting an empty one. */
export function resolveRange(q: { dateFrom: string; dateTo: string }, cal: Calendar, now: number): Range {
  const from = resolveDate(q.dateFrom, cal, now, "from");
  const to = resolveDate(q.dateTo, cal, now, "to");
  if (!(from < to)) throw new QueryError(`dateFrom ${q.dateFrom} is not before dateTo ${q.dateTo}`);
  return { from, to };
}
