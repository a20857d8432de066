/**
 * The query benchmark of issue 5: the deterministic data set (scripts/dataset.ts, default 10M events
 * / 1M persons / 90 days) loaded into a Tessera data directory (cached under .bench/ by parameters)
 * and into DuckDB, then the queries run `--runs` times each after one warm-up on both, in the
 * same run. Tessera runs in a child process shaped like the server — the writer, compaction and the
 * store worker answering through ReaderClient — so its RSS is the server's, not DuckDB's.
 *
 * Usage: bun scripts/bench-query.ts [--events 10000000] [--persons 1000000] [--runs 5] [--no-duckdb]
 * Prints the table (Tessera median, DuckDB median, ratio), trends from rollups, RSS, bytes per event
 * and freshness, and whether both engines agree on each query's numbers.
 */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { createCrypto } from "../src/crypto/crypto.ts";
import { migrate } from "../src/db/migrate.ts";
import { DB_FILE, openWriter } from "../src/db/sqlite.ts";
import { IdentityService } from "../src/identity/identity-service.ts";
import { type QueryOutput, valid } from "../src/query/query.ops.ts";
import { Query } from "../src/query/schema.ts";
import { StoreService } from "../src/store/store-service.ts";
import { CITIES, EVENT_NAMES, generate } from "./dataset.ts";
import { duckQueries, loadDuck, runDuck } from "./duckdb-reference.ts";
import { BENCH_KEY, loadDataset } from "./load-dataset.ts";

const DAY = 86_400_000;
const CAL = { zone: "UTC", weekStart: "monday" } as const;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const iso = (t: number) => new Date(t).toISOString().slice(0, 10);

/** queries are the five analyses (and the rollup trends) over the data set's last 30 days. */
function queries(start: number, days: number) {
  const from = iso(start + (days - 30) * DAY);
  const to = iso(start + (days - 1) * DAY);
  return {
    trends: {
      kind: "trends", dateFrom: from, dateTo: to, interval: "day",
      series: [{ event: "$all", math: "total" }, { event: "$all", math: "users" }],
      breakdown: { property: "$event", type: "event", limit: 100 },
    },
    breakdown: {
      kind: "trends", dateFrom: from, dateTo: to, interval: "day",
      series: [{ event: "page_view", math: "total" }, { event: "page_view", math: "users" }],
      breakdown: { property: "$browser", type: "event", limit: 100 },
    },
    funnel: {
      kind: "funnel", dateFrom: from, dateTo: to, window: { n: 7, unit: "day" },
      steps: [{ event: "product_viewed" }, { event: "add_to_cart" }, { event: "order_completed" }],
    },
    retention: {
      kind: "retention", dateFrom: iso(start + 30 * DAY), dateTo: to, period: "day", intervals: 29, mode: "first_time",
      startEvent: { event: "$all" }, returnEvent: { event: "$all" },
    },
    audience: {
      kind: "distribution", dateFrom: from, dateTo: to, event: "add_to_cart", measure: "count", buckets: [1, 3],
      where: { property: "city", type: "person", op: "eq", value: "Shanghai" },
    },
    rollup: {
      kind: "trends", dateFrom: from, dateTo: to, interval: "day", series: EVENT_NAMES.map((event) => ({ event })),
    },
    // the project's default zone: local days straddle the UTC-day chunks (no DuckDB counterpart)
    trendsShanghai: {
      kind: "trends", dateFrom: from, dateTo: to, interval: "day", timezone: "Asia/Shanghai",
      series: [{ event: "$all", math: "total" }, { event: "$all", math: "users" }],
      breakdown: { property: "$event", type: "event", limit: 100 },
    },
    breakdownShanghai: {
      kind: "trends", dateFrom: from, dateTo: to, interval: "day", timezone: "Asia/Shanghai",
      series: [{ event: "page_view", math: "total" }, { event: "page_view", math: "users" }],
      breakdown: { property: "$browser", type: "event", limit: 100 },
    },
  } as const;
}

