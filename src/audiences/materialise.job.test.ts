/**
 * The nightly job end to end with a fake clock (issue 6, "done means"): two consecutive days give the
 * right audience_entered / audience_exited and lifecycle_changed events and tag changes; a second run
 * on the same day does nothing; a crash mid-run (abort between steps, or a sink failing after its
 * events were committed) followed by a rerun ends in exactly the state of one clean run; a failing
 * step fails its dependents but not independent steps. Expectations are worked out in the comments.
 */
import { expect, test } from "bun:test";
import { createTag } from "../tags/tags.repo.ts";
import { createAudience, getAudience, readSnapshot } from "./audiences.repo.ts";
import type { Node } from "./definition.ts";
import type { PersonEvent } from "./evaluate-person.ts";
import { featureDb } from "./feature-db.fixture.ts";
import { runDueAudiences, runNightly, type EventSink, type MaterialiseDeps, type SystemEvent } from "./materialise.job.ts";
import { populationFromSnapshots, type FixturePerson } from "./memory-population.fixture.ts";
import type { PopulationData } from "./population.ts";
import { populationEngine } from "./engine.ts";
import { withStoredMemberships } from "./stored-memberships.ts";

const TZ = "Asia/Shanghai";
const DAY1 = Date.parse("2024-03-15T03:00:00+08:00"); // asOf = 14 March 23:59:59.999
const DAY2 = Date.parse("2024-03-16T03:00:00+08:00"); // asOf = 15 March 23:59:59.999
const at = (local: string, event: string, props: Record<string, unknown> = {}): PersonEvent =>
  ({ event, ts: Date.parse(`${local}+08:00`), props });
const person = (id: number, city: string, events: PersonEvent[]): FixturePerson =>
  ({ id, traits: { city }, tags: new Map(), audiences: new Set(), events: events.sort((a, b) => a.ts - b.ts) });

// Lifecycle thresholds: new 7 days, active 3 days, dormant 10 days.
const day1People = [
  person(1, "Shanghai", [at("2024-03-01T09:00", "view"), at("2024-03-14T10:00", "purchase", { amount: 100 })]),
  person(2, "Shanghai", [at("2024-03-05T10:00", "view")]), // dormant on day 1
  person(3, "Beijing", [at("2024-03-12T09:00", "purchase", { amount: 300 }), at("2024-03-14T20:00", "view")]),
  person(4, "Hangzhou", [at("2024-03-13T08:00", "view")]),
  person(5, "Shanghai", [at("2024-02-20T12:00", "purchase", { amount: 20 }), at("2024-03-12T12:00", "view")]),
  person(6, "Shanghai", []),
];
// During 15 March person 2 buys: becomes a buyer (enters pack A1) and is reactivated.
const day2People = day1People.map((p) =>
  p.id === 2 ? person(2, "Shanghai", [...p.events, at("2024-03-15T12:00", "purchase", { amount: 50 })]) : p);

/** MemorySink keeps events by message id, as the store's dedup does, and counts raw appends. */
class MemorySink implements EventSink {
  readonly byId = new Map<string, SystemEvent>();
  appended = 0;
  failNext = false;
  async append(events: readonly SystemEvent[]): Promise<void> {
    for (const e of events) if (!this.byId.has(e.messageId)) this.byId.set(e.messageId, e);
    this.appended += events.length;
    if (this.failNext) {
      this.failNext = false;
      throw new Error("process died after the commit, before marking the change emitted");
    }
  }
  summary(): string[] {
    return [...this.byId.values()]
      .map((e) => `${e.event} p${e.personId} ${JSON.stringify(e.properties)}`)
      .sort();
  }
}

