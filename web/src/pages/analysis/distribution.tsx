/**
 * Distribution (分布分析): how many persons did an event how many times, on how many days or hours, or for
 * how much in total; automatic or custom buckets, over the whole range or per period.
 */
import { useState } from "preact/hooks";
import { DateRange } from "../../analysis/date-range.tsx";
import { FilterEditor } from "../../analysis/filter-editor.tsx";
import { AnalysisFrame, type AnalysisSpec, type BuilderProps, type ResultProps } from "../../analysis/frame.tsx";
import { EventPicker, PropertyPicker } from "../../analysis/pickers.tsx";
import { color } from "../../charts/palette.ts";
import { CategoryChart } from "../../charts/uplot-chart.tsx";
import { localeOf, useI18n } from "../../i18n/index.tsx";
import type { DistributionMeasure, DistributionQuery, Interval } from "../../query/types.ts";
import { bucketLabel, distributionTable } from "./more-tables.ts";

const MEASURES: DistributionMeasure[] = ["count", "active_days", "active_hours", "sum"];

/** parseEdges reads "1, 3, 10" into ascending edges, or null while the text is not yet valid. */
export function parseEdges(text: string): number[] | null | undefined {
  if (text.trim() === "") return undefined;
  const v = text.split(/[,\s]+/).filter(Boolean).map(Number);
  return v.every(Number.isFinite) && v.every((x, i) => i === 0 || x > v[i - 1]!) ? v : null;
}

function Builder({ query: q, onQuery }: BuilderProps<"distribution">) {
  const { t } = useI18n();
  const [edges, setEdges] = useState((q.buckets ?? []).join(", "));
  const edgesValid = parseEdges(edges) !== null;
  return (
    <>
      <div class="toolbar">
        <EventPicker label={t("distribution.event")} value={q.event} onValue={(event) => onQuery({ ...q, event })} testId="distribution-event" />
        <label class="inline">
          {t("distribution.measure")}{" "}
          <select value={q.measure ?? "count"} onChange={(e) => onQuery({ ...q, measure: e.currentTarget.value as DistributionMeasure })}>
            {MEASURES.map((m) => (
              <option key={m} value={m}>{t(`distribution.measure.${m}`)}</option>
            ))}
          </select>
        </label>
        {q.measure === "sum" && <PropertyPicker label={t("query.numericProperty")} type="event" event={q.event} value={q.property ?? ""} onValue={(property) => onQuery({ ...q, property })} />}
      </div>
      <div class="toolbar">
        <label class="inline">
          {t("distribution.buckets")}{" "}
          <input type="text" value={edges} placeholder={t("distribution.auto")} aria-invalid={!edgesValid} onInput={(e) => {
            setEdges(e.currentTarget.value);
            const v = parseEdges(e.currentTarget.value);
            if (v !== null) onQuery({ ...q, buckets: v });
          }} />
        </label>
        {!edgesValid && <small class="hint">{t("distribution.badEdges")}</small>}
        <label class="inline">
          {t("distribution.per")}{" "}
          <select value={q.interval ?? ""} onChange={(e) => onQuery({ ...q, interval: (e.currentTarget.value || undefined) as Interval | undefined })}>
            <option value="">{t("distribution.wholeRange")}</option>
            {(["day", "week", "month"] as const).map((i) => (
              <option key={i} value={i}>{t(`interval.${i}`)}</option>
            ))}
          </select>
        </label>
        <DateRange dateFrom={q.dateFrom} dateTo={q.dateTo} onRange={(r) => onQuery({ ...q, ...r })} />
      </div>
      <FilterEditor label={t("query.globalFilters")} filter={q.where} onFilter={(where) => onQuery({ ...q, where })} event={q.event || undefined} />
    </>
  );
}

function Result({ query, answer, onActors }: ResultProps<"distribution">) {
  const { t, lang } = useI18n();
  const integral = (query.measure ?? "count") !== "sum";
  const nf = new Intl.NumberFormat(localeOf(lang));
  const rows = answer.results;
  const periods = [...new Set(rows.map((r) => r.period ?? ""))];
  if (periods.length > 1 || periods[0] !== "") {
    const buckets = [...new Set(rows.map((r) => bucketLabel(r, integral)))];
    const series = buckets.map((b, i) => ({ label: b, color: color(i), values: periods.map((p) => rows.find((r) => r.period === p && bucketLabel(r, integral) === b)?.persons ?? 0) }));
    return <CategoryChart labels={periods} series={series} kind="stacked" ariaLabel={t("distribution.chartLabel", { n: nf.format(answer.totalPersons) })} testId="distribution-chart" />;
  }
  return (
    <>
      <p>{t("distribution.total", { n: nf.format(answer.totalPersons) })}</p>
      <CategoryChart
        labels={rows.map((r) => bucketLabel(r, integral))}
        series={[{ label: t("funnel.persons"), values: rows.map((r) => r.persons), color: color(0) }]}
        kind="bar"
        ariaLabel={t("distribution.chartLabel", { n: nf.format(answer.totalPersons) })}
        testId="distribution-chart"
        onCategory={(i) => rows[i] && onActors({ bucket: { from: rows[i]!.from } }, `${bucketLabel(rows[i]!, integral)} · ${t("actors.count", { n: nf.format(rows[i]!.persons) })}`)}
      />
    </>
  );
}

const spec: AnalysisSpec<"distribution"> = {
  kind: "distribution",
  title: "nav.distribution",
  intro: "distribution.intro",
  initial: () => ({ kind: "distribution", event: "", measure: "count", dateFrom: "-29d", dateTo: "today" }),
  ready: (q) => q.event.trim() !== "" && (q.measure !== "sum" || (q.property ?? "") !== ""),
  clean: (q): DistributionQuery => ({ ...q, property: q.measure === "sum" ? q.property : undefined }),
  isEmpty: (a) => a.totalPersons === 0,
  table: (a, q, t) => distributionTable(a.results, a.totalPersons, q, t),
  Builder,
  Result,
};

export function DistributionPage() {
  return <AnalysisFrame spec={spec} />;
}
