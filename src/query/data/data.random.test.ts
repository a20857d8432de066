/**
 * The whole read path against brute force: random small worlds (users, merges, traits, events with
 * properties, many identical timestamps) are written through the real writer, partly compacted into
 * segments and partly left in the tail, then every analysis is asked through the worker ops and
 * compared with the same kernel fed rows built the straightforward way from the raw events — every
 * event tested against every filter one by one, persons looked up after the merges, rows sorted with
 * a comparison sort. What this protects is everything between the store and the kernels: event and
 * person filters per dictionary entry, `$all` and `$event`, merged persons, time ranges, grouping by
 * person, per-period activity instead of rows, lifetime-first times, hourly rollups, breakdown
 * labels, the tail + segment union. A failure prints the seed and the query.
 */
import { describe, expect, test } from "bun:test";
import { readPath } from "../../audiences/population.ts";
import { distributionResults } from "../distribution.ts";
import { compileFilter, type Filter } from "../filter.ts";
import { int, pick, rng } from "../fixtures.ts";
import { funnelPersons, funnelSpec, funnelSteps, funnelTimeToConvert, funnelTrends } from "../funnel.ts";
import { lifecyclePeriods, lifecycleResults } from "../lifecycle.ts";
import { pathsResults } from "../paths.ts";
import { retentionResults } from "../retention.ts";
import { ALL_EVENTS, type EventRef, Query, windowMs } from "../schema.ts";
import { stickinessResults } from "../stickiness.ts";
import type { Codes, Rows } from "../stream.ts";
import { buckets, type Calendar, previousRange, resolveRange } from "../time.ts";
import { trendsResults } from "../trends.ts";
import { EVENT_NAME, labelOfValue } from "./columns.ts";
import { queryStore, type TestEvent } from "./store.fixture.ts";

const H = 3_600_000;
const D = 24 * H;
const BASE = Date.UTC(2024, 2, 4); // a Monday; New York switches to summer time on 2024-03-10
const NOW = BASE + 12 * D;
const EVENTS = ["a", "b", "c", "d"];

interface World {
  events: TestEvent[];
  /** part says where event i is stored: 0 = first segment, 1 = second segment, 2 = tail. */
  part: (i: number) => number;
  person: (user: string) => number;
  traits: Map<number, Record<string, unknown>>;
  persons: number;
}

function toNumber(v: unknown): number {
  if (typeof v === "number") return Number.isFinite(v) ? v : NaN;
  if (typeof v === "string" && v.trim() !== "") return Number(v);
  return NaN;
}

/** matches tests one event against a selector and the global filter, the slow and obvious way. */
function matcher(w: World, globalWhere?: Filter) {
  return (e: TestEvent, sel: EventRef | { event: string | null; where?: Filter }) => {
    if (sel.event !== null && sel.event !== ALL_EVENTS && sel.event !== e.event) return false;
    const f = sel.where && globalWhere ? { and: [sel.where, globalWhere] } : (sel.where ?? globalWhere);
    const traits = w.traits.get(w.person(e.user)) ?? {};
    return compileFilter(f)((leaf) =>
      leaf.type === "person" ? readPath(traits, leaf.property) : leaf.property === EVENT_NAME ? e.event : readPath(e.props ?? {}, leaf.property));
  };
}

/** rowsFrom builds kernel rows from events in the given order. */
function rowsFrom(w: World, list: { e: TestEvent; bits: number }[]): Rows {
  return {
    n: list.length, persons: w.persons,
    person: Int32Array.from(list, (x) => w.person(x.e.user)),
    ts: Float64Array.from(list, (x) => x.e.ts),
    match: Uint32Array.from(list, (x) => x.bits),
  };
}

/**
 * Rows of one person at one millisecond keep the store's order, which is what the data layer
 * documents: by event id (order of first appearance), then segments before the tail, then within a
 * segment by identity and arrival, within the tail by arrival.
 */
