/**
 * A person's behaviour timeline across channels (GET /api/persons/:id/events): every event stored with any
 * of the person's identities, newest first, paged by a cursor. A read op on the store's read side: segment
 * rows are sorted by (event, identity, ts), so each identity's rows in each event range are found by binary
 * search; whole UTC days are taken newest first and the walk stops once a page is certain to be complete.
 * The order is (ts, message hash) descending — unique per event, so pages neither repeat nor skip rows even
 * when compaction rewrites segments between two pages.
 */
import { firstAtLeast } from "../store/purge.ts";
import type { StoreReader } from "../store/reader.ts";
import { COL, DAY_MS } from "../store/segment.ts";

/** TimelineCursor is the sort key of the last row of a page; the next page starts strictly below it. */
export interface TimelineCursor {
  readonly ts: number;
  readonly hi: number;
  readonly lo: number;
}

export interface TimelineArgs {
  readonly identities: readonly number[];
  readonly before: TimelineCursor | null;
  readonly limit: number;
  /** Only these event names (null = all). */
  readonly events: readonly string[] | null;
}

/** TimelineRow is one event of the timeline. */
export interface TimelineRow {
  readonly ts: number;
  readonly event: string;
  readonly identity: number;
  readonly source: number;
  readonly props: Record<string, unknown>;
  readonly hi: number;
  readonly lo: number;
}

export interface TimelinePage {
  readonly rows: TimelineRow[];
  readonly next: TimelineCursor | null;
}

interface Hit extends TimelineCursor {
  readonly event: number;
  readonly identity: number;
  readonly source: number;
  /** Segment id and row, or segment 0 with the tail row's props. */
  readonly segment: number;
  readonly row: number;
  readonly props: Record<string, unknown> | null;
}

const below = (x: TimelineCursor, c: TimelineCursor | null) =>
  c === null || x.ts < c.ts || (x.ts === c.ts && (x.hi < c.hi || (x.hi === c.hi && x.lo < c.lo)));

const newestFirst = (a: TimelineCursor, b: TimelineCursor) => b.ts - a.ts || b.hi - a.hi || b.lo - a.lo;

/** personTimeline answers one page; call inside `reader.read()` (the reader op does). */
export function personTimeline(reader: StoreReader, args: TimelineArgs): TimelinePage {
  const ids = Uint32Array.from(new Set(args.identities)).sort();
  const wanted = new Set(ids);
  let events: Set<number> | null = null;
  if (args.events) {
    events = new Set();
    for (const name of args.events) {
      const id = reader.eventId(name);
      if (id !== undefined) events.add(id);
    }
  }
  const limit = Math.max(1, args.limit);
  const hits: Hit[] = [];
  for (const r of reader.tailRows) {
    if (!wanted.has(r.identity) || (events && !events.has(r.event))) continue;
    const key = { ts: r.ts, hi: r.msgHi, lo: r.msgLo };
    if (below(key, args.before)) {
      hits.push({ ...key, event: r.event, identity: r.identity, source: r.source, segment: 0, row: r.seq, props: r.props });
    }
  }
  const days = new Map<number, number[]>();
  for (const seg of reader.segments.values()) {
    if (args.before && seg.minTs > args.before.ts) continue;
    days.set(seg.day, [...(days.get(seg.day) ?? []), seg.id]);
  }
  let complete = true;
  for (const day of [...days.keys()].sort((a, b) => b - a)) {
    if (hits.filter((h) => h.ts >= (day + 1) * DAY_MS).length > limit) {
      complete = false;
      break;
    }
    for (const segment of days.get(day)!) collect(reader, segment, ids, events, args.before, hits);
  }
  hits.sort(newestFirst);
  const page = hits.slice(0, limit);
  const more = hits.length > limit || !complete;
  return {
    rows: page.map((h) => ({
      ts: h.ts, event: reader.eventName(h.event), identity: h.identity, source: h.source,
      props: h.props ?? segmentProps(reader, h), hi: h.hi, lo: h.lo,
    })),
    next: more && page.length > 0 ? { ts: page.at(-1)!.ts, hi: page.at(-1)!.hi, lo: page.at(-1)!.lo } : null,
  };
}

function collect(
  reader: StoreReader, segment: number, ids: Uint32Array, events: Set<number> | null, before: TimelineCursor | null, out: Hit[],
): void {
  const seg = reader.segments.get(segment)!;
  const identity = reader.column(segment, COL.identity);
  let ts: Uint32Array | null = null;
  let hi: Uint32Array | null = null;
  let lo: Uint32Array | null = null;
  let source: Uint32Array | null = null;
  const base = seg.day * DAY_MS;
  for (const [ev, [start, count]] of Object.entries(seg.directory.events)) {
    const event = Number(ev);
    if (events && !events.has(event)) continue;
    const end = start + count;
    for (const id of ids) {
      for (let k = firstAtLeast(identity, id, start, end); k < end && identity[k] === id; k++) {
        ts ??= reader.column(segment, COL.ts);
        hi ??= reader.column(segment, COL.msgHi);
        lo ??= reader.column(segment, COL.msgLo);
        source ??= reader.column(segment, COL.source);
        const key = { ts: base + ts[k]!, hi: hi[k]!, lo: lo[k]! };
        if (below(key, before)) out.push({ ...key, event, identity: id, source: source[k]!, segment, row: k, props: null });
      }
    }
  }
}

function segmentProps(reader: StoreReader, h: Hit): Record<string, unknown> {
  const seg = reader.segments.get(h.segment)!;
  const props: Record<string, unknown> = {};
  for (const key of seg.directory.events[h.event]?.[3] ?? []) {
    const col = reader.propColumn(h.segment, key);
    const code = col?.codes[h.row] ?? 0;
    if (code !== 0) props[key] = col!.dict[code - 1];
  }
  return props;
}
