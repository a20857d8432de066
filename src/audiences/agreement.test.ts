/**
 * The randomized agreement test (reference/automation.md §3.3: one AST, two backends, a property test
 * that they agree). Seeded random populations and definitions — every leaf kind, every window and
 * measure, timestamps placed on window edges, ties, future events, a DST zone — must give the same
 * persons from the set evaluator (bitsets over chunked columns) and the single-person evaluator.
 * A failure prints the seed and the definition, so it can be replayed.
 */
import { expect, test } from "bun:test";
import { Definition } from "./definition.ts";
import { evaluatePerson, type EvalContext } from "./evaluate-person.ts";
import { evaluateSet, personIdsOf } from "./evaluate-set.ts";
import { populationFromSnapshots } from "./memory-population.fixture.ts";
import { generator } from "./random-worlds.fixture.ts";

test("set and single-person evaluators agree on random populations and definitions", async () => {
  let nonTrivial = 0;
  let runs = 0;
  for (let seed = 1; seed <= 150; seed++) {
    const tz = seed % 3 === 0 ? "America/New_York" : "Asia/Shanghai";
    // Around the 2024 spring-forward for New York, so local days and calendar shifts cross DST.
    const asOf = Date.parse("2024-03-12T00:00:00Z") + (seed % 7) * 3_600_000 * 5 + seed;
    const g = generator(seed, tz, asOf);
    const persons = g.persons(g.int(5, 60));
    const ctx: EvalContext = { asOf, timezone: tz };
    const pops = [
      populationFromSnapshots(persons, { chunkSize: g.int(1, 16) }),
      populationFromSnapshots(persons, { chunkSize: g.int(1, 16), exact: false, seed }),
    ];
    for (let d = 0; d < 12; d++) {
      const raw = g.node(1);
      const parsed = Definition.safeParse(raw);
      if (!parsed.success) throw new Error(`seed ${seed}: generated an invalid definition ${JSON.stringify(raw)}: ${parsed.error.message}`);
      const def = parsed.data;
      const want = persons.filter((p) => evaluatePerson(def, p, ctx)).map((p) => p.id).sort((a, b) => a - b);
      for (const pop of pops) {
        const got = [...personIdsOf(await evaluateSet(def, pop, ctx), pop)];
        if (JSON.stringify(got) !== JSON.stringify(want)) {
          throw new Error(`seed ${seed} tz ${tz} asOf ${asOf}\n${JSON.stringify(def)}\nset:    ${got}\nperson: ${want}`);
        }
      }
      runs++;
      if (want.length > 0 && want.length < persons.length) nonTrivial++;
    }
  }
  expect(runs).toBe(1800);
  // Guard against a generator that only produces trivially empty or full answers.
  expect(nonTrivial).toBeGreaterThan(runs * 0.4);
});
