/**
 * Protects identity resolution through the real store writer (SPEC §4): anonymous history joins the user
 * on identify, alias chains collapse, WeChat openids of one unionid are one person, and the guards the
 * anchors learned the hard way hold — a shared device does not merge two users, junk ids never link, caps
 * refuse, and a failed commit leaves the in-memory index exactly as the database.
 */
import { describe, expect, test } from "bun:test";
import { EventStore } from "../store/event-store.ts";
import { StoreReader } from "../store/reader.ts";
import { PackView, type PackRow } from "../store/tail-pack.ts";
import type { IdentityResolver } from "../store/writer.ts";
import type { IdentityInput } from "./identity-input.ts";
import type { IdentityService } from "./identity-service.ts";
import { identityDb, indexMismatches, storeEvent } from "./test-helpers.ts";

const track = (over: Partial<IdentityInput> = {}): IdentityInput => ({ type: "track", ...over });
const identify = (userId: string, anonymousId?: string, set?: Record<string, unknown>): IdentityInput =>
  ({ type: "identify", userId, anonymousId, traits: set ? { set } : undefined });

function setup(resolve?: (svc: IdentityService) => IdentityResolver<IdentityInput>) {
  const { db, identity } = identityDb();
  const store = new EventStore<IdentityInput>(db, resolve ? resolve(identity) : identity.resolve, { delayMs: 0 });
  const send = (...inputs: IdentityInput[]) => store.writer.append(inputs.map((i) => storeEvent(i)));
  const person = (ns: string, value: string) => identity.lookup(ns, value)?.person ?? null;
  const conflicts = () =>
    db.query<{ reason: string; kind: string }, []>("SELECT reason, kind FROM identity_conflicts ORDER BY id").all();
  return { db, identity, store, send, person, conflicts };
}

