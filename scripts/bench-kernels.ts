/**
 * Micro-benchmark of the pure query kernels on synthetic typed arrays of the sizes the issue's
 * 10M-event / 1M-person data set produces per query (see issue 5). It prints figures only — no
 * pass/fail — so kernel changes can be compared run to run: `bun scripts/bench-kernels.ts`.
 * Data access (scan, identity map, sorting chunks) is not included except `sortRows`, which the
 * data layer will call once per person-ordered query.
 */
import { distributionResults } from "../src/query/distribution.ts";
import { rng } from "../src/query/fixtures.ts";
import { funnelPersons, funnelSpec, funnelSteps } from "../src/query/funnel.ts";
import { lifecyclePeriods, lifecycleResults } from "../src/query/lifecycle.ts";
import { pathsResults } from "../src/query/paths.ts";
import { retentionResults } from "../src/query/retention.ts";
import { FunnelQuery, PathsQuery, RetentionQuery, TrendsQuery, DistributionQuery } from "../src/query/schema.ts";
import { stickinessResults } from "../src/query/stickiness.ts";
import { type Rows, sortRows } from "../src/query/stream.ts";
import { buckets, type Calendar } from "../src/query/time.ts";
import { trendsResults } from "../src/query/trends.ts";

const CAL: Calendar = { zone: "Asia/Shanghai", weekStart: "monday" };
const DAY = 86_400_000;
const FROM = Date.parse("2024-03-01T00:00:00+08:00");
const RANGE = { from: FROM, to: FROM + 30 * DAY };
const PERSONS = 1_000_000;

/** events draws n rows over persons with a skewed activity (a few heavy users), `bitsOf` per row. */
function events(n: number, seed: number, bitsOf: (r: () => number) => number): Rows {
  const r = rng(seed);
  const person = new Int32Array(n);
  const ts = new Float64Array(n);
  const match = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    person[i] = Math.floor(PERSONS * r() ** 2.2);
    ts[i] = FROM + Math.floor(r() * 30 * DAY);
    match[i] = bitsOf(r);
  }
  return { n, persons: PERSONS, person, ts, match };
}

function bench(name: string, rows: number, fn: () => unknown): void {
  fn(); // warm-up: JIT and lazily built zone tables
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const rate = (rows / times[2]! / 1000).toFixed(1);
  console.log(`${name.padEnd(52)} ${String(rows).padStart(9)} rows  median ${times[2]!.toFixed(1).padStart(7)} ms  min ${times[0]!.toFixed(1).padStart(7)} ms  ${rate.padStart(6)} M rows/s`);
}

const days = buckets(CAL, RANGE, "day");

{
  const rows = events(3_300_000, 1, () => 3);
  const q = TrendsQuery.parse({ kind: "trends", series: [{ event: "e" }, { event: "e", math: "users" }] });
  bench("trends: daily total + users, 30 days", rows.n, () => trendsResults(q, { rows }, days));
}
{
  const rows = events(3_300_000, 12, () => 1);
  const hours = buckets(CAL, RANGE, "hour");
  const q = TrendsQuery.parse({ kind: "trends", interval: "hour", series: [{ event: "e", math: "users" }] });
  bench("trends: hourly users, 30 days (grouped pairs)", rows.n, () => trendsResults(q, { rows }, hours));
}
{
  const rows = events(2_700_000, 2, () => 1);
  const r = rng(3);
  const breakdown = { codes: Int32Array.from({ length: rows.n }, () => Math.floor(r() * 7) - 1), labels: ["Chrome", "Safari", "Firefox", "Edge", "WeChat", "Opera"] };
  const q = TrendsQuery.parse({ kind: "trends", series: [{ event: "e" }], breakdown: { property: "$browser" } });
  bench("trends: daily total by a 6-valued property", rows.n, () => trendsResults(q, { rows, breakdown }, days));
}
{
  const rows = events(2_700_000, 4, () => 1);
  const r = rng(5);
  const values = [Float64Array.from({ length: rows.n }, () => (r() < 0.1 ? NaN : Math.floor(r() * 500)))];
  const q = TrendsQuery.parse({ kind: "trends", series: [{ event: "e", math: "median", property: "amount" }] });
  bench("trends: daily median of a property", rows.n, () => trendsResults(q, { rows, values }, days));
}