const byPersonTime = (w: World) => {
  const firstSeen = [...new Set(w.events.map((e) => e.event))];
  const users = [...new Set(w.events.map((e) => e.user))];
  return (x: { e: TestEvent; i: number }, y: { e: TestEvent; i: number }) =>
    w.person(x.e.user) - w.person(y.e.user) || x.e.ts - y.e.ts || firstSeen.indexOf(x.e.event) - firstSeen.indexOf(y.e.event) ||
    w.part(x.i) - w.part(y.i) || (w.part(x.i) < 2 ? users.indexOf(x.e.user) - users.indexOf(y.e.user) : 0) || x.i - y.i;
};

class LabelCodes {
  labels: string[] = [];
  code(label: string): number {
    if (label === "") return -1;
    const i = this.labels.indexOf(label);
    return i >= 0 ? i : this.labels.push(label) - 1;
  }
}

function breakdownLabel(w: World, e: TestEvent, b: { property: string; type: "event" | "person" }): string {
  if (b.type === "person") return labelOfValue(readPath(w.traits.get(w.person(e.user)) ?? {}, b.property));
  return labelOfValue(b.property === EVENT_NAME ? e.event : readPath(e.props ?? {}, b.property));
}

/** reference answers a query from the raw events with the kernels. */
function reference(w: World, q: Query, cal: Calendar): unknown {
  const match = matcher(w, q.where);
  const range = resolveRange(q, cal, NOW);
  const indexed = w.events.map((e, i) => ({ e, i }));
  const firstOf = (sel: { event: string | null; where?: Filter }, where?: Filter) => {
    const m = matcher(w, where);
    const out = new Float64Array(w.persons).fill(NaN);
    for (const e of w.events) {
      const p = w.person(e.user);
      if (m(e, sel) && !(out[p]! <= e.ts)) out[p] = e.ts;
    }
    return out;
  };
  switch (q.kind) {
    case "trends": {
      const current = buckets(cal, range, q.interval);
      const previous = q.compare ? buckets(cal, previousRange(cal, range, q.interval), q.interval) : undefined;
      const lo = Math.min(current.lo, previous?.lo ?? Infinity);
      const hi = Math.max(current.hi, previous?.hi ?? -Infinity);
      const list = w.events.map((e) => ({ e, bits: q.series.reduce((b, s, k) => (match(e, s) ? b | (1 << k) : b), 0) }))
        .filter((x) => x.bits && x.e.ts >= lo && x.e.ts < hi);
      const labels = new LabelCodes();
      const input = {
        rows: rowsFrom(w, list),
        breakdown: q.breakdown ? { codes: Int32Array.from(list, (x) => labels.code(breakdownLabel(w, x.e, q.breakdown!))), labels: labels.labels } : undefined,
        values: q.series.map((s, k) => s.property ? Float64Array.from(list, (x) => (x.bits & (1 << k) ? toNumber(readPath(x.e.props ?? {}, s.property!)) : NaN)) : undefined),
      };
      return trendsResults(q, input, current, previous);
    }
    case "funnel": {
      const n = q.steps.length;
      const refs = [...q.steps, ...q.exclusions];
      const list = indexed.map(({ e, i }) => ({ e, i, bits: refs.reduce((b, s, k) => (match(e, s) ? b | (1 << k) : b), 0) }))
        .filter((x) => (x.bits || (q.order === "strict" && match(x.e, { event: ALL_EVENTS }))) && x.e.ts >= range.from && x.e.ts < range.to + windowMs(q.window))
        .sort(byPersonTime(w));
      const labels = new LabelCodes();
      const input = {
        rows: rowsFrom(w, list),
        breakdown: q.breakdown ? { codes: Int32Array.from(list, (x) => labels.code(breakdownLabel(w, x.e, q.breakdown!))), labels: labels.labels } : undefined,
      };
      void n;
      if (q.view === "trends") {
        const periods = buckets(cal, range, q.interval);
        return funnelTrends(q, funnelPersons(input, funnelSpec(q), range, periods), periods, input.breakdown);
      }
      const fp = funnelPersons(input, funnelSpec(q), range);
      return q.view === "time_to_convert" ? funnelTimeToConvert(q, fp) : funnelSteps(q, fp, input.breakdown);
    }
    case "retention": {
      const periods = buckets(cal, range, q.period, true);
      const list = indexed.map(({ e, i }) => ({ e, i, bits: (match(e, q.startEvent) ? 1 : 0) | (match(e, q.returnEvent) ? 2 : 0) }))
        .filter((x) => x.bits && x.e.ts >= periods.lo && x.e.ts < periods.hi).sort(byPersonTime(w));
      let breakdown: Codes | undefined;
      if (q.breakdown) {
        const labels = new LabelCodes();
        const codes = new Int32Array(w.persons);
        for (let p = 0; p < w.persons; p++) codes[p] = labels.code(labelOfValue(readPath(w.traits.get(p) ?? {}, q.breakdown.property)));
        breakdown = { codes, labels: labels.labels };
      }
      const firstStart = q.mode === "first_time" ? firstOf(q.startEvent, q.where) : undefined;
      return retentionResults(q, { rows: rowsFrom(w, list), breakdown, firstStart }, periods);
    }
    case "distribution": {
      const list = indexed.filter(({ e }) => match(e, { event: q.event }) && e.ts >= range.from && e.ts < range.to).sort(byPersonTime(w));
      const rows = rowsFrom(w, list.map((x) => ({ e: x.e, bits: 1 })));
      const value = q.property ? Float64Array.from(list, (x) => toNumber(readPath(x.e.props ?? {}, q.property!))) : undefined;
      return distributionResults(q, { rows, value }, {
        range,
        units: q.measure === "active_days" ? buckets(cal, range, "day") : q.measure === "active_hours" ? buckets(cal, range, "hour") : undefined,
        periods: q.interval ? buckets(cal, range, q.interval) : undefined,
      });
    }
    case "lifecycle": {
      const periods = lifecyclePeriods(cal, range, q.interval);
      const list = indexed.filter(({ e }) => match(e, { event: q.event }) && e.ts >= periods.lo && e.ts < periods.hi).sort(byPersonTime(w));
      return lifecycleResults({ rows: rowsFrom(w, list.map((x) => ({ e: x.e, bits: 1 }))), firstSeen: firstOf({ event: ALL_EVENTS }) }, periods);
    }
    case "stickiness": {
      const periods = buckets(cal, range, q.interval, true);
      const list = indexed.filter(({ e }) => match(e, { event: q.event }) && e.ts >= periods.lo && e.ts < periods.hi).sort(byPersonTime(w));
      return stickinessResults(rowsFrom(w, list.map((x) => ({ e: x.e, bits: 1 }))), periods, q.cumulative);
    }
    case "paths": {
      const anchor = q.startEvent ?? q.endEvent;
      const allowed = (e: TestEvent) => (q.includeEvents ? q.includeEvents.includes(e.event) : !(q.excludeEvents ?? []).includes(e.event));
      const entrants = new Set(anchor ? w.events.filter((e) => match(e, anchor) && e.ts >= range.from && e.ts < range.to).map((e) => w.person(e.user)) : []);
      const list = indexed
        .map(({ e, i }) => ({ e, i, bits: anchor && match(e, anchor) ? 1 : 0 }))
        .filter((x) => (x.bits || (allowed(x.e) && match(x.e, { event: ALL_EVENTS }))) && x.e.ts >= range.from && x.e.ts < range.to)
        .filter((x) => !anchor || entrants.has(w.person(x.e.user)))
        .sort(byPersonTime(w));
      const names = [...new Set(w.events.map((e) => e.event))];
      return pathsResults(q, { rows: rowsFrom(w, list), event: Int32Array.from(list, (x) => names.indexOf(x.e.event)), eventNames: names }, range);
    }
  }
}