describe("linking", () => {
  test("anonymous → identified: events sent before identify belong to the user", async () => {
    const { db, send, person } = setup();
    await send(track({ anonymousId: "a-1" }), track({ anonymousId: "a-1" }), track({ anonymousId: "a-1" }));
    const before = person("anonymous_id", "a-1");
    await send(identify("u-1", "a-1"), track({ userId: "u-1" }));
    expect(person("user_id", "u-1")).toBe(before);
    const reader = new StoreReader(db);
    const persons = reader.read(() => reader.chunks({ from: 0, to: 8.64e15 }).flatMap((c) => [...c.identity].map((i) => reader.personOf(i))));
    expect(persons.length).toBe(5);
    expect(new Set(persons)).toEqual(new Set([before!]));
  });

  test("alias chains collapse into one person (Segment user ids and PostHog distinct ids)", async () => {
    const { send, person, conflicts } = setup();
    await send(track({ userId: "old-1" }));
    await send(
      { type: "alias", userId: "mid-1", previousId: "old-1" },
      { type: "alias", userId: "new-1", previousId: "mid-1" },
      { type: "alias", userId: "final-1", previousId: "new-1" },
    );
    const p = person("user_id", "old-1");
    expect(["mid-1", "new-1", "final-1"].map((u) => person("user_id", u))).toEqual([p, p, p]);
    await send(
      { type: "track", distinctId: "ph-anon" },
      { type: "alias", distinctId: "ph-1", previousId: "ph-anon" },
      { type: "alias", distinctId: "ph-2", previousId: "ph-1" },
    );
    expect(person("distinct_id", "ph-2")).toBe(person("distinct_id", "ph-anon"));
    expect(conflicts()).toEqual([]);
  });

  test("a WeChat user seen as an OA openid, then a Mini Program openid, both with one unionid → one person", async () => {
    const { send, person } = setup();
    await send(track({ identifiers: [{ type: "wx_openid:wxoa123", id: "oOA-1" }, { type: "wx_unionid", id: "U-1" }] }));
    await send(track({ identifiers: [{ type: "wx_openid:wxmp456", id: "oMP-1" }, { type: "wx_unionid", id: "U-1" }] }));
    const p = person("wx_unionid", "U-1");
    expect(person("wx_openid:wxoa123", "oOA-1")).toBe(p);
    expect(person("wx_openid:wxmp456", "oMP-1")).toBe(p);
    expect(person("wx_openid:wxmp456", "oOA-1")).toBeNull();
  });

  test("two persons met by a later message merge; the older person survives and keeps its id", async () => {
    const { db, send, person } = setup();
    await send(track({ identifiers: [{ type: "wx_openid:wxmp456", id: "oMP-2" }] }));
    await send(track({ identifiers: [{ type: "wx_openid:wxoa123", id: "oOA-2" }, { type: "wx_unionid", id: "U-2" }] }));
    const older = person("wx_openid:wxmp456", "oMP-2")!;
    const newer = person("wx_unionid", "U-2")!;
    expect(older).toBeLessThan(newer);
    await send(track({ identifiers: [{ type: "wx_unionid", id: "U-2" }, { type: "wx_openid:wxmp456", id: "oMP-2" }] }));
    expect(person("wx_unionid", "U-2")).toBe(older);
    expect(person("wx_openid:wxoa123", "oOA-2")).toBe(older);
    expect(db.query("SELECT merged_into FROM persons WHERE id = ?").get(newer)).toEqual({ merged_into: older });
    // Every re-pointed identity is in the change log the store readers follow.
    expect(db.query("SELECT count(*) AS n FROM identity_changes WHERE person_id = ?").get(older)).toEqual({ n: 2 });
  });

  test("PostHog $identify links the anonymous distinct_id and names the user_id Segment also uses", async () => {
    const { send, person } = setup();
    await send({ type: "track", distinctId: "anon-ph" });
    await send({ type: "identify", distinctId: "alice", anonDistinctId: "anon-ph" });
    await send(track({ userId: "alice" }));
    const p = person("distinct_id", "alice");
    expect(person("distinct_id", "anon-ph")).toBe(p);
    expect(person("user_id", "alice")).toBe(p);
  });

  test("a server SDK's alias (previousId, no anonymousId) joins the anonymous history, also when it comes first", async () => {
    const { send, person, identity } = setup();
    await send(track({ anonymousId: "sa1" }), track({ userId: "su1" }));
    expect(person("anonymous_id", "sa1")).not.toBe(person("user_id", "su1"));
    // analytics-node and rudder-sdk-node send { type: "alias", userId, previousId } and nothing else.
    await send({ type: "alias", userId: "su1", previousId: "sa1" });
    expect(person("anonymous_id", "sa1")).toBe(person("user_id", "su1"));
    expect(identity.lookup("user_id", "sa1")).toBeNull();
    // A previousId never seen is taken as the user's former user id (a rename), and held as an anonymous id
    // too: the browser's events, flushed after the server's alias, then join the user.
    await send({ type: "alias", userId: "su1", previousId: "su0" });
    expect(person("user_id", "su0")).toBe(person("user_id", "su1"));
    await send(track({ anonymousId: "su0" }));
    expect(person("anonymous_id", "su0")).toBe(person("user_id", "su1"));
    // A PostHog $create_alias naming a Segment user id finds it too.
    await send({ type: "alias", distinctId: "ph-x", previousId: "su1" });
    expect(person("distinct_id", "ph-x")).toBe(person("user_id", "su1"));
  });

  test("a PostHog distinct_id and a Segment user id of the same value are one person, whichever came first", async () => {
    const { db, send, person, conflicts } = setup();
    await send({ type: "track", distinctId: "dd1" }, track({ userId: "dd1" }));
    expect(person("user_id", "dd1")).toBe(person("distinct_id", "dd1"));
    await send(track({ userId: "dd2", anonymousId: "a-dd2" }), { type: "track", distinctId: "dd2" });
    expect(person("distinct_id", "dd2")).toBe(person("anonymous_id", "a-dd2"));
    expect(db.query("SELECT count(*) AS n FROM identities WHERE link_kind = 'same_id'").get()).toEqual({ n: 2 });
    // The guards still hold: a distinct_id whose person holds another user id does not pull a new one in.
    await send({ type: "identify", distinctId: "carol", anonDistinctId: "dd3" });
    await send(track({ userId: "dd3" }));
    expect(person("user_id", "dd3")).not.toBe(person("user_id", "carol"));
    expect(conflicts()).toEqual([{ reason: "user_id", kind: "same_id" }]);
  });

  test("e-mail and phone traits link as identifiers, normalised", async () => {
    const { send, person } = setup();
    await send(identify("u-7", undefined, { email: " Ann@Example.COM ", phone: "138 0013 8000" }));
    await send(track({ anonymousId: "a-7", traits: { set: { email: "ann@example.com" } } }));
    const p = person("user_id", "u-7");
    expect(person("email", "ANN@example.com")).toBe(p);
    expect(person("phone", "+86 138-0013-8000")).toBe(p);
    expect(person("anonymous_id", "a-7")).toBe(p);
  });
});

