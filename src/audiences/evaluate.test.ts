/**
 * Protects the meaning of every leaf kind on hand-built persons: zero counts and includeZero, window
 * edges (in, out, after asOf), numeric measures with missing or textual values, local days, and the
 * sequence rules (deadline, pending attempts, a later conversion clearing an abandoned cart, one event
 * never pairing with itself). Each case runs through both evaluators, so they agree by construction
 * on the documented examples, not only on random ones.
 */
import { describe, expect, test } from "bun:test";
import { Definition, type Node, type Window } from "./definition.ts";
import { evaluatePerson, type EvalContext, type PersonEvent } from "./evaluate-person.ts";
import { evaluateSet, personIdsOf } from "./evaluate-set.ts";
import { populationFromSnapshots, type FixturePerson } from "./memory-population.fixture.ts";
import { t1AsOf } from "./zone.ts";

const TZ = "Asia/Shanghai";
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// The nightly run of 15 March 2024: asOf = 14 March 23:59:59.999 Shanghai time.
const ctx: EvalContext = { asOf: t1AsOf(Date.parse("2024-03-15T03:00:00+08:00"), TZ), timezone: TZ };
const ago = (ms: number) => ctx.asOf - ms;

const ev = (event: string, ts: number, props: Record<string, unknown> = {}): PersonEvent => ({ event, ts, props });
const person = (id: number, events: PersonEvent[], extra: Partial<FixturePerson> = {}): FixturePerson => ({
  id,
  traits: {},
  tags: new Map(),
  audiences: new Set(),
  ...extra,
  events: [...events].sort((a, b) => a.ts - b.ts),
});

const persons: FixturePerson[] = [
  person(1, [], {
    traits: { city: "Shanghai", age: 30 },
    tags: new Map([["vip", null], ["rfm_class", "重要价值客户"]]),
    audiences: new Set(["7"]),
  }),
  person(2, [ev("purchase", ago(2 * DAY), { amount: 100 })], { traits: { city: "Beijing", age: "41" } }),
  person(3, [
    ev("purchase", ago(1 * DAY), { amount: 50 }),
    ev("purchase", ago(3 * DAY), { amount: "70" }),
    ev("purchase", ago(10 * DAY), { amount: 500 }),
  ], { tags: new Map([["rfm_class", "一般挽留客户"]]) }),
  person(4, [
    ev("purchase", ago(1 * DAY), { amount: 10 }),
    ev("purchase", ago(1 * DAY - 5 * 60_000)),
    ev("purchase", ago(2 * DAY), { amount: 20 }),
  ]),
  person(5, [
    ev("purchase", ago(7 * DAY) + 1, { amount: 200 }), // first millisecond of the 7-day window
    ev("purchase", ago(7 * DAY), { amount: 1 }), // last millisecond before it
    ev("purchase", ctx.asOf + 10 * HOUR, { amount: 1 }), // after asOf: invisible
  ]),
  person(6, [ev("add_to_cart", ago(2 * DAY)), ev("pay", ago(2 * DAY) + 20 * 60_000)]),
  person(7, [ev("add_to_cart", ago(2 * DAY)), ev("pay", ago(2 * DAY) + 40 * 60_000)]),
  person(8, [ev("add_to_cart", ago(10 * 60_000))]), // deadline not reached at asOf
  person(9, [
    ev("add_to_cart", ago(3 * DAY)),
    ev("add_to_cart", ago(1 * DAY)),
    ev("pay", ago(1 * DAY) + 5 * 60_000),
  ]),
];

const population = populationFromSnapshots(persons, { chunkSize: 2 });
const shuffled = populationFromSnapshots(persons, { chunkSize: 3, exact: false, seed: 7 });

async function matching(def: Node): Promise<number[]> {
  const parsed = Definition.parse(def);
  const one = persons.filter((p) => evaluatePerson(parsed, p, ctx)).map((p) => p.id);
  for (const pop of [population, shuffled]) {
    const set = [...personIdsOf(await evaluateSet(parsed, pop, ctx), pop)];
    expect(set).toEqual(one);
  }
  return one;
}

const last7: Window = { kind: "last", n: 7, unit: "day" };
const purchases = (cmp: object, measure: object = { fn: "count" }, where?: object[]): Node =>
  ({ kind: "event", event: "purchase", window: last7, measure, cmp, ...(where ? { where } : {}) }) as Node;
const nobody = [1, 6, 7, 8, 9];