async function setup() {
  const { db, k, s: sql } = featureDb();
  await createTag(k, {
    name: "lifecycle", kind: "computed", valueType: "string", emitEvent: "lifecycle_changed",
    definition: { fn: "lifecycle", activityEvents: ["view", "purchase"], thresholds: { newDays: 7, activeDays: 3, dormantDays: 10 } },
  }, 0);
  await createTag(k, {
    name: "rfm_class", kind: "computed", valueType: "string",
    definition: { fn: "rfm_class", orders: { event: "purchase", amountProperty: "amount", window: { n: 12, unit: "month" } } },
  }, 0);
  const buyerRule: Node = { kind: "event", event: "purchase", window: { kind: "last", n: 30, unit: "day" }, measure: { fn: "count" }, cmp: { op: "gte", value: 1 } };
  await createTag(k, { name: "buyer", kind: "rule", valueType: "boolean", definition: buyerRule }, 0);
  const a1 = await createAudience(k, {
    name: "Shanghai buyers",
    definition: { kind: "and", children: [{ kind: "attr", property: "city", op: "eq", value: "Shanghai" }, { kind: "tag", tag: "buyer", present: true }] },
  }, 0);
  const a2 = await createAudience(k, {
    name: "Recent viewers outside A1",
    definition: {
      kind: "and", children: [
        { kind: "audience", audience: String(a1.id), member: false },
        { kind: "event", event: "view", window: { kind: "last", n: 2, unit: "day" }, measure: { fn: "count" }, cmp: { op: "gte", value: 1 } },
      ],
    },
  }, 0);
  const paused = await createAudience(k, { name: "Paused", status: "paused", definition: { kind: "tag", tag: "buyer", present: true } }, 0);
  let now = DAY1;
  let people = day1People;
  const sink = new MemorySink();
  const data = (): PopulationData => populationFromSnapshots(people, { chunkSize: 2 });
  /** engineOver answers from the fixture (through `wrap`, which may inject crashes) and the stored tags and packs. */
  const engineOver = (wrap: (d: PopulationData) => PopulationData) => populationEngine(() => withStoredMemberships(wrap(data()), sql));
  const rollups: number[] = [];
  const deps: MaterialiseDeps = {
    db, kdb: k, sink, timezone: TZ, clock: () => now, engine: engineOver((d) => d),
    rollups: async () => void rollups.push(now),
  };
  const nextDay = () => { now = DAY2; people = day2People; };
  return { k, sql, deps, sink, a1, a2, paused, nextDay, engineOver, rollups };
}

type Setup = Awaited<ReturnType<typeof setup>>;

async function dump({ k, sql, sink, a1, a2 }: Setup) {
  const tags = await k.selectFrom("person_tags").innerJoin("tags", "tags.id", "person_tags.tag_id")
    .select(["tags.name", "person_tags.person_id", "person_tags.value"]).orderBy("tags.name").orderBy("person_id").execute();
  return {
    tags: tags.map((t) => `${t.name}:${t.person_id}=${t.value}`),
    a1: [...((await readSnapshot(sql, a1.id))?.members ?? [])],
    a2: [...((await readSnapshot(sql, a2.id))?.members ?? [])],
    sizes: (await k.selectFrom("audience_sizes").select(["audience_id", "as_of", "size", "entered", "exited"]).orderBy("id").execute())
      .map((s) => `${s.audience_id}@${s.as_of}: ${s.size} +${s.entered} -${s.exited}`),
    events: sink.summary(),
  };
}

test("two nights: memberships, tags and the events their changes produce", async () => {
  const s = await setup();
  const first = await runNightly(s.deps);
  expect(first).toMatchObject({ state: "new", status: "done", asOf: DAY1 - 3 * 3_600_000 - 1 });
  expect(first.steps.map((x) => x.step)).toEqual(["rollups", "merged-persons", "tag:lifecycle", "tag:rfm_class", "tag:buyer", `audience:${s.a1.id}`, `audience:${s.a2.id}`, "emit"]);
  expect(s.rollups).toEqual([DAY1]);
  const d1 = await dump(s);
  expect(d1.a1).toEqual([1, 5]);
  expect(d1.a2).toEqual([3, 4]);
  expect(d1.tags.filter((t) => t.startsWith("lifecycle"))).toEqual([
    "lifecycle:1=active", "lifecycle:2=dormant", "lifecycle:3=new", "lifecycle:4=new", "lifecycle:5=active",
  ]);
  expect(d1.tags.filter((t) => t.startsWith("buyer"))).toEqual(["buyer:1=null", "buyer:3=null", "buyer:5=null"]);
  expect(d1.tags.filter((t) => t.startsWith("rfm_class"))).toHaveLength(3);
  expect(d1.events).toEqual([]); // first computations establish state silently
  expect(await readSnapshot(s.sql, s.paused.id)).toBeNull();

  s.nextDay();
  const second = await runNightly(s.deps);
  expect(second).toMatchObject({ state: "new", status: "done" });
  const d2 = await dump(s);
  expect(d2.a1).toEqual([1, 2, 5]);
  expect(d2.a2).toEqual([3]); // person 4's view on 13 March left the 2-day window
  expect(d2.tags.filter((t) => t.startsWith("lifecycle"))).toEqual([
    "lifecycle:1=active", "lifecycle:2=active", "lifecycle:3=new", "lifecycle:4=new", "lifecycle:5=dormant",
  ]);
  const a1Props = JSON.stringify({ audience_id: String(s.a1.id), audience_name: "Shanghai buyers", as_of: DAY2 - 3 * 3_600_000 - 1 });
  const a2Props = JSON.stringify({ audience_id: String(s.a2.id), audience_name: "Recent viewers outside A1", as_of: DAY2 - 3 * 3_600_000 - 1 });
  expect(d2.events).toEqual([
    `audience_entered p2 ${a1Props}`,
    `audience_exited p4 ${a2Props}`,
    `lifecycle_changed p2 {"tag":"lifecycle","from":"dormant","to":"active","reactivated":true}`,
    `lifecycle_changed p5 {"tag":"lifecycle","from":"active","to":"dormant","reactivated":false}`,
  ].sort());

  const again = await runNightly(s.deps);
  expect(again).toMatchObject({ runId: second.runId, state: "done" });
  expect(await dump(s)).toEqual(d2);
  expect(s.sink.appended).toBe(4);
});

