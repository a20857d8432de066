/**
 * The overview's per-channel summary (GET /api/insights/channels): for each value of the channel
 * property, persons ever seen there, persons active and persons new in the range, and orders and
 * revenue. One pass over every stored event (persons "ever" need all of history), run in the store
 * worker; the answer is cached per data version, so reloading the overview does not scan again.
 */
import type { StoreReader } from "../store/reader.ts";

/** ChannelRow is one channel's numbers; `channel` "" gathers events without the property. */
export interface ChannelRow {
  readonly channel: string;
  /** persons is everyone ever seen on the channel (a person on two channels counts on both). */
  readonly persons: number;
  readonly activePersons: number;
  /** newPersons are persons whose first-ever event falls in the range, counted on that event's channel. */
  readonly newPersons: number;
  readonly orders: number;
  readonly revenue: number;
}

/** ChannelSummary is the endpoint's answer; `totals` counts each person once. */
export interface ChannelSummary {
  readonly property: string;
  readonly orderEvent: string;
  readonly revenueProperty: string;
  readonly results: readonly ChannelRow[];
  readonly totals: Omit<ChannelRow, "channel">;
  readonly timing?: { ms: number };
}

/** ChannelArgs: the range [from, to) in ms and what the channel, an order and its revenue are. */
export interface ChannelArgs {
  readonly from: number;
  readonly to: number;
  readonly property: string;
  readonly orderEvent: string;
  readonly revenueProperty: string;
}

interface Acc {
  persons: Set<number>;
  active: Set<number>;
  newPersons: number;
  orders: number;
  revenue: number;
}

const label = (v: unknown): string => (v === undefined || v === null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v));

let cached: { key: string; value: Omit<ChannelSummary, "timing"> } | null = null;

/** channelSummary computes the summary on a read snapshot (call it inside reader.read, as ops are). */
export function channelSummary(reader: StoreReader, args: ChannelArgs): Omit<ChannelSummary, "timing"> {
  const key = `${reader.dataVersion}|${JSON.stringify(args)}`;
  if (cached?.key === key) return cached.value;
  const orderId = reader.eventId(args.orderEvent);
  const acc = new Map<string, Acc>();
  const slot = (ch: string) => {
    let a = acc.get(ch);
    if (!a) acc.set(ch, (a = { persons: new Set(), active: new Set(), newPersons: 0, orders: 0, revenue: 0 }));
    return a;
  };
  // first[person] = [ts, channel] of the person's earliest event, to attribute new persons.
  const first = new Map<number, { ts: number; channel: string }>();
  const all = new Set<number>();
  const active = new Set<number>();
  let orders = 0;
  let revenue = 0;
  for (const chunk of reader.chunks({ from: 0, to: Number.MAX_SAFE_INTEGER })) {
    const prop = chunk.prop(args.property);
    const channels = prop ? prop.dict.map(label) : [];
    const amount = orderId === chunk.event ? chunk.prop(args.revenueProperty) : undefined;
    const amounts = amount?.dict.map((v) => (typeof v === "number" ? v : Number(v)));
    for (let i = 0; i < chunk.n; i++) {
      const person = reader.personOf(chunk.identity[i]!);
      if (person < 0) continue;
      const ts = chunk.tsBase + chunk.ts[i]!;
      const code = prop ? prop.codes[i]! : 0;
      const channel = code === 0 ? "" : channels[code - 1]!;
      const a = slot(channel);
      a.persons.add(person);
      all.add(person);
      const f = first.get(person);
      if (!f || ts < f.ts) first.set(person, { ts, channel });
      if (ts < args.from || ts >= args.to) continue;
      a.active.add(person);
      active.add(person);
      if (orderId !== chunk.event) continue;
      a.orders++;
      orders++;
      const c = amount ? amount.codes[i]! : 0;
      const v = c === 0 ? Number.NaN : amounts![c - 1]!;
      if (Number.isFinite(v)) {
        a.revenue += v;
        revenue += v;
      }
    }
  }
  let newTotal = 0;
  for (const f of first.values()) {
    if (f.ts < args.from || f.ts >= args.to) continue;
    slot(f.channel).newPersons++;
    newTotal++;
  }
  const round = (x: number) => Math.round(x * 100) / 100;
  const results = [...acc]
    .map(([channel, a]) => ({ channel, persons: a.persons.size, activePersons: a.active.size, newPersons: a.newPersons, orders: a.orders, revenue: round(a.revenue) }))
    .sort((x, y) => y.activePersons - x.activePersons || y.persons - x.persons || x.channel.localeCompare(y.channel));
  const value = {
    property: args.property, orderEvent: args.orderEvent, revenueProperty: args.revenueProperty, results,
    totals: { persons: all.size, activePersons: active.size, newPersons: newTotal, orders, revenue: round(revenue) },
  };
  cached = { key, value };
  return value;
}
