/**
 * Reference cases from Sensors Data (神策数据), whose test suites are not public, so the cases come from its
 * published material instead of a test file:
 * - [CLI-分布] [CLI-留存] [CLI-漏斗] [CLI-契约] [CLI-分群] [CLI-序列] [CLI-留存明细]: the reference files of
 *   Sensors' own agent skill "sensors-connector" (author: Sensors Data; references/analytics/analyze-distribution.md,
 *   analyze-retention.md, analyze-funnel.md, analytics-query-schema.md, list-retention-users.md,
 *   references/segment/segment-rule-schema.md, segment-event-sequence-schema.md), which state the
 *   query semantics of 分布分析 / 留存分析 / 漏斗分析 / 用户分群 with worked examples;
 * - [手册-留存] manual.sensorsdata.cn/sa/docs/guide_analytics_retention (特定日期留存, 自定义区间留存);
 * - [手册-时区] manual.sensorsdata.cn/sa/docs/analytics_timezone/v0300 (物理时间 / 显示时间, the
 *   New York / Beijing example);
 * - [95id] the practitioner write-up of the Sensors-style funnel rules that analytics.md §2.3 cites
 *   (files.95id.com/how_to_calculate_conversion_rate.html), for the A1-A2-B example only.
 * Each case rebuilds the example (or the precise sentence) as events sent through `POST /v1/batch` into a
 * fresh app and asks `POST /api/query` or `POST /api/audiences/preview`; the expected numbers are the ones
 * the sentence fixes. Where Sensors and SPEC §5/§6 disagree the test asserts SPEC and says so.
 *
 * Mapping: Sensors' subject `$user_id` is our merged person; `date_range` from/to dates are our
 * `dateFrom`/`dateTo` (both whole local days); its `timezone` ("" = the project's) is our `timezone`
 * (absent = project setting, Asia/Shanghai by default); `bucket_boundaries` are our `buckets`;
 * `measure_type: times` / `aggregator: sum` / `period` are `measure: count` / `sum` / `active_days|active_hours`;
 * `unit` (the `by_value` date rows) is `interval`; `filter` is an event `where`, `user_filter` a person
 * `where`; `first.*` / `second.*` filters are `startEvent.where` / `returnEvent.where`; `conversion_window`
 * is `window`; `by_fields {field, step: 0}` is a breakdown with attribution `step`; a segment rule's
 * `time_range relative {unit, last}` is a `last` window, `static` an `absolute` one.
 * Left out as concepts we do not have: funnel `natural_day` windows and `count_mode: times`, retention
 * 自定义区间留存 ("第 n 至第 m 天内") and 同时显示 measures, the client-time-zone display mode, and
 * 分群 rules on tags and other segments. Sensors' docs give no exact answer for where a value below the
 * first edge goes, for calendar-versus-rolling "最近 N 天", or for events of the same instant in a
 * sequence, so no case asserts those.
 */
import { describe, expect, test } from "bun:test";
import { actorIds, identify, referenceApp, track, type Actors, type Props, type ReferenceApp } from "./harness.ts";

const WRITE_KEY = "wk_reference_sensors_0123456789";
/** TZ is the zone the cases' local times are written in: the project default, Beijing time. */
const TZ = "Asia/Shanghai";
/** LATER is the app clock for the analysis worlds: after every event, so none is "in the future". */
const LATER = "2026-07-15T00:00:00Z";
/** BORN is when persons with traits are identified: before every range here. */
const BORN = "2025-06-01T00:00:00Z";

/** bj is a Beijing local time "2026-06-01 10:00" as an ISO instant. */
const bj = (local: string) => `${local.replace(" ", "T")}:00+08:00`;
/** ev is one track by user id at a Beijing local time. */
const ev = (user: string, event: string, local: string, props: Props = {}) => track({ userId: user }, event, bj(local), props);
/** person gives a user its traits (user.* properties) through an identify at BORN. */
const person = (user: string, traits: Props) => identify(user, undefined, BORN, traits);
/** times sends `k` events of `event` for `user` on one day, a minute apart from 10:00. */
const times = (user: string, event: string, day: string, k: number) =>
  Array.from({ length: k }, (_, i) => ev(user, event, `${day} 10:${String(i).padStart(2, "0")}`));

type Bucket = { from: number | null; to: number | null; persons: number; period?: string };
type Distribution = { results: Bucket[]; totalPersons: number };
type Cohort = { period: string; values: number[] };
type Retention = { results: { breakdownValue: string | null; cohorts: Cohort[] }[] };
type Step = { event: string; count: number; avgSecondsFromPrevious: number | null; medianSecondsFromPrevious: number | null };
type Funnel = { results: { breakdownValue: string | null; steps: Step[] }[] };
type FunnelTrend = { results: { period: string; entered: number; converted: number; rate: number }[] };
type Preview = { count: number; sample: Actors["persons"] };

/** world is a fresh app holding `batch`, its clock at `now`. */
async function world(batch: unknown[], now = LATER): Promise<ReferenceApp> {
  const h = await referenceApp(WRITE_KEY, { now });
  await h.ingestAll(batch);
  return h;
}

