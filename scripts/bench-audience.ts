/**
 * The audience benchmark of issue 6: previews of three-leaf definitions over the 10M-event / 1M-person
 * data set (scripts/dataset.ts, loaded by scripts/load-dataset.ts — the same files the query benchmark
 * uses), answered the way the server answers them: the store worker behind ReaderClient. Prints, per
 * definition, the first (cold: columns decoded, person columns loaded) and the median of the warm
 * runs, the count, and whether the count equals a brute-force answer computed from the generator's
 * arrays; then a pack's full computation (members) and a computed RFM tag.
 *
 * Usage: bun scripts/bench-audience.ts [DIR=.bench/data] [--runs 5]
 * DIR is a data directory made by `bun scripts/load-dataset.ts DIR` (built here when missing).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Node } from "../src/audiences/definition.ts";
import { readerEngine } from "../src/audiences/audience.ops.ts";
import { Definition } from "../src/audiences/definition.ts";
import { migrate } from "../src/db/migrate.ts";
import { DB_FILE, openWriter } from "../src/db/sqlite.ts";
import { StoreService } from "../src/store/store-service.ts";
import { ComputedSpec } from "../src/tags/computed.ts";
import { CITIES, EVENT_NAMES, generate, PLANS, type Dataset } from "./dataset.ts";
import { loadDataset } from "./load-dataset.ts";

const DAY = 86_400_000;
const TZ = "UTC";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const did = (event: string, n: number, extra: Partial<Record<string, unknown>> = {}): Node => Definition.parse({
  kind: "event", event, window: { kind: "last", n, unit: "day" }, measure: { fn: "count" }, cmp: { op: "gte", value: 1 }, ...extra,
});

/** The definitions, each with its brute-force count over the generator's arrays. */
function cases(d: Dataset, asOf: number) {
  const ev = (name: string) => EVENT_NAMES.indexOf(name as (typeof EVENT_NAMES)[number]);
  const inLast = (t: number, days: number) => t > asOf - days * DAY && t <= asOf;
  /** persons with ≥ `min` events of `name` in the last `days` days passing `ok` */
  const countBy = (name: string, days: number, ok: (i: number) => boolean = () => true) => {
    const c = new Int32Array(d.persons);
    const e = ev(name);
    for (let i = 0; i < d.n; i++) if (d.event[i] === e && inLast(d.ts[i]!, days) && ok(i)) c[d.person[i]!]!++;
    return c;
  };
  const shanghai = CITIES.indexOf("Shanghai");
  const paid = (p: number) => PLANS[d.plan[p]!] === "pro" || PLANS[d.plan[p]!] === "enterprise";
  return [
    {
      name: "city = Shanghai AND order_completed in 30 days AND NOT add_to_cart in 7 days",
      definition: Definition.parse({
        kind: "and", children: [
          { kind: "attr", property: "city", op: "eq", value: "Shanghai" },
          did("order_completed", 30),
          { kind: "did_not", event: "add_to_cart", window: { kind: "last", n: 7, unit: "day" } },
        ],
      }),
      expected: () => {
        const orders = countBy("order_completed", 30);
        const carts = countBy("add_to_cart", 7);
        let n = 0;
        for (let p = 0; p < d.persons; p++) if (d.city[p] === shanghai && orders[p]! > 0 && carts[p] === 0) n++;
        return n;
      },
    },
    {
      name: "(plan in [pro, enterprise] OR page_view ≥ 5 in 14 days) AND spent ≥ 500 on electronics in 90 days",
      definition: Definition.parse({
        kind: "and", children: [
          { kind: "or", children: [
            { kind: "attr", property: "plan", op: "in", value: ["pro", "enterprise"] },
            { ...did("page_view", 14), cmp: { op: "gte", value: 5 } },
          ] },
          {
            kind: "event", event: "order_completed", where: [{ property: "category", type: "event", op: "eq", value: "electronics" }],
            window: { kind: "last", n: 90, unit: "day" }, measure: { fn: "sum", property: "price" }, cmp: { op: "gte", value: 500 },
          },
        ],
      }),
      expected: () => {
        const views = countBy("page_view", 14);
        const spent = new Float64Array(d.persons);
        const e = ev("order_completed");
        for (let i = 0; i < d.n; i++) {
          if (d.event[i] === e && inLast(d.ts[i]!, 90) && d.product[i]! % 8 === 2) spent[d.person[i]!]! += d.price[i]!;
        }
        let n = 0;
        for (let p = 0; p < d.persons; p++) if ((paid(p) || views[p]! >= 5) && spent[p]! >= 500) n++;
        return n;
      },
    },
    {
      name: "product_viewed then add_to_cart within 1 h (30 days) AND login on ≥ 2 days in 30 days AND city ≠ Beijing",
      definition: Definition.parse({
        kind: "and", children: [
          { kind: "sequence", steps: [{ event: "product_viewed" }, { event: "add_to_cart" }], within: { n: 1, unit: "hour" }, window: { kind: "last", n: 30, unit: "day" }, completed: true },
          { ...did("login", 30), measure: { fn: "distinct_days" }, cmp: { op: "gte", value: 2 } },
          { kind: "attr", property: "city", op: "neq", value: "Beijing" },
        ],
      }),
      expected: null,
    },
  ];
}

