/**
 * InsightCard: one saved insight on the overview. It runs its query when it scrolls into view (a long
 * dashboard does not fire every query at once), draws a compact chart of the right kind, and links to
 * the full analysis. Operators can move, resize and remove it.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { api, errorMessage } from "../../api.ts";
import { breakdownLabel } from "../../analysis/table-model.ts";
import { FunnelBars } from "../../charts/funnel-bars.tsx";
import { color, LIFECYCLE_COLORS } from "../../charts/palette.ts";
import { CategoryChart } from "../../charts/uplot-chart.tsx";
import { useI18n } from "../../i18n/index.tsx";
import type { Answer, FunnelStepsResult, Query, QueryKind } from "../../query/types.ts";
import { PAGE_OF } from "../../query/url-state.ts";
import { Link, navigate } from "../../router.tsx";
import type { Card } from "../../types.ts";
import { Alert, Loading } from "../../ui/feedback.tsx";
import { averages } from "../analysis/retention-table.ts";
import { bucketLabel, STATUSES } from "../analysis/more-tables.ts";
import { lineLabel, onRightAxis } from "../analysis/trends-table.ts";

const HEIGHT = 200;

function MiniChart({ query, answer }: { query: Query; answer: Answer<QueryKind> }) {
  const { t } = useI18n();
  const labelOf = (bv: string | null) => breakdownLabel(bv, { none: t("query.none"), other: t("query.other") });
  switch (query.kind) {
    case "trends": {
      const rs = (answer as Answer<"trends">).results.slice(0, 10);
      const labels = rs[0]?.points.map((p) => p.t) ?? [];
      const kind = query.interval === "month" ? "bar" : "line";
      return <CategoryChart labels={labels} height={HEIGHT} kind={kind} ariaLabel={t("trends.chartLabel", { n: rs.length })} series={rs.map((r, i) => ({ label: lineLabel(r, t), values: r.points.map((p) => p.value), color: color(i), dashed: r.compare === "previous", right: onRightAxis(r, query) }))} />;
    }
    case "funnel":
      if ((query.view ?? "steps") === "steps") return <FunnelBars results={(answer as Answer<"funnel">).results as FunnelStepsResult[]} labelOf={labelOf} onActors={() => navigate(PAGE_OF.funnel)} />;
      return <p class="hint">{t("overview.openToSee")}</p>;
    case "retention": {
      const avg = averages((answer as Answer<"retention">).results);
      return <CategoryChart labels={avg.map((a) => String(a.lag))} height={HEIGHT} kind="line" unit="%" ariaLabel={t("retention.curveLabel")} series={[{ label: t("retention.average"), color: color(0), values: avg.map((a) => Number((100 * a.share).toFixed(2))) }]} />;
    }
    case "lifecycle": {
      const rs = (answer as Answer<"lifecycle">).results;
      return <CategoryChart labels={rs.map((r) => r.period)} height={HEIGHT} kind="stacked" ariaLabel={t("lifecycle.chartLabel")} series={STATUSES.map((s) => ({ label: t(`lifecycle.${s}`), color: LIFECYCLE_COLORS[s], values: rs.map((r) => r[s]) }))} />;
    }
    case "distribution": {
      const rs = (answer as Answer<"distribution">).results.filter((r) => r.period === undefined);
      return <CategoryChart labels={rs.map((r) => bucketLabel(r, query.measure !== "sum"))} height={HEIGHT} kind="bar" ariaLabel={t("distribution.chartLabel", { n: (answer as Answer<"distribution">).totalPersons })} series={[{ label: t("funnel.persons"), color: color(0), values: rs.map((r) => r.persons) }]} />;
    }
    case "stickiness": {
      const rs = (answer as Answer<"stickiness">).results;
      return <CategoryChart labels={rs.map((r) => String(r.intervals))} height={HEIGHT} kind="bar" ariaLabel={t("nav.stickiness")} series={[{ label: t("funnel.persons"), color: color(0), values: rs.map((r) => r.persons) }]} />;
    }
    case "paths": {
      const rs = [...(answer as Answer<"paths">).results].sort((a, b) => b.persons - a.persons).slice(0, 6);
      return (
        <ol class="mini-paths">
          {rs.map((e) => (
            <li key={`${e.source}>${e.target}`}>
              {e.source} → {e.target}: <strong>{e.persons}</strong>
            </li>
          ))}
        </ol>
      );
    }
  }
}

type Props = {
  card: Card;
  index: number;
  count: number;
  editable: boolean;
  onMove: (d: -1 | 1) => void;
  onResize: () => void;
  onRemove: () => void;
};

export function InsightCard({ card, index, count, editable, onMove, onResize, onRemove }: Props) {
  const { t } = useI18n();
  const { insight } = card;
  const box = useRef<HTMLElement>(null);
  const [visible, setVisible] = useState(false);
  const [answer, setAnswer] = useState<Answer<QueryKind> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const query = insight.query as unknown as Query;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const io = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && setVisible(true), { rootMargin: "200px" });
    io.observe(el);
    return () => io.disconnect();
  }, []);
  useEffect(() => {
    if (!visible) return;
    const c = new AbortController();
    api<Answer<QueryKind>>("POST", "/api/query", query, { signal: c.signal }).then(setAnswer, (e) => c.signal.aborted || setError(errorMessage(e)));
    return () => c.abort();
  }, [visible, JSON.stringify(query)]);

  const href = `${PAGE_OF[query.kind]}?insight=${insight.id}`;
  return (
    <article ref={box} class={`card insight-card ${card.width === "full" ? "full" : ""}`} aria-labelledby={`insight-${insight.id}`} data-testid="insight-card">
      <header class="insight-head">
        <h2 id={`insight-${insight.id}`}>
          <Link href={href}>{insight.name}</Link>
        </h2>
        {editable && (
          <div class="row-actions">
            <button type="button" class="btn btn-link" disabled={index === 0} onClick={() => onMove(-1)} aria-label={t("overview.moveUp", { name: insight.name })}>↑</button>
            <button type="button" class="btn btn-link" disabled={index === count - 1} onClick={() => onMove(1)} aria-label={t("overview.moveDown", { name: insight.name })}>↓</button>
            <button type="button" class="btn btn-link" onClick={onResize} aria-label={t(card.width === "full" ? "overview.narrow" : "overview.widen", { name: insight.name })}>{card.width === "full" ? "⇤" : "⇔"}</button>
            <button type="button" class="btn btn-link" onClick={onRemove} aria-label={t("overview.remove", { name: insight.name })}>✕</button>
          </div>
        )}
      </header>
      {insight.description && <p class="hint">{insight.description}</p>}
      <div class="insight-body" style={`min-height: ${HEIGHT + 40}px`}>
        {error ? <Alert>{t("query.failed", { message: error })}</Alert> : answer ? <MiniChart query={query} answer={answer} /> : <Loading />}
      </div>
    </article>
  );
}