const distribution = (h: ReferenceApp, q: Props) => h.ok<Distribution>("/api/query", { kind: "distribution", timezone: TZ, ...q });
const retention = (h: ReferenceApp, q: Props) => h.ok<Retention>("/api/query", { kind: "retention", timezone: TZ, ...q });
const funnel = (h: ReferenceApp, q: Props) => h.ok<Funnel>("/api/query", { kind: "funnel", timezone: TZ, ...q });
const funnelTrends = (h: ReferenceApp, q: Props) =>
  h.ok<FunnelTrend>("/api/query", { kind: "funnel", timezone: TZ, view: "trends", ...q });
/** counts is the person count per step of the single (or given) funnel line. */
const counts = (f: Funnel, line = 0) => f.results[line]!.steps.map((s) => s.count);
/** hist reads a histogram as [from, to, persons] triples. */
const hist = (d: Distribution) => d.results.map((b) => [b.from, b.to, b.persons]);
/** perPeriod groups a per-interval histogram by period. */
const perPeriod = (d: Distribution) => {
  const out: Record<string, [number | null, number | null, number][]> = {};
  for (const b of d.results) (out[b.period!] ??= []).push([b.from, b.to, b.persons]);
  return out;
};
const where = (property: string, op: string, value: unknown, type: "event" | "person" = "event") => ({ property, type, op, value });

// ---- 分布分析 (SPEC §5.4)

