/**
 * The overview's per-channel summary as analyses of the query API, so its numbers are the same engine's
 * as every chart: per value of the channel property (event or person property), persons active in the
 * range, orders and revenue (one trends query), persons ever seen by the range's end, and new persons =
 * seen by the range's end but not before its start (two more). The totals run the same queries without
 * breakdown, because a person seen on two channels counts once in total.
 */
import type { Breakdown, TrendsQuery, TrendsResult } from "../../query/types.ts";

/** ANY_EVENT is the query API's "any event" name. */
export const ANY_EVENT = "$all";
/** SINCE reaches back past any data a project has; monthly buckets keep the query small. */
const SINCE = "-20y";

export interface ChannelSetup {
  by: Breakdown;
  orderEvent: string;
  revenue: string;
}

export interface ChannelRow {
  channel: string;
  persons: number;
  activePersons: number;
  newPersons: number;
  orders: number;
  revenue: number;
}

/** dayBefore names the local day before a date spec, as the query API reads a dateTo ("-29d" → "-30d"). */
export function dayBefore(spec: string): string {
  if (spec === "today") return "yesterday";
  if (spec === "yesterday") return "-2d";
  const rel = /^-(\d+)d$/.exec(spec);
  if (rel) return `-${Number(rel[1]) + 1}d`;
  const day = /^(\d{4})-(\d{2})-(\d{2})/.exec(spec);
  if (day) return new Date(Date.UTC(+day[1]!, +day[2]! - 1, +day[3]! - 1)).toISOString().slice(0, 10);
  return spec;
}

/** channelQueries builds the six queries: [range, ever, before] each with and without the breakdown. */
export function channelQueries(s: ChannelSetup, range: { dateFrom: string; dateTo: string }): TrendsQuery[] {
  const active: TrendsQuery = {
    kind: "trends",
    series: [{ event: ANY_EVENT, math: "users" }, { event: s.orderEvent, math: "total" }, { event: s.orderEvent, math: "sum", property: s.revenue }],
    interval: "month",
    ...range,
  };
  const seen = (dateTo: string): TrendsQuery => ({ kind: "trends", series: [{ event: ANY_EVENT, math: "users" }], interval: "month", dateFrom: SINCE, dateTo });
  const split = (q: TrendsQuery): TrendsQuery => ({ ...q, breakdown: { ...s.by, limit: 20 } });
  const qs = [active, seen(range.dateTo), seen(dayBefore(range.dateFrom))];
  return [...qs.map(split), ...qs];
}

/**
 * ORDER_EVENTS are the names an order goes by: ours and the Chinese platforms' connectors' (`order_completed`),
 * Segment's and RudderStack's e-commerce spec (`Order Completed`, which their snippets send), PostHog's and GA4's
 * habits (`purchase`).
 */
export const ORDER_EVENTS = ["order_completed", "Order Completed", "order_paid", "Order Paid", "purchase", "Purchase"] as const;

/**
 * orderEventOf picks the project's order event: of the known names, the one with the most events (a project that
 * follows Segment's spec counts its "Order Completed"), `order_completed` when there is none yet.
 */
export function orderEventOf(catalogue: readonly { name: string; count: number }[]): string {
  let best: { name: string; count: number } | null = null;
  for (const e of catalogue) {
    if ((ORDER_EVENTS as readonly string[]).includes(e.name) && e.count > 0 && (!best || e.count > best.count)) best = e;
  }
  return best?.name ?? ORDER_EVENTS[0];
}

type Lines = TrendsResult[];

/** rest tells the rows that gather what is not a channel: "Other" and "(none)". */
const rest = (channel: string) => channel === "$other" || channel === "";

const total = (lines: Lines, series: string, bv: string | null) => lines.find((l) => l.series === series && l.breakdownValue === bv)?.total ?? 0;

/** channelRows reads the six answers (in channelQueries' order) into rows, busiest channel first, and totals. */
export function channelRows(answers: Lines[]): { results: ChannelRow[]; totals: Omit<ChannelRow, "channel"> } {
  const [range, ever, before, rangeAll, everAll, beforeAll] = answers as [Lines, Lines, Lines, Lines, Lines, Lines];
  const values = [...new Set([...range, ...ever].map((l) => l.breakdownValue ?? ""))];
  const row = (bv: string | null, r: Lines, e: Lines, b: Lines) => ({
    persons: total(e, "A", bv),
    activePersons: total(r, "A", bv),
    newPersons: Math.max(0, total(e, "A", bv) - total(b, "A", bv)),
    orders: total(r, "B", bv),
    revenue: Math.round(total(r, "C", bv) * 100) / 100,
  });
  const results = values
    .map((v) => ({ channel: v, ...row(v, range, ever, before) }))
    .filter((r) => r.persons > 0 || r.activePersons > 0 || r.orders > 0)
    // Busiest first, "Other" and "(none)" last: they are what is left, not a channel.
    .sort((a, b) => Number(rest(a.channel)) - Number(rest(b.channel)) || b.activePersons - a.activePersons || b.persons - a.persons || a.channel.localeCompare(b.channel));
  return { results, totals: row(null, rangeAll, everAll, beforeAll) };
}
