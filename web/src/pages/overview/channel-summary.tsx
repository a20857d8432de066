/**
 * The per-channel summary at the top of the overview (GET /api/insights/channels): persons ever seen,
 * active and new persons in the range, orders and revenue, per channel, with the totals. Each channel
 * opens the event analysis broken down the same way.
 */
import { useState } from "preact/hooks";
import { api } from "../../api.ts";
import { PropertyPicker } from "../../analysis/pickers.tsx";
import { DateRange } from "../../analysis/date-range.tsx";
import { useI18n } from "../../i18n/index.tsx";
import { absoluteDay } from "../../query/dates.ts";
import { encodeQuery } from "../../query/url-state.ts";
import { Link } from "../../router.tsx";
import { useSession } from "../../session.tsx";
import type { ChannelSummary } from "../../types.ts";
import { Alert, Loading } from "../../ui/feedback.tsx";
import { useLoad } from "../../ui/use-load.ts";

const COLUMNS = ["persons", "activePersons", "newPersons", "orders", "revenue"] as const;

const PROPERTY_KEY = "tessera.channelProperty";

export function ChannelSummaryCard({ range, onRange, onTotals }: { range: { dateFrom: string; dateTo: string }; onRange: (r: { dateFrom: string; dateTo: string }) => void; onTotals: (persons: number) => void }) {
  const { t, lang } = useI18n();
  const { settings } = useSession();
  // Which event property names the channel differs between projects (marketing $channel, a shop
  // property of orders…); the choice is remembered in this browser.
  const [property, setPropertyState] = useState(() => localStorage.getItem(PROPERTY_KEY) ?? "$channel");
  const setProperty = (p: string) => {
    localStorage.setItem(PROPERTY_KEY, p);
    setPropertyState(p);
  };
  const nf = new Intl.NumberFormat(lang === "zh" ? "zh-CN" : "en", { maximumFractionDigits: 0 });
  const money = new Intl.NumberFormat(lang === "zh" ? "zh-CN" : "en", { maximumFractionDigits: 2, minimumFractionDigits: 2 });
  const { data, error, loading } = useLoad(async () => {
    // The endpoint takes calendar days of the project zone; presets resolve to them here.
    const now = Date.now();
    const days = { dateFrom: absoluteDay(range.dateFrom, now, settings.timezone), dateTo: absoluteDay(range.dateTo, now, settings.timezone) };
    const summary = await api<ChannelSummary>("GET", `/api/insights/channels?${new URLSearchParams({ ...days, property })}`);
    onTotals(summary.totals.persons);
    return summary;
  }, [range.dateFrom, range.dateTo, property]);
  const fmt = (k: (typeof COLUMNS)[number], v: number) => (k === "revenue" ? money.format(v) : nf.format(v));
  const trendsLink = (channel: string) =>
    `/events?q=${encodeURIComponent(
      encodeQuery({ kind: "trends", series: [{ event: data?.orderEvent ?? "order_completed", math: "sum", property: data?.revenueProperty ?? "revenue" }], breakdown: { property: data?.property ?? "$channel", type: "event" }, dateFrom: range.dateFrom, dateTo: range.dateTo, where: { property: data?.property ?? "$channel", type: "event", op: "eq", value: channel } }),
    )}`;
  return (
    <section class="card" aria-labelledby="channels-title">
      <header class="insight-head">
        <h2 id="channels-title">{t("overview.channels")}</h2>
        <div class="toolbar">
          <PropertyPicker label={t("overview.channelProperty")} hideLabel type="event" value={property} onValue={(p) => p && setProperty(p)} />
          <DateRange dateFrom={range.dateFrom} dateTo={range.dateTo} onRange={onRange} />
        </div>
      </header>
      {error && <Alert>{error}</Alert>}
      <div class="table-scroll" style="min-height: 180px">
        {loading && !data ? (
          <Loading />
        ) : data ? (
          <table class="table data-table" data-testid="channel-summary">
            <thead>
              <tr>
                <th scope="col">{t("overview.channel")}</th>
                {COLUMNS.map((c) => (
                  <th key={c} scope="col" class="num">{t(`overview.${c}`)}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {data.results.map((r) => (
                <tr key={r.channel}>
                  <th scope="row">
                    <Link href={trendsLink(r.channel)}>{r.channel === "" ? t("query.none") : r.channel}</Link>
                  </th>
                  {COLUMNS.map((c) => (
                    <td key={c} class="num">{fmt(c, r[c])}</td>
                  ))}
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">{t("query.total")}</th>
                {COLUMNS.map((c) => (
                  <td key={c} class="num">{fmt(c, data.totals[c])}</td>
                ))}
              </tr>
            </tfoot>
          </table>
        ) : null}
      </div>
      {data && <p class="hint">{t("overview.channelsHint", { property: data.property, event: data.orderEvent, revenue: data.revenueProperty })}</p>}
    </section>
  );
}
