/**
 * Funnels (漏斗分析): ordered, strict or any-order steps within a conversion window, exclusions, breakdown
 * with attribution; viewed as steps (bars with conversion and drop-off), conversion over time, or the
 * time it takes to convert.
 */
import { BreakdownEditor } from "../../analysis/breakdown-editor.tsx";
import { DateRange, IntervalSelect } from "../../analysis/date-range.tsx";
import { FilterEditor } from "../../analysis/filter-editor.tsx";
import { AnalysisFrame, type AnalysisSpec, type BuilderProps, type ResultProps } from "../../analysis/frame.tsx";
import { breakdownLabel, duration, exactDuration } from "../../analysis/table-model.ts";
import { FunnelBars } from "../../charts/funnel-bars.tsx";
import { color } from "../../charts/palette.ts";
import { CategoryChart } from "../../charts/uplot-chart.tsx";
import { localeOf, useI18n } from "../../i18n/index.tsx";
import { endsToday } from "../../query/dates.ts";
import type { FunnelQuery, FunnelStepsResult, FunnelTrendsResult, FunnelView, Interval, TimeToConvertResult, WindowUnit } from "../../query/types.ts";
import { ExclusionsEditor, StepsEditor } from "./funnel-steps.tsx";
import { binText, funnelTable, ttcBins } from "./funnel-table.ts";
import { CommitInput } from "../../ui/field.tsx";

const UNITS: WindowUnit[] = ["minute", "hour", "day", "week"];
const VIEWS: FunnelView[] = ["steps", "trends", "time_to_convert"];

function Builder({ query: q, onQuery }: BuilderProps<"funnel">) {
  const { t } = useI18n();
  const window = q.window ?? { n: 7, unit: "day" };
  const attribution = q.breakdown?.attribution ?? "first_touch";
  return (
    <>
      <StepsEditor steps={q.steps} onSteps={(steps) => onQuery({ ...q, steps, exclusions: (q.exclusions ?? []).filter((x) => x.toStep < steps.length) })} />
      <div class="toolbar">
        <label class="inline">
          {t("funnel.window")}{" "}
          <CommitInput type="number" min={1} value={window.n} style="width: 5em" aria-label={t("funnel.windowN")} onCommit={(v) => onQuery({ ...q, window: { ...window, n: Math.max(1, Number(v) || 1) } })} />
          <select value={window.unit} aria-label={t("funnel.windowUnit")} onChange={(e) => onQuery({ ...q, window: { ...window, unit: e.currentTarget.value as WindowUnit } })}>
            {UNITS.map((u) => (
              <option key={u} value={u}>{t(`unit.${u}`)}</option>
            ))}
          </select>
        </label>
        <label class="inline">
          {t("funnel.order")}{" "}
          <select value={q.order ?? "ordered"} onChange={(e) => onQuery({ ...q, order: e.currentTarget.value as FunnelQuery["order"] })}>
            {(["ordered", "strict", "unordered"] as const).map((o) => (
              <option key={o} value={o}>{t(`funnel.order.${o}`)}</option>
            ))}
          </select>
        </label>
        <DateRange dateFrom={q.dateFrom} dateTo={q.dateTo} onRange={(r) => onQuery({ ...q, ...r })} />
      </div>
      <ExclusionsEditor query={q} onQuery={onQuery} />
      <FilterEditor label={t("query.globalFilters")} filter={q.where} onFilter={(where) => onQuery({ ...q, where })} event={q.steps[0]?.event || undefined} />
      <div class="toolbar">
        <BreakdownEditor value={q.breakdown} onValue={(b) => onQuery({ ...q, breakdown: b && { ...b, attribution, step: q.breakdown?.step } })} event={q.steps[0]?.event || undefined} />
        {q.breakdown && (
          <label class="inline">
            {t("funnel.attribution")}{" "}
            <select value={attribution === "step" ? `step:${q.breakdown.step ?? 0}` : attribution} onChange={(e) => {
              const v = e.currentTarget.value;
              const b = q.breakdown!;
              onQuery({ ...q, breakdown: v.startsWith("step:") ? { ...b, attribution: "step", step: Number(v.slice(5)) } : { ...b, attribution: v as "first_touch" | "last_touch", step: undefined } });
            }}>
              <option value="first_touch">{t("funnel.firstTouch")}</option>
              <option value="last_touch">{t("funnel.lastTouch")}</option>
              {q.steps.map((s, i) => (
                <option key={i} value={`step:${i}`}>{t("funnel.atStep", { n: i + 1, event: s.event })}</option>
              ))}
            </select>
          </label>
        )}
      </div>
      <div class="toolbar">
        <div class="segmented" role="group" aria-label={t("funnel.view")}>
          {VIEWS.map((v) => (
            <button key={v} type="button" aria-pressed={(q.view ?? "steps") === v} onClick={() => onQuery({ ...q, view: v })}>
              {t(`funnel.view.${v}`)}
            </button>
          ))}
        </div>
        {q.view === "trends" && <IntervalSelect<Interval> value={q.interval ?? "day"} options={["hour", "day", "week", "month"]} onValue={(interval) => onQuery({ ...q, interval })} />}
      </div>
    </>
  );
}

