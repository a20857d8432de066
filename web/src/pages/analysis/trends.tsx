/**
 * Events (事件分析): counts, persons or property math of one or more events over time, broken down by a
 * property, compared with the previous period, combined by a formula; lines or bars.
 */
import { BreakdownEditor } from "../../analysis/breakdown-editor.tsx";
import { DateRange, IntervalSelect } from "../../analysis/date-range.tsx";
import { FilterEditor } from "../../analysis/filter-editor.tsx";
import { AnalysisFrame, type AnalysisSpec, type BuilderProps, type ResultProps } from "../../analysis/frame.tsx";
import { color } from "../../charts/palette.ts";
import { CategoryChart } from "../../charts/uplot-chart.tsx";
import { useI18n } from "../../i18n/index.tsx";
import { PROPERTY_MATH, type Interval, type TrendsQuery } from "../../query/types.ts";
import { SeriesEditor } from "./series-editor.tsx";
import { formulaIssue, lineAt, lineLabel, onRightAxis, trendsTable } from "./trends-table.ts";
import { endsToday } from "../../query/dates.ts";

const INTERVALS: Interval[] = ["hour", "day", "week", "month"];

function Builder({ query: q, onQuery }: BuilderProps<"trends">) {
  const { t } = useI18n();
  const formulaProblem = formulaIssue(q.formula, q.series.length, t);
  return (
    <>
      <SeriesEditor series={q.series} onSeries={(series) => onQuery({ ...q, series })} />
      {q.series.length > 1 && (
        <label class="inline formula">
          {t("query.formula")}{" "}
          <input type="text" value={q.formula ?? ""} placeholder="A/B*100" aria-invalid={formulaProblem ? true : undefined} onInput={(e) => onQuery({ ...q, formula: e.currentTarget.value.trim() || undefined })} />
        </label>
      )}
      {q.series.length > 1 && formulaProblem && <p class="hint error-text" role="alert">{formulaProblem}</p>}
      <FilterEditor label={t("query.globalFilters")} filter={q.where} onFilter={(where) => onQuery({ ...q, where })} event={q.series[0]?.event || undefined} />
      <div class="toolbar">
        <DateRange dateFrom={q.dateFrom} dateTo={q.dateTo} onRange={(r) => onQuery({ ...q, ...r })} compare={q.compare} onCompare={(compare) => onQuery({ ...q, compare })} />
        <IntervalSelect value={q.interval ?? "day"} options={INTERVALS} onValue={(interval) => onQuery({ ...q, interval })} />
        <BreakdownEditor value={q.breakdown} onValue={(breakdown) => onQuery({ ...q, breakdown })} event={q.series[0]?.event || undefined} />
      </div>
    </>
  );
}

function Result({ query, answer, onActors, display, onDisplay }: ResultProps<"trends">) {
  const { t } = useI18n();
  const results = answer.results;
  const labels = (results.find((r) => r.compare !== "previous") ?? results[0])?.points.map((p) => p.t) ?? [];
  // A compare line takes its current twin's colour, dashed.
  const keyOf = (r: (typeof results)[number]) => `${r.series}|${r.breakdownValue}`;
  const keys = [...new Set(results.map(keyOf))];
  const series = results.slice(0, 30).map((r) => ({
    label: lineLabel(r, t),
    values: r.points.map((p) => p.value),
    color: color(keys.indexOf(keyOf(r))),
    dashed: r.compare === "previous",
    right: onRightAxis(r, query),
  }));
  const chart = display.chart === "bar" ? "bar" : "line";
  const stacked = chart === "bar" && series.length > 1;
  return (
    <>
      <div class="segmented" role="group" aria-label={t("query.chartType")}>
        {(["line", "bar"] as const).map((c) => (
          <button key={c} type="button" aria-pressed={chart === c} onClick={() => onDisplay({ ...display, chart: c })}>
            {t(`chart.${c}`)}
          </button>
        ))}
      </div>
      <CategoryChart
        labels={labels}
        series={series}
        kind={stacked ? "stacked" : chart}
        ariaLabel={t("trends.chartLabel", { n: results.length })}
        testId="trends-chart"
        onCategory={(i, y) => {
          const r = results[lineAt(series.map((s) => s.values), i, y, stacked)];
          // A formula line has no persons of its own.
          if (!r || r.event === "$formula") return;
          const previous = r.compare === "previous";
          const period = previous ? r.points[i]?.t : labels[i];
          onActors({ point: { series: r.series, period, breakdownValue: r.breakdownValue, previous } }, `${lineLabel(r, t)} · ${period ?? ""}`);
        }}
      />
      {query.compare && <p class="hint">{t("trends.compareHint")}</p>}
      {endsToday(query) && <p class="hint">{t("query.partialPeriod")}</p>}
    </>
  );
}

const spec: AnalysisSpec<"trends"> = {
  kind: "trends",
  title: "nav.events",
  intro: "trends.intro",
  initial: () => ({ kind: "trends", series: [{ event: "", math: "total" }], interval: "day", dateFrom: "-29d", dateTo: "today" }),
  ready: (q) =>
    q.series.every((s) => s.event.trim() !== "" && (!PROPERTY_MATH.includes(s.math ?? "total") || (s.property ?? "") !== ""))
    // A formula the server would refuse is not sent: the builder says what is wrong in the UI's language.
    && (q.series.length < 2 || formulaIssue(q.formula, q.series.length, (k) => k) === null),
  clean: (q): TrendsQuery => ({
    ...q,
    breakdown: q.breakdown?.property ? q.breakdown : undefined,
    formula: q.series.length > 1 ? q.formula : undefined,
  }),
  isEmpty: (a) => a.results.every((r) => r.total === 0 && r.points.every((p) => p.value === 0)),
  table: (a, q, t) => trendsTable(a.results, q, t),
  Builder,
  Result,
};

export function TrendsPage() {
  return <AnalysisFrame spec={spec} />;
}
