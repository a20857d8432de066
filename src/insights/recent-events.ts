/**
 * The live stream of a source on its page: its latest events, from the tail (arrived in the last
 * seconds, newest arrival first) and then the newest segments by event time, decoding only as many segments as can hold one of
 * the latest `limit` events.
 */
import type { StoreReader } from "../store/reader.ts";
import { segmentRows, type TailRow } from "../store/segment.ts";

/** RecentEvent is one row of the stream; `person` is the merged person (-1 before resolution). */
export interface RecentEvent {
  readonly ts: number;
  readonly event: string;
  readonly person: number;
  readonly properties: Record<string, unknown>;
}

/**
 * recentEvents returns up to `limit` latest events of a source (all sources when null), and the seq they
 * are current to (the live stream skips what it is told of later but this already holds).
 */
export function recentEvents(reader: StoreReader, args: { source: number | null; limit: number }): { events: RecentEvent[]; seq: number } {
  const mine = (r: TailRow) => args.source === null || r.source === args.source;
  const picked: TailRow[] = [];
  for (let i = reader.tailRows.length - 1; i >= 0 && picked.length < args.limit; i--) {
    const r = reader.tailRows[i]!;
    if (mine(r)) picked.push(r);
  }
  // The tail is what just arrived: newest arrival first, whatever time the events say they happened.
  const tail = picked;
  const need = args.limit - tail.length;
  let older: TailRow[] = [];
  const segments = [...reader.segments.values()].sort((a, b) => b.maxTs - a.maxTs);
  for (const seg of segments) {
    // Segments come newest-first by their latest event: once we hold `need` rows newer than this
    // segment's latest, nothing in it (or after it) can make the list.
    if (need <= 0 || (older.length >= need && older[need - 1]!.ts >= seg.maxTs)) break;
    older.push(...segmentRows(seg.day, seg.directory, reader.segmentColumns(seg.id)).filter(mine));
    older.sort((a, b) => b.ts - a.ts);
    older = older.slice(0, need);
  }
  const events = [...tail, ...older].slice(0, args.limit).map((r) => ({
    ts: r.ts, event: reader.eventName(r.event), person: reader.personOf(r.identity), properties: r.props,
  }));
  return { events, seq: reader.seenSeq };
}
