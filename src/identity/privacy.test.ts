/**
 * Protects the privacy promises (SPEC §4): deleting a person removes every row that names them — checked by
 * scanning every table of the database, decoding segment columns — while other people's data survives;
 * suppression drops their identifiers' future data; export returns everything stored about a person.
 */
import { describe, expect, test } from "bun:test";
import type { Database } from "bun:sqlite";
import { freshDb, tempDir } from "../../test/helpers.ts";
import { migrate } from "../db/migrate.ts";
import { openWriter } from "../db/sqlite.ts";
import { decodeColumn, decodeJson } from "../store/codec.ts";
import { DEFAULT_COMPACTION, planCompaction } from "../store/compaction.ts";
import { EventStore } from "../store/event-store.ts";
import { localReader } from "../store/reader-client.ts";
import { StoreReader } from "../store/reader.ts";
import { StoreService } from "../store/store-service.ts";
import { PackView, type PackRow } from "../store/tail-pack.ts";
import { Fingerprinter } from "./fingerprint.ts";
import type { IdentityInput } from "./identity-input.ts";
import { deletePerson, exportPerson } from "./privacy.ts";
import { identityDb, indexMismatches, storeEvent, testCrypto } from "./test-helpers.ts";
import { createAudience, readSnapshot, saveComputation } from "../audiences/audiences.repo.ts";
import { forgetPersons } from "../audiences/forget.ts";
import { decodeMembers } from "../audiences/membership.ts";
import { createKysely } from "../db/kysely.ts";
import { syncDb } from "../db/sync.ts";
import { assignTag, createTag, tagMembers } from "../tags/tags.repo.ts";

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 6, 1, 8);
// Distinctive ids, so an integer anywhere in the database that equals one of them can only be a leftover.
const FIRST_IDENTITY = 777_000;
const FIRST_PERSON = 888_000;

function setup() {
  const db = freshDb();
  const fp = new Fingerprinter(testCrypto());
  db.query("INSERT INTO persons (id, created_at, updated_at) VALUES (?, 0, 0)").run(FIRST_PERSON);
  db.query("INSERT INTO identities (id, ns, value_hash, value, person_id, first_seen, origin_person) VALUES (?, 'user_id', ?, 'filler', ?, 0, ?)")
    .run(FIRST_IDENTITY, fp.hashOf("user_id", "filler"), FIRST_PERSON, FIRST_PERSON);
  const { identity } = identityDb(db);
  const store = new EventStore<IdentityInput>(db, identity.resolve, { delayMs: 0 });
  const reader = localReader(db);
  const local = new StoreReader(db);
  const send = (ts: number, props: Record<string, unknown>, ...inputs: IdentityInput[]) =>
    store.writer.append(inputs.map((i) => storeEvent(i, { ts, props })));
  const compact = () => store.apply(local.read(() => planCompaction(local, DEFAULT_COMPACTION, store.seal()))!);
  const deps = { graph: identity.graph, suppressions: identity.suppressions, reader };
  return { db, identity, store, send, compact, deps, local };
}

/** leftovers lists every place in the database that still holds one of the numbers or strings. */
function leftovers(db: Database, numbers: ReadonlySet<number>, needles: readonly string[]): string[] {
  const found: string[] = [];
  const inText = (where: string, s: string) => {
    for (const n of needles) if (s.toLowerCase().includes(n.toLowerCase())) found.push(`${where}: "${n}"`);
    for (const m of s.matchAll(/\d+/g)) if (numbers.has(Number(m[0]))) found.push(`${where}: ${m[0]} in text`);
  };
  const tables = db.query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'table'").all();
  expect(tables.length).toBeGreaterThan(15);
  for (const { name } of tables) {
    // Dedup runs hold only one-way hashes of (source, messageId), and counts of them.
    if (name === "dedup_runs" || name === "dedup_blocks") continue;
    for (const row of db.query<Record<string, unknown>, []>(`SELECT * FROM "${name}"`).all()) {
      for (const [col, v] of Object.entries(row)) {
        const where = `${name}.${col}`;
        if (typeof v === "number" && numbers.has(v)) found.push(`${where} = ${v}`);
        else if (typeof v === "string") inText(where, v);
        else if (v instanceof Uint8Array) {
          // Audience membership lists; segment columns: typed arrays (identity, ts, …) or JSON dictionaries.
          if (name.startsWith("audience_")) for (const x of decodeMembers(v)) { if (numbers.has(x)) found.push(`${where} decoded: ${x}`); }
          // Tail packs: the events' identities are a column of the pack (tail-pack.ts).
          else if (name.startsWith("events_tail_")) for (const x of new PackView(row as unknown as PackRow).identity) { if (numbers.has(x)) found.push(`${where} decoded: ${x}`); }
          else if (v[0] === 5) inText(where, JSON.stringify(decodeJson(v)));
          else for (const x of decodeColumn(v)) if (numbers.has(x)) found.push(`${where} decoded: ${x}`);
        }
      }
    }
  }
  return found;
}

