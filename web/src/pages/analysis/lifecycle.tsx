/**
 * Lifecycle (生命周期): per period, the persons who did an event for the first time ever (new), again after
 * the previous period (returning), again after a gap (resurrecting), and those who stopped (dormant,
 * drawn below zero). Stickiness, on its own page, counts persons by their number of active periods.
 */
import { DateRange, IntervalSelect } from "../../analysis/date-range.tsx";
import { FilterEditor } from "../../analysis/filter-editor.tsx";
import { AnalysisFrame, type AnalysisSpec, type BuilderProps, type ResultProps } from "../../analysis/frame.tsx";
import { EventPicker } from "../../analysis/pickers.tsx";
import { color, LIFECYCLE_COLORS, segmentAt } from "../../charts/palette.ts";
import { CategoryChart } from "../../charts/uplot-chart.tsx";
import { useI18n } from "../../i18n/index.tsx";
import type { Interval, LifecycleQuery, StickinessQuery } from "../../query/types.ts";
import { Link } from "../../router.tsx";
import { lifecycleTable, STATUSES, stickinessTable } from "./more-tables.ts";
import { endsToday } from "../../query/dates.ts";

type EventQuery = LifecycleQuery | StickinessQuery;

function EventBuilder<Q extends EventQuery>({ query: q, onQuery }: { query: Q; onQuery: (q: Q) => void }) {
  const { t } = useI18n();
  return (
    <>
      <div class="toolbar">
        <EventPicker label={t("lifecycle.event")} value={q.event} onValue={(event) => onQuery({ ...q, event })} testId="lifecycle-event" />
        <IntervalSelect<Interval> value={q.interval ?? "day"} options={["day", "week", "month"]} onValue={(interval) => onQuery({ ...q, interval })} />
        <DateRange dateFrom={q.dateFrom} dateTo={q.dateTo} onRange={(r) => onQuery({ ...q, ...r })} />
        {q.kind === "stickiness" && (
          <label class="inline checkbox">
            <input type="checkbox" checked={q.cumulative ?? false} onChange={(e) => onQuery({ ...q, cumulative: e.currentTarget.checked })} /> {t("stickiness.cumulative")}
          </label>
        )}
      </div>
      <FilterEditor label={t("query.globalFilters")} filter={q.where} onFilter={(where) => onQuery({ ...q, where })} event={q.event || undefined} />
      <p class="hint">
        {q.kind === "lifecycle" ? <Link href="/stickiness">{t("nav.stickiness")} →</Link> : <Link href="/lifecycle">{t("nav.lifecycle")} →</Link>}
      </p>
    </>
  );
}

function LifecycleResult({ answer, query, onActors }: ResultProps<"lifecycle">) {
  const { t } = useI18n();
  const labels = answer.results.map((r) => r.period);
  const series = STATUSES.map((s) => ({ label: t(`lifecycle.${s}`), values: answer.results.map((r) => r[s]), color: LIFECYCLE_COLORS[s] }));
  return (
    <>
      <CategoryChart
        labels={labels}
        series={series}
        kind="stacked"
        ariaLabel={t("lifecycle.chartLabel")}
        testId="lifecycle-chart"
        onCategory={(i, y) => {
          const s = STATUSES[segmentAt(series.map((x) => x.values), i, y)];
          if (s && labels[i]) onActors({ cell: { period: labels[i]!, status: s } }, `${t(`lifecycle.${s}`)} · ${labels[i]}`);
        }}
      />
      {endsToday(query) && <p class="hint">{t("query.partialPeriod")}</p>}
    </>
  );
}

function StickinessResult({ answer, query, onActors }: ResultProps<"stickiness">) {
  const { t } = useI18n();
  const rows = answer.results;
  return (
    <CategoryChart
      labels={rows.map((r) => String(r.intervals))}
      series={[{ label: t("funnel.persons"), values: rows.map((r) => r.persons), color: color(0) }]}
      kind="bar"
      ariaLabel={t("stickiness.chartLabel", { interval: t(`interval.${query.interval ?? "day"}`) })}
      onCategory={(i) => rows[i] && onActors({ bucket: { intervals: rows[i]!.intervals } }, String(rows[i]!.intervals))}
    />
  );
}

const lifecycle: AnalysisSpec<"lifecycle"> = {
  kind: "lifecycle",
  title: "nav.lifecycle",
  intro: "lifecycle.intro",
  initial: () => ({ kind: "lifecycle", event: "", interval: "day", dateFrom: "-29d", dateTo: "today" }),
  ready: (q) => q.event.trim() !== "",
  clean: (q) => q,
  isEmpty: (a) => a.results.every((r) => r.new === 0 && r.returning === 0 && r.resurrecting === 0 && r.dormant === 0),
  table: (a, _q, t) => lifecycleTable(a.results, t),
  Builder: (p: BuilderProps<"lifecycle">) => <EventBuilder {...p} />,
  Result: LifecycleResult,
};

const stickiness: AnalysisSpec<"stickiness"> = {
  kind: "stickiness",
  title: "nav.stickiness",
  intro: "stickiness.intro",
  initial: () => ({ kind: "stickiness", event: "", interval: "day", dateFrom: "-29d", dateTo: "today" }),
  ready: (q) => q.event.trim() !== "",
  clean: (q) => q,
  isEmpty: (a) => a.results.every((r) => r.persons === 0),
  table: (a, q, t) => stickinessTable(a.results, q.interval ?? "day", t),
  Builder: (p: BuilderProps<"stickiness">) => <EventBuilder {...p} />,
  Result: StickinessResult,
};

export function LifecyclePage() {
  return <AnalysisFrame spec={lifecycle} />;
}

export function StickinessPage() {
  return <AnalysisFrame spec={stickiness} />;
}