function randomWorld(r: () => number): { users: string[]; events: TestEvent[]; merges: [string, string][]; traits: [string, Record<string, unknown>][] } {
  const users = Array.from({ length: 2 + int(r, 10) }, (_, i) => `u${i}`);
  const events: TestEvent[] = [];
  const instants = Array.from({ length: 6 }, () => BASE + int(r, 10 * D));
  for (let k = int(r, 120); k > 0; k--) {
    const props: Record<string, unknown> = {};
    if (r() < 0.7) props.b = pick(r, ["x", "y", "z"]);
    if (r() < 0.6) props.n = pick(r, [1, 2.5, "3", 10, "x", -4]);
    if (r() < 0.1) props.o = { k: pick(r, ["p", "q"]) };
    const ts = r() < 0.3 ? pick(r, instants) + int(r, 3) * 1000 : BASE - 2 * D + int(r, 14 * D);
    events.push({ user: pick(r, users), event: pick(r, EVENTS), ts, props });
  }
  const merges: [string, string][] = [];
  for (let k = int(r, 3); k > 0; k--) merges.push([pick(r, users), pick(r, users)]);
  const traits: [string, Record<string, unknown>][] = users.filter(() => r() < 0.6).map((u) => [u, r() < 0.8 ? { city: pick(r, ["SH", "BJ"]), tier: int(r, 3) } : {}]);
  return { users, events, merges, traits };
}