async function main(): Promise<void> {
  const dir = process.argv[2] && !process.argv[2].startsWith("--") ? process.argv[2] : ".bench/data";
  const runs = arg("runs", 5);
  let t = performance.now();
  const d = generate();
  console.log(`data set: ${d.n} events, ${d.persons} persons, ${d.days} days (generated in ${(performance.now() - t).toFixed(0)} ms)`);
  const file = join(dir, DB_FILE);
  if (!existsSync(file)) {
    console.log(`loading into ${dir} …`);
    await loadDataset(dir, d, (m) => console.log(`  ${m}`));
  } else console.log(`reusing ${dir}`);
  const db = openWriter(file);
  migrate(db);
  const svc = await StoreService.open<number>(db, { file, resolve: (id) => id });
  const engine = readerEngine(svc.reader);
  const asOf = d.start + d.days * DAY - 1;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));

  console.log(`\n| preview (3 leaves) | first ms | warm median ms | in the worker ms | count | brute force |`);
  console.log(`|---|---|---|---|---|---|`);
  for (const c of cases(d, asOf)) {
    const call = () => engine.preview({ definition: c.definition, asOf, timezone: TZ, sample: 20 });
    t = performance.now();
    const first = await call();
    const firstMs = performance.now() - t;
    const times: number[] = [];
    const inWorker: number[] = [];
    for (let i = 0; i < runs; i++) {
      t = performance.now();
      inWorker.push((await call()).ms);
      times.push(performance.now() - t);
    }
    const expected = c.expected ? c.expected() : null;
    const check = expected === null ? "—" : expected === first.count ? "same" : `DIFFERENT: ${expected}`;
    console.log(`| ${c.name} | ${fmt(firstMs)} | ${fmt(median(times))} | ${fmt(median(inWorker))} | ${first.count} | ${check} |`);
  }

  const [pack] = cases(d, asOf);
  t = performance.now();
  const members = await engine.members({ definition: pack!.definition, asOf, timezone: TZ });
  console.log(`\npack computation (members of the first definition): ${members.length} ids in ${fmt(performance.now() - t)} ms`);
  const rfm = ComputedSpec.parse({ fn: "rfm_class", orders: { event: "order_completed", amountProperty: "price", window: { n: 12, unit: "month" } } });
  t = performance.now();
  const tagged = await engine.computedTag({ spec: rfm, asOf, timezone: TZ });
  console.log(`computed tag rfm_class: ${tagged.persons.length} customers classified in ${fmt(performance.now() - t)} ms`);
  console.log(`(${runs} warm runs after the first; times include the worker round trip; timezone ${TZ}, asOf ${new Date(asOf).toISOString()})`);
  await svc.close();
  db.close();
}

await main();