describe("分布分析: buckets, measures, who is counted", () => {
  // [CLI-分布] "bucket_boundaries: [1, 3, 5, 10]，生成 [1,3) [3,5) [5,10) [10,∞)" and "[1, 3, 5]，生成 [1,3) [3,5) [5,∞)";
  // total_user = 总用户数（去重）, addiction_rate_bucket_N = 第 N 桶用户数 ÷ total_user. Counts sit on both sides of
  // every edge; u9 did only another event and is in no bucket (only persons who did the event are counted).
  test("按次数: [1,3,5,10] and [1,3,5] are left-closed buckets with an open last one", async () => {
    const perUser: Record<string, number> = { u1: 1, u2: 2, u3: 3, u4: 4, u5: 5, u6: 9, u7: 10, u8: 12 };
    const h = await world([
      ...Object.entries(perUser).flatMap(([u, k]) => times(u, "launch", "2026-06-02", k)),
      ...times("u9", "other", "2026-06-02", 3),
    ]);
    const range = { event: "launch", dateFrom: "2026-06-01", dateTo: "2026-06-07" };
    const four = await distribution(h, { ...range, buckets: [1, 3, 5, 10] });
    expect(hist(four)).toEqual([[1, 3, 2], [3, 5, 2], [5, 10, 2], [10, null, 2]]);
    expect(four.totalPersons).toBe(8);
    const three = await distribution(h, { ...range, buckets: [1, 3, 5] });
    expect(hist(three)).toEqual([[1, 3, 2], [3, 5, 2], [5, null, 4]]);
    expect(three.results.map((b) => b.persons / three.totalPersons)).toEqual([0.25, 0.25, 0.5]);
  });

  // [CLI-分布] 端到端推导示例: "2026 年 5 月 27 日至 6 月 8 日，『加入购物车』行为中『数量』属性的分布，按 1/3/5/10 件分桶"
  // → aggregator sum of e2e_quantity, bucket_boundaries [1,3,5,10]. The date range is whole days at both ends.
  test("按属性求和: the doc's add-to-cart quantity example, 2026-05-27 ~ 2026-06-08", async () => {
    const cart = (u: string, local: string, q: number) => ev(u, "e2e_add_to_cart", local, { e2e_quantity: q });
    const h = await world([
      cart("p1", "2026-05-27 09:00", 1), cart("p1", "2026-06-08 23:30", 1), // 2 → [1,3)
      cart("p2", "2026-06-01 12:00", 4), // 4 → [3,5)
      cart("p3", "2026-06-02 12:00", 3), cart("p3", "2026-06-03 12:00", 3), // 6 → [5,10)
      cart("p4", "2026-06-04 12:00", 10), // 10 → [10,∞)
      cart("p5", "2026-05-26 23:50", 2), cart("p5", "2026-06-09 00:10", 7), // both outside the range
    ]);
    const d = await distribution(h, {
      event: "e2e_add_to_cart", measure: "sum", property: "e2e_quantity", buckets: [1, 3, 5, 10],
      dateFrom: "2026-05-27", dateTo: "2026-06-08",
    });
    expect(d).toMatchObject({ results: [{ from: 1, to: 3, persons: 1 }, { from: 3, to: 5, persons: 1 }, { from: 5, to: 10, persons: 1 }, { from: 10, to: null, persons: 1 }], totalPersons: 4 });
  });

  // [CLI-分布] 完整示例: order_pay summed over `amount`, bucket_boundaries [0, 100, 500, 1000, 5000],
  // user_filter user.is_vip isTrue, 2026-06-01 ~ 2026-06-25; "addiction_user_bucket_N = 0 正常，说明该区间无数据".
  test("按属性求和 with a user filter: the doc's order_pay example, an empty bucket stays in the answer", async () => {
    const pay = (u: string, local: string, amount: number) => ev(u, "order_pay", local, { amount });
    const h = await world([
      person("vip1", { is_vip: true }), person("vip2", { is_vip: true }), person("vip3", { is_vip: true }),
      person("vip4", { is_vip: true }), person("n1", { is_vip: false }),
      pay("vip1", "2026-06-03 10:00", 50), pay("vip1", "2026-06-20 10:00", 30), // 80 → [0,100)
      pay("vip4", "2026-06-05 10:00", 100), // 100 → [100,500)
      pay("vip2", "2026-06-05 10:00", 600), // → [500,1000)
      pay("vip3", "2026-06-25 22:00", 5000), // → [5000,∞)
      pay("n1", "2026-06-05 10:00", 200), // not a VIP
    ]);
    const d = await distribution(h, {
      event: "order_pay", measure: "sum", property: "amount", buckets: [0, 100, 500, 1000, 5000],
      where: where("is_vip", "eq", true, "person"), dateFrom: "2026-06-01", dateTo: "2026-06-25",
    });
    expect(hist(d)).toEqual([[0, 100, 1], [100, 500, 1], [500, 1000, 1], [1000, 5000, 0], [5000, null, 1]]);
    expect(d.totalPersons).toBe(4);
  });

  // [CLI-漏斗]/[CLI-分布] subject `$user_id`, total_user 去重: events before and after a login belong to one
  // user. a1's two anonymous launches and u1's two logged-in ones are one person with 4 → [3,5).
  test("a merged person is counted once, with all its events", async () => {
    const h = await world([
      track({ anonymousId: "a1" }, "launch", bj("2026-06-02 09:00")),
      track({ anonymousId: "a1" }, "launch", bj("2026-06-02 09:05")),
      identify("u1", "a1", bj("2026-06-02 09:10")),
      ...times("u1", "launch", "2026-06-03", 2),
      ...times("u2", "launch", "2026-06-03", 1),
    ]);
    const d = await distribution(h, { event: "launch", buckets: [1, 3, 5], dateFrom: "2026-06-01", dateTo: "2026-06-07" });
    expect(hist(d)).toEqual([[1, 3, 1], [3, 5, 1], [5, null, 0]]);
    expect(d.totalPersons).toBe(2);
  });

  // [CLI-分布] measure_type "period 按天或小时数分布"; [手册-时区] analyses bucket 物理时间 by 显示时间 in the
  // configured zone, so a day is a natural (local) day: p1's 23:30 and 00:30 Beijing are two days in Beijing and
  // one day in UTC.
  test("按天数: days are natural days of the query's zone", async () => {
    const h = await world([
      ev("p1", "launch", "2026-06-02 23:30"), ev("p1", "launch", "2026-06-03 00:30"),
      ev("p2", "launch", "2026-06-02 10:00"), ev("p2", "launch", "2026-06-02 20:00"),
      ev("p3", "launch", "2026-06-01 12:00"), ev("p3", "launch", "2026-06-03 12:00"), ev("p3", "launch", "2026-06-05 12:00"),
    ]);
    const q = { event: "launch", measure: "active_days", buckets: [1, 2, 3], dateFrom: "2026-06-01", dateTo: "2026-06-07" };
    expect(hist(await distribution(h, q))).toEqual([[1, 2, 1], [2, 3, 1], [3, null, 1]]);
    expect(hist(await distribution(h, { ...q, timezone: "UTC" }))).toEqual([[1, 2, 2], [2, 3, 0], [3, null, 1]]);
  });

  // [CLI-分布] "unit … 默认 day", "by_value … 无 by_field 时承载 unit 时间点" and one total_user per row: with a unit
  // the distribution is computed per period, each row its own histogram. Here 按小时数 per day: p1 is active in
  // hours 09 and 10 on 06-01 (2 hours) and hour 14 on 06-02 (1 hour); p2 in hour 20 on 06-01.
  // Shape difference (SPEC §5.4 fixes no per-period total): Sensors' total_user is per row; ours is over the
  // whole range, so the per-row totals are the sums of each period's buckets.
  test("按小时数 per day: one histogram per period", async () => {
    const h = await world([
      ev("p1", "launch", "2026-06-01 09:05"), ev("p1", "launch", "2026-06-01 09:55"), ev("p1", "launch", "2026-06-01 10:10"),
      ev("p1", "launch", "2026-06-02 14:00"),
      ev("p2", "launch", "2026-06-01 20:00"),
    ]);
    const d = await distribution(h, {
      event: "launch", measure: "active_hours", interval: "day", buckets: [1, 2, 3], dateFrom: "2026-06-01", dateTo: "2026-06-02",
    });
    expect(perPeriod(d)).toEqual({
      "2026-06-01": [[1, 2, 1], [2, 3, 1], [3, null, 0]],
      "2026-06-02": [[1, 2, 1], [2, 3, 0], [3, null, 0]],
    });
    const rowTotal = (p: string) => d.results.filter((b) => b.period === p).reduce((s, b) => s + b.persons, 0);
    expect([rowTotal("2026-06-01"), rowTotal("2026-06-02")]).toEqual([2, 1]);
    expect(d.totalPersons).toBe(2);
  });
});

// ---- 时区 / 自然日

