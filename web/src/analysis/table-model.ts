/**
 * The table under every chart, as data: what the screen shows, what "Export CSV" writes, and which
 * persons stand behind each number (the actors selector a click sends to POST /api/query/actors).
 */
import { toCsv } from "../query/csv.ts";
import type { I18n } from "../i18n/index.tsx";
import type { ActorsSelector } from "../query/types.ts";

export interface Cell {
  value: string | number | null;
  /** display overrides how the value is shown (a percentage, a duration); CSV keeps `value`. */
  display?: string;
  /** actors makes the number a button listing the persons behind it. */
  actors?: ActorsSelector;
  /** heat (0–1) shades the cell, for retention's heat map. */
  heat?: number;
}

export interface Column {
  label: string;
  numeric?: boolean;
}

export interface TableModel {
  columns: Column[];
  rows: Cell[][];
}

/** tableCsv renders a table for download. */
export function tableCsv(t: TableModel): string {
  return toCsv(t.columns.map((c) => c.label), t.rows.map((r) => r.map((c) => c.value)));
}

/**
 * pct formats a share as a percentage with one decimal ("—" when there is no base); a share that is not
 * zero never reads as 0.0% (one person in 3,000 is "<0.1%").
 */
export function pct(part: number, whole: number): string {
  if (!(whole > 0)) return "—";
  const share = (100 * part) / whole;
  return share > 0 && share < 0.05 ? "<0.1%" : `${share.toFixed(1)}%`;
}

/** duration formats seconds for people: 45s, 12m, 3.5h, 2.1d — with `t`, in the UI's language (45 秒, 12 分钟). */
export function duration(seconds: number | null, t?: I18n["t"]): string {
  if (seconds === null || !Number.isFinite(seconds)) return "—";
  const unit = (u: "s" | "m" | "h" | "d") => (t ? t(`unit.${u}`) : u);
  if (seconds < 60) return `${Math.round(seconds)}${unit("s")}`;
  if (seconds < 3600) return `${Math.round(seconds / 60)}${unit("m")}`;
  if (seconds < 86_400) return `${(seconds / 3600).toFixed(1)}${unit("h")}`;
  return `${(seconds / 86_400).toFixed(1)}${unit("d")}`;
}

/**
 * exactDuration formats whole seconds without rounding — 3m 30s, 1h 5m, 45 秒 — for bin edges, where
 * "4m" for 210 s would misstate which persons a bin holds.
 */
export function exactDuration(seconds: number, t?: I18n["t"]): string {
  const unit = (u: "s" | "m" | "h" | "d") => (t ? t(`unit.${u}`) : u);
  let rest = Math.round(seconds);
  const parts: string[] = [];
  for (const [u, size] of [["d", 86_400], ["h", 3600], ["m", 60], ["s", 1]] as const) {
    const q = Math.floor(rest / size);
    rest -= q * size;
    if (q > 0) parts.push(`${q}${unit(u)}`);
  }
  return parts.length ? parts.join(" ") : `0${unit("s")}`;
}

/** periodText shows a period as people read it: an hour "2024-06-10T13:00" as "2024-06-10 13:00", a day as it is. */
export function periodText(period: string): string {
  return period.replace(/^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})$/, "$1 $2");
}

/** label shows a breakdown value: "" is "(none)" and "$other" is "Other" in the user's language. */
export function breakdownLabel(v: string | null | undefined, words: { none: string; other: string }): string {
  if (v === null || v === undefined) return "";
  if (v === "") return words.none;
  if (v === "$other") return words.other;
  return v;
}
