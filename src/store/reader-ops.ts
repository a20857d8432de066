/**
 * The operations the read side answers, by name. They run inside the store worker (server) or in the
 * calling thread (tests, in-memory databases); both go through `callOp`, so behaviour is identical.
 */
import { audienceOps } from "../audiences/audience.ops.ts";
import { traitSearch, type TraitSearchArgs } from "../identity/persons.repo.ts";
import { personTimeline, type TimelineArgs } from "../identity/timeline.ts";
import { recentEvents } from "../insights/recent-events.ts";
import { heapStats } from "bun:jsc";
import { eventPropertiesOp, eventsOp } from "../query/catalog.ts";
import { actorsOp, queryOp } from "../query/query.ops.ts";
import { planCompaction, type CompactionOptions, type Sealed } from "./compaction.ts";
import { planPurge } from "./purge.ts";
import type { StoreReader } from "./reader.ts";

/** StoreStats is what the dashboard and benchmarks show about the store. */
export interface StoreStats {
  segments: number;
  segmentRows: number;
  tailRows: number;
  compactedSeq: number;
  eventNames: number;
  /** Bytes of the read side's JS heap (the store worker's, in the server), for memory diagnostics. */
  heapBytes: number;
}

export const readerOps = {
  compact: (reader: StoreReader, args: { sealed: Sealed | null; options: CompactionOptions }) =>
    planCompaction(reader, args.options, args.sealed),
  stats: (reader: StoreReader, _args: Record<string, never>): StoreStats => ({
    segments: reader.segments.size,
    segmentRows: [...reader.segments.values()].reduce((n, s) => n + s.rows, 0),
    tailRows: reader.tailRows.length,
    compactedSeq: reader.compactedSeq,
    eventNames: reader.eventNames.size,
    heapBytes: heapStats().heapSize + heapStats().extraMemorySize,
  }),
  purgePlan: (reader: StoreReader, args: { identities: number[] }) => planPurge(reader, args.identities),
  personEvents: (reader: StoreReader, args: TimelineArgs) => personTimeline(reader, args),
  personsByTrait: (reader: StoreReader, args: TraitSearchArgs) => traitSearch(reader.db, args),
  recentEvents: (reader: StoreReader, args: { source: number | null; limit: number }) => recentEvents(reader, args),
  query: queryOp,
  actors: actorsOp,
  events: eventsOp,
  eventProperties: eventPropertiesOp,
  ...audienceOps,
};

export type ReaderOps = typeof readerOps;
export type OpName = keyof ReaderOps;
export type OpArgs<K extends OpName> = Parameters<ReaderOps[K]>[1];
export type OpResult<K extends OpName> = ReturnType<ReaderOps[K]>;

/** callOp runs one operation on a consistent snapshot. */
export function callOp<K extends OpName>(reader: StoreReader, op: K, args: OpArgs<K>): OpResult<K> {
  const fn = readerOps[op] as (r: StoreReader, a: OpArgs<K>) => OpResult<K>;
  return reader.read(() => fn(reader, args));
}