function randomFilter(r: () => number): Filter | undefined {
  const leaves: Filter[] = [
    { property: "b", type: "event", op: "eq", value: "x" },
    { property: "b", type: "event", op: "is_not_set" },
    { property: "n", type: "event", op: "gt", value: 2 },
    { property: "o.k", type: "event", op: "eq", value: "p" },
    { property: "$event", type: "event", op: "in", value: ["a", "c"] },
    { property: "city", type: "person", op: "eq", value: "SH" },
    { property: "tier", type: "person", op: "gte", value: 1 },
  ];
  const x = r();
  if (x < 0.5) return undefined;
  if (x < 0.8) return pick(r, leaves);
  const parts = [pick(r, leaves), pick(r, leaves)];
  return r() < 0.5 ? { and: parts } : r() < 0.5 ? { or: parts } : { not: parts[0]! };
}

function randomQuery(r: () => number): unknown {
  const ev = () => (r() < 0.1 ? ALL_EVENTS : r() < 0.1 ? null : pick(r, EVENTS));
  const ref = () => ({ event: ev(), ...(r() < 0.3 ? { where: randomFilter(r) } : {}) });
  const dates = { dateFrom: `2024-03-0${4 + int(r, 3)}`, dateTo: `2024-03-${10 + int(r, 4)}` };
  const where = r() < 0.4 ? { where: randomFilter(r) } : {};
  const breakdown = (types: ("event" | "person")[]) => {
    const type = pick(r, types);
    return { property: type === "person" ? pick(r, ["city", "tier"]) : pick(r, ["b", "n", "$event", "o"]), type, limit: pick(r, [1, 2, 3, 10]) };
  };
  switch (pick(r, ["trends", "trends", "funnel", "funnel", "retention", "distribution", "lifecycle", "stickiness", "paths"] as const)) {
    case "trends": {
      const math = pick(r, ["total", "total", "users", "per_user_avg", "per_user_max", "sum", "median", "max"] as const);
      const series = Array.from({ length: 1 + int(r, 2) }, () => ({ ...ref(), math, ...(["sum", "median", "max"].includes(math) ? { property: "n" } : {}) }));
      // plain counts over whole hours are served from the hourly rollups
      return { kind: "trends", ...dates, ...where, series, interval: pick(r, ["day", "hour", "week"]), compare: r() < 0.3, ...(r() < 0.4 ? { breakdown: breakdown(["event", "person"]) } : {}) };
    }
    case "funnel": {
      const n = 2 + int(r, 2);
      const order = pick(r, ["ordered", "ordered", "strict", "unordered"] as const);
      const exclusions = r() < 0.3 ? [{ event: pick(r, EVENTS), fromStep: 0, toStep: n - 1 }] : [];
      const attribution = order === "unordered" ? "first_touch" : pick(r, ["first_touch", "last_touch", "step"] as const);
      return {
        kind: "funnel", ...dates, ...where, order, exclusions, steps: Array.from({ length: n }, ref),
        window: { n: 1 + int(r, 48), unit: "hour" }, view: pick(r, ["steps", "steps", "trends", "time_to_convert"]),
        ...(r() < 0.4 ? { breakdown: { ...breakdown(["event", "person"]), attribution, ...(attribution === "step" ? { step: int(r, n) } : {}) } } : {}),
      };
    }
    case "retention":
      return {
        kind: "retention", ...dates, ...where, startEvent: ref(), returnEvent: r() < 0.4 ? { event: ALL_EVENTS } : ref(),
        period: pick(r, ["day", "day", "week"]), mode: pick(r, ["recurring", "first_time"]), cumulative: r() < 0.3,
        ...(r() < 0.3 ? { breakdown: { property: pick(r, ["city", "tier"]) } } : {}),
      };
    case "distribution": {
      const measure = pick(r, ["count", "active_days", "active_hours", "sum"] as const);
      return { kind: "distribution", ...dates, ...where, event: ev(), measure, ...(measure === "sum" ? { property: "n" } : {}), ...(r() < 0.3 ? { interval: "day" } : {}), ...(r() < 0.4 ? { buckets: [1, 2, 4] } : {}) };
    }
    case "lifecycle":
      return { kind: "lifecycle", ...dates, ...where, event: ev(), interval: pick(r, ["day", "week"]) };
    case "stickiness":
      return { kind: "stickiness", ...dates, ...where, event: ev(), interval: pick(r, ["day", "hour"]), cumulative: r() < 0.5 };
    case "paths":
      return {
        kind: "paths", ...dates, ...where, ...(r() < 0.4 ? { startEvent: ref() } : r() < 0.3 ? { endEvent: ref() } : {}),
        ...(r() < 0.2 ? { excludeEvents: ["d"] } : r() < 0.2 ? { includeEvents: ["a", "b"] } : {}), sessionGapMinutes: pick(r, [30, null, 600]),
      };
  }
}

