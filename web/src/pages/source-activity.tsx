/**
 * A source's activity: received / stored / rejected by reason over the last 24 hours (per hour, from the
 * ingest counters, GET /api/sources/:id/stats) and the live stream of its last 100 events, pushed by the
 * server as they commit (server-sent events, GET /api/sources/:id/stream), and the latest refused items with
 * their errors (GET /api/sources/:id/rejections).
 */
import { useEffect, useState } from "preact/hooks";
import { api } from "../api.ts";
import { color } from "../charts/palette.ts";
import { CategoryChart } from "../charts/uplot-chart.tsx";
import { localeOf, useI18n } from "../i18n/index.tsx";
import { useSession } from "../session.tsx";
import type { DropReason, MinuteStats, RecentEvent, RejectionSample, Source } from "../types.ts";
import { Link } from "../router.tsx";
import { Alert, Empty } from "../ui/feedback.tsx";
import { useEvery, useLoad } from "../ui/use-load.ts";
import { hourly } from "./source-stats.ts";

/** How often the counters and the refused items are read again while the page is open. */
const REFRESH_MS = 5_000;

function Stats({ source }: { source: Source }) {
  const { t, lang } = useI18n();
  const { settings } = useSession();
  const nf = new Intl.NumberFormat(localeOf(lang));
  const { data, error, reload } = useLoad(() => api<{ results: MinuteStats[] }>("GET", `/api/sources/${source.id}/stats`), [source.id]);
  // Someone wiring an SDK watches these move: received, stored, and each refusal as it happens.
  useEvery(REFRESH_MS, () => void reload(), [reload]);
  if (error) return <Alert>{t("sources.statsFailed", { message: error })}</Alert>;
  const minutes = data?.results ?? [];
  const hours = hourly(minutes, Date.now());
  const reasons = new Map<DropReason, number>();
  for (const m of minutes) for (const [r, n] of Object.entries(m.dropped)) reasons.set(r as DropReason, (reasons.get(r as DropReason) ?? 0) + (n ?? 0));
  // Until the counters have loaded, show a dash rather than a zero that is not true.
  const sum = (k: "received" | "stored" | "rejected") => (data ? nf.format(hours.reduce((s, h) => s + h[k], 0)) : "—");
  const fmt = new Intl.DateTimeFormat(localeOf(lang), { timeZone: settings.timezone, hour: "2-digit", minute: "2-digit" });
  return (
    <div class="source-stats">
      <dl class="stats">
        <div><dt>{t("sources.received")}</dt><dd class="big-number" data-testid="stat-received">{sum("received")}</dd></div>
        <div><dt>{t("sources.stored")}</dt><dd class="big-number" data-testid="stat-stored">{sum("stored")}</dd></div>
        <div><dt>{t("sources.rejected")}</dt><dd class="big-number">{sum("rejected")}</dd></div>
      </dl>
      {reasons.size > 0 && (
        <ul class="chips" aria-label={t("sources.byReason")}>
          {[...reasons].map(([r, n]) => <li key={r} class="chip">{t(`reason.${r}`)}: {nf.format(n)}</li>)}
        </ul>
      )}
      <CategoryChart
        labels={hours.map((h) => fmt.format(h.hour * 3_600_000))}
        series={[{ label: t("sources.stored"), values: hours.map((h) => h.stored), color: color(2) }, { label: t("sources.rejected"), values: hours.map((h) => h.rejected), color: color(3) }]}
        kind="stacked"
        height={160}
        ariaLabel={t("sources.last24h")}
      />
    </div>
  );
}