test("a crash between steps and a crash during emission end in the state of one clean run", async () => {
  const clean = await setup();
  await runNightly(clean.deps);
  clean.nextDay();
  await runNightly(clean.deps);
  const want = await dump(clean);

  const s = await setup();
  await runNightly(s.deps);
  s.nextDay();
  // Crash 1: the process dies after the first step of night 2 (an abort leaves the run open).
  const abort = new AbortController();
  const crashing: MaterialiseDeps = {
    ...s.deps,
    engine: s.engineOver((d) => ({ personIds: d.personIds, trait: (p) => d.trait(p), events: (scan) => { abort.abort(); return d.events(scan); } })),
  };
  await expect(runNightly(crashing, abort.signal)).rejects.toThrow();
  // Crash 2: the resumed run dies inside emission, after the sink committed the first batch.
  s.sink.failNext = true;
  const resumed = await runNightly(s.deps);
  expect(resumed).toMatchObject({ state: "resumed", status: "failed" });
  expect(resumed.steps.find((x) => x.step === "tag:lifecycle")).toMatchObject({ status: "done", startedAt: DAY2 });
  // The next attempt re-emits; the store's message-id dedup drops what was already committed.
  const finished = await runNightly(s.deps);
  expect(finished).toMatchObject({ state: "resumed", status: "done" });
  expect(s.sink.appended).toBeGreaterThan(4);
  expect(await dump(s)).toEqual(want);
});

test("a failing step fails its dependents, not independent steps, and a rerun completes", async () => {
  const s = await setup();
  let broken = true;
  const deps: MaterialiseDeps = {
    ...s.deps,
    engine: s.engineOver((d) => ({
      personIds: d.personIds, trait: (p) => d.trait(p),
      events: (scan) => {
        if (broken && scan.event === "purchase" && scan.to - scan.from < 40 * 86_400_000) throw new Error("segment unreadable");
        return d.events(scan);
      },
    })),
  };
  const failed = await runNightly(deps);
  expect(failed.status).toBe("failed");
  const status = Object.fromEntries(failed.steps.map((x) => [x.step, x.status]));
  expect(status).toEqual({
    rollups: "done", "merged-persons": "done", "tag:lifecycle": "done", "tag:rfm_class": "done", "tag:buyer": "failed",
    [`audience:${s.a1.id}`]: "failed", [`audience:${s.a2.id}`]: "failed", emit: "done",
  });
  expect(failed.steps.find((x) => x.step === `audience:${s.a2.id}`)?.error).toBe(`depends on audience:${s.a1.id}, which failed`);
  broken = false;
  const rerun = await runNightly(deps);
  expect(rerun).toMatchObject({ state: "resumed", status: "done" });
  expect((await dump(s)).a2).toEqual([3, 4]);
});

test("packs with their own schedule run when due, once after downtime, and are not in the nightly plan", async () => {
  const s = await setup();
  const hourly = await createAudience(s.k, {
    name: "Hourly buyers", schedule: "0 * * * *", nextRunAt: DAY1 - 30 * 60_000,
    definition: { kind: "event", event: "purchase", window: { kind: "last", n: 24, unit: "hour" }, measure: { fn: "count" }, cmp: { op: "gte", value: 1 } },
  }, 0);
  const nightly = await runNightly(s.deps);
  expect(nightly.steps.map((x) => x.step)).not.toContain(`audience:${hourly.id}`);
  // Due since 02:30 (missed while down): one run now, at 03:00, then the next is 04:00.
  const reports = await runDueAudiences(s.deps);
  expect(reports.map((r) => r.status)).toEqual(["done"]);
  expect(await getAudience(s.k, hourly.id)).toMatchObject({ size: 1, lastAsOf: DAY1, nextRunAt: DAY1 + 3_600_000 });
  expect(await runDueAudiences(s.deps)).toEqual([]);
});