describe("guards", () => {
  test("a shared device (one anonymousId, two logged-in users) gives two persons and a recorded conflict", async () => {
    const { send, person, conflicts, store } = setup();
    await send(track({ anonymousId: "ipad" }), identify("alice", "ipad"));
    const r = await send(identify("bob", "ipad"), track({ userId: "bob", anonymousId: "ipad" }));
    expect(r.stored).toBe(2);
    expect(person("user_id", "alice")).toBe(person("anonymous_id", "ipad"));
    expect(person("user_id", "bob")).not.toBe(person("user_id", "alice"));
    // Recorded once, although the second event met the same conflict again.
    expect(conflicts()).toEqual([{ reason: "user_id", kind: "identify" }]);
    expect(store.names.lookup("$identify")).toBeDefined();
  });

  test("an alias between two persons who each hold a user id is refused and recorded, not applied", async () => {
    const { send, person, conflicts } = setup();
    await send(identify("u-carol", "anon-C"), identify("u-dave", "anon-D"));
    await send({ type: "alias", userId: "u-dave", previousId: "u-carol" });
    expect(person("user_id", "u-dave")).not.toBe(person("user_id", "u-carol"));
    expect(conflicts()).toEqual([{ reason: "user_id", kind: "alias" }]);
  });

  test("junk ids never link, and events that carry only junk are still stored", async () => {
    const { db, send, person } = setup();
    await send(identify("null", "dev-1"), identify("null", "dev-2"), identify("u-9", "undefined"), identify("u-10", "undefined"));
    await send(identify("0", "00000000-0000-0000-0000-000000000000"), track({ userId: " ", anonymousId: "[object Object]" }));
    expect(person("anonymous_id", "dev-1")).not.toBe(person("anonymous_id", "dev-2"));
    expect(person("user_id", "u-9")).not.toBe(person("user_id", "u-10"));
    expect(person("user_id", "null")).toBeNull();
    const junk = db.query<{ ns: string; value: string }, []>("SELECT ns, value FROM identities WHERE flags = 1 ORDER BY id").all();
    expect(junk).toEqual([{ ns: "user_id", value: "0" }, { ns: "user_id", value: " " }]);
    expect(db.query("SELECT count(*) AS n FROM identity_edges").get()).toEqual({ n: 0 });
    // Two junk-only senders share the junk identity and never receive traits.
    const r = await send(identify("0", undefined, { plan: "pro" }));
    expect(r.stored).toBe(1);
    expect(db.query("SELECT count(*) AS n FROM persons WHERE traits != '{}'").get()).toEqual({ n: 0 });
  });

  test("namespace caps: a second wx_unionid stays apart; a configured e-mail cap holds", async () => {
    const { send, person, conflicts, identity } = setup();
    await send(track({ userId: "u-c", identifiers: [{ type: "wx_unionid", id: "U-a" }] }));
    await send(track({ userId: "u-c", identifiers: [{ type: "wx_unionid", id: "U-b" }] }));
    expect(person("wx_unionid", "U-b")).not.toBe(person("user_id", "u-c"));
    expect(conflicts()).toEqual([{ reason: "cap:wx_unionid", kind: "event" }]);
    identity.updateSettings({ caps: { wx_unionid: 1, email: 1 } });
    await send(identify("u-d", undefined, { email: "d1@x.cn" }), identify("u-d", undefined, { email: "d2@x.cn" }));
    expect(person("email", "d2@x.cn")).not.toBe(person("user_id", "u-d"));
    expect(conflicts().at(-1)).toEqual({ reason: "cap:email", kind: "trait" });
  });

  test("the mega-person guard refuses links past maxIdentities", async () => {
    const { send, person, identity } = setup();
    identity.updateSettings({ maxIdentities: 3 });
    await send(identify("u-m", "a1"), identify("u-m", "a2"));
    await send(identify("u-m", "a3"));
    expect(person("anonymous_id", "a2")).toBe(person("user_id", "u-m"));
    expect(person("anonymous_id", "a3")).not.toBe(person("user_id", "u-m"));
  });

  test("a message without any identifier is rejected with a reason", async () => {
    const { send } = setup();
    expect(await send(track({}))).toEqual({ stored: 0, duplicates: [], rejected: [{ index: 0, reason: expect.stringContaining("no identifier") }], lastSeq: 0 });
  });
});