describe("时区: stored physical time, shown in the analysis zone", () => {
  // [手册-时区] "用户 A 在美国纽约时间的 1 月 1 日中午 12 点做了事件 A，用户 B 在北京时间的 1 月 1 日中午 12 点做了事件 A …
  // 假定服务端配置的固定时区为北京时间，分析模型在展示的时候会展示用户 B 的事件先发生，用户 A 的事件后发生" (按照服务端时间显示).
  // In Beijing time A's event is 2024-01-02 01:00 and B's 2024-01-01 12:00; in New York time B's is 2023-12-31 23:00.
  // Sensors' other mode (按照客户端时间显示: both at the same local noon) has no counterpart here.
  const newYorkAndBeijing = () => world([
    track({ userId: "A" }, "eventA", "2024-01-01T12:00:00-05:00"),
    track({ userId: "B" }, "eventA", "2024-01-01T12:00:00+08:00"),
  ]);
  const q = { event: "eventA", interval: "day", buckets: [1], dateFrom: "2023-12-31", dateTo: "2024-01-02" };
  const byDay = (d: Distribution) => Object.fromEntries(d.results.map((b) => [b.period, b.persons]));

  test("the New York / Beijing example, bucketed by day in either zone", async () => {
    const h = await newYorkAndBeijing();
    expect(byDay(await distribution(h, q))).toEqual({ "2023-12-31": 0, "2024-01-01": 1, "2024-01-02": 1 });
    expect(byDay(await distribution(h, { ...q, timezone: "America/New_York" }))).toEqual({ "2023-12-31": 1, "2024-01-01": 1, "2024-01-02": 0 });
  });

  // [CLI-契约] date_range.timezone "空=项目默认时区": without a zone the query follows the project setting.
  test("no zone in the query = the project's zone, and it follows a change of the setting", async () => {
    const h = await newYorkAndBeijing();
    const noZone = { kind: "distribution", ...q };
    const ask = () => h.ok<Distribution>("/api/query", noZone);
    expect(byDay(await ask())).toEqual({ "2023-12-31": 0, "2024-01-01": 1, "2024-01-02": 1 });
    const admin = await h.t.asUser("admin");
    const res = await h.t.call("PATCH", "/api/settings", { headers: admin.headers, json: { timezone: "America/New_York" } });
    expect(res.status).toBe(200);
    expect(byDay(await ask())).toEqual({ "2023-12-31": 1, "2024-01-01": 1, "2024-01-02": 0 });
  });
});

// ---- 留存分析 (SPEC §5.3)

describe("留存分析: 初始行为 / 后续行为, 第 N 天", () => {
  // [手册-留存] 特定日期留存: "在初始行为后的第 n 天 (周 / 月) 发生了后续行为" — day n exactly, not "on or after";
  // [CLI-留存] duration 默认 7 (rt_1 … rt_7). Cohort 2026-06-01: u1 returns on day 3 only, u2 on days 1 and 3,
  // u3 never.
  test("第 n 天留存 counts a return on day n exactly (duration 7)", async () => {
    const h = await world([
      ev("u1", "register", "2026-06-01 10:00"), ev("u1", "login", "2026-06-04 10:00"),
      ev("u2", "register", "2026-06-01 11:00"), ev("u2", "login", "2026-06-02 09:00"), ev("u2", "login", "2026-06-04 20:00"),
      ev("u3", "register", "2026-06-01 12:00"),
    ]);
    const r = await retention(h, {
      startEvent: { event: "register" }, returnEvent: { event: "login" }, period: "day",
      dateFrom: "2026-06-01", dateTo: "2026-06-08", intervals: 7,
    });
    expect(r.results[0]!.cohorts[0]).toEqual({ period: "2026-06-01", values: [3, 1, 0, 2, 0, 0, 0, 0] });
  });

  // [CLI-留存明细] slice_interval "0 表示当天（首日）": Sensors has a day-0 retention cell, the members who did the
  // 后续行为 on the day of their 初始行为 (u1 here: 1). SPEC §5.3 differs on purpose: "Lag 0 = the cohort size", and a
  // same-period return counts at no lag ≥ 1. So lag 0 is 2 (u1 and u2), and lag 1 only u2.
  test("day 0: SPEC's lag 0 is the cohort size, not Sensors' 当天留存", async () => {
    const h = await world([
      ev("u1", "register", "2026-06-01 10:00"), ev("u1", "login", "2026-06-01 12:00"),
      ev("u2", "register", "2026-06-01 10:00"), ev("u2", "login", "2026-06-02 10:00"),
    ]);
    const r = await retention(h, { startEvent: { event: "register" }, returnEvent: { event: "login" }, dateFrom: "2026-06-01", dateTo: "2026-06-02" });
    expect(r.results[0]!.cohorts).toEqual([{ period: "2026-06-01", values: [2, 1] }, { period: "2026-06-02", values: [0] }]);
  });

  // [CLI-留存] "rows 每行对应一个「初始日期 × 分组」组合（某天发生初始事件的那批用户）": a user who does the 初始行为 on two
  // days is in both days' batches. u1 starts on 06-01 and 06-02 and returns on 06-03.
  // Default difference: Sensors shows `duration` (default 7) windows per row; SPEC §5.3 without `intervals` reports
  // "lags up to the last period that has begun by dateTo (the triangle)", so the rows are 3, 2 and 1 long.
  test("a user is in the batch of every day they did the 初始行为; rows stop at dateTo", async () => {
    const h = await world([
      ev("u1", "AppStart", "2026-06-01 10:00"), ev("u1", "AppStart", "2026-06-02 10:00"), ev("u1", "Buy", "2026-06-03 10:00"),
    ]);
    const r = await retention(h, { startEvent: { event: "AppStart" }, returnEvent: { event: "Buy" }, dateFrom: "2026-06-01", dateTo: "2026-06-03" });
    expect(r.results[0]!.cohorts).toEqual([
      { period: "2026-06-01", values: [1, 0, 1] },
      { period: "2026-06-02", values: [1, 1] },
      { period: "2026-06-03", values: [0] },
    ]);
  });

  // [CLI-留存] 完整示例: initial_event AppInstall with first.$country equal 中国, return_event AppOpen with
  // second.$platform equal ["iOS","Android"] (IN), "上周" = 2026-06-15 ~ 2026-06-21, duration 14 (cut to the triangle,
  // as above). u2 installs from 美国 (no cohort), u3 returns on Web (not retained).
  test("初始行为 and 后续行为 filters: the doc's AppInstall → AppOpen example", async () => {
    const h = await world([
      ev("u1", "AppInstall", "2026-06-15 10:00", { $country: "中国" }), ev("u1", "AppOpen", "2026-06-16 10:00", { $platform: "iOS" }),
      ev("u2", "AppInstall", "2026-06-15 10:00", { $country: "美国" }), ev("u2", "AppOpen", "2026-06-16 10:00", { $platform: "iOS" }),
      ev("u3", "AppInstall", "2026-06-15 10:00", { $country: "中国" }), ev("u3", "AppOpen", "2026-06-16 10:00", { $platform: "Web" }),
      ev("u4", "AppInstall", "2026-06-15 10:00", { $country: "中国" }), ev("u4", "AppOpen", "2026-06-17 10:00", { $platform: "Android" }),
    ]);
    const r = await retention(h, {
      startEvent: { event: "AppInstall", where: where("$country", "eq", "中国") },
      returnEvent: { event: "AppOpen", where: where("$platform", "in", ["iOS", "Android"]) },
      period: "day", dateFrom: "2026-06-15", dateTo: "2026-06-21", intervals: 14,
    });
    expect(r.results[0]!.cohorts[0]).toEqual({ period: "2026-06-15", values: [3, 1, 1, 0, 0, 0, 0] });
  });
});

