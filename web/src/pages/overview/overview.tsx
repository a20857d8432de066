/**
 * Overview: the per-channel summary, then the home dashboard's insight cards (add, remove, reorder,
 * resize). A project without events gets the first steps instead: where the write key is and the line
 * that sends a first event.
 */
import { useState } from "preact/hooks";
import { api, errorMessage } from "../../api.ts";
import { useI18n } from "../../i18n/index.tsx";
import { rangeOf } from "../../query/dates.ts";
import { Link } from "../../router.tsx";
import { useSession } from "../../session.tsx";
import type { Dashboard, Insight } from "../../types.ts";
import { Alert, Empty, Loading, PageHeader } from "../../ui/feedback.tsx";
import { useLoad } from "../../ui/use-load.ts";
import { ChannelSummaryCard } from "./channel-summary.tsx";
import { FirstEvent } from "./first-event.tsx";
import { InsightCard } from "./insight-card.tsx";

const HOME_DASHBOARD = 1;

function AddInsight({ dashboard, onAdd }: { dashboard: Dashboard; onAdd: (id: number) => void }) {
  const { t } = useI18n();
  const { data } = useLoad(() => api<{ results: Insight[] }>("GET", "/api/insights"));
  const onBoard = new Set(dashboard.cards.map((c) => c.insight.id));
  const free = (data?.results ?? []).filter((i) => !onBoard.has(i.id));
  if (free.length === 0) return null;
  return (
    <label class="inline">
      {t("overview.add")}{" "}
      <select value="" onChange={(e) => e.currentTarget.value && onAdd(Number(e.currentTarget.value))}>
        <option value="">{t("overview.choose")}</option>
        {free.map((i) => (
          <option key={i.id} value={i.id}>{i.name}</option>
        ))}
      </select>
    </label>
  );
}

export function OverviewPage() {
  const { t } = useI18n();
  const { canOperate } = useSession();
  const [range, setRange] = useState(rangeOf("30d"));
  const { data, error, loading, setData } = useLoad(() => api<Dashboard>("GET", `/api/dashboards/${HOME_DASHBOARD}`));
  const [saveError, setSaveError] = useState<string | null>(null);
  const [persons, setPersons] = useState<number | null>(null);
  // Bumped when the first event arrives, so the channel summary loads again and the first steps give way.
  const [arrivals, setArrivals] = useState(0);

  const save = async (cards: { insightId: number; width: "half" | "full" }[]) => {
    try {
      setData(await api<Dashboard>("PATCH", `/api/dashboards/${HOME_DASHBOARD}`, { cards }));
      setSaveError(null);
    } catch (e) {
      setSaveError(errorMessage(e));
    }
  };
  const cards = data?.cards.map((c) => ({ insightId: c.insight.id, width: c.width })) ?? [];
  const move = (i: number, d: -1 | 1) => {
    const next = [...cards];
    [next[i], next[i + d]] = [next[i + d]!, next[i]!];
    void save(next);
  };

  return (
    <>
      <PageHeader title={t("nav.overview")} intro={t("overview.intro")}>
        {canOperate && data && <AddInsight dashboard={data} onAdd={(id) => save([...cards, { insightId: id, width: "half" }])} />}
      </PageHeader>
      <ChannelSummaryCard range={range} onRange={setRange} onTotals={setPersons} reload={arrivals} />
      {/* Below the channels: inserted above them once their totals came, it pushed the whole page down. */}
      {persons === 0 && <FirstEvent onArrived={() => setArrivals((n) => n + 1)} />}
      {(error ?? saveError) && <Alert>{error ?? saveError}</Alert>}
      {loading && !data ? (
        <Loading />
      ) : data && data.cards.length === 0 ? (
        <Empty>
          {t("overview.noCards")} <Link href="/events">{t("overview.startAnalysis")}</Link>
        </Empty>
      ) : (
        <div class="card-grid">
          {data?.cards.map((c, i) => (
            <InsightCard
              key={c.insight.id}
              card={c}
              index={i}
              count={data.cards.length}
              editable={canOperate}
              onMove={(d) => move(i, d)}
              onResize={() => save(cards.map((x, j) => (j === i ? { ...x, width: x.width === "full" ? "half" : "full" } : x)))}
              onRemove={() => save(cards.filter((_, j) => j !== i))}
            />
          ))}
        </div>
      )}
      {canOperate && data && data.cards.length > 0 && (
        <p class="hint">
          {t("overview.howToAdd")} <Link href="/events">{t("overview.startAnalysis")}</Link>
        </p>
      )}
    </>
  );
}