describe("pinned identities (Tessera's own events about a person)", () => {
  test("are stored against the named identity without linking or creating anything, and rejected once it is gone", async () => {
    const { db, identity, send, person } = setup();
    await send(identify("u-1", "a-1"));
    const id = identity.lookup("anonymous_id", "a-1")!.identity;
    const count = () => db.query<{ p: number; i: number }, []>("SELECT (SELECT count(*) FROM persons) AS p, (SELECT count(*) FROM identities) AS i").get();
    const before = count();
    // The pin wins over anything else the input names: no user_id u-2 appears.
    expect(await send({ type: "track", identityId: id, userId: "u-2" })).toEqual({ stored: 1, duplicates: [], rejected: [], lastSeq: expect.any(Number) });
    expect(count()).toEqual(before);
    expect(person("user_id", "u-2")).toBeNull();
    const last = new PackView(db.query<PackRow, []>("SELECT seq, n, cols FROM events_tail_0 UNION ALL SELECT seq, n, cols FROM events_tail_1 ORDER BY seq DESC LIMIT 1").get()!);
    expect(last.identity[last.n - 1]).toBe(id);
    expect(await send({ type: "track", identityId: 999_999 })).toEqual({
      stored: 0, duplicates: [], rejected: [{ index: 0, reason: "the identity no longer exists (person deleted)" }], lastSeq: 0,
    });
  });
});

describe("rollback safety", () => {
  test("a transaction that fails after merges and creations leaves the index equal to the database", async () => {
    let failOn: string | null = null;
    const { identity, send, store, person } = setup((svc) => (input, event, tx) => {
      const r = svc.resolve(input, event, tx);
      if (input.userId && input.userId === failOn) throw new Error("disk on fire");
      return r;
    });
    await send(track({ anonymousId: "r-a" }), identify("r-u", "r-b"));
    const snapshot = identity.graph.nextIdentity;
    failOn = "r-x";
    // One commit: creations, a merge of two existing persons, traits, then the failure.
    const failing = store.writer.append([
      storeEvent(identify("r-u", "r-a", { plan: "gold", email: "r@x.cn" })),
      storeEvent(track({ anonymousId: "r-new" })),
      storeEvent(identify("r-x", "r-new2")),
    ]);
    await expect(failing).rejects.toThrow(/disk on fire/);
    expect(indexMismatches(identity)).toEqual([]);
    expect(identity.graph.nextIdentity).toBe(snapshot);
    expect(person("anonymous_id", "r-new")).toBeNull();
    expect(person("anonymous_id", "r-a")).not.toBe(person("user_id", "r-u"));
    failOn = null;
    await send(identify("r-u", "r-a", { plan: "gold" }));
    expect(person("anonymous_id", "r-a")).toBe(person("user_id", "r-u"));
    expect(indexMismatches(identity)).toEqual([]);
  });
});

