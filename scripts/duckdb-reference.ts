/**
 * The DuckDB side of the query benchmark: the same data set loaded into an in-memory DuckDB through
 * its appender, and the five reference queries of issue 5 written as the anchors' SQL
 * (performance.md §3.3). Used only by scripts/bench-query.ts; DuckDB is a dev dependency.
 */
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { CITIES, EVENT_NAMES, type Dataset } from "./dataset.ts";

const DAY = 86_400_000;

/** loadDuck creates `events(ts, user_key, event, browser)` and `persons(user_key, city)`. */
export async function loadDuck(d: Dataset): Promise<DuckDBConnection> {
  const instance = await DuckDBInstance.create(":memory:", { threads: "2" });
  const con = await instance.connect();
  await con.run("CREATE TABLE events (ts BIGINT, user_key UINTEGER, event UTINYINT, browser UTINYINT)");
  await con.run("CREATE TABLE persons (user_key UINTEGER, city UTINYINT)");
  const ev = await con.createAppender("events");
  for (let i = 0; i < d.n; i++) {
    ev.appendBigInt(BigInt(d.ts[i]!));
    ev.appendUInteger(d.person[i]!);
    ev.appendUTinyInt(d.event[i]!);
    ev.appendUTinyInt(d.browser[i]!);
    ev.endRow();
  }
  ev.closeSync();
  const ps = await con.createAppender("persons");
  for (let p = 0; p < d.persons; p++) {
    ps.appendUInteger(p);
    ps.appendUTinyInt(d.city[p]!);
    ps.endRow();
  }
  ps.closeSync();
  return con;
}

/** duckQueries returns the reference SQL for a window of the last 30 days of the data set (UTC days). */
export function duckQueries(d: Dataset): Record<string, string> {
  const from = d.start + (d.days - 30) * DAY;
  const to = d.start + d.days * DAY;
  const ev = (name: string) => EVENT_NAMES.indexOf(name as (typeof EVENT_NAMES)[number]);
  const week = 7 * DAY;
  const cohortFrom = d.start + 30 * DAY;
  return {
    trends: `SELECT ts // ${DAY} AS day, event, count(*) AS events, count(DISTINCT user_key) AS users
             FROM events WHERE ts >= ${from} AND ts < ${to} GROUP BY ALL`,
    breakdown: `SELECT ts // ${DAY} AS day, browser, count(*) AS events, count(DISTINCT user_key) AS users
                FROM events WHERE event = ${ev("page_view")} AND ts >= ${from} AND ts < ${to} GROUP BY ALL`,
    funnel: `WITH s1 AS (SELECT user_key, ts AS t1 FROM events WHERE event = ${ev("product_viewed")} AND ts >= ${from} AND ts < ${to}),
              s2 AS (SELECT s1.user_key, s1.t1, min(e.ts) AS t2 FROM s1 JOIN events e ON e.user_key = s1.user_key
                     AND e.event = ${ev("add_to_cart")} AND e.ts > s1.t1 AND e.ts <= s1.t1 + ${week} GROUP BY ALL),
              s3 AS (SELECT s2.user_key FROM s2 JOIN events e ON e.user_key = s2.user_key
                     AND e.event = ${ev("order_completed")} AND e.ts > s2.t2 AND e.ts <= s2.t1 + ${week})
             SELECT (SELECT count(DISTINCT user_key) FROM s1), (SELECT count(DISTINCT user_key) FROM s2),
                    (SELECT count(DISTINCT user_key) FROM s3)`,
    retention: `WITH first AS (SELECT user_key, min(ts) // ${DAY} AS c FROM events GROUP BY user_key),
                 active AS (SELECT DISTINCT user_key, ts // ${DAY} AS day FROM events WHERE ts >= ${cohortFrom})
                SELECT f.c, a.day - f.c AS lag, count(*) AS users FROM first f JOIN active a USING (user_key)
                WHERE f.c >= ${cohortFrom / DAY} AND f.c < ${cohortFrom / DAY + 30} AND a.day - f.c BETWEEN 0 AND 29
                GROUP BY ALL`,
    audience: `SELECT e.user_key FROM events e JOIN persons p USING (user_key)
               WHERE e.event = ${ev("add_to_cart")} AND e.ts >= ${to - 30 * DAY} AND e.ts < ${to}
                 AND p.city = ${CITIES.indexOf("Shanghai")}
               GROUP BY e.user_key HAVING count(*) >= 3`,
  };
}

/** runDuck runs one query and returns its rows (materialised, as the benchmark's "full result"). */
export async function runDuck(con: DuckDBConnection, sql: string): Promise<unknown[][]> {
  const reader = await con.runAndReadAll(sql);
  return reader.getRows();
}
