/**
 * Protects computed tags end to end over the Population contract: which events are orders, the
 * look-back window, amounts that are text or missing, recency in local days, and the resulting RFM
 * codes, classes, tiers and lifecycle stages — a small population computed by hand.
 */
import { expect, test } from "bun:test";
import type { EvalContext, PersonEvent } from "../audiences/evaluate-person.ts";
import { populationFromSnapshots, type FixturePerson } from "../audiences/memory-population.fixture.ts";
import { t1AsOf } from "../audiences/zone.ts";
import { ComputedSpec, computeTagValues } from "./computed.ts";

const TZ = "Asia/Shanghai";
const DAY = 86_400_000;
const ctx: EvalContext = { asOf: t1AsOf(Date.parse("2024-03-15T03:00:00+08:00"), TZ), timezone: TZ };
const buy = (days: number, amount?: unknown): PersonEvent =>
  ({ event: "purchase", ts: ctx.asOf - days * DAY, props: amount === undefined ? {} : { amount } });
const p = (id: number, events: PersonEvent[]): FixturePerson =>
  ({ id, traits: {}, tags: new Map(), audiences: new Set(), events: events.sort((a, b) => a.ts - b.ts) });

const pop = populationFromSnapshots([
  p(1, [buy(1, 100), buy(5, 200)]), // R 1, F 2, M 300
  p(2, [buy(40, 50)]), // R 40, F 1, M 50
  p(3, [buy(2, "1000"), buy(3), buy(20, 500)]), // R 2, F 3, M 1500
  p(4, [buy(400, 9999)]), // outside the 12-month look-back: not a customer
  p(5, [buy(10, 80), { event: "refund", ts: ctx.asOf - DAY, props: { amount: 80 } }]), // R 10, F 1, M 80
  p(6, []),
], { chunkSize: 2 });

const orders = { event: "purchase", amountProperty: "amount", window: { n: 12, unit: "month" } };
const values = async (spec: unknown) => computeTagValues(ComputedSpec.parse(spec), pop, ctx);

test("RFM scores: N = 4 customers, scores 1 + ⌊5·worse/4⌋", async () => {
  expect(await values({ fn: "rfm_score", part: "code", orders })).toEqual(["433", "111", "344", null, "212", null]);
  expect(await values({ fn: "rfm_score", part: "r", orders })).toEqual(["4", "1", "3", null, "2", null]);
});

test("RFM classes against the mean scores (R 2.5, F 2.25, M 2.5)", async () => {
  expect(await values({ fn: "rfm_class", orders })).toEqual(["重要价值客户", "一般挽留客户", "重要价值客户", null, "一般挽留客户", null]);
});

test("spending power by score and order frequency by value", async () => {
  const byScore = { basis: "score", high: 4, medium: 2 };
  expect(await values({ fn: "spending_power", orders, tiers: byScore })).toEqual(["medium", "low", "high", null, "medium", null]);
  const byValue = { basis: "value", high: 3, medium: 2 };
  expect(await values({ fn: "order_frequency", orders, tiers: byValue })).toEqual(["medium", "low", "high", null, "low", null]);
});

test("order filters narrow which events are orders", async () => {
  const big = { ...orders, where: [{ property: "amount", op: "gte", value: 100 }] };
  expect(await values({ fn: "rfm_score", part: "f", orders: big })).toEqual(["1", null, "1", null, null, null]);
});

test("lifecycle stages from first and last activity", async () => {
  const spec = { fn: "lifecycle", activityEvents: ["purchase", "refund"], thresholds: { newDays: 7, activeDays: 30, dormantDays: 90 } };
  expect(await values(spec)).toEqual(["new", "dormant", "active", "churned", "active", null]);
});
