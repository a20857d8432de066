/**
 * The query room's read-side operations, registered in store/reader-ops.ts so they run in the store
 * worker on one consistent snapshot (tail included: fresh events are visible to the next query).
 * Each reader keeps its person-property columns, lifetime-first times and a result cache keyed by
 * (request, resolved dates, data version): a repeated query is free until new data, a compaction or
 * a person change moves the version.
 */
import type { StoreReader } from "../store/reader.ts";
import type { Env } from "./data/columns.ts";
import { FirstTimes } from "./data/first-times.ts";
import type { QueryCtx } from "./data/inputs.ts";
import { PersonColumns } from "./data/person-columns.ts";
import { runActors, runQuery, type QueryResponse } from "./engine.ts";
import { QueryError } from "./errors.ts";
import type { ActorsRequest, Query } from "./schema.ts";
import { type Calendar, resolveDate } from "./time.ts";

/** How many results are kept per reader. */
const CACHE_ENTRIES = 200;

/**
 * Memory between queries. A query's rows and kernel tables (100–150 MB for a 30-day trends query at
 * 10M events) are garbage once its answer is built, and JSC lets that pile up for several queries.
 * Measured at 10M events: a quick collection costs 0.1 ms, a full one ~12 ms. A query that grew the
 * process by more than HEAVY_BYTES gets the full one before its answer goes out, so the next query
 * never starts on top of its garbage (peak RSS ~560 MB in the benchmark); past FULL_GC_AT a light
 * query leaves it for right after its answer. Keeping the big arrays for reuse instead pinned 128 MB
 * and measured no faster.
 */
const HEAVY_BYTES = 48 * 1024 * 1024;
const FULL_GC_AT = 560 * 1024 * 1024;
let fullPending = false;

/** collect runs that policy after a read op; other rooms' ops that allocate per call (audiences) use it too. */
export function collect(rssBefore: number): void {
  const rss = process.memoryUsage.rss();
  if (rss - rssBefore > HEAVY_BYTES) return Bun.gc(true);
  Bun.gc(false);
  if (rss < FULL_GC_AT || fullPending) return;
  fullPending = true;
  setTimeout(() => {
    fullPending = false;
    Bun.gc(true);
  }, 0);
}

interface State {
  readonly people: PersonColumns;
  readonly firsts: FirstTimes;
  readonly cache: Map<string, unknown>;
  /** bound caches personsBound per data version (a pass over every identity). */
  bound: { version: string; value: number };
}

const states = new WeakMap<StoreReader, State>();

function stateOf(reader: StoreReader): State {
  let s = states.get(reader);
  if (!s) states.set(reader, (s = { people: new PersonColumns(reader.openSealed), firsts: new FirstTimes(), cache: new Map(), bound: { version: "", value: 0 } }));
  return s;
}

/** personsBound is one past the highest person id the identity map points at. */
function personsBound(reader: StoreReader, state: State): number {
  if (state.bound.version === reader.dataVersion) return state.bound.value;
  const pm = reader.identityToPerson;
  let max = -1;
  for (let i = 0; i < pm.length; i++) if (pm[i]! > max) max = pm[i]!;
  state.bound = { version: reader.dataVersion, value: max + 1 };
  return max + 1;
}

/** snapshot refreshes the person columns and names the data a result depends on. */
function snapshot(reader: StoreReader): { state: State; version: string } {
  const state = stateOf(reader);
  state.people.refresh(reader.db);
  return { state, version: `${reader.dataVersion}:${state.people.version}` };
}

/**
 * personColumns returns the reader's person-property columns brought up to date with the snapshot;
 * other rooms' read ops (audiences) share them rather than loading traits a second time.
 */
export function personColumns(reader: StoreReader): PersonColumns {
  return snapshot(reader).state.people;
}

/** context is a query context on the current snapshot (only built when a result is computed). */
function context(reader: StoreReader, state: State, cal: Calendar, now: number): QueryCtx {
  const env: Env = { reader, db: reader.db, people: state.people };
  return { env, cal, now, persons: personsBound(reader, state), firsts: state.firsts };
}

function cached<T>(state: State, key: string, compute: () => T): { value: T; hit: boolean } {
  const hit = state.cache.get(key);
  if (hit !== undefined) {
    state.cache.delete(key);
    state.cache.set(key, hit);
    return { value: hit as T, hit: true };
  }
  const value = compute();
  state.cache.set(key, value);
  while (state.cache.size > CACHE_ENTRIES) state.cache.delete(state.cache.keys().next().value!);
  return { value, hit: false };
}

