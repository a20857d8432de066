/**
 * Date range presets as the pickers offer them, mapped onto the query API's date specs (SPEC §5: a local
 * day "2024-01-31", "today", "yesterday", or "-Nd" which snaps to the start of that day). "Last 7 days"
 * means seven calendar days including today, as people read it: -6d … today.
 */
export type Preset = "today" | "yesterday" | "7d" | "14d" | "30d" | "90d" | "custom";

export const PRESETS: readonly Exclude<Preset, "custom">[] = ["today", "yesterday", "7d", "14d", "30d", "90d"];

const RANGES: Record<Exclude<Preset, "custom">, { dateFrom: string; dateTo: string }> = {
  today: { dateFrom: "today", dateTo: "today" },
  yesterday: { dateFrom: "yesterday", dateTo: "yesterday" },
  "7d": { dateFrom: "-6d", dateTo: "today" },
  "14d": { dateFrom: "-13d", dateTo: "today" },
  "30d": { dateFrom: "-29d", dateTo: "today" },
  "90d": { dateFrom: "-89d", dateTo: "today" },
};

/** rangeOf gives the date specs of a preset. */
export function rangeOf(p: Exclude<Preset, "custom">): { dateFrom: string; dateTo: string } {
  return RANGES[p];
}

/** presetOf recognises a preset from date specs; anything else is "custom". */
export function presetOf(dateFrom: string | undefined, dateTo: string | undefined): Preset {
  for (const p of PRESETS) {
    if (RANGES[p].dateFrom === (dateFrom ?? "-6d") && RANGES[p].dateTo === (dateTo ?? "today")) return p;
  }
  return "custom";
}

const DAY_MS = 86_400_000;

/** isoDay formats an instant as the calendar day it falls on in `timeZone` (YYYY-MM-DD). */
export function isoDay(ms: number, timeZone: string): string {
  // en-CA formats dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(ms);
}

/**
 * absoluteDay turns a date spec into a calendar day for the custom inputs (so switching from a preset to
 * "custom" starts from the same days). Datetimes keep their date part.
 */
export function absoluteDay(spec: string, now: number, timeZone: string): string {
  if (spec === "today") return isoDay(now, timeZone);
  if (spec === "yesterday") return isoDay(now - DAY_MS, timeZone);
  const rel = /^-(\d+)d$/.exec(spec);
  if (rel) return isoDay(now - Number(rel[1]) * DAY_MS, timeZone);
  const day = /^\d{4}-\d{2}-\d{2}/.exec(spec);
  return day ? day[0] : isoDay(now, timeZone);
}

/** endsToday: a range running to today (the default) holds a period that is not over, whose numbers still grow. */
export function endsToday(q: { dateTo?: string }): boolean {
  return q.dateTo === undefined || q.dateTo === "today";
}
