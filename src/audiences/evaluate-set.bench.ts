/**
 * Benchmark of the set evaluator at the scale: 1M persons, 10M events over 90 days, in the
 * in-memory columnar fixture: the evaluator alone, without the store's scans (scripts/bench-audience.ts
 * measures previews on the real store). Run it with
 * `bun src/audiences/evaluate-set.bench.ts`; it prints the time of each three-leaf preview, cold
 * (first run, dictionaries uncached) and warm.
 */
import { emptySet, addRow, countRows, type Bitset } from "./bitset.ts";
import { Definition } from "./definition.ts";
import { evaluateSet } from "./evaluate-set.ts";
import { mulberry32 } from "../lib/random.ts";
import { ArrayPopulation, type EventBlock } from "./memory-population.fixture.ts";
import type { Column } from "./population.ts";

const PERSONS = 1_000_000;
const EVENTS = 10_000_000;
const DAY = 86_400_000;
const asOf = Date.parse("2024-03-31T23:59:59.999+08:00");
const start = asOf - 90 * DAY;
const rnd = mulberry32(42);

const NAMES: [string, number][] = [
  ["page_view", 0.4], ["view_item", 0.15], ["add_to_cart", 0.08], ["purchase", 0.03], ["search", 0.08],
  ["login", 0.05], ["share", 0.02], ["favorite", 0.03], ["coupon_claim", 0.02], ["checkout", 0.04],
];
const rest = 1 - NAMES.reduce((s, [, p]) => s + p, 0);
for (let i = 0; i < 10; i++) NAMES.push([`other_${i}`, rest / 10]);

function column(n: number, values: unknown[], pick: () => number): Column {
  const codes = new Uint32Array(n);
  for (let i = 0; i < n; i++) codes[i] = pick();
  return { codes, values: [undefined, ...values] };
}

const t0 = performance.now();
const personIds = Int32Array.from({ length: PERSONS }, (_, i) => 1 + i * 2);
const cities = ["Shanghai", "Beijing", "Hangzhou", "Shenzhen", "Guangzhou", "Chengdu", "Wuhan", "Xi'an"];
const traits = new Map<string, Column>([
  ["city", column(PERSONS, cities, () => 1 + Math.floor(rnd() * rnd() * cities.length))],
  ["age", column(PERSONS, Array.from({ length: 63 }, (_, i) => 18 + i), () => (rnd() < 0.1 ? 0 : 1 + Math.floor(rnd() * 63)))],
]);
const vip: Bitset = emptySet(PERSONS);
for (let r = 0; r < PERSONS; r++) if (rnd() < 0.1) addRow(vip, r);

const amounts = Array.from({ length: 500 }, (_, i) => (i + 1) * 10);
const skus = Array.from({ length: 2000 }, (_, i) => `sku-${i}`);
const blocks = new Map<string, EventBlock>();
for (const [name, share] of NAMES) {
  const m = Math.round(EVENTS * share);
  const row = new Int32Array(m);
  const ts = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    // Heavier users: squaring skews activity towards low rows.
    row[i] = Math.floor(rnd() * rnd() * PERSONS);
    ts[i] = start + Math.floor((i * 90 * DAY) / m);
  }
  const props = new Map<string, Column>([
    ["amount", column(m, amounts, () => 1 + Math.floor(rnd() * rnd() * amounts.length))],
    ["sku", column(m, skus, () => 1 + Math.floor(rnd() * skus.length))],
  ]);
  blocks.set(name, { row, ts, prop: (p) => props.get(p) });
}
const pop = new ArrayPopulation(personIds, (p) => traits.get(p), new Map([["vip", vip]]), new Map(), blocks);
console.log(`generated ${PERSONS} persons / ${EVENTS} events in ${Math.round(performance.now() - t0)} ms`);

const last = (n: number) => ({ kind: "last", n, unit: "day" });
const cases: [string, unknown][] = [
  ["city = Shanghai ∧ purchase ≥ 2 in 30 d ∧ tag vip", { kind: "and", children: [
    { kind: "attr", property: "city", op: "eq", value: "Shanghai" },
    { kind: "event", event: "purchase", window: last(30), measure: { fn: "count" }, cmp: { op: "gte", value: 2 } },
    { kind: "tag", tag: "vip", present: true },
  ] }],
  ["add_to_cart in 7 d ∧ did_not purchase in 7 d ∧ age 25–40", { kind: "and", children: [
    { kind: "event", event: "add_to_cart", window: last(7), measure: { fn: "count" }, cmp: { op: "gte", value: 1 } },
    { kind: "did_not", event: "purchase", window: last(7) },
    { kind: "attr", property: "age", op: "between", value: [25, 40] },
  ] }],
  ["page_view (4M events) distinct_days ≥ 5 in 30 d ∨ sum(amount) ≥ 3000 in 90 d ∨ city in […]", { kind: "or", children: [
    { kind: "event", event: "page_view", window: last(30), measure: { fn: "distinct_days" }, cmp: { op: "gte", value: 5 } },
    { kind: "event", event: "purchase", window: last(90), measure: { fn: "sum", property: "amount" }, cmp: { op: "gte", value: 3000 } },
    { kind: "attr", property: "city", op: "in", value: ["Chengdu", "Wuhan"] },
  ] }],
  ["cart then no purchase within 30 min (7 d) ∧ sku filter ∧ not vip", { kind: "and", children: [
    { kind: "sequence", steps: [{ event: "add_to_cart" }, { event: "purchase" }], within: { n: 30, unit: "minute" }, window: last(7), completed: false },
    { kind: "event", event: "view_item", where: [{ property: "sku", op: "in", value: ["sku-1", "sku-2", "sku-3"] }], window: last(30), measure: { fn: "count" }, cmp: { op: "gte", value: 1 } },
    { kind: "tag", tag: "vip", present: false },
  ] }],
];

for (const [name, raw] of cases) {
  const def = Definition.parse(raw);
  const times: number[] = [];
  let count = 0;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    count = countRows(await evaluateSet(def, pop, { asOf, timezone: "Asia/Shanghai" }));
    times.push(performance.now() - t);
  }
  console.log(`${name}: ${count} persons; cold ${Math.round(times[0]!)} ms, warm ${Math.round(Math.min(times[1]!, times[2]!))} ms`);
}
console.log(`rss ${Math.round(process.memoryUsage().rss / 1e6)} MB`);
