/**
 * The funnel tables. Steps view: per step (and breakdown value) the persons who reached it, conversion
 * from the first and from the previous step, the persons who dropped off after the previous step, and
 * the time it took; the counts open the persons behind them (`step` k and `dropOffAfter` k−1, both
 * 1-based as the actors endpoint wants). Trends view: entered/converted/rate per period, the counts
 * opening the persons who entered then (reached `fromStep`) or converted (reached `toStep`). Time to
 * convert: persons per time bin, opening the persons who converted in it (`bin`, in seconds).
 */
import type { I18n } from "../../i18n/index.tsx";
import { breakdownLabel, duration, exactDuration, pct, periodText, type Cell, type TableModel } from "../../analysis/table-model.ts";
import type { Answer, FunnelQuery, FunnelStepsResult, FunnelTrendsResult, TimeToConvertResult } from "../../query/types.ts";

type FunnelAnswer = Answer<"funnel">;

export const isStepsView = (q: FunnelQuery) => (q.view ?? "steps") === "steps";

export function stepsOf(a: FunnelAnswer, q: FunnelQuery): FunnelStepsResult[] {
  return isStepsView(q) ? (a.results as FunnelStepsResult[]) : [];
}

export function funnelTable(a: FunnelAnswer, q: FunnelQuery, t: I18n["t"]): TableModel {
  const view = q.view ?? "steps";
  if (view === "trends") {
    const from = (q.fromStep ?? 0) + 1;
    const to = (q.toStep ?? q.steps.length - 1) + 1;
    const rows = (a.results as FunnelTrendsResult[]).map((r): Cell[] => [
      { value: r.period, display: periodText(r.period) },
      ...(q.breakdown ? [{ value: breakdownLabel(r.breakdownValue, { none: t("query.none"), other: t("query.other") }) }] : []),
      { value: r.entered, actors: { step: from, period: r.period, breakdownValue: r.breakdownValue ?? null } },
      { value: r.converted, actors: { step: to, period: r.period, breakdownValue: r.breakdownValue ?? null } },
      { value: r.rate, display: `${r.rate.toFixed(2)}%` },
    ]);
    return {
      columns: [{ label: t("query.period") }, ...(q.breakdown ? [{ label: t("query.breakdown") }] : []), { label: t("funnel.entered"), numeric: true }, { label: t("funnel.converted"), numeric: true }, { label: t("funnel.rate"), numeric: true }],
      rows,
    };
  }
  if (view === "time_to_convert") {
    return {
      columns: [{ label: t("funnel.timeBin"), numeric: false }, { label: t("funnel.persons"), numeric: true }],
      rows: ttcBins(a).map((b) => [{ value: b.from, display: binText(b, t) }, { value: b.persons, actors: { bin: { from: b.from, to: b.to } } }]),
    };
  }
  const multi = a.results.length > 1 || (a.results[0] as FunnelStepsResult | undefined)?.breakdownValue !== null;
  const rows: Cell[][] = [];
  for (const r of a.results as FunnelStepsResult[]) {
    const first = r.steps[0]?.count ?? 0;
    r.steps.forEach((s, i) => {
      const prev = i === 0 ? s.count : r.steps[i - 1]!.count;
      const bv = r.breakdownValue;
      rows.push([
        { value: `${i + 1}. ${s.event}` },
        ...(multi ? [{ value: breakdownLabel(bv, { none: t("query.none"), other: t("query.other") }) }] : []),
        { value: s.count, actors: { step: i + 1, breakdownValue: bv } },
        { value: first > 0 ? s.count / first : null, display: pct(s.count, first) },
        { value: i === 0 ? null : prev > 0 ? s.count / prev : null, display: i === 0 ? "—" : pct(s.count, prev) },
        i === 0 ? { value: null, display: "—" } : { value: prev - s.count, actors: { dropOffAfter: i, breakdownValue: bv } },
        { value: s.medianSecondsFromPrevious, display: duration(s.medianSecondsFromPrevious, t) },
        { value: s.avgSecondsFromPrevious, display: duration(s.avgSecondsFromPrevious, t) },
      ]);
    });
  }
  return {
    columns: [
      { label: t("funnel.step") },
      ...(multi ? [{ label: t("query.breakdown") }] : []),
      { label: t("funnel.persons"), numeric: true },
      { label: t("funnel.fromStart"), numeric: true },
      { label: t("funnel.fromPrevious"), numeric: true },
      { label: t("funnel.dropped"), numeric: true },
      { label: t("funnel.medianTime"), numeric: true },
      { label: t("funnel.avgTime"), numeric: true },
    ],
    rows,
  };
}

/** TtcBin is one time-to-convert bin: persons who converted in [from, to) seconds. */
export interface TtcBin {
  from: number;
  to: number;
  persons: number;
}

/**
 * ttcBins reads the histogram as the engine counts it: a bin runs to the next start, the last one as far as
 * the bins' width (it holds only a conversion exactly at its start).
 */
export function ttcBins(a: FunnelAnswer): TtcBin[] {
  const bins = (a.results as TimeToConvertResult[])[0]?.bins ?? [];
  const width = bins.length > 1 ? bins[1]![0] - bins[0]![0] : 60;
  return bins.map(([from, persons], i) => ({ from, to: bins[i + 1]?.[0] ?? from + width, persons }));
}

/** binText names a bin's range exactly, in the UI's language ("3m 30s – 6m"). */
export function binText(b: TtcBin, t: I18n["t"]): string {
  return `${exactDuration(b.from, t)} – ${exactDuration(b.to, t)}`;
}