type Name = keyof ReturnType<typeof queries>;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** summary reduces a result to the numbers DuckDB's reference SQL also produces. */
function summary(name: Name, out: QueryOutput, start: number): number[] {
  const r = out.results as unknown as Record<string, unknown>[];
  const sum = (series: string) => r.filter((l) => l.series === series).reduce((s, l) => s + (l.points as { value: number }[]).reduce((a, p) => a + p.value, 0), 0);
  switch (name) {
    case "trends": case "breakdown": case "trendsShanghai": case "breakdownShanghai": return [sum("A"), sum("B")];
    case "rollup": return [r.reduce((s, l) => s + (l.total as number), 0)];
    case "funnel": return (r[0]!.steps as { count: number }[]).map((s) => s.count);
    case "retention": {
      const cohorts = r[0]!.cohorts as { period: string; values: number[] }[];
      const first30 = cohorts.filter((c) => Date.parse(c.period) < start + 60 * DAY);
      return [first30.reduce((s, c) => s + c.values.reduce((a, v) => a + v, 0), 0)];
    }
    case "audience": return [(r as unknown as { from: number; persons: number }[]).find((b) => b.from === 3)?.persons ?? 0];
  }
}

function duckSummary(name: Name, rows: unknown[][]): number[] {
  const num = (v: unknown) => Number(v);
  switch (name) {
    case "trends": case "breakdown": return [rows.reduce((s, r) => s + num(r[2]), 0), rows.reduce((s, r) => s + num(r[3]), 0)];
    case "funnel": return rows[0]!.map(num);
    case "retention": return [rows.reduce((s, r) => s + num(r[2]), 0)];
    case "audience": return [rows.length];
    case "rollup": case "trendsShanghai": case "breakdownShanghai": return [];
  }
}

// ---- the Tessera side, in its own process