describe("deleting a person", () => {
  test("removes every row that names them, in every table and inside segments, and keeps everyone else", async () => {
    const { db, identity, send, compact, deps, local } = setup();
    await send(T0, { path: "/bystander" }, { type: "identify", userId: "bystander-1", anonymousId: "b-dev", traits: { set: { plan: "free" } } });
    await send(T0, { path: "/victim-day1" },
      { type: "identify", userId: "victim-u1", anonymousId: "victim-anon-1",
        traits: { set: { email: "Victim@Example.cn", phone: "13912345678", name: "victim name" } } },
      { type: "track", userId: "victim-u1", externalIds: [{ type: "wx_openid:wxoa1", id: "victim-openid" }] });
    await send(T0 + DAY, { path: "/victim-day2" }, { type: "page", anonymousId: "victim-anon-2", traits: { set: { city: "victim-city" } } });
    compact();
    await send(T0 + DAY + 60_000, { q: "victim-search" }, { type: "identify", userId: "victim-u1", anonymousId: "victim-anon-2" });
    // The bystander logs in on the victim's device: a conflict row names a victim identity.
    await send(T0 + DAY + 60_000, { q: "login" }, { type: "identify", userId: "bystander-1", anonymousId: "victim-anon-1" });
    compact();
    await send(T0 + 2 * DAY, { path: "/victim-tail" }, { type: "track", anonymousId: "victim-anon-1" });
    await send(T0 + 2 * DAY, { path: "/bystander-tail" }, { type: "track", userId: "bystander-1" });

    const victim = identity.lookup("user_id", "victim-u1")!.person;
    const bystander = identity.lookup("user_id", "bystander-1")!.person;
    const ids = new Set(identity.graph.index.members(victim));
    const persons = new Set([victim, identity.lookup("anonymous_id", "victim-anon-2")!.person, FIRST_PERSON + 3]);
    expect(ids.size).toBe(6);
    expect(db.query("SELECT count(*) AS n FROM identity_conflicts").get()).toEqual({ n: 1 });

    // Other rooms' rows name the victim too: a manual tag, a pack's membership and its entered list.
    const sql = syncDb(db, createKysely(db));
    const vip = await createTag(sql.k, { name: "vip", kind: "manual", valueType: "boolean" }, T0);
    assignTag(sql, vip.id, [{ personId: victim, value: null }, { personId: bystander, value: null }], "manual", T0);
    const pack = await createAudience(sql.k, { name: "all", definition: { kind: "tag", tag: "vip", present: true } }, T0);
    saveComputation(sql, { audienceId: pack.id, runId: null, asOf: T0, members: Int32Array.from([bystander]), computedAt: T0, durationMs: 1 });
    saveComputation(sql, { audienceId: pack.id, runId: null, asOf: T0, members: Int32Array.from([bystander, victim].sort((a, b) => a - b)), computedAt: T0, durationMs: 1 });

    const numbers = new Set([...ids, ...persons].filter((n) => n > FIRST_IDENTITY));
    const needles = ["victim", "13912345678"];
    // The scan sees the victim everywhere before: ids in identity tables and segment columns, values in props.
    const before = leftovers(db, numbers, needles);
    for (const where of ["identities.id", "persons.id", "identity_changes", "identity_conflicts", "identities.link_to",
      "segment_columns.data decoded", "segment_columns.data: \"victim\"", "events_tail_", "person_tags.person_id",
      "audience_members.person_id", "audience_snapshots.members decoded", "audience_changes.entered decoded"]) {
      expect(before.some((f) => f.startsWith(where))).toBe(true);
    }

    // A long-lived reader knows the victim's identities before the deletion…
    expect(local.read(() => [...ids].map((i) => local.personOf(i)))).toEqual([...ids].map(() => victim));
    const res = await deletePerson({ ...deps, forget: forgetPersons }, victim, { suppress: true, now: T0 + 3 * DAY });
    // …and forgets them after it (analyses and audience populations must not count a deleted person).
    expect(local.read(() => [...ids].map((i) => local.personOf(i)))).toEqual([...ids].map(() => -1));
    expect(local.read(() => local.personOf(identity.lookup("user_id", "bystander-1")!.identity))).toBe(bystander);
    // Each identifier, plus the victim's user id as a PostHog distinct_id (identifier.ts twinOf).
    expect(res).toMatchObject({ person: victim, persons: 2, identities: 6, events: 5, suppressed: 7 });
    expect(res!.segmentsRewritten).toBeGreaterThan(0);
    expect(leftovers(db, numbers, needles)).toEqual([]);
    expect(indexMismatches(identity)).toEqual([]);

    // Everyone else is intact: the bystander's three events and traits.
    const remaining = local.read(() => local.chunks({ from: 0, to: 8.64e15 }).reduce((n, c) => n + c.n, 0));
    expect(remaining).toBe(3);
    expect(identity.graph.traits(bystander).values).toEqual({ plan: "free" });
    expect(await tagMembers(sql, "vip")).toEqual(Int32Array.from([bystander]));
    expect(readSnapshot(sql, pack.id)).toMatchObject({ size: 1, members: Int32Array.from([bystander]) });
    expect(await deletePerson(deps, victim, { suppress: false, now: T0 })).toBeNull();
  });

  test("suppression drops the identifiers' future data at the door and in the resolver", async () => {
    const { identity, send, deps } = setup();
    await send(T0, {}, { type: "identify", userId: "gone-1", traits: { set: { email: "gone@x.cn" } } });
    expect(identity.isSuppressed({ type: "track", userId: "gone-1" })).toBe(false);
    await deletePerson(deps, identity.lookup("user_id", "gone-1")!.person, { suppress: true, now: T0 });
    expect(identity.isSuppressed({ type: "track", userId: "gone-1" })).toBe(true);
    expect(identity.isSuppressed({ type: "identify", userId: "new-1", traits: { set: { email: " GONE@x.cn" } } })).toBe(true);
    expect(identity.isSuppressed({ type: "track", userId: "someone-else" })).toBe(false);
    const r = await send(T0, {}, { type: "track", anonymousId: "fresh", externalIds: [{ type: "user_id", id: "gone-1" }] });
    expect(r.rejected).toEqual([{ index: 0, reason: "suppressed by a privacy request" }]);
  });

  test("a deleted user stays out when they come back through PostHog; a device they shared keeps its other user", async () => {
    const { identity, send, deps } = setup();
    await send(T0, {}, { type: "identify", userId: "gone-2", anonymousId: "shared-dev" }, { type: "identify", userId: "stays-2", anonymousId: "shared-dev" });
    await deletePerson(deps, identity.lookup("user_id", "gone-2")!.person, { suppress: true, now: T0 });
    // The same user from posthog-node: its distinct_id is the user id (identifier.ts twinOf).
    expect(identity.isSuppressed({ type: "track", distinctId: "gone-2" })).toBe(true);
    expect((await send(T0, {}, { type: "track", distinctId: "gone-2" })).rejected).toHaveLength(1);
    // The shared device alone is still the deleted person's; beside another user's id it is only left unlinked.
    expect((await send(T0, {}, { type: "track", anonymousId: "shared-dev" })).rejected).toHaveLength(1);
    expect(identity.isSuppressed({ type: "track", userId: "stays-2", anonymousId: "shared-dev" })).toBe(false);
    expect((await send(T0, {}, { type: "track", userId: "stays-2", anonymousId: "shared-dev" })).stored).toBe(1);
    expect(identity.lookup("anonymous_id", "shared-dev")).toBeNull();
    expect(identity.lookup("user_id", "stays-2")).not.toBeNull();
  });

  test("without suppression the same identifiers start a new person; ids are never reused after a restart", async () => {
    const { db, identity, send, deps } = setup();
    await send(T0, {}, { type: "identify", userId: "again-1" });
    const first = identity.lookup("user_id", "again-1")!;
    await deletePerson(deps, first.person, { suppress: false, now: T0 });
    const { identity: reopened } = identityDb(db);
    const store = new EventStore<IdentityInput>(db, reopened.resolve, { delayMs: 0 });
    await store.writer.append([storeEvent({ type: "identify", userId: "again-1" })]);
    const second = reopened.lookup("user_id", "again-1")!;
    expect(second.person).toBeGreaterThan(first.person);
    expect(second.identity).toBeGreaterThan(first.identity);
  });
});

