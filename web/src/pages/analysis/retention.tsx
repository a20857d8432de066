/**
 * Retention (留存分析): cohorts by the period of a start event, and who did the return event in each later
 * period; recurring or first-time cohorts, "on" or "on or after" (cumulative). A heat-map table with an
 * average curve above it.
 */
import { BreakdownEditor } from "../../analysis/breakdown-editor.tsx";
import { DateRange } from "../../analysis/date-range.tsx";
import { EventRefEditor } from "../../analysis/event-ref.tsx";
import { FilterEditor } from "../../analysis/filter-editor.tsx";
import { AnalysisFrame, type AnalysisSpec, type BuilderProps, type ResultProps } from "../../analysis/frame.tsx";
import { color } from "../../charts/palette.ts";
import { CategoryChart } from "../../charts/uplot-chart.tsx";
import { useI18n } from "../../i18n/index.tsx";
import type { RetentionQuery } from "../../query/types.ts";
import { averages, retentionTable } from "./retention-table.ts";
import { endsToday } from "../../query/dates.ts";

function Builder({ query: q, onQuery }: BuilderProps<"retention">) {
  const { t } = useI18n();
  return (
    <>
      <div class="two-col">
        <EventRefEditor label={t("retention.start")} value={q.startEvent} onValue={(startEvent) => onQuery({ ...q, startEvent })} testId="retention-start" />
        <EventRefEditor label={t("retention.return")} value={q.returnEvent} onValue={(returnEvent) => onQuery({ ...q, returnEvent })} testId="retention-return" />
      </div>
      <div class="toolbar">
        <label class="inline">
          {t("retention.period")}{" "}
          <select value={q.period ?? "day"} onChange={(e) => onQuery({ ...q, period: e.currentTarget.value as RetentionQuery["period"] })}>
            {(["day", "week", "month"] as const).map((p) => (
              <option key={p} value={p}>{t(`interval.${p}`)}</option>
            ))}
          </select>
        </label>
        <label class="inline">
          {t("retention.mode")}{" "}
          <select value={q.mode ?? "recurring"} onChange={(e) => onQuery({ ...q, mode: e.currentTarget.value as RetentionQuery["mode"] })}>
            <option value="recurring">{t("retention.recurring")}</option>
            <option value="first_time">{t("retention.firstTime")}</option>
          </select>
        </label>
        <label class="inline checkbox">
          <input type="checkbox" checked={q.cumulative ?? false} onChange={(e) => onQuery({ ...q, cumulative: e.currentTarget.checked })} /> {t("retention.cumulative")}
        </label>
        <DateRange dateFrom={q.dateFrom} dateTo={q.dateTo} onRange={(r) => onQuery({ ...q, ...r })} />
      </div>
      <FilterEditor label={t("query.globalFilters")} filter={q.where} onFilter={(where) => onQuery({ ...q, where })} />
      <BreakdownEditor personOnly value={q.breakdown ? { ...q.breakdown, type: "person" } : undefined} onValue={(b) => onQuery({ ...q, breakdown: b && { property: b.property, type: "person", limit: b.limit } })} />
    </>
  );
}

function Result({ answer, query, display, onDisplay }: ResultProps<"retention">) {
  const { t } = useI18n();
  const avg = averages(answer.results);
  const period = query.period ?? "day";
  const counts = display.view === "counts";
  return (
    <>
      <CategoryChart
        labels={avg.map((a) => (a.lag === 0 ? t("retention.cohortSize") : t(`retention.lag.${period}`, { n: a.lag })))}
        series={[{ label: t("retention.average"), values: avg.map((a) => Number((100 * a.share).toFixed(2))), color: color(0) }]}
        kind="line"
        unit="%"
        height={200}
        ariaLabel={t("retention.curveLabel")}
      />
      {endsToday(query) && <p class="hint">{t("query.partialPeriod")}</p>}
      <div class="segmented" role="group" aria-label={t("retention.show")}>
        <button type="button" aria-pressed={!counts} onClick={() => onDisplay({ ...display, view: undefined })}>{t("retention.percent")}</button>
        <button type="button" aria-pressed={counts} onClick={() => onDisplay({ ...display, view: "counts" })}>{t("retention.counts")}</button>
      </div>
    </>
  );
}

const spec: AnalysisSpec<"retention"> = {
  kind: "retention",
  title: "nav.retention",
  intro: "retention.intro",
  initial: () => ({ kind: "retention", startEvent: { event: "" }, returnEvent: { event: "" }, period: "day", mode: "recurring", dateFrom: "-13d", dateTo: "today" }),
  ready: (q) => q.startEvent.event.trim() !== "" && q.returnEvent.event.trim() !== "",
  clean: (q) => ({ ...q, breakdown: q.breakdown?.property ? q.breakdown : undefined }),
  isEmpty: (a) => a.results.every((r) => r.cohorts.every((c) => (c.values[0] ?? 0) === 0)),
  table: (a, q, t, d) => retentionTable(a.results, q, t, d.view === "counts"),
  Builder,
  Result,
};

export function RetentionPage() {
  return <AnalysisFrame spec={spec} />;
}
