/**
 * The event analysis table: one row per line (series × breakdown value, compare periods side by side),
 * the range total, then one column per period. Every count links to its persons, except formula lines,
 * which are arithmetic over series and have no persons of their own.
 */
import type { I18n } from "../../i18n/index.tsx";
import { breakdownLabel, periodText, type Cell, type TableModel } from "../../analysis/table-model.ts";
import { segmentAt } from "../../charts/palette.ts";
import { FormulaError, parseFormula } from "../../../../src/query/formula.ts";
import { PROPERTY_MATH, type TrendsQuery, type TrendsResult } from "../../query/types.ts";

/** lineLabel names a line for tables, legends and CSV. */
export function lineLabel(r: TrendsResult, t: I18n["t"]): string {
  const name = r.event === "$formula" ? `ƒ ${r.series}` : `${r.series}. ${r.event}`;
  const bd = r.breakdownValue === null ? "" : ` · ${breakdownLabel(r.breakdownValue, { none: t("query.none"), other: t("query.other") })}`;
  const cmp = r.compare === "previous" ? ` (${t("query.previous")})` : "";
  return `${name}${bd}${cmp}`;
}

/**
 * onRightAxis tells which lines a chart draws against a second axis: property math (revenue sums) beside
 * counts of events or persons would flatten the counts to zero on a shared axis.
 */
export function onRightAxis(r: TrendsResult, q: TrendsQuery): boolean {
  return r.event !== "$formula" && PROPERTY_MATH.includes(q.series[r.series.charCodeAt(0) - 65]?.math ?? "total");
}

export function trendsTable(results: TrendsResult[], q: TrendsQuery, t: I18n["t"]): TableModel {
  // Compare lines carry the previous period's dates; columns follow the current period's.
  const periods = (results.find((r) => r.compare !== "previous") ?? results[0])?.points.map((p) => p.t) ?? [];
  const rows = results.map((r): Cell[] => {
    const clickable = r.event !== "$formula";
    const point = (period?: string) =>
      clickable ? { point: { series: r.series, period, breakdownValue: r.breakdownValue, previous: r.compare === "previous" } } : undefined;
    return [
      { value: lineLabel(r, t) },
      { value: r.total, actors: point() },
      ...r.points.map((p) => ({ value: p.value, actors: point(p.t) })),
    ];
  });
  const math = q.series.length === 1 ? t(`math.${q.series[0]!.math ?? "total"}`) : t("query.total");
  return {
    columns: [{ label: t("query.series") }, { label: math, numeric: true }, ...periods.map((p) => ({ label: periodText(p), numeric: true }))],
    rows,
  };
}

/**
 * lineAt picks the line a chart click at category `i` and height `y` meant: for stacked bars the segment
 * under the pointer (segmentAt; above the stack, the top one), else the line whose value there is nearest.
 * The chart only reports the category.
 */
export function lineAt(values: readonly (readonly number[])[], i: number, y: number, stacked: boolean): number {
  if (stacked) {
    const s = segmentAt(values, i, y);
    return s >= 0 ? s : values.length - 1;
  }
  let best = 0;
  for (let k = 1; k < values.length; k++) if (Math.abs((values[k]![i] ?? 0) - y) < Math.abs((values[best]![i] ?? 0) - y)) best = k;
  return best;
}

/**
 * formulaIssue checks a formula in the browser, in the UI's language, before the query is sent (the
 * server words the same refusal in English): letters beyond the series, or text that is not a formula.
 */
export function formulaIssue(formula: string | undefined, series: number, t: I18n["t"]): string | null {
  if (!formula) return null;
  try {
    const bad = parseFormula(formula).letters.filter((i) => i >= series);
    return bad.length ? t("trends.formulaLetters", { letters: bad.map((i) => String.fromCharCode(65 + i)).join(t("common.listSep")), n: series }) : null;
  } catch (e) {
    if (e instanceof FormulaError) return t("trends.formulaSyntax");
    throw e;
  }
}
