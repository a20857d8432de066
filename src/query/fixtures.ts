/**
 * Test helpers for the kernels: readable event lists turned into `Rows`, a seeded PRNG for the
 * randomized cross-checks, and an Intl-only local label used by the brute-force references (so the
 * references do not share `time.ts` with the code they check).
 */
import { mulberry32 } from "../lib/random.ts";
import type { Rows } from "./stream.ts";
import type { Interval, WeekStart } from "./time.ts";

/** Ev is one event of a test: person, time (ISO string in UTC or ms) and match bits. */
export interface Ev {
  p: number;
  t: string | number;
  bits: number;
}

/** ms parses "2024-01-01T10:00" (UTC when no zone is given) or passes a number through. */
export function ms(t: string | number): number {
  if (typeof t === "number") return t;
  return Date.parse(/Z|[+-]\d\d:\d\d$/.test(t) ? t : t + "Z");
}

/** rowsOf builds Rows in the given order (sort them first when a kernel needs person order). */
export function rowsOf(events: Ev[], persons = 1 + Math.max(0, ...events.map((e) => e.p))): Rows {
  return {
    n: events.length,
    persons,
    person: Int32Array.from(events, (e) => e.p),
    ts: Float64Array.from(events, (e) => ms(e.t)),
    match: Uint32Array.from(events, (e) => e.bits),
  };
}

/** byPersonTime sorts events by (person, time), ties in list order, like the data layer does. */
export function byPersonTime<T extends { p: number; t: string | number }>(events: T[]): T[] {
  return events.map((e, i) => ({ e, i })).sort((a, b) => a.e.p - b.e.p || ms(a.e.t) - ms(b.e.t) || a.i - b.i).map((x) => x.e);
}

/** rng returns a deterministic PRNG in [0, 1) (mulberry32) so a failing seed can be replayed. */
export const rng = mulberry32;

/** int draws an integer in [0, n). */
export function int(r: () => number, n: number): number {
  return Math.floor(r() * n);
}

/** pick draws one element. */
export function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[int(r, xs.length)]!;
}

const fmts = new Map<string, Intl.DateTimeFormat>();

/** localLabel is the period label of instant t computed straight from Intl, one event at a time. */
export function localLabel(t: number, zone: string, interval: Interval, weekStart: WeekStart = "monday"): string {
  let f = fmts.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit" });
    fmts.set(zone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(t).map((p) => [p.type, p.value]));
  const ymd = `${parts.year}-${parts.month}-${parts.day}`;
  if (interval === "hour") return `${ymd}T${parts.hour === "24" ? "00" : parts.hour}:00`;
  if (interval === "day") return ymd;
  if (interval === "month") return `${parts.year}-${parts.month}-01`;
  const d = new Date(ymd + "T00:00:00Z");
  const back = (d.getUTCDay() - (weekStart === "monday" ? 1 : 0) + 7) % 7;
  return new Date(d.getTime() - back * 86_400_000).toISOString().slice(0, 10);
}