function LiveStream({ source }: { source: Source }) {
  const { t, lang } = useI18n();
  const { settings } = useSession();
  const [events, setEvents] = useState<RecentEvent[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [paused, setPaused] = useState(false);
  useEffect(() => {
    if (paused) return;
    // EventSource reconnects by itself; each connection starts with a fresh snapshot.
    const stream = new EventSource(`/api/sources/${source.id}/stream`);
    stream.addEventListener("snapshot", (e) => {
      setEvents(JSON.parse((e as MessageEvent<string>).data) as RecentEvent[]);
      setError(null);
    });
    stream.addEventListener("events", (e) => {
      const fresh = JSON.parse((e as MessageEvent<string>).data) as RecentEvent[];
      if (fresh.length > 0) setEvents((old) => [...fresh, ...(old ?? [])].slice(0, 100));
    });
    stream.onerror = () => setError(t("sources.liveReconnecting"));
    return () => stream.close();
  }, [source.id, paused]);
  const clock = { timeZone: settings.timezone, hour: "2-digit", minute: "2-digit", second: "2-digit" } as const;
  const time = new Intl.DateTimeFormat(localeOf(lang), clock);
  // Imported or late events can be days old: those carry their date.
  const dated = new Intl.DateTimeFormat(localeOf(lang), { ...clock, month: "2-digit", day: "2-digit" });
  const dayOf = new Intl.DateTimeFormat("en-CA", { timeZone: settings.timezone, year: "numeric", month: "2-digit", day: "2-digit" });
  const today = dayOf.format(Date.now());
  return (
    <div class="live-stream">
      <div class="insight-head">
        <h3>{t("sources.live")}</h3>
        <button type="button" class="btn btn-link" aria-pressed={paused} onClick={() => setPaused(!paused)}>{paused ? t("sources.resume") : t("sources.pause")}</button>
      </div>
      {error && <Alert>{error}</Alert>}
      {events && events.length === 0 && <Empty>{t("sources.noEvents")}</Empty>}
      {events && events.length > 0 && (
        <div class="table-scroll stream">
          <table class="table compact" data-testid="live-events">
            <thead>
              <tr><th scope="col">{t("sources.time")}</th><th scope="col">{t("people.event")}</th><th scope="col">{t("people.person")}</th><th scope="col">{t("people.properties")}</th></tr>
            </thead>
            <tbody>
              {events.map((e, i) => (
                <tr key={`${e.ts}-${i}`}>
                  <td>{(dayOf.format(e.ts) === today ? time : dated).format(e.ts)}</td>
                  <td><strong>{e.event}</strong></td>
                  <td>{e.person >= 0 ? <Link href={`/people/${e.person}`}>#{e.person}</Link> : "—"}</td>
                  <td class="detail"><code>{JSON.stringify(e.properties).slice(0, 160)}</code></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

/**
 * Rejections lists the latest refused items with the error that names the field: browser SDKs never show
 * the 400, so this is where whoever wires one finds out why events are missing. Reloaded on demand.
 */
function Rejections({ source }: { source: Source }) {
  const { t, lang } = useI18n();
  const { settings } = useSession();
  const { data, reload, loading } = useLoad(() => api<{ results: RejectionSample[] }>("GET", `/api/sources/${source.id}/rejections`), [source.id]);
  useEvery(REFRESH_MS, () => void reload(), [reload]);
  if (!data || data.results.length === 0) return null;
  const time = new Intl.DateTimeFormat(localeOf(lang), { timeZone: settings.timezone, month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });
  return (
    <div class="rejections">
      <div class="insight-head">
        <h3>{t("sources.rejections")}</h3>
        <button type="button" class="btn btn-link" disabled={loading} onClick={() => void reload()}>{t("sources.refresh")}</button>
      </div>
      <p class="hint">{t("sources.rejectionsIntro")}</p>
      <div class="table-scroll stream">
        <table class="table compact" data-testid="rejections">
          <thead>
            <tr><th scope="col">{t("sources.time")}</th><th scope="col">{t("sources.route")}</th><th scope="col">{t("sources.error")}</th><th scope="col">{t("sources.sample")}</th></tr>
          </thead>
          <tbody>
            {data.results.map((r, i) => (
              <tr key={`${r.at}-${i}`}>
                <td>{time.format(r.at)}</td>
                <td><code>{r.route}</code></td>
                <td>{r.error}</td>
                <td class="detail">{r.sample === null ? "—" : <code>{r.sample.slice(0, 200)}</code>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

export function SourceActivity({ source }: { source: Source }) {
  const { t } = useI18n();
  return (
    <section class="card" aria-labelledby="activity-title">
      <h2 id="activity-title">{t("sources.activity", { name: source.name })}</h2>
      <Stats source={source} />
      <LiveStream source={source} />
      <Rejections source={source} />
    </section>
  );
}
