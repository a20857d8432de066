/**
 * Paths (路径分析): the most common sequences of events after an event, before one, between two, or from
 * the first event of each session, as a Sankey of steps; excluded events are skipped over.
 */
import { DateRange } from "../../analysis/date-range.tsx";
import { EventRefEditor } from "../../analysis/event-ref.tsx";
import { FilterEditor } from "../../analysis/filter-editor.tsx";
import { AnalysisFrame, type AnalysisSpec, type BuilderProps, type ResultProps } from "../../analysis/frame.tsx";
import { SankeyChart } from "../../charts/sankey.tsx";
import { useI18n } from "../../i18n/index.tsx";
import type { PathsQuery } from "../../query/types.ts";
import { pathsTable } from "./more-tables.ts";
import { CommitInput } from "../../ui/field.tsx";

type Anchor = "start" | "end" | "between" | "none";

function Builder({ query: q, onQuery }: BuilderProps<"paths">) {
  const { t } = useI18n();
  const anchor: Anchor = q.startEvent && q.endEvent ? "between" : q.endEvent ? "end" : q.startEvent ? "start" : "none";
  const ref = q.startEvent ?? q.endEvent ?? { event: "" };
  const end = q.endEvent ?? { event: "" };
  const setAnchor = (a: Anchor, r = ref, e = end) => onQuery({
    ...q,
    startEvent: a === "start" || a === "between" ? r : undefined,
    endEvent: a === "end" ? r : a === "between" ? e : undefined,
  });
  const exclude = (q.excludeEvents ?? []).join(", ");
  return (
    <>
      <div class="toolbar">
        <label class="inline">
          {t("paths.anchor")}{" "}
          <select value={anchor} onChange={(e) => setAnchor(e.currentTarget.value as Anchor)}>
            <option value="start">{t("paths.after")}</option>
            <option value="end">{t("paths.before")}</option>
            <option value="between">{t("paths.between")}</option>
            <option value="none">{t("paths.fromFirst")}</option>
          </select>
        </label>
        {anchor !== "none" && <EventRefEditor label={anchor === "between" ? t("paths.from") : t("paths.event")} value={ref} onValue={(r) => setAnchor(anchor, r)} testId="paths-event" />}
        {anchor === "between" && <EventRefEditor label={t("paths.to")} value={end} onValue={(e) => setAnchor(anchor, ref, e)} testId="paths-end-event" />}
      </div>
      <div class="toolbar">
        <label class="inline">
          {t("paths.steps")} <CommitInput type="number" min={2} max={10} value={q.stepLimit ?? 5} style="width: 4em" onCommit={(v) => onQuery({ ...q, stepLimit: Math.min(10, Math.max(2, Number(v) || 5)) })} />
        </label>
        <label class="inline">
          {t("paths.edges")} <CommitInput type="number" min={1} max={500} value={q.edgeLimit ?? 50} style="width: 5em" onCommit={(v) => onQuery({ ...q, edgeLimit: Math.min(500, Math.max(1, Number(v) || 50)) })} />
        </label>
        <label class="inline">
          {t("paths.minWeight")}{" "}
          <CommitInput type="number" min={1} value={q.minEdgeWeight ?? ""} placeholder="1" style="width: 5em" onCommit={(v) => {
            const n = Math.floor(Number(v));
            onQuery({ ...q, minEdgeWeight: n >= 2 ? n : undefined });
          }} />
        </label>
        <label class="inline">
          {t("paths.exclude")}{" "}
          <CommitInput type="text" value={exclude} placeholder="$pageview, …" onCommit={(v) => {
            const list = v.split(",").map((s) => s.trim()).filter(Boolean);
            onQuery({ ...q, excludeEvents: list.length ? list : undefined });
          }} />
        </label>
        <DateRange dateFrom={q.dateFrom} dateTo={q.dateTo} onRange={(r) => onQuery({ ...q, ...r })} />
      </div>
      <FilterEditor label={t("query.globalFilters")} filter={q.where} onFilter={(where) => onQuery({ ...q, where })} />
    </>
  );
}

function Result({ answer, onActors }: ResultProps<"paths">) {
  return <SankeyChart edges={answer.results} onActors={onActors} />;
}

const spec: AnalysisSpec<"paths"> = {
  kind: "paths",
  title: "nav.paths",
  intro: "paths.intro",
  initial: (): PathsQuery => ({ kind: "paths", startEvent: { event: "" }, stepLimit: 5, edgeLimit: 50, dateFrom: "-6d", dateTo: "today" }),
  ready: (q) => [q.startEvent, q.endEvent].every((r) => r === undefined || r.event.trim() !== ""),
  clean: (q) => q,
  isEmpty: (a) => a.results.length === 0,
  table: (a, _q, t) => pathsTable(a.results, t),
  Builder,
  Result,
};

export function PathsPage() {
  return <AnalysisFrame spec={spec} />;
}