describe("rows written at the end of the group commit", () => {
  test("a commit of 150 new persons, with traits, e-mails and a merge of two of them, leaves the tables as the index says", async () => {
    const { db, identity, send, person } = setup();
    const inputs: IdentityInput[] = [];
    for (let i = 0; i < 150; i++) {
      inputs.push(i % 3 === 0 ? identify(`d-u${i}`, `d-a${i}`, { plan: "pro", email: `d${i}@example.cn` }) : track({ userId: `d-u${i}` }));
    }
    // Two persons created earlier in this commit merge (the later one loses and its identities move),
    // then the survivor gets more traits and a new identity.
    inputs.push(track({ anonymousId: "d-lone" }), identify("d-u3", "d-lone"), identify("d-u3", "d-a-late", { city: "Suzhou" }));
    const changesBefore = db.query<{ n: number }, []>("SELECT count(*) AS n FROM person_changes").get()!.n;
    expect(await send(...inputs)).toMatchObject({ stored: 153, rejected: [] });
    expect(indexMismatches(identity)).toEqual([]);
    const u3 = person("user_id", "d-u3")!;
    expect([person("anonymous_id", "d-lone"), person("anonymous_id", "d-a-late"), person("email", "d3@example.cn")]).toEqual([u3, u3, u3]);
    const rows = db.query<{ n: number; merged: number; created: number }, []>(
      "SELECT count(*) AS n, count(merged_into) AS merged, count(DISTINCT created_at) AS created FROM persons",
    ).get();
    expect(rows).toEqual({ n: 151, merged: 1, created: 1 });
    expect(identity.graph.traits(u3, true).values).toEqual({ plan: "pro", email: "d3@example.cn", city: "Suzhou" });
    expect(identity.graph.traits(person("user_id", "d-u147")!, true).values).toEqual({ plan: "pro", email: "d147@example.cn" });
    expect(identity.graph.traits(person("user_id", "d-u148")!).values).toEqual({});
    // Every person written with traits is in the change log the query worker follows.
    expect(db.query<{ n: number }, []>("SELECT count(*) AS n FROM person_changes").get()!.n - changesBefore).toBeGreaterThanOrEqual(50);
    // E-mails are sealed in the identities table as before.
    expect(db.query<{ v: string }, []>("SELECT value AS v FROM identities WHERE ns = 'email' LIMIT 1").get()!.v).toStartWith("v1:");
  });

  test("a write that fails when the rows are written rolls the whole commit back, and the next commit is whole", async () => {
    const { db, identity, send, person } = setup();
    await send(identify("f-u0", "f-a0"));
    const before = { identity: identity.graph.nextIdentity, person: identity.graph.nextPerson };
    db.exec("CREATE TRIGGER fail_f BEFORE INSERT ON identities WHEN NEW.ns = 'anonymous_id' AND NEW.person_id > 1 BEGIN SELECT RAISE(ABORT, 'disk on fire'); END");
    await expect(send(...Array.from({ length: 70 }, (_, i) => identify(`f-u${i + 1}`, `f-a${i + 1}`, { plan: "x" })))).rejects.toThrow(/disk on fire/);
    expect(indexMismatches(identity)).toEqual([]);
    expect({ identity: identity.graph.nextIdentity, person: identity.graph.nextPerson }).toEqual(before);
    expect(person("user_id", "f-u1")).toBeNull();
    db.exec("DROP TRIGGER fail_f");
    await send(identify("f-u1", "f-a1", { plan: "y" }), track({ userId: "f-u2" }));
    expect(indexMismatches(identity)).toEqual([]);
    expect(identity.graph.traits(person("anonymous_id", "f-a1")!).values).toEqual({ plan: "y" });
    expect(db.query<{ n: number }, []>("SELECT count(*) AS n FROM persons").get()!.n).toBe(3);
  });
});