async function child(dir: string, start: number, days: number, runs: number): Promise<void> {
  const file = join(dir, DB_FILE);
  const db = openWriter(file);
  migrate(db);
  // The identity index lives in the server's memory too; the loader's identities resolve as themselves.
  const identity = IdentityService.open(db, createCrypto(BENCH_KEY));
  const svc = await StoreService.open<number>(db, { file, resolve: (id) => id });
  svc.start();
  Bun.gc(true); // as the server does once started: loading the identity index and dedup set left garbage
  const started = process.memoryUsage.rss();
  const qs = queries(start, days);
  const now = start + days * DAY;
  const out: Record<string, { first: number; times: number[]; summary: number[]; source?: string; peak: number }> = {};
  let peak = process.memoryUsage().rss;
  // sampled while the worker computes, so a peak inside a query is seen, not only between queries
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
  for (const [name, body] of Object.entries(qs) as [Name, unknown][]) {
    const before = peak;
    peak = process.memoryUsage.rss();
    const query = Query.parse(body);
    const calendar = { zone: query.timezone ?? CAL.zone, weekStart: CAL.weekStart };
    const call = async () => valid(await svc.reader.call("query", { query, calendar, now, fresh: true }));
    let t = performance.now();
    const warm = await call();
    const first = performance.now() - t;
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      t = performance.now();
      await call();
      times.push(performance.now() - t);
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    out[name] = { first, times, summary: summary(name, warm, start), source: warm.source, peak };
    peak = Math.max(before, peak);
  }
  // cached: the same query again, answered from the worker's result cache
  const cachedQuery = Query.parse(qs.retention);
  await svc.reader.call("query", { query: cachedQuery, calendar: CAL, now });
  let t = performance.now();
  await svc.reader.call("query", { query: cachedQuery, calendar: CAL, now });
  const cachedMs = performance.now() - t;
  // freshness: an event appended now, polled for through the query path until a query counts it
  const probe = { kind: "trends", dateFrom: iso(now - DAY), dateTo: iso(now + DAY), series: [{ event: "bench_probe" }] };
  const written = performance.now();
  await svc.store.writer.append([{ source: 1, messageId: `probe-${Date.now()}`, event: "bench_probe", ts: now, receivedAt: now, props: {}, identity: 1 }]);
  let fresh = -1;
  for (let i = 0; i < 1000 && fresh < 0; i++) {
    const r = valid(await svc.reader.call("query", { query: Query.parse(probe), calendar: CAL, now }));
    if ((r.results[0] as { total: number }).total > 0) fresh = performance.now() - written;
    else await Bun.sleep(5);
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  clearInterval(sampler);
  await svc.close();
  db.close();
  process.stdout.write(JSON.stringify({ out, peak, started, cachedMs, fresh, identities: identity.graph.index.size }));
}

// ---- the parent: data, DuckDB, the table

async function main(): Promise<void> {
  const events = arg("events", 10_000_000);
  const persons = arg("persons", 1_000_000);
  const runs = arg("runs", 5);
  let t = performance.now();
  const d = generate({ events, persons });
  console.log(`data set: ${d.n} events, ${d.persons} persons, ${d.days} days (generated in ${(performance.now() - t).toFixed(0)} ms)`);
  const dir = join(".bench", `tessera-v2-${events}-${persons}-42`); // v2: identities with keyed fingerprints
  const file = join(dir, DB_FILE);
  if (!existsSync(file)) {
    console.log(`loading into ${dir} …`);
    await loadDataset(dir, d, (m) => console.log(`  ${m}`));
  } else console.log(`reusing ${dir}`);
  const bytes = statSync(file).size;

  const proc = Bun.spawn(["bun", import.meta.path, "--child", dir, String(d.start), String(d.days), String(runs)], { stdout: "pipe", stderr: "inherit" });
  const text = await new Response(proc.stdout).text();
  if ((await proc.exited) !== 0) throw new Error("the Tessera process failed");
  const tess = JSON.parse(text) as { out: Record<Name, { first: number; times: number[]; summary: number[]; source?: string; peak: number }>; peak: number; started: number; cachedMs: number; fresh: number };

  if (process.argv.includes("--no-duckdb")) {
    for (const [name, r] of Object.entries(tess.out)) console.log(`${name}: median ${median(r.times).toFixed(1)} ms (first ${r.first.toFixed(0)}) ${r.summary}; peak RSS ${(r.peak / 1048576).toFixed(0)} MB`);
    console.log(`RSS after start ${(tess.started / 1048576).toFixed(0)} MB, peak ${(tess.peak / 1048576).toFixed(0)} MB; cached ${tess.cachedMs.toFixed(1)} ms; fresh ${tess.fresh.toFixed(1)} ms`);
    return;
  }
  t = performance.now();
  const con = await loadDuck(d);
  console.log(`DuckDB loaded in ${(performance.now() - t).toFixed(0)} ms`);
  const sql = duckQueries(d);
  const duck: Partial<Record<Name, { times: number[]; summary: number[] }>> = {};
  for (const name of Object.keys(sql) as Name[]) {
    const rows = await runDuck(con, sql[name]!);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      t = performance.now();
      await runDuck(con, sql[name]!);
      times.push(performance.now() - t);
    }
    duck[name] = { times, summary: duckSummary(name, rows) };
  }

  const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));
  console.log(`\n| query | Tessera median ms (first) | DuckDB median ms | Tessera ÷ DuckDB | same numbers |`);
  console.log(`|---|---|---|---|---|`);
  const label: Record<Name, string> = {
    trends: "trends: daily count + uniques, 30 days, all events (by event)",
    breakdown: "trends: page_view by browser, count + uniques",
    funnel: "funnel: 3 ordered steps, 7-day window",
    retention: "retention: 30 × 30 days, first-ever cohorts, return any event",
    audience: "add_to_cart ≥ 3 in 30 days and city = Shanghai",
    rollup: "trends from rollups: daily count, 30 days, 20 events",
    trendsShanghai: "trends by event, Asia/Shanghai days (Tessera only)",
    breakdownShanghai: "page_view by browser, Asia/Shanghai days (Tessera only)",
  };
  for (const name of Object.keys(label) as Name[]) {
    const tm = median(tess.out[name].times);
    const dk = duck[name];
    const dm = dk ? median(dk.times) : NaN;
    const same = dk ? (JSON.stringify(tess.out[name].summary) === JSON.stringify(dk.summary) ? "yes" : `${tess.out[name].summary} vs ${dk.summary}`) : "—";
    console.log(`| ${label[name]} | ${fmt(tm)} (${fmt(tess.out[name].first)}) | ${dk ? fmt(dm) : "—"} | ${dk ? (tm / dm).toFixed(2) : "—"} | ${same} |`);
  }
  console.log(`\nrollup trends source: ${tess.out.rollup.source}; a repeated query from the result cache: ${fmt(tess.cachedMs)} ms`);
  console.log(`Tessera process RSS: ${(tess.started / 1048576).toFixed(0)} MB after start, ${(tess.peak / 1048576).toFixed(0)} MB peak while querying (sampled every 5 ms)`);
  for (const name of Object.keys(label) as Name[]) console.log(`  peak during ${name}: ${(tess.out[name].peak / 1048576).toFixed(0)} MB`);
  console.log(`on disk: ${(bytes / 1048576).toFixed(0)} MB = ${(bytes / d.n).toFixed(1)} bytes per event`);
  console.log(`freshness: an appended event counted by a query after ${fmt(tess.fresh)} ms`);
  console.log(`(Shanghai = city ${CITIES.indexOf("Shanghai")}; ${runs} timed runs after one warm-up, medians)`);
}

if (process.argv[2] === "--child") {
  await child(process.argv[3]!, Number(process.argv[4]), Number(process.argv[5]), Number(process.argv[6]));
} else {
  await main();
}