/** cacheKey names a request by its body, its calendar and the instants its dates resolve to now. */
function cacheKey(kind: string, body: { dateFrom: string; dateTo: string }, cal: Calendar, now: number, version: string): string {
  const from = resolveDate(body.dateFrom, cal, now, "from");
  const to = resolveDate(body.dateTo, cal, now, "to");
  return JSON.stringify([kind, body, cal, from, to, version]);
}

/** QueryArgs is a validated query with the calendar and clock of the request. */
export interface QueryArgs {
  readonly query: Query;
  readonly calendar: Calendar;
  readonly now: number;
  /** fresh skips the result cache (benchmarks measure the computation). */
  readonly fresh?: boolean;
}

/** QueryOutput is the §5.0 response plus how long it took and whether it came from the cache. */
export type QueryOutput = QueryResponse & { timing: { ms: number; cached: boolean } };

/**
 * Invalid is a query that validated but cannot run as asked (QueryError: an empty range, too many
 * buckets). It is returned, not thrown, so the reason crosses the worker boundary as a 400.
 */
export interface Invalid {
  invalid: string;
}

/** valid unwraps an op's answer, throwing the QueryError it stands for (callers with no 400 to give). */
export function valid<T extends object>(r: T | Invalid): T {
  if ("invalid" in r) throw new QueryError(r.invalid);
  return r;
}

function guarded<T>(fn: () => T): T | Invalid {
  try {
    return fn();
  } catch (e) {
    if (e instanceof QueryError) return { invalid: e.message };
    throw e;
  }
}

/** queryOp answers `POST /api/query`. */
export function queryOp(reader: StoreReader, args: QueryArgs): QueryOutput | Invalid {
  return guarded(() => runQueryOp(reader, args));
}

function runQueryOp(reader: StoreReader, args: QueryArgs): QueryOutput {
  const t0 = performance.now();
  const rss = process.memoryUsage.rss();
  const { state, version } = snapshot(reader);
  const compute = () => runQuery(args.query, context(reader, state, args.calendar, args.now));
  const { value, hit } = args.fresh
    ? { value: compute(), hit: false }
    : cached(state, cacheKey("query", args.query, args.calendar, args.now, version), compute);
  if (!hit) collect(rss);
  return { ...value, timing: { ms: Math.round((performance.now() - t0) * 100) / 100, cached: hit } };
}

/** ActorsArgs is a validated actors request with the calendar and clock of the request. */
export interface ActorsArgs {
  readonly request: ActorsRequest;
  readonly calendar: Calendar;
  readonly now: number;
}

/** ActorsOutput is one page of person ids (ascending), the cursor of the next, and the whole selection's size. */
export interface ActorsOutput {
  ids: Int32Array;
  next: string | null;
  total: number;
  /** all is every selected id, present when the request saves them as an audience. */
  all?: Int32Array;
  timing: { ms: number; cached: boolean };
}

/** actorsOp answers `POST /api/query/actors`: ids after the cursor, `limit` of them. */
export function actorsOp(reader: StoreReader, args: ActorsArgs): ActorsOutput | Invalid {
  return guarded(() => runActorsOp(reader, args));
}

function runActorsOp(reader: StoreReader, args: ActorsArgs): ActorsOutput {
  const t0 = performance.now();
  const rss = process.memoryUsage.rss();
  const { state, version } = snapshot(reader);
  const { cursor, limit, saveAs, ...selection } = args.request;
  const { value: ids, hit } = cached(state, cacheKey("actors", selection, args.calendar, args.now, version), () =>
    runActors(args.request, context(reader, state, args.calendar, args.now)).sort());
  if (!hit) collect(rss);
  const after = cursor ? Number(cursor) : -Infinity;
  let from = 0;
  let hi = ids.length;
  while (from < hi) {
    const m = (from + hi) >> 1;
    if (ids[m]! <= after) from = m + 1;
    else hi = m;
  }
  const page = ids.slice(from, from + limit);
  const next = from + limit < ids.length ? String(page[page.length - 1]) : null;
  return {
    ids: page, next, total: ids.length, ...(saveAs ? { all: ids.slice() } : {}),
    timing: { ms: Math.round((performance.now() - t0) * 100) / 100, cached: hit },
  };
}