describe("export", () => {
  test("returns identifiers (PII opened), traits with provenance, edges, conflicts and every event", async () => {
    const { identity, send, compact, deps } = setup();
    await send(T0, { path: "/a" }, { type: "identify", userId: "exp-1", anonymousId: "exp-anon", traits: { set: { email: "e@x.cn", plan: "pro" } } });
    compact();
    await send(T0 + 1000, { path: "/b" }, { type: "page", anonymousId: "exp-anon" });
    await send(T0 + 2000, {}, { type: "identify", userId: "exp-2", anonymousId: "exp-anon" });
    const person = identity.lookup("user_id", "exp-1")!.person;
    const out = (await exportPerson(deps, person))!;
    expect(out.identifiers.map((i) => `${i.type}=${i.value}`)).toEqual(["user_id=exp-1", "email=e@x.cn", "anonymous_id=exp-anon"]);
    expect(out.traits).toEqual({ email: "e@x.cn", plan: "pro" });
    expect(out.traitMeta).toMatchObject({ plan: { op: "set", s: 1 } });
    expect(out.edges.map((e) => e.kind)).toEqual(["trait", "identify"]);
    expect(out.conflicts).toMatchObject([{ reason: "user_id" }]);
    expect(out.events.map((e) => [e.event, e.props.path])).toEqual([["$page", "/b"], ["$identify", "/a"]]);
  });
});