describe("event leaves", () => {
  test.each<[string, Node, number[]]>([
    ["did it at least once (window edges: first ms in, ms before out, after asOf out)", purchases({ op: "gte", value: 1 }), [2, 3, 4, 5]],
    ["count lte 2 means 1..2", purchases({ op: "lte", value: 2 }), [2, 3, 5]],
    ["count lte 2 with includeZero means 0..2", purchases({ op: "lte", value: 2, includeZero: true }), [1, 2, 3, 5, 6, 7, 8, 9]],
    ["count eq 0 never matches without includeZero", purchases({ op: "eq", value: 0 }), []],
    ["count eq 0 with includeZero is did_not", purchases({ op: "eq", value: 0, includeZero: true }), nobody],
    ["includeZero does not admit zero when 0 fails the comparison", purchases({ op: "gte", value: 3, includeZero: true }), [4]],
    ["count between is inclusive", purchases({ op: "between", value: 2, value2: 3 }), [3, 4]],
    ["sum reads numeric text and skips missing values", purchases({ op: "gte", value: 120 }, { fn: "sum", property: "amount" }), [3, 5]],
    ["avg over the events that carry a value", purchases({ op: "gt", value: 50 }, { fn: "avg", property: "amount" }), [2, 3, 5]],
    ["min", purchases({ op: "lt", value: 20 }, { fn: "min", property: "amount" }), [4]],
    ["max with includeZero admits people without purchases", purchases({ op: "lte", value: 100, includeZero: true }, { fn: "max", property: "amount" }), [1, 2, 3, 4, 6, 7, 8, 9]],
    ["sum of a property nobody has is zero-case", purchases({ op: "gte", value: 0 }, { fn: "sum", property: "nope" }), []],
    ["distinct_days counts local days", purchases({ op: "gte", value: 2 }, { fn: "distinct_days" }), [3, 4]],
    ["where filters the events", purchases({ op: "gte", value: 1 }, { fn: "count" }, [{ property: "amount", op: "gt", value: 60 }]), [2, 3, 5]],
    ["where with or/not", purchases({ op: "gte", value: 1 }, { fn: "count" }, [{ or: [{ property: "amount", op: "is_not_set" }, { not: { property: "amount", op: "gte", value: 20 } }] }]), [4]],
  ])("%s", async (_name, def, want) => {
    expect(await matching(def)).toEqual(want);
  });

  test("between_ago includes its far edge exactly: (asOf − 14 d, asOf − 7 d]", async () => {
    const w: Window = { kind: "between_ago", from: { n: 14, unit: "day" }, to: { n: 7, unit: "day" } };
    expect(await matching({ kind: "did_not", event: "purchase", window: w })).toEqual([1, 2, 4, 6, 7, 8, 9]);
  });

  test("did_not over a window", async () => {
    expect(await matching({ kind: "did_not", event: "purchase", window: last7 })).toEqual(nobody);
    expect(await matching({ kind: "did_not", event: "purchase", window: { kind: "ever" } })).toEqual(nobody);
  });
});

describe("sequence leaves", () => {
  const seq = (completed: boolean, within = 30, steps = [{ event: "add_to_cart" }, { event: "pay" }]): Node =>
    ({ kind: "sequence", steps, within: { n: within, unit: "minute" }, window: last7, completed }) as Node;

  test("completed: a B within T after an A in the window", async () => {
    expect(await matching(seq(true))).toEqual([6, 9]);
    expect(await matching(seq(true, 40))).toEqual([6, 7, 9]);
  });

  test("A then not B: deadline passed, and no attempt converted (a pending A decides nothing)", async () => {
    expect(await matching(seq(false))).toEqual([7]);
    expect(await matching(seq(false, 5))).toEqual([6, 7, 8]);
  });

  test("one event never pairs with itself in a [purchase, purchase] sequence", async () => {
    const twice = seq(true, 60, [{ event: "purchase" }, { event: "purchase" }]);
    expect(await matching(twice)).toEqual([4]);
    expect(await matching({ ...(twice as object), within: { n: 3, unit: "day" } } as Node)).toEqual([3, 4]);
  });
});

describe("membership and attribute leaves", () => {
  test.each<[string, Node, number[]]>([
    ["tag present", { kind: "tag", tag: "vip", present: true }, [1]],
    ["tag absent", { kind: "tag", tag: "vip", present: false }, [2, 3, 4, 5, 6, 7, 8, 9]],
    ["tag with a value", { kind: "tag", tag: "rfm_class", present: true, value: "一般挽留客户" }, [3]],
    ["tag without that value", { kind: "tag", tag: "rfm_class", present: false, value: "一般挽留客户" }, [1, 2, 4, 5, 6, 7, 8, 9]],
    ["audience member", { kind: "audience", audience: "7", member: true }, [1]],
    ["unknown audience: nobody is a member", { kind: "audience", audience: "99", member: true }, []],
    ["attr eq", { kind: "attr", property: "city", op: "eq", value: "Shanghai" }, [1]],
    ["attr gte reads numeric text", { kind: "attr", property: "age", op: "gte", value: 40 }, [2]],
    ["attr neq includes people without the trait", { kind: "attr", property: "city", op: "neq", value: "Shanghai" }, [2, 3, 4, 5, 6, 7, 8, 9]],
  ])("%s", async (_name, def, want) => {
    expect(await matching(def)).toEqual(want);
  });

  test("and / or / not combine leaves", async () => {
    const def: Node = {
      kind: "or",
      children: [
        { kind: "and", children: [purchases({ op: "gte", value: 2 }), { kind: "not", child: { kind: "tag", tag: "rfm_class", present: true } }] },
        { kind: "audience", audience: "7", member: true },
      ],
    };
    expect(await matching(def)).toEqual([1, 4]);
  });
});