// ---- 漏斗分析 (SPEC §5.2)

describe("漏斗分析: 窗口期, date range, periods", () => {
  // [CLI-漏斗] conversion_window "默认 7day" (SPEC §5.2: "default 7 days"): 6 days 23 hours converts, 7 days 1 hour
  // does not. u1's order falls after dateTo, which [CLI-漏斗] allows (see the next case).
  test("the default window is 7 days from step 1", async () => {
    const h = await world([
      ev("u1", "register", "2026-06-01 10:00"), ev("u1", "order_submit", "2026-06-08 09:00"),
      ev("u2", "register", "2026-06-01 10:00"), ev("u2", "order_submit", "2026-06-08 11:00"),
    ]);
    const f = await funnel(h, { steps: [{ event: "register" }, { event: "order_submit" }], dateFrom: "2026-06-01", dateTo: "2026-06-07" });
    expect(counts(f)).toEqual([2, 1]);
  });

  // [CLI-漏斗] steps_must_be_within_date_range "默认 false，是否要求每步都在统计区间内": only step 1 has to be in the
  // range (SPEC §5.2: "Step 1 must fall inside the date range; later steps may fall after dateTo, up to the window").
  test("only step 1 must be in the date range", async () => {
    const h = await world([
      ev("u1", "register", "2026-06-07 23:00"), ev("u1", "order_submit", "2026-06-08 01:00"), // converts after dateTo
      ev("u2", "register", "2026-05-31 23:00"), ev("u2", "order_submit", "2026-06-01 01:00"), // entered before dateFrom
      ev("u3", "register", "2026-06-03 10:00"), ev("u3", "order_submit", "2026-06-03 11:00"),
    ]);
    const f = await funnel(h, {
      steps: [{ event: "register" }, { event: "order_submit" }], window: { n: 7, unit: "day" }, dateFrom: "2026-06-01", dateTo: "2026-06-07",
    });
    expect(counts(f)).toEqual([2, 2]);
  });

  // [CLI-漏斗] "「20 分钟内完成」→ 20m", "「2 小时内完成」→ 2h": windows in minutes and hours from step 1.
  test("windows of 20 minutes and 2 hours", async () => {
    const h = await world([
      ev("u1", "$AppStart", "2026-06-02 10:00"), ev("u1", "$AppEnd", "2026-06-02 10:19"),
      ev("u2", "$AppStart", "2026-06-02 10:00"), ev("u2", "$AppEnd", "2026-06-02 10:21"),
      ev("u3", "$AppStart", "2026-06-02 10:00"), ev("u3", "$AppEnd", "2026-06-02 12:30"),
    ]);
    const q = { steps: [{ event: "$AppStart" }, { event: "$AppEnd" }], dateFrom: "2026-06-01", dateTo: "2026-06-07" };
    expect(counts(await funnel(h, { ...q, window: { n: 20, unit: "minute" } }))).toEqual([3, 1]);
    expect(counts(await funnel(h, { ...q, window: { n: 2, unit: "hour" } }))).toEqual([3, 2]);
  });

  // [CLI-漏斗] by_fields: "总会在最前注入第一步事件的 $time 分组", time_bucket day: a conversion belongs to the day of
  // its step-1 event. u1 starts at 23:50 and converts after midnight: 06-01 counts it.
  test("by day, a conversion belongs to the day of its step 1", async () => {
    const h = await world([
      ev("u1", "register", "2026-06-01 23:50"), ev("u1", "order_submit", "2026-06-02 00:10"),
      ev("u2", "register", "2026-06-02 09:00"),
    ]);
    const t = await funnelTrends(h, {
      steps: [{ event: "register" }, { event: "order_submit" }], window: { n: 1, unit: "day" }, interval: "day",
      dateFrom: "2026-06-01", dateTo: "2026-06-02",
    });
    expect(t.results.map((r) => [r.period, r.entered, r.converted, r.rate])).toEqual([["2026-06-01", 1, 1, 100], ["2026-06-02", 1, 0, 0]]);
  });

  // [95id] "每一个周期的计算都是独立的。比如 A1-A2-B的行为序列。A1 发生在1号 A2-B发生在2号。那么1号 2号都会认为完成了A-B的转换";
  // and the 最优转换路径 "优先选择更靠近最终转化目标的事件": over the whole range the conversion is A2 → B (1 hour).
  test("A1 on day 1, A2 and B on day 2: both days converted; the range converts from A2", async () => {
    const h = await world([ev("u1", "A", "2026-06-01 10:00"), ev("u1", "A", "2026-06-02 10:00"), ev("u1", "B", "2026-06-02 11:00")]);
    const q = { steps: [{ event: "A" }, { event: "B" }], window: { n: 7, unit: "day" }, dateFrom: "2026-06-01", dateTo: "2026-06-02" };
    const t = await funnelTrends(h, { ...q, interval: "day" });
    expect(t.results.map((r) => [r.period, r.entered, r.converted])).toEqual([["2026-06-01", 1, 1], ["2026-06-02", 1, 1]]);
    const f = await funnel(h, q);
    expect(counts(f)).toEqual([1, 1]);
    expect(f.results[0]!.steps[1]!.medianSecondsFromPrevious).toBe(3600);
  });

  // [CLI-漏斗] 端到端推导示例: "上周注册的用户里，3 天内完成首次下单的转化率，按注册渠道拆分" → conversion_window 3day,
  // by_fields [{field: event.register.$utm_source, step: 0}], 2026-06-15 ~ 2026-06-21. u3 orders after 3 days
  // 1 hour, u4 after 4 days.
  test("3-day window, split by the register step's channel", async () => {
    const h = await world([
      ev("u1", "register", "2026-06-15 10:00", { $utm_source: "baidu" }), ev("u1", "order_submit", "2026-06-16 10:00"),
      ev("u2", "register", "2026-06-15 10:00", { $utm_source: "wechat" }),
      ev("u3", "register", "2026-06-16 10:00", { $utm_source: "baidu" }), ev("u3", "order_submit", "2026-06-19 11:00"),
      ev("u4", "register", "2026-06-17 10:00", { $utm_source: "wechat" }), ev("u4", "order_submit", "2026-06-21 10:00"),
    ]);
    const f = await funnel(h, {
      steps: [{ event: "register" }, { event: "order_submit" }], window: { n: 3, unit: "day" },
      breakdown: { property: "$utm_source", type: "event", attribution: "step", step: 0 },
      dateFrom: "2026-06-15", dateTo: "2026-06-21",
    });
    const byChannel = Object.fromEntries(f.results.map((r) => [r.breakdownValue, r.steps.map((s) => s.count)]));
    expect(byChannel).toEqual({ baidu: [2, 1], wechat: [2, 0] });
  });

  // [CLI-漏斗] 完整示例: conversion_window 10day, global filter user.user_segment_t3 isTrue, step 2 payOrder with
  // event.payOrder.amount greaterEqual 100, 2026-06-01 ~ 2026-06-07. u1's first payment is under 100, the second
  // converts; u3 is outside the user filter; u4 pays 9 days later, after dateTo but inside the window.
  test("step filter and user filter: the doc's $AppClick → payOrder example", async () => {
    const pay = (u: string, local: string, amount: number) => ev(u, "payOrder", local, { amount });
    const h = await world([
      person("u1", { user_segment_t3: true }), person("u2", { user_segment_t3: true }),
      person("u3", { user_segment_t3: false }), person("u4", { user_segment_t3: true }),
      ev("u1", "$AppClick", "2026-06-01 10:00"), pay("u1", "2026-06-02 10:00", 50), pay("u1", "2026-06-05 10:00", 150),
      ev("u2", "$AppClick", "2026-06-01 10:00"), pay("u2", "2026-06-03 10:00", 80),
      ev("u3", "$AppClick", "2026-06-02 10:00"), pay("u3", "2026-06-03 10:00", 500),
      ev("u4", "$AppClick", "2026-06-07 20:00"), pay("u4", "2026-06-16 10:00", 120),
    ]);
    const f = await funnel(h, {
      steps: [{ event: "$AppClick" }, { event: "payOrder", where: where("amount", "gte", 100) }], window: { n: 10, unit: "day" },
      where: where("user_segment_t3", "eq", true, "person"), dateFrom: "2026-06-01", dateTo: "2026-06-07",
    });
    expect(counts(f)).toEqual([3, 2]);
  });
});

