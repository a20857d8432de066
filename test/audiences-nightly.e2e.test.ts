/**
 * The nightly T+1 job end to end on the real store with a fake clock (issue 6, "done means"): events
 * posted through `POST /v1/batch`, tags and a pack created through the API, then the
 * `audiences-nightly` job on two consecutive days — the right memberships, tag values, and
 * audience_entered / lifecycle_changed events stored on the persons' timelines under the system
 * source; the same day again does nothing. A second appliance fed the same events crashes mid-run
 * (between steps, then during emission after the store committed a batch) and is rerun: it ends in
 * exactly the state of the clean one, with no event stored twice.
 */
import { expect, test } from "bun:test";
import { materialiseDeps, audiencesNightly } from "../src/audiences/audiences.job.ts";
import type { AudienceEngine } from "../src/audiences/engine.ts";
import { runNightly } from "../src/audiences/materialise.job.ts";
import { silentLogger } from "../src/log.ts";
import { ensureDefaultSource } from "../src/sources/sources.ts";
import { testApp, type TestApp } from "./app-helpers.ts";

const WRITE_KEY = "wk_nightly_e2e_0123456789";
const DAY1 = Date.parse("2024-03-15T03:00:00+08:00"); // the run of 15 March: asOf = 14 March 23:59:59.999
const DAY2 = Date.parse("2024-03-16T03:00:00+08:00");
const SYSTEM_EVENTS = ["audience_entered", "audience_exited", "lifecycle_changed"];

const at = (local: string) => `${local}+08:00`;
const track = (userId: string, event: string, local: string, properties: Record<string, unknown> = {}) =>
  ({ type: "track", userId, event, timestamp: at(local), properties });

// Lifecycle thresholds: new 7 days, active 3 days, dormant 10 days (worked out per person below).
const DAY1_EVENTS = [
  ...[["u1", "Shanghai"], ["u2", "Shanghai"], ["u3", "Beijing"], ["u4", "Hangzhou"], ["u5", "Shanghai"], ["u6", "Shanghai"]]
    .map(([userId, city]) => ({ type: "identify", userId, timestamp: at("2024-02-01T09:00:00"), traits: { city } })),
  track("u1", "view", "2024-03-01T09:00:00"), track("u1", "purchase", "2024-03-14T10:00:00", { amount: 100 }), // active, buyer
  track("u2", "view", "2024-03-05T10:00:00"), // dormant
  track("u3", "purchase", "2024-03-12T09:00:00", { amount: 300 }), track("u3", "view", "2024-03-14T20:00:00"), // new, buyer (Beijing)
  track("u4", "view", "2024-03-13T08:00:00"), // new
  track("u5", "purchase", "2024-02-20T12:00:00", { amount: 20 }), track("u5", "view", "2024-03-12T12:00:00"), // active, buyer
];
// During 15 March u2 buys: enters the pack and is reactivated; u5's last activity leaves the 3 active days.
const DAY2_EVENTS = [track("u2", "purchase", "2024-03-15T12:00:00", { amount: 50 })];

async function appliance(): Promise<{ t: TestApp; day2: () => Promise<void> }> {
  const t = testApp();
  t.clock.now = DAY1;
  await ensureDefaultSource(t.deps.db, t.deps.kdb, t.deps.crypto, WRITE_KEY, t.clock.now, silentLogger);
  const operator = await t.asToken("operator");
  const ingest = async (batch: unknown[]) => {
    const res = await t.call("POST", "/v1/batch", { json: { batch }, headers: { authorization: `Basic ${btoa(`${WRITE_KEY}:`)}` } });
    expect(res.status).toBe(200);
  };
  const api = async (path: string, json: unknown) => {
    const res = await t.call("POST", path, { json, headers: operator.headers });
    expect(res.status).toBe(201);
  };
  await ingest(DAY1_EVENTS);
  await api("/api/tags", {
    kind: "computed", name: "lifecycle",
    definition: { fn: "lifecycle", activityEvents: ["view", "purchase"], thresholds: { newDays: 7, activeDays: 3, dormantDays: 10 } },
  });
  await api("/api/tags", {
    kind: "rule", name: "buyer",
    definition: { kind: "event", event: "purchase", window: { kind: "last", n: 30, unit: "day" }, measure: { fn: "count" }, cmp: { op: "gte", value: 1 } },
  });
  await api("/api/audiences", {
    name: "Shanghai buyers",
    definition: { kind: "and", children: [{ kind: "attr", property: "city", op: "eq", value: "Shanghai" }, { kind: "tag", tag: "buyer", present: true }] },
  });
  return {
    t,
    day2: async () => {
      t.clock.now = DAY2;
      await ingest(DAY2_EVENTS);
    },
  };
}