describe("queries through the store = the kernels over brute-force rows", () => {
  for (let seed = 1; seed <= 40; seed++) {
    test(`world ${seed}`, async () => {
      const r = rng(seed * 104_729);
      // Kolkata's half-hour offset keeps plain counts off the hourly rollups (scanned instead)
      const cal = pick(r, [
        { zone: "UTC", weekStart: "monday" }, { zone: "Asia/Shanghai", weekStart: "monday" },
        { zone: "America/New_York", weekStart: "sunday" }, { zone: "Asia/Kolkata", weekStart: "monday" },
      ] as const);
      const s = await queryStore({ now: NOW, calendar: cal });
      const world = randomWorld(r);
      // write in three batches: the first two compacted (separate segments, then merged), the last left in the tail
      const cut1 = int(r, world.events.length + 1);
      const cut2 = cut1 + int(r, world.events.length - cut1 + 1);
      await s.track(world.events.slice(0, cut1));
      await s.compact();
      await s.track(world.events.slice(cut1, cut2));
      const second = r() < 0.7;
      if (second) await s.compact();
      await s.track(world.events.slice(cut2));
      for (const [a, b] of world.merges) if (world.users.some((u) => u === a) && world.events.some((e) => e.user === a) && world.events.some((e) => e.user === b)) s.merge(a, b);
      for (const [u, t] of world.traits) if (world.events.some((e) => e.user === u)) s.traits(u, t);
      const seen = new Set(world.events.map((e) => e.user));
      const persons = 1 + Math.max(0, ...[...seen].map((u) => s.person(u)));
      const traits = new Map<number, Record<string, unknown>>();
      for (const [u, t] of world.traits) if (seen.has(u)) traits.set(s.person(u), t);
      const part = (i: number) => (i < cut1 ? 0 : i < cut2 && second ? 1 : 2);
      const w: World = { events: world.events, part, person: (u) => s.person(u), traits, persons };
      for (let k = 0; k < 6; k++) {
        const body = randomQuery(r);
        const q = Query.parse(body);
        const { timing: _t, source: _s, ...got } = await s.query(body, { fresh: true });
        const want = reference(w, q, cal);
        const expected = q.kind === "distribution" ? want : { results: want };
        if (JSON.stringify(got) !== JSON.stringify(expected)) console.log(`seed ${seed} query ${JSON.stringify(body)}`);
        expect(got).toEqual(expected as typeof got);
      }
    });
  }
});
