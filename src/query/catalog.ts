/**
 * What the dashboard's pickers offer: the event names with their volumes and when they were last
 * seen, and per event the property keys with their value types and most common values (plus the
 * person properties). Volumes come from the segment directories' hourly counts (no rows read);
 * property statistics from the most recent rows only, which is what a picker needs and keeps the
 * call cheap at any data size. Tags appear as person properties `$tag:<name>`.
 */
import type { StoreReader } from "../store/reader.ts";
import { TAG_PROPERTY } from "../tags/person-properties.ts";
import { DAY_MS } from "../store/segment.ts";
import { labelOfValue } from "./data/columns.ts";
import { chunksOf } from "./data/scan.ts";

/** EventInfo is one event name in the catalogue. */
export interface EventInfo {
  name: string;
  /** count is every stored event of that name. */
  count: number;
  /** last30Days counts those in the 30 days before now (segments count by whole hours). */
  last30Days: number;
  firstSeen: string | null;
  lastSeen: string | null;
}

/** eventsOp lists event names, most frequent first. */
export function eventsOp(reader: StoreReader, args: { now: number }): { results: EventInfo[] } {
  const recent = args.now - 30 * DAY_MS;
  const count = new Map<number, number>();
  const last30 = new Map<number, number>();
  const firstDay = new Map<number, number>();
  const lastDay = new Map<number, number>();
  const add = (m: Map<number, number>, k: number, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  for (const seg of reader.segments.values()) {
    for (const [ev, [, rows, hours]] of Object.entries(seg.directory.events)) {
      const e = Number(ev);
      add(count, e, rows);
      hours.forEach((c, h) => {
        if (c > 0 && seg.day * DAY_MS + h * 3_600_000 >= recent - 3_600_000) add(last30, e, c);
      });
      if ((lastDay.get(e) ?? -Infinity) < seg.day) lastDay.set(e, seg.day);
      if ((firstDay.get(e) ?? Infinity) > seg.day) firstDay.set(e, seg.day);
    }
  }
  const firstTs = new Map<number, number>();
  const lastTs = new Map<number, number>();
  for (const r of reader.tailRows) {
    add(count, r.event, 1);
    if (r.ts >= recent) add(last30, r.event, 1);
    if ((lastTs.get(r.event) ?? -Infinity) < r.ts) lastTs.set(r.event, r.ts);
    if ((firstTs.get(r.event) ?? Infinity) > r.ts) firstTs.set(r.event, r.ts);
  }
  // exact first and last times are in the oldest and newest day holding the event (a chunk or two each)
  const extreme = (e: number, day: number, pick: (a: number, b: number) => number, into: Map<number, number>) => {
    let x = into.get(e);
    for (const c of chunksOf(reader, day * DAY_MS, (day + 1) * DAY_MS, new Set([e]))) {
      for (let i = 0; i < c.n; i++) x = x === undefined ? c.tsBase + c.ts[i]! : pick(x, c.tsBase + c.ts[i]!);
    }
    if (x !== undefined) into.set(e, x);
  };
  for (const [e, day] of lastDay) extreme(e, day, Math.max, lastTs);
  for (const [e, day] of firstDay) extreme(e, day, Math.min, firstTs);
  const iso = (t: number | undefined) => (t === undefined ? null : new Date(t).toISOString());
  const results = [...reader.eventNames].map(([id, name]) => ({
    name,
    count: count.get(id) ?? 0,
    last30Days: Math.round(last30.get(id) ?? 0),
    firstSeen: iso(firstTs.get(id)),
    lastSeen: iso(lastTs.get(id)),
  }));
  return { results: results.sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1)) };
}

/** PropertyInfo describes one property key as seen on recent data. */
export interface PropertyInfo {
  key: string;
  type: "event" | "person";
  /** types are the JSON types seen (string, number, boolean, object, array). */
  types: string[];
  /** count is how many of the sampled events (or persons) carry it. */
  count: number;
  topValues: { value: string; count: number }[];
}

/** How many recent rows (events) and persons the property statistics look at. */
const SAMPLE_ROWS = 200_000;
const SAMPLE_PERSONS = 5_000;
const TOP = 10;