/** dump is the observable state by user id: tag values, the pack's members, the stored system events. */
async function dump(t: TestApp) {
  const user = new Map<number, string>();
  for (let i = 1; i <= 6; i++) user.set(t.deps.events.identity.lookup("user_id", `u${i}`)!.person, `u${i}`);
  const tags = t.deps.db.query<{ name: string; person_id: number; value: string | null }, []>(
    "SELECT t.name, pt.person_id, pt.value FROM person_tags pt JOIN tags t ON t.id = pt.tag_id ORDER BY t.name, pt.person_id",
  ).all().map((r) => `${r.name}:${user.get(r.person_id)}=${r.value}`);
  const admin = await t.asToken("admin");
  const events: string[] = [];
  for (const [person, u] of user) {
    const q = SYSTEM_EVENTS.map((e) => `event=${e}`).join("&");
    const res = await t.call("GET", `/api/persons/${person}/events?${q}&limit=100`, { headers: admin.headers });
    const body = (await res.json()) as { events: { event: string; properties: Record<string, unknown>; source: string }[] };
    for (const e of body.events) {
      const { as_of: _asOf, audience_id: _id, ...props } = e.properties;
      events.push(`${e.event} ${u} ${JSON.stringify(props)} via ${e.source}`);
    }
  }
  const members = (await t.call("GET", "/api/audiences", { headers: admin.headers }).then((r) => r.json())) as { audiences: { size: number }[] };
  return { tags, events: events.sort(), packSize: members.audiences[0]!.size };
}

test("two nights on the real store: memberships, tag values and the events their changes produce", async () => {
  const { t, day2 } = await appliance();
  const night1 = await audiencesNightly(t.deps);
  expect(night1).toMatchObject({ summary: expect.stringContaining("6 steps") }); // rollups, merged persons, 2 tags, 1 pack, emission
  const d1 = await dump(t);
  expect(d1.tags).toEqual([
    "buyer:u1=null", "buyer:u3=null", "buyer:u5=null",
    "lifecycle:u1=active", "lifecycle:u2=dormant", "lifecycle:u3=new", "lifecycle:u4=new", "lifecycle:u5=active",
  ]);
  expect(d1.packSize).toBe(2); // u1, u5
  expect(d1.events).toEqual([]); // first computations establish state silently

  await day2();
  await audiencesNightly(t.deps);
  const d2 = await dump(t);
  expect(d2.tags.filter((x) => x.startsWith("lifecycle"))).toEqual([
    "lifecycle:u1=active", "lifecycle:u2=active", "lifecycle:u3=new", "lifecycle:u4=new", "lifecycle:u5=dormant",
  ]);
  expect(d2.packSize).toBe(3);
  expect(d2.events).toEqual([
    'audience_entered u2 {"audience_name":"Shanghai buyers"} via tessera',
    'lifecycle_changed u2 {"tag":"lifecycle","from":"dormant","to":"active","reactivated":true} via tessera',
    'lifecycle_changed u5 {"tag":"lifecycle","from":"active","to":"dormant","reactivated":false} via tessera',
  ]);
  // The same day again: the run is found done, nothing recomputed or emitted.
  expect(await audiencesNightly(t.deps)).toMatchObject({ summary: expect.stringContaining("already done") });
  expect(await dump(t)).toEqual(d2);
});

test("a crash between steps and a crash during emission, then a rerun, end in the state of one clean run", async () => {
  const clean = await appliance();
  await audiencesNightly(clean.t.deps);
  await clean.day2();
  await audiencesNightly(clean.t.deps);
  const want = await dump(clean.t);

  const { t, day2 } = await appliance();
  await audiencesNightly(t.deps);
  await day2();
  // Crash 1: the process dies right after the first computed tag of night 2 (an abort leaves the run open).
  const deps = await materialiseDeps(t.deps);
  const abort = new AbortController();
  const dying: AudienceEngine = { ...deps.engine, computedTag: async (a) => { const r = await deps.engine.computedTag(a); abort.abort(); return r; } };
  await expect(runNightly({ ...deps, engine: dying }, abort.signal)).rejects.toThrow();
  // Crash 2: the resumed run dies inside emission, after the store committed the first batch.
  let failOnce = true;
  const failing = await runNightly({
    ...deps,
    sink: { append: async (events) => { await deps.sink.append(events); if (failOnce) { failOnce = false; throw new Error("died after the commit"); } } },
  });
  expect(failing).toMatchObject({ state: "resumed", status: "failed" });
  // The scheduled job resumes again and finishes; the store's message-id dedup drops the re-sent events.
  expect(await audiencesNightly(t.deps)).toMatchObject({ summary: expect.stringContaining("resumed") });
  expect(await dump(t)).toEqual(want);
});
