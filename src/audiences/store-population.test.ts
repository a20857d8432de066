/**
 * Protects the store's answer to the population contract: random worlds (random-worlds.fixture.ts)
 * written into a real database — persons and traits in `persons`, identities, events through the
 * group-commit writer with half of them compacted into segments, tags in `person_tags`, pack
 * members in snapshots — must give, for random definitions, exactly the persons the single-person
 * evaluator picks from the same snapshots. So the store path (identity map, chunks from segments and
 * tail, dictionary-coded and dotted properties, person columns, stored memberships) reads what the
 * pure evaluators read. A failure prints the seed and the definition.
 */
import { expect, test } from "bun:test";
import { freshDb } from "../../test/helpers.ts";
import { createKysely } from "../db/kysely.ts";
import { syncDb } from "../db/sync.ts";
import { PersonColumns } from "../query/data/person-columns.ts";
import { DEFAULT_COMPACTION, planCompaction } from "../store/compaction.ts";
import { EventStore } from "../store/event-store.ts";
import { StoreReader } from "../store/reader.ts";
import { assignTag, createTag } from "../tags/tags.repo.ts";
import { createAudience, saveComputation } from "./audiences.repo.ts";
import { Definition } from "./definition.ts";
import { evaluatePerson } from "./evaluate-person.ts";
import { evaluateSet, personIdsOf } from "./evaluate-set.ts";
import type { FixturePerson } from "./memory-population.fixture.ts";
import { generator } from "./random-worlds.fixture.ts";
import { livePersons, storePopulation } from "./store-population.ts";

async function storeOf(persons: readonly FixturePerson[]) {
  const db = freshDb();
  const sql = syncDb(db, createKysely(db));
  db.transaction(() => {
    for (const p of persons) {
      db.query("INSERT INTO persons (id, created_at, updated_at, traits) VALUES (?, 0, 0, ?)").run(p.id, JSON.stringify(p.traits));
      // Two identities for some persons: events of either count for the person.
      for (const id of p.id % 3 === 0 ? [p.id, p.id + 1_000_000] : [p.id]) {
        db.query("INSERT INTO identities (id, ns, value_hash, value, person_id, first_seen) VALUES (?, 'user_id', ?, ?, ?, 0)").run(id, `h${id}`, `u${id}`, p.id);
      }
    }
  })();
  const vip = await createTag(sql.k, { name: "vip", kind: "manual", valueType: "boolean" }, 0);
  const tier = await createTag(sql.k, { name: "tier", kind: "manual", valueType: "string" }, 0);
  for (const p of persons) {
    if (p.tags.has("vip")) assignTag(sql, vip.id, [{ personId: p.id, value: null }], "manual", 0);
    const t = p.tags.get("tier");
    if (t) assignTag(sql, tier.id, [{ personId: p.id, value: t }], "manual", 0);
  }
  for (const id of ["1", "2"]) {
    const a = await createAudience(sql.k, { name: `pack ${id}`, definition: { kind: "tag", tag: "vip", present: true } }, 0);
    expect(String(a.id)).toBe(id);
    const members = Int32Array.from(persons.filter((p) => p.audiences.has(id)).map((p) => p.id)).sort();
    saveComputation(sql, { audienceId: a.id, runId: null, asOf: 0, members, computedAt: 0, durationMs: 0 });
  }
  const store = new EventStore<number>(db, (identity) => identity, { delayMs: 0 });
  const reader = new StoreReader(db);
  let n = 0;
  const write = (ps: readonly FixturePerson[]) => store.writer.append(ps.flatMap((p) => p.events.map((e, i) => ({
    source: 1, messageId: `m${++n}`, event: e.event, ts: e.ts, receivedAt: e.ts, props: { ...e.props },
    identity: p.id % 3 === 0 && i % 2 === 1 ? p.id + 1_000_000 : p.id,
  }))));
  const half = Math.floor(persons.length / 2);
  await write(persons.slice(0, half));
  const plan = reader.read(() => planCompaction(reader, DEFAULT_COMPACTION, store.seal()));
  if (plan) expect(store.apply(plan)).toBe(true);
  await write(persons.slice(half));
  reader.read(() => expect(reader.segments.size > 0 || persons.slice(0, half).every((p) => p.events.length === 0)).toBe(true));
  return { reader, people: new PersonColumns() };
}

test("the store population answers as the person snapshots do", async () => {
  let runs = 0;
  let nonTrivial = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const tz = seed % 3 === 0 ? "America/New_York" : "Asia/Shanghai";
    const asOf = Date.parse("2024-03-12T00:00:00Z") + (seed % 7) * 3_600_000 * 5 + seed;
    const g = generator(seed, tz, asOf);
    const persons = g.persons(g.int(5, 40));
    const { reader, people } = await storeOf(persons);
    for (let d = 0; d < 10; d++) {
      const def = Definition.parse(g.node(1));
      const want = persons.filter((p) => evaluatePerson(def, p, { asOf, timezone: tz })).map((p) => p.id).sort((a, b) => a - b);
      const got = reader.read(() => {
        people.refresh(reader.db);
        const pop = storePopulation(reader, people);
        return [...personIdsOf(evaluateSet(def, pop, { asOf, timezone: tz }), pop)];
      });
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        throw new Error(`seed ${seed} tz ${tz} asOf ${asOf}\n${JSON.stringify(def)}\nstore:  ${got}\nperson: ${want}`);
      }
      runs++;
      if (want.length > 0 && want.length < persons.length) nonTrivial++;
    }
  }
  expect(runs).toBe(400);
  expect(nonTrivial).toBeGreaterThan(runs * 0.4);
});

test("a trait value first seen after its column was loaded is read by the next evaluation", async () => {
  const { reader, people } = await storeOf([]);
  const db = reader.db;
  db.query(`INSERT INTO persons (id, created_at, updated_at, traits) VALUES (1, 0, 0, '{"g7":"Y"}'), (2, 0, 0, '{"g7":"Y"}')`).run();
  for (const id of [1, 2]) db.query("INSERT INTO identities (id, ns, value_hash, value, person_id, first_seen) VALUES (?, 'user_id', ?, ?, ?, 0)").run(id, `h${id}`, `u${id}`, id);
  const members = (value: string) => reader.read(() => {
    people.refresh(db);
    const pop = storePopulation(reader, people);
    const def = Definition.parse({ kind: "attr", property: "g7", op: "eq", value });
    return [...personIdsOf(evaluateSet(def, pop, { asOf: 0, timezone: "Asia/Shanghai" }), pop)];
  });
  expect(members("Z")).toEqual([]);
  db.query(`UPDATE persons SET traits = '{"g7":"Z"}' WHERE id = 2`).run();
  expect(members("Z")).toEqual([2]);
  expect(members("Y")).toEqual([1]);
});

test("the population is every person an identity points at, once", () => {
  const map = Int32Array.from([-1, 7, 3, 7, -1, 0, 12]);
  expect([...livePersons(map)]).toEqual([0, 3, 7, 12]);
  expect(livePersons(new Int32Array(0))).toEqual(new Int32Array(0));
});
