/**
 * The per-channel summary at the top of the overview: persons ever seen, active and new persons in the
 * range, orders and revenue, per value of a channel property (by default `$source`, the source each event
 * came through — one per channel — or `$channel`, a person property such as the acquisition channel), with
 * the totals. Computed by the query API
 * (channel-queries.ts); each channel opens its revenue in the event analysis.
 */
import { useState } from "preact/hooks";
import { api } from "../../api.ts";
import { BreakdownEditor } from "../../analysis/breakdown-editor.tsx";
import { DateRange } from "../../analysis/date-range.tsx";
import { breakdownLabel } from "../../analysis/table-model.ts";
import { localeOf, useI18n } from "../../i18n/index.tsx";
import { loadEventNames } from "../../query/catalog.ts";
import type { Answer, Breakdown } from "../../query/types.ts";
import { encodeQuery } from "../../query/url-state.ts";
import { Link } from "../../router.tsx";
import { Alert, Loading } from "../../ui/feedback.tsx";
import { useLoad } from "../../ui/use-load.ts";
import { channelQueries, channelRows, orderEventOf, type ChannelSetup } from "./channel-queries.ts";

const COLUMNS = ["persons", "activePersons", "newPersons", "orders", "revenue"] as const;
const SHARED = new Set<(typeof COLUMNS)[number]>(["activePersons", "revenue"]);
const STORAGE_KEY = "tessera.channelBy";
const REVENUE = "revenue";

/** storedBy reads the remembered channel property (projects name their channel differently). */
function storedBy(): Breakdown {
  try {
    const v = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "null") as Breakdown | null;
    if (v && typeof v.property === "string" && v.property !== "") return { property: v.property, type: v.type === "person" ? "person" : "event" };
  } catch {
    // a broken stored value falls back to the default
  }
  return { property: "$source", type: "event" };
}

type Range = { dateFrom: string; dateTo: string };

/** `reload` changes when the summary must load again with the same range (the project's first event came). */
export function ChannelSummaryCard({ range, onRange, onTotals, reload = 0 }: { range: Range; onRange: (r: Range) => void; onTotals: (persons: number) => void; reload?: number }) {
  const { t, lang } = useI18n();
  const nf = new Intl.NumberFormat(localeOf(lang), { maximumFractionDigits: 0 });
  const money = new Intl.NumberFormat(localeOf(lang), { maximumFractionDigits: 2, minimumFractionDigits: 2 });
  const pct = new Intl.NumberFormat(localeOf(lang), { style: "percent", maximumFractionDigits: 1 });
  const [by, setByState] = useState<Breakdown>(storedBy);
  const setBy = (b: Breakdown | undefined) => {
    if (!b || b.property === "") return;
    localStorage.setItem(STORAGE_KEY, JSON.stringify({ property: b.property, type: b.type }));
    setByState({ property: b.property, type: b.type });
  };
  const { data, error, loading } = useLoad(async () => {
    // The order event is the project's own name for it (the catalogue says which it sends).
    const setup: ChannelSetup = { by, orderEvent: orderEventOf(await loadEventNames()), revenue: REVENUE };
    const answers = await Promise.all(channelQueries(setup, range).map((q) => api<Answer<"trends">>("POST", "/api/query", q)));
    const rows = channelRows(answers.map((a) => a.results));
    onTotals(rows.totals.persons);
    return { ...rows, orderEvent: setup.orderEvent };
  }, [range.dateFrom, range.dateTo, by.property, by.type, reload]);
  const orderEvent = data?.orderEvent ?? orderEventOf([]);
  // Active persons and revenue carry a bar (the busiest channel's is full) to compare at a glance, and say
  // their share of the total on hover.
  const tops = Object.fromEntries(COLUMNS.map((c) => [c, data && SHARED.has(c) ? Math.max(0, ...data.results.map((x) => x[c])) : 0])) as Record<(typeof COLUMNS)[number], number>;
  const fmt = (k: (typeof COLUMNS)[number], v: number) => (k === "revenue" ? money.format(v) : nf.format(v));
  const label = (v: string) => breakdownLabel(v, { none: t("query.none"), other: t("query.other") });
  const revenueLink = (channel: string) =>
    `/events?q=${encodeURIComponent(encodeQuery({
      kind: "trends", series: [{ event: orderEvent, math: "sum", property: REVENUE }], ...range,
      ...(channel === "$other" ? { breakdown: { ...by, limit: 20 } } : { where: { property: by.property, type: by.type ?? "event", op: channel === "" ? "is_not_set" : "eq", ...(channel === "" ? {} : { value: channel }) } }),
    }))}`;
  return (
    <section class="card" aria-labelledby="channels-title">
      <header class="insight-head">
        <h2 id="channels-title">{t("overview.channels")}</h2>
        <div class="toolbar">
          <BreakdownEditor value={by} onValue={setBy} required label={t("overview.channelBy")} />
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
                    <Link href={revenueLink(r.channel)}>{label(r.channel)}</Link>
                  </th>
                  {COLUMNS.map((c) => {
                    const top = tops[c];
                    return top <= 0 ? (
                      <td key={c} class="num">{fmt(c, r[c])}</td>
                    ) : (
                      <td key={c} class="num share" style={`--share: ${(r[c] / top).toFixed(3)}`} title={t("overview.share", { pct: pct.format(r[c] / data.totals[c]) })}>{fmt(c, r[c])}</td>
                    );
                  })}
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
      <p class="hint">
        {t("overview.channelsHint", { kind: t(by.type === "person" ? "query.personProperty" : "query.eventProperty"), property: by.property, event: orderEvent, revenue: REVENUE })}
      </p>
    </section>
  );
}