describe("in the server configuration", () => {
  test("deletion and the timeline work through the store worker while compaction runs", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = `${dir}/w.db`;
      const db = openWriter(file);
      migrate(db);
      const { identity } = identityDb(db);
      const svc = await StoreService.open<IdentityInput>(db, { file, resolve: identity.resolve, compaction: { minRows: 10, maxAgeMs: 0 } });
      const events = Array.from({ length: 40 }, (_, k) =>
        storeEvent({ type: "track", userId: k % 2 ? "keep" : "drop", anonymousId: `dev-${k % 2}` }, { ts: T0 + k * 3_600_000, props: { k } }));
      await svc.store.writer.append(events);
      await svc.compactNow();
      const drop = identity.lookup("user_id", "drop")!;
      const page = await svc.reader.call("personEvents", { identities: identity.graph.index.members(drop.person), before: null, limit: 5, events: null });
      expect(page.rows.map((r) => r.props.k)).toEqual([38, 36, 34, 32, 30]);
      const res = await deletePerson({ graph: identity.graph, suppressions: identity.suppressions, reader: svc.reader }, drop.person, { suppress: false, now: T0 });
      expect(res!.events).toBe(20);
      await svc.compactNow();
      const stats = await svc.reader.call("stats", {});
      expect(stats.segmentRows + stats.tailRows).toBe(20);
      await svc.close();
      db.close();
    } finally {
      cleanup();
    }
  });
});