function Result({ query, answer, onActors }: ResultProps<"funnel">) {
  const { t, lang } = useI18n();
  const labelOf = (bv: string | null) => breakdownLabel(bv, { none: t("query.none"), other: t("query.other") });
  const view = query.view ?? "steps";
  if (view === "steps") return <FunnelBars results={answer.results as FunnelStepsResult[]} onActors={onActors} labelOf={labelOf} />;
  if (view === "trends") {
    const rows = answer.results as FunnelTrendsResult[];
    const groups = [...new Set(rows.map((r) => r.breakdownValue ?? null))];
    const labels = [...new Set(rows.map((r) => r.period))];
    const series = groups.map((g, i) => ({
      label: g === null ? t("funnel.rate") : labelOf(g),
      values: labels.map((p) => rows.find((r) => r.period === p && (r.breakdownValue ?? null) === g)?.rate ?? 0),
      color: color(i),
    }));
    const window = query.window ?? { n: 7, unit: "day" };
    return (
      <>
        <CategoryChart labels={labels} series={series} kind="line" unit="%" ariaLabel={t("funnel.trendsLabel")} testId="funnel-trends-chart" />
        {/* Who entered in the last window has not had all of it to convert: the line bends down at the end. */}
        {endsToday(query) && <p class="hint">{t("funnel.trendsOpen", { window: `${window.n} ${t(`unit.${window.unit}`)}` })}</p>}
      </>
    );
  }
  const r = (answer.results as TimeToConvertResult[])[0];
  const bins = ttcBins(answer);
  const nf = new Intl.NumberFormat(localeOf(lang));
  return (
    <>
      <p>
        {t("funnel.ttcSummary", { avg: duration(r?.averageSeconds ?? null, t), median: duration(r?.medianSeconds ?? null, t) })}
      </p>
      <CategoryChart
        labels={bins.map((b) => exactDuration(b.from, t))}
        series={[{ label: t("funnel.persons"), values: bins.map((b) => b.persons), color: color(0) }]}
        kind="bar"
        ariaLabel={t("funnel.ttcLabel")}
        testId="funnel-ttc-chart"
        onCategory={(i) => {
          const b = bins[i];
          if (b && b.persons > 0) onActors({ bin: { from: b.from, to: b.to } }, `${t("funnel.convertedIn", { range: binText(b, t) })} · ${t("actors.count", { n: nf.format(b.persons) })}`);
        }}
      />
    </>
  );
}

const spec: AnalysisSpec<"funnel"> = {
  kind: "funnel",
  title: "nav.funnels",
  intro: "funnel.intro",
  initial: () => ({ kind: "funnel", steps: [{ event: "" }, { event: "" }], window: { n: 7, unit: "day" }, order: "ordered", view: "steps", dateFrom: "-29d", dateTo: "today" }),
  ready: (q) => q.steps.length >= 2 && q.steps.every((s) => s.event.trim() !== "") && (q.exclusions ?? []).every((x) => x.event.trim() !== ""),
  clean: (q) => ({ ...q, breakdown: q.breakdown?.property ? q.breakdown : undefined, exclusions: q.exclusions?.length ? q.exclusions : undefined }),
  isEmpty: (a) => {
    const r = a.results[0];
    if (!r) return true;
    if ("steps" in r) return (a.results as FunnelStepsResult[]).every((x) => (x.steps[0]?.count ?? 0) === 0);
    if ("entered" in r) return (a.results as FunnelTrendsResult[]).every((x) => x.entered === 0);
    return (r as TimeToConvertResult).bins.every(([, n]) => n === 0);
  },
  table: (a, q, t) => funnelTable(a, q, t),
  Builder,
  Result,
};

export function FunnelPage() {
  return <AnalysisFrame spec={spec} />;
}