const sorted = (rows: Rows) => sortRows(rows).rows;
{
  const rows = events(3_300_000, 6, () => 1);
  bench("sortRows (person, ts) — data layer helper", rows.n, () => sortRows(rows));
}
{
  // a 3-step funnel: 40 % of rows are step 1, 30 % step 2, 30 % step 3
  const rows = sorted(events(700_000, 7, (r) => { const x = r(); return x < 0.4 ? 1 : x < 0.7 ? 2 : 4; }));
  const q = FunnelQuery.parse({ kind: "funnel", steps: [{ event: "a" }, { event: "b" }, { event: "c" }] });
  bench("funnel: 3 steps, 7-day window, ordered", rows.n, () => funnelSteps(q, funnelPersons({ rows }, funnelSpec(q), RANGE)));
  const strict = FunnelQuery.parse({ ...q, order: "strict" });
  bench("funnel: 3 steps, strict", rows.n, () => funnelSteps(strict, funnelPersons({ rows }, funnelSpec(strict), RANGE)));
  const unordered = FunnelQuery.parse({ ...q, order: "unordered" });
  bench("funnel: 3 steps, unordered", rows.n, () => funnelSteps(unordered, funnelPersons({ rows }, funnelSpec(unordered), RANGE)));
  const withEx = sorted(events(700_000, 8, (r) => { const x = r(); return x < 0.35 ? 1 : x < 0.65 ? 2 : x < 0.95 ? 4 : 8; }));
  const ex = FunnelQuery.parse({ ...q, exclusions: [{ event: "x", fromStep: 0, toStep: 2 }] });
  bench("funnel: 3 steps + exclusion", withEx.n, () => funnelSteps(ex, funnelPersons({ rows: withEx }, funnelSpec(ex), RANGE)));
  const trends = FunnelQuery.parse({ ...q, view: "trends" });
  bench("funnel: trends view (per entry day)", rows.n, () => funnelPersons({ rows }, funnelSpec(trends), RANGE, days));
}
{
  const rows = sorted(events(3_300_000, 9, (r) => (r() < 0.5 ? 3 : 2)));
  const periods = buckets(CAL, RANGE, "day", true);
  const q = RetentionQuery.parse({ kind: "retention", startEvent: { event: "s" }, returnEvent: { event: "r" } });
  bench("retention: 30 × 30 days, recurring", rows.n, () => retentionResults(q, { rows }, periods));
  const cum = RetentionQuery.parse({ ...q, cumulative: true });
  bench("retention: 30 × 30 days, cumulative", rows.n, () => retentionResults(cum, { rows }, periods));
}
{
  const rows = sorted(events(3_300_000, 10, () => 1));
  const periods = buckets(CAL, RANGE, "day", true);
  const q = DistributionQuery.parse({ kind: "distribution", event: "e", measure: "active_days" });
  bench("distribution: active days over 30 days", rows.n, () => distributionResults(q, { rows }, { range: RANGE, units: days }));
  const firstSeen = new Float64Array(PERSONS).fill(FROM - DAY);
  const lp = lifecyclePeriods(CAL, RANGE, "day");
  bench("lifecycle: daily over 30 days", rows.n, () => lifecycleResults({ rows, firstSeen }, lp));
  bench("stickiness: daily over 30 days", rows.n, () => stickinessResults(rows, periods, false));
  const r = rng(11);
  const event = Int32Array.from({ length: rows.n }, () => Math.floor(20 * r() ** 2));
  const anchored = { ...rows, match: Uint32Array.from(event, (e) => (e === 0 ? 1 : 0)) };
  const q2 = PathsQuery.parse({ kind: "paths", startEvent: { event: "e0" } });
  bench("paths: after a start event, 5 steps", rows.n, () => pathsResults(q2, { rows: anchored, event, eventNames: Array.from({ length: 20 }, (_, i) => `e${i}`) }, RANGE));
}
