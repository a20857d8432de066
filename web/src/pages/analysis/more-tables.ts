/**
 * Tables of distribution, lifecycle, stickiness and paths: the numbers under each chart, every count
 * linking to its persons (bucket, period × status, intervals, edge).
 */
import type { I18n } from "../../i18n/index.tsx";
import { pct, periodText, type Cell, type TableModel } from "../../analysis/table-model.ts";
import type { DistributionBucket, DistributionQuery, LifecycleResult, PathEdge, StickinessResult } from "../../query/types.ts";
import { stepName } from "../../charts/sankey-layout.ts";

/** bucketLabel: counts and days are whole numbers, so [3,10) reads "3–9"; sums keep half-open ranges. */
export function bucketLabel(b: Pick<DistributionBucket, "from" | "to">, integral: boolean): string {
  if (b.from === null) return `< ${b.to}`;
  if (b.to === null) return `${b.from}+`;
  if (integral) return b.to - 1 <= b.from ? String(b.from) : `${b.from}–${b.to - 1}`;
  return `[${b.from}, ${b.to})`;
}

export function distributionTable(results: DistributionBucket[], total: number, q: DistributionQuery, t: I18n["t"]): TableModel {
  const integral = (q.measure ?? "count") !== "sum";
  const perPeriod = results.some((r) => r.period !== undefined);
  return {
    columns: [...(perPeriod ? [{ label: t("query.period") }] : []), { label: t(`distribution.measure.${q.measure ?? "count"}`) }, { label: t("funnel.persons"), numeric: true }, { label: t("distribution.share"), numeric: true }],
    rows: results.map((b): Cell[] => [
      ...(perPeriod ? [{ value: b.period ?? "" }] : []),
      { value: bucketLabel(b, integral) },
      { value: b.persons, actors: { bucket: { from: b.from, period: b.period } } },
      { value: total > 0 ? b.persons / total : null, display: pct(b.persons, perPeriod ? results.filter((x) => x.period === b.period).reduce((s, x) => s + x.persons, 0) : total) },
    ]),
  };
}

export const STATUSES = ["new", "returning", "resurrecting", "dormant"] as const;

export function lifecycleTable(results: LifecycleResult[], t: I18n["t"]): TableModel {
  return {
    columns: [{ label: t("query.period") }, ...STATUSES.map((s) => ({ label: t(`lifecycle.${s}`), numeric: true }))],
    rows: results.map((r): Cell[] => [{ value: r.period, display: periodText(r.period) }, ...STATUSES.map((status) => ({ value: r[status], actors: { cell: { period: r.period, status } } }))]),
  };
}

export function stickinessTable(results: StickinessResult[], interval: string, t: I18n["t"]): TableModel {
  const total = results.reduce((s, r) => s + r.persons, 0);
  return {
    columns: [{ label: t(`stickiness.active.${interval}` as "stickiness.active.day"), numeric: false }, { label: t("funnel.persons"), numeric: true }, { label: t("distribution.share"), numeric: true }],
    rows: results.map((r): Cell[] => [{ value: r.intervals }, { value: r.persons, actors: { bucket: { intervals: r.intervals } } }, { value: total > 0 ? r.persons / total : null, display: pct(r.persons, total) }]),
  };
}

export function pathsTable(edges: PathEdge[], t: I18n["t"]): TableModel {
  return {
    columns: [{ label: t("paths.from") }, { label: t("paths.to") }, { label: t("paths.count"), numeric: true }],
    rows: [...edges].sort((a, b) => b.persons - a.persons).map((e): Cell[] => [{ value: e.source, display: stepName(e.source) }, { value: e.target, display: stepName(e.target) }, { value: e.persons, actors: { edge: { source: e.source, target: e.target } } }]),
  };
}
