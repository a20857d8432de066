/**
 * The retention heat map: one row per cohort (and breakdown value), its size, then each lag as the share
 * of the cohort that came back (or the count, when asked), shaded by that share. A weighted average row
 * leads: each lag averages only the cohorts old enough to have it (the triangle), weighted by size.
 * Every cell opens its persons (cohort period + lag).
 */
import type { I18n } from "../../i18n/index.tsx";
import { breakdownLabel, pct, type Cell, type TableModel } from "../../analysis/table-model.ts";
import type { RetentionQuery, RetentionResult } from "../../query/types.ts";

/** averages returns, per lag, the size-weighted share of the cohorts that reached it. */
export function averages(results: RetentionResult[]): { lag: number; share: number; cohorts: number }[] {
  const cohorts = results.flatMap((r) => r.cohorts);
  const lags = Math.max(0, ...cohorts.map((c) => c.values.length));
  return Array.from({ length: lags }, (_, lag) => {
    const have = cohorts.filter((c) => c.values.length > lag && (c.values[0] ?? 0) > 0);
    const base = have.reduce((s, c) => s + c.values[0]!, 0);
    const back = have.reduce((s, c) => s + c.values[lag]!, 0);
    return { lag, share: base > 0 ? back / base : 0, cohorts: have.length };
  });
}

export function retentionTable(results: RetentionResult[], q: RetentionQuery, t: I18n["t"], counts: boolean): TableModel {
  const multi = results.some((r) => r.breakdownValue !== null);
  const lags = Math.max(0, ...results.flatMap((r) => r.cohorts.map((c) => c.values.length)));
  const period = q.period ?? "day";
  const avg = averages(results);
  const top = Math.max(
    1e-9,
    ...results.flatMap((r) => r.cohorts.flatMap((c) => c.values.slice(1).map((v) => ((c.values[0] ?? 0) > 0 ? v / c.values[0]! : 0)))),
  );
  const avgRow: Cell[] = [
    { value: t("retention.average") },
    ...(multi ? [{ value: "" }] : []),
    { value: results.reduce((s, r) => s + r.cohorts.reduce((x, c) => x + (c.values[0] ?? 0), 0), 0) },
    ...avg.slice(1).map((a) => ({ value: Number(a.share.toFixed(4)), display: `${(100 * a.share).toFixed(1)}%`, heat: Math.min(1, a.share / top) })),
  ];
  const rows = results.flatMap((r) =>
    r.cohorts.map((c): Cell[] => {
      const size = c.values[0] ?? 0;
      return [
        { value: c.period },
        ...(multi ? [{ value: breakdownLabel(r.breakdownValue, { none: t("query.none"), other: t("query.other") }) }] : []),
        { value: size, actors: { cell: { cohort: c.period, lag: 0, breakdownValue: r.breakdownValue } } },
        ...Array.from({ length: lags - 1 }, (_, k): Cell => {
          const v = c.values[k + 1];
          if (v === undefined) return { value: null, display: "" };
          return { value: v, display: counts ? undefined : pct(v, size), heat: size > 0 ? v / size / top : 0, actors: { cell: { cohort: c.period, lag: k + 1, breakdownValue: r.breakdownValue } } };
        }),
      ];
    }),
  );
  return {
    columns: [
      { label: t("retention.cohort") },
      ...(multi ? [{ label: t("query.breakdown") }] : []),
      { label: t("retention.persons"), numeric: true },
      ...Array.from({ length: lags - 1 }, (_, k) => ({ label: t(`retention.lag.${period}`, { n: k + 1 }), numeric: true })),
    ],
    rows: [avgRow, ...rows],
  };
}