// ---- 用户分群 (SPEC §6, POST /api/audiences/preview)

describe("用户分群: 做过 / 未做过 / 次数 / 天数 / 序列 in a time range", () => {
  /** NOW is when each rule is evaluated (Sensors' 执行时间): noon Beijing time. */
  const NOW = Date.parse(bj("2026-06-25 12:00"));
  const DAY = 86_400_000;
  const HOUR = 3_600_000;
  /** ago is NOW − d days (+ h hours), as an ISO instant. */
  const ago = (d: number, h = 0) => new Date(NOW - d * DAY + h * HOUR).toISOString();
  const at = (user: string, event: string, iso: string, props: Props = {}) => track({ userId: user }, event, iso, props);
  type Node = Record<string, unknown>;
  const last = (n: number, unit = "day") => ({ kind: "last", n, unit });
  const did = (event: string, window: Node, cmp: Node = { op: "gte", value: 1 }, measure: Node = { fn: "count" }): Node =>
    ({ kind: "event", event, window, measure, cmp });
  const didNot = (event: string, window: Node): Node => ({ kind: "did_not", event, window });

  /** who previews `definition` as of NOW and lists the matching user ids, checking count and sample agree. */
  async function who(batch: unknown[], definition: Node): Promise<string[]> {
    const h = await world(batch, new Date(NOW).toISOString());
    const r = await h.ok<Preview>("/api/audiences/preview", { definition, asOf: new Date(NOW).toISOString() });
    expect(r.sample.length).toBe(r.count);
    return actorIds({ persons: r.sample });
  }
  /** whoAll is `who` for several definitions over one world. */
  async function whoAll(batch: unknown[], definitions: Node[]): Promise<string[][]> {
    const h = await world(batch, new Date(NOW).toISOString());
    const out: string[][] = [];
    for (const definition of definitions) {
      const r = await h.ok<Preview>("/api/audiences/preview", { definition, asOf: new Date(NOW).toISOString() });
      expect(r.sample.length).toBe(r.count);
      out.push(actorIds({ persons: r.sample }));
    }
    return out;
  }
  const people = (...ids: string[]) => ids.map((id) => person(id, {}));

  // [CLI-分群] event_occurrence "时间范围内至少发生过一次事件", time_range {type: relative, unit: DAY, last: 30}.
  test("做过 in the last 30 days", async () => {
    const batch = [...people("p1", "p2", "p3"), at("p1", "sa_query_analytics", ago(10)), at("p2", "sa_query_analytics", ago(40))];
    expect(await who(batch, did("sa_query_analytics", last(30)))).toEqual(["p1"]);
  });

  // [CLI-分群] event_absence "时间范围内没有发生事件 … 语义是'未发生'，不能改写为次数 ≤ 0", example 近1周 (WEEK, last 1).
  // p3 never did it, p2 did it 10 days ago: both match; p1 did it 3 days ago. A count rule "≤ 0" matches nobody, as
  // SPEC §6 says "zero counts match only when asked"; asked (includeZero), it is the same set as 未做过, and so is
  // NOT(做过) (relation NOT "只能包含一个条件").
  test("未做过 in the last week is not a count ≤ 0", async () => {
    const batch = [
      ...people("p1", "p2", "p3"),
      at("p1", "trading_day_management", ago(3)), at("p2", "trading_day_management", ago(10)), at("p3", "other", ago(1)),
    ];
    const [absent, lteZero, lteZeroAsked, notDid] = await whoAll(batch, [
      didNot("trading_day_management", last(1, "week")),
      did("trading_day_management", last(1, "week"), { op: "lte", value: 0 }),
      did("trading_day_management", last(1, "week"), { op: "lte", value: 0, includeZero: true }),
      { kind: "not", child: did("trading_day_management", last(1, "week")) },
    ]);
    expect(absent).toEqual(["p2", "p3"]);
    expect(lteZero).toEqual([]);
    expect(lteZeroAsked).toEqual(["p2", "p3"]);
    expect(notDid).toEqual(["p2", "p3"]);
  });

  // [CLI-分群] event_count "比较事件发生次数", example "sa_query_analytics / 近7天 / GTE / 3". p2's older events
  // are outside the 7 days; p3's three are all 8–10 days ago.
  test("次数 ≥ 3 in the last 7 days", async () => {
    const E = "sa_query_analytics";
    const batch = [
      ...people("p1", "p2", "p3"),
      at("p1", E, ago(1)), at("p1", E, ago(2)), at("p1", E, ago(6)),
      at("p2", E, ago(1)), at("p2", E, ago(2)), at("p2", E, ago(10)), at("p2", E, ago(11)),
      at("p3", E, ago(8)), at("p3", E, ago(9)), at("p3", E, ago(10)),
    ];
    expect(await who(batch, did(E, last(7), { op: "gte", value: 3 }))).toEqual(["p1"]);
  });

  // [CLI-分群] event_metric "聚合事件属性后比较结果", example "time_consuming SUM / GTE / 1000" over 近30天. p3 sits on
  // the threshold; p4's second event is 35 days ago.
  test("属性求和 ≥ 1000 in the last 30 days", async () => {
    const E = "sa_query_analytics";
    const tc = (u: string, d: number, v: number) => at(u, E, ago(d), { time_consuming: v });
    const batch = [
      ...people("p1", "p2", "p3", "p4"),
      tc("p1", 2, 600), tc("p1", 20, 500), tc("p2", 3, 900), tc("p3", 4, 1000), tc("p4", 5, 800), tc("p4", 35, 400),
    ];
    const rule = did(E, last(30), { op: "gte", value: 1000 }, { fn: "sum", property: "time_consuming" });
    expect(await who(batch, rule)).toEqual(["p1", "p3"]);
  });

  // [CLI-分群] event_day_distribution "比较事件发生的去重天数 … 统计活跃天数而非次数", example "近30天 / GTE / 5".
  // p1: 6 events on 5 days; p2: 6 events on 4 days.
  test("去重天数 ≥ 5 in the last 30 days", async () => {
    const E = "sa_query_analytics";
    const batch = [
      ...people("p1", "p2"),
      ...[1, 2, 3, 4, 5].map((d) => at("p1", E, ago(d))), at("p1", E, ago(1, 1)),
      ...[1, 2, 3, 4].map((d) => at("p2", E, ago(d))), at("p2", E, ago(1, 1)), at("p2", E, ago(2, 1)),
    ];
    expect(await who(batch, did(E, last(30), { op: "gte", value: 5 }, { fn: "distinct_days" }))).toEqual(["p1"]);
  });

  // [CLI-分群] BETWEEN "区间，≥ 下界且 ≤ 上界（含边界）": a count between 2 and 4 takes both ends.
  test("次数 between 2 and 4 includes 2 and 4", async () => {
    const E = "sa_query_analytics";
    const k = (u: string, n: number) => Array.from({ length: n }, (_, i) => at(u, E, ago(1, -i)));
    const batch = [...people("c1", "c2", "c4", "c5"), ...k("c1", 1), ...k("c2", 2), ...k("c4", 4), ...k("c5", 5)];
    expect(await who(batch, did(E, last(7), { op: "between", value: 2, value2: 4 }))).toEqual(["c2", "c4"]);
  });

  // [CLI-分群] time_range static "{start: 2025-01-01, end: 2025-01-31} … 含边界": whole days at both ends, in the
  // project zone (Beijing time here).
  test("a static range includes its first and last day", async () => {
    const E = "sa_query_analytics";
    const batch = [
      ...people("p1", "p2", "p3", "p4"),
      at("p1", E, bj("2025-01-31 23:00")), at("p2", E, bj("2025-02-01 00:30")),
      at("p3", E, bj("2025-01-01 00:10")), at("p4", E, bj("2024-12-31 23:50")),
    ];
    expect(await who(batch, did(E, { kind: "absolute", from: "2025-01-01", to: "2025-01-31" }))).toEqual(["p1", "p3"]);
  });

  // [CLI-序列] window {unit: DAY, value: 14} "表示'在过去 14 天的数据范围内，事件按 step 顺序全部发生'", the window being
  // both the look-back and the longest span of the sequence: our sequence with `within` 14 days in the last 14 days.
  // p2's step 1 is 20 days ago, p3 did the steps in the wrong order.
  test("先 A 后 B in the last 14 days", async () => {
    const [A, B] = ["sa_query_analytics", "trading_day_management"];
    const batch = [
      ...people("p1", "p2", "p3", "p4"),
      at("p1", A, ago(10)), at("p1", B, ago(2)),
      at("p2", A, ago(20)), at("p2", B, ago(2)),
      at("p3", B, ago(5)), at("p3", A, ago(3)),
      at("p4", A, ago(13)), at("p4", B, ago(1)),
    ];
    const seq = { kind: "sequence", steps: [{ event: A }, { event: B }], within: { n: 14, unit: "day" }, window: last(14), completed: true };
    expect(await who(batch, seq)).toEqual(["p1", "p4"]);
  });

  // [CLI-序列] 同层混合示例: "<用户属性> ≥ 2 且 过去 30 天内先 <事件1> 后 <事件2>" (AND of a user_attribute and an
  // event_sequence with window 30 days).
  test("user attribute ≥ 2 and a sequence in the last 30 days", async () => {
    const [A, B] = ["sa_query_analytics", "trading_day_management"];
    const batch = [
      person("p1", { vip_level: 3 }), person("p2", { vip_level: 1 }), person("p3", { vip_level: 2 }),
      at("p1", A, ago(25)), at("p1", B, ago(3)),
      at("p2", A, ago(10)), at("p2", B, ago(9)),
      at("p3", A, ago(40)), at("p3", B, ago(3)),
    ];
    const rule = {
      kind: "and",
      children: [
        { kind: "attr", property: "vip_level", op: "gte", value: 2 },
        { kind: "sequence", steps: [{ event: A }, { event: B }], within: { n: 30, unit: "day" }, window: last(30), completed: true },
      ],
    };
    expect(await who(batch, rule)).toEqual(["p1"]);
  });
});
