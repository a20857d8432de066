/**
 * Test fixture: seeded random worlds for the agreement tests — persons with traits, tags, pack
 * memberships and events placed on or next to the edges the windows of a run will have, and random
 * definitions using every leaf kind, window and measure. `generator(seed, tz, asOf)` is reproducible.
 */
import type { Node, Window } from "./definition.ts";
import type { PersonEvent } from "./evaluate-person.ts";
import { mulberry32 } from "../lib/random.ts";
import type { FixturePerson } from "./memory-population.fixture.ts";
import { shift, type Duration } from "./zone.ts";

const DAY = 86_400_000;
const EVENTS = ["view", "add_to_cart", "pay", "purchase"];
const UNITS = ["second", "minute", "hour", "day", "week", "month"] as const;

/** generator makes persons and definitions from one seed, with window edges computed for `asOf` in `tz`. */
export function generator(seed: number, tz: string, asOf: number) {
  const rnd = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const chance = (p: number) => rnd() < p;

  const duration = (): Duration => {
    const unit = pick(UNITS);
    const max = { second: 600, minute: 600, hour: 100, day: 40, week: 6, month: 2 }[unit];
    return { n: int(1, max), unit };
  };
  // Instants that sit on or next to the edges the windows of this run will have.
  const edges = Array.from({ length: 12 }, () => shift(asOf, duration(), -1, tz));
  const instant = (): number => {
    const r = rnd();
    if (r < 0.35) return pick(edges) + int(-1, 1);
    if (r < 0.42) return asOf + int(-3, 1) * (chance(0.5) ? 60_000 : 1000); // deadlines landing on asOf
    if (r < 0.47) return asOf + int(1, 3 * DAY);
    return asOf - int(0, 70 * DAY);
  };
  const value = () => pick<unknown>([int(0, 300), String(int(0, 300)), `s${int(0, 3)}`, null, true, int(0, 3)]);
  const dateValue = () => pick<unknown>([
    new Date(instant()).toISOString(),
    new Date(instant()).toISOString().slice(0, 10),
    Math.floor(instant() / 1000),
    "not a date",
  ]);

  const persons = (n: number): FixturePerson[] => {
    const out: FixturePerson[] = [];
    const ids = new Set<number>();
    while (ids.size < n) ids.add(int(1, 10 * n));
    for (const id of ids) {
      const events: PersonEvent[] = [];
      const k = chance(0.2) ? 0 : int(1, 14);
      for (let i = 0; i < k; i++) {
        const ts = chance(0.2) && events.length > 0 ? pick(events).ts + int(0, 2) * 60_000 : instant();
        const props: Record<string, unknown> = {};
        if (chance(0.8)) props.amount = value();
        if (chance(0.6)) props.sku = `k${int(0, 3)}`;
        if (chance(0.2)) props.meta = { src: pick(["ad", "organic"]) };
        events.push({ event: pick(EVENTS), ts, props });
      }
      events.sort((a, b) => a.ts - b.ts);
      const traits: Record<string, unknown> = {};
      if (chance(0.8)) traits.city = pick(["Shanghai", "Beijing", "shanghai", ""]);
      if (chance(0.8)) traits.age = value();
      if (chance(0.8)) traits.signup = dateValue();
      if (chance(0.7)) traits.birthday = dateValue();
      if (chance(0.3)) traits.address = { city: pick(["Hangzhou", "Suzhou"]) };
      const tags = new Map<string, string | null>();
      if (chance(0.4)) tags.set("vip", null);
      if (chance(0.5)) tags.set("tier", pick(["gold", "silver"]));
      const audiences = new Set<string>(["1", "2"].filter(() => chance(0.4)));
      out.push({ id, traits, tags, audiences, events });
    }
    return out;
  };

  const window = (): Window => {
    switch (int(0, 3)) {
      case 0: return { kind: "last", ...duration() };
      case 1: {
        const a = duration();
        const b = duration();
        const far = (d: Duration) => shift(asOf, d, -1, tz);
        return far(a) < far(b) ? { kind: "between_ago", from: a, to: b } : { kind: "last", ...a };
      }
      case 2: {
        const from = new Date(instant()).toISOString().slice(0, chance(0.5) ? 10 : 24);
        return chance(0.3) ? { kind: "absolute", from } : { kind: "absolute", from, to: new Date(Math.max(Date.parse(from), instant())).toISOString() };
      }
      default: return { kind: "ever" };
    }
  };
  const where = () => (chance(0.5) ? undefined : [pick<object>([
    { property: "amount", op: pick(["gt", "lte", "eq"]), value: int(0, 300) },
    { property: "sku", op: "in", value: ["k1", "k2"] },
    { property: "meta.src", op: "eq", value: "ad" },
    { or: [{ property: "amount", op: "is_not_set" }, { not: { property: "sku", op: "eq", value: "k0" } }] },
  ])]);
  const cmp = () => {
    const op = pick(["gte", "gt", "lte", "lt", "eq", "between"] as const);
    const v = int(0, 4) * (chance(0.3) ? 60 : 1);
    return { op, value: v, ...(op === "between" ? { value2: v + int(0, 3) } : {}), includeZero: chance(0.4) };
  };

  const leaf = (): Node => {
    switch (int(0, 6)) {
      case 0: {
        const op = pick(["eq", "neq", "gt", "lte", "in", "contains", "is_set", "date_in_last", "date_more_than_ago", "date_in_next", "anniversary_in_next", "date_before", "date_after"] as const);
        const property = op.startsWith("date") ? "signup" : op.startsWith("anniv") ? "birthday" : pick(["city", "age", "address.city", "missing"]);
        const value =
          op === "is_set" ? undefined
            : op === "in" ? ["Shanghai", "Hangzhou", 5]
              : op.startsWith("date_in") || op.startsWith("date_more") || op.startsWith("anniv") ? duration()
                : op === "date_before" || op === "date_after" ? new Date(instant()).toISOString().slice(0, 10)
                  : pick<string | number>(["Shanghai", int(0, 300), "hai"]);
        return { kind: "attr", property, op, ...(value === undefined ? {} : { value }) } as Node;
      }
      case 1: return { kind: "tag", tag: pick(["vip", "tier", "nope"]), present: chance(0.5), ...(chance(0.3) ? { value: "gold" } : {}) };
      case 2: return { kind: "audience", audience: pick(["1", "2", "3"]), member: chance(0.5) };
      case 3: return { kind: "did_not", event: pick(EVENTS), where: where(), window: window() } as Node;
      case 4: {
        const step = () => ({ event: pick(EVENTS.slice(1)), where: where() });
        // Short gaps in whole minutes meet the events placed 0–2 minutes apart exactly on the deadline.
        const within = chance(0.5)
          ? { n: int(1, 2), unit: "minute" as const }
          : { n: int(1, 120), unit: pick(["second", "minute", "hour", "day"] as const) };
        return { kind: "sequence", steps: [step(), step()], within, window: window(), completed: chance(0.5) } as Node;
      }
      default: {
        const fn = pick(["count", "count", "sum", "avg", "min", "max", "distinct_days"] as const);
        const measure = fn === "count" || fn === "distinct_days" ? { fn } : { fn, property: pick(["amount", "amount", "sku"]) };
        return { kind: "event", event: pick(EVENTS), where: where(), window: window(), measure, cmp: cmp() } as Node;
      }
    }
  };
  const node = (depth: number): Node => {
    if (depth >= 4 || chance(0.45)) return leaf();
    const r = int(0, 2);
    if (r === 2) return { kind: "not", child: node(depth + 1) };
    return { kind: r === 0 ? "and" : "or", children: Array.from({ length: int(1, 3) }, () => node(depth + 1)) };
  };
  return { persons, node, int, chance };
}