class Stats {
  readonly keys = new Map<string, { types: Set<string>; count: number; values: Map<string, number> }>();

  add(key: string, value: unknown, times: number): void {
    if (value === undefined || value === null) return;
    let s = this.keys.get(key);
    if (!s) this.keys.set(key, (s = { types: new Set(), count: 0, values: new Map() }));
    s.types.add(Array.isArray(value) ? "array" : typeof value);
    s.count += times;
    const label = labelOfValue(value);
    s.values.set(label, (s.values.get(label) ?? 0) + times);
  }

  list(type: "event" | "person"): PropertyInfo[] {
    return [...this.keys].map(([key, s]) => ({
      key, type, types: [...s.types].sort(), count: s.count,
      topValues: [...s.values].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, TOP).map(([value, count]) => ({ value, count })),
    })).sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1));
  }
}

/** eventPropertiesOp describes the properties of one event (or of all events) and the person properties. */
export function eventPropertiesOp(reader: StoreReader, args: { event?: string | undefined }): { event: string | null; results: PropertyInfo[] } {
  const id = args.event === undefined ? undefined : reader.eventId(args.event);
  const stats = new Stats();
  let budget = SAMPLE_ROWS;
  if (args.event === undefined || id !== undefined) {
    for (const r of [...reader.tailRows].reverse()) {
      if (budget <= 0) break;
      if (id !== undefined && r.event !== id) continue;
      for (const [k, v] of Object.entries(r.props)) stats.add(k, v, 1);
      budget--;
    }
    const segs = [...reader.segments.values()].sort((a, b) => b.day - a.day || b.id - a.id);
    for (const seg of segs) {
      if (budget <= 0) break;
      const entries = Object.entries(seg.directory.events).filter(([ev]) => id === undefined || Number(ev) === id);
      if (entries.length === 0) continue;
      const chunks = chunksOf(reader, seg.day * DAY_MS, (seg.day + 1) * DAY_MS, id === undefined ? null : new Set([id])).filter((c) => c.segment === seg.id);
      for (const c of chunks) {
        const keys = seg.directory.events[c.event]?.[3] ?? [];
        for (const key of keys) {
          const col = c.prop(key);
          if (!col) continue;
          const per = new Float64Array(col.dict.length + 1);
          for (let i = 0; i < c.n; i++) per[col.codes[i]!]!++;
          per.forEach((times, code) => code > 0 && times > 0 && stats.add(key, col.dict[code - 1], times));
        }
        budget -= c.n;
      }
    }
  }
  const people = new Stats();
  const rows = reader.db
    .query<{ traits: string; pii: string | null }, [number]>(
      "SELECT traits, pii FROM persons WHERE traits != '{}' OR pii IS NOT NULL ORDER BY id DESC LIMIT ?",
    )
    .all(SAMPLE_PERSONS);
  // Sealed PII traits (e-mail, phone) are listed with their coverage, never their values.
  const sealed = new Map<string, number>();
  for (const r of rows) {
    for (const [k, v] of Object.entries(JSON.parse(r.traits) as Record<string, unknown>)) people.add(k, v, 1);
    if (r.pii) for (const k of Object.keys(JSON.parse(r.pii) as object)) sealed.set(k, (sealed.get(k) ?? 0) + 1);
  }
  const pii = [...sealed].map(([key, count]): PropertyInfo => ({ key, type: "person", types: ["string"], count, topValues: [] }));
  // Tags are person properties too ($tag:<name>); the catalogue's coverage is their count.
  const tags = reader.db
    .query<{ name: string; value_type: string; coverage: number }, []>("SELECT name, value_type, coverage FROM tags ORDER BY name")
    .all()
    .map((t): PropertyInfo => ({ key: `${TAG_PROPERTY}${t.name}`, type: "person", types: [t.value_type], count: t.coverage, topValues: [] }));
  const persons = [...people.list("person"), ...pii].sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1));
  return { event: args.event ?? null, results: [...stats.list("event"), ...persons, ...tags] };
}
