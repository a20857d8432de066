/**
 * Trends counts from the segments' per-UTC-hour directories (the rollup compaction writes for
 * free): a `total` of events with no filter and no breakdown needs no event rows at all — one
 * weighted row per (event, hour) goes to the same trends kernel. That holds only when every bucket
 * edge falls on a UTC hour (zones with whole-hour offsets, hour-aligned ranges); otherwise the
 * caller scans.
 */
import { HOUR } from "../zone.ts";
import type { TrendsInput } from "../trends.ts";
import type { TrendsQuery } from "../schema.ts";
import type { Buckets } from "../time.ts";
import type { Env } from "./columns.ts";
import { eventIds } from "./scan.ts";

/** rollupServes tells whether a trends query can be answered from hourly counts. */
export function rollupServes(q: TrendsQuery, periods: readonly Buckets[]): boolean {
  if (q.where || q.breakdown) return false;
  if (q.series.some((s) => s.math !== "total" || s.where)) return false;
  return periods.every((b) => b.lo % HOUR === 0 && b.hi % HOUR === 0 && b.starts.every((t) => t % HOUR === 0));
}

/** rollupInput builds weighted trends rows (one per event and UTC hour) over [from, to). */
export function rollupInput(env: Env, q: TrendsQuery, from: number, to: number): TrendsInput {
  const sets = q.series.map((s) => eventIds(s.event, env));
  const bitsOf = new Map<number, number>();
  const bits = (event: number) => {
    let b = bitsOf.get(event);
    if (b === undefined) {
      b = 0;
      sets.forEach((set, s) => {
        if (set === null || set.has(event)) b! |= 1 << s;
      });
      bitsOf.set(event, b);
    }
    return b;
  };
  const cells = new Map<number, number>(); // (hour index × 2^32 + event) → count
  const start = Math.floor(from / HOUR);
  env.reader.hourCounts(from, to, (event, hourStart, count) => {
    if (bits(event) === 0) return;
    const key = (hourStart / HOUR - start) * 4_294_967_296 + event;
    cells.set(key, (cells.get(key) ?? 0) + count);
  });
  const n = cells.size;
  const ts = new Float64Array(n);
  const match = new Uint32Array(n);
  const weight = new Float64Array(n);
  let i = 0;
  for (const [key, count] of cells) {
    const event = key % 4_294_967_296;
    ts[i] = (start + Math.floor(key / 4_294_967_296)) * HOUR;
    match[i] = bits(event);
    weight[i++] = count;
  }
  return { rows: { n, persons: 1, person: new Int32Array(n), ts, match }, weight };
}
