/**
 * Protects "events keep pointing at the right person after a merge, and analytics counts the merged person
 * once" (SPEC §4) through the real store — writer, compaction into segments, and the reader's
 * identity → person map — and that an admin unmerge restores both persons exactly, sticks, and splits
 * traits by provenance.
 */
import { describe, expect, test } from "bun:test";
import { DEFAULT_COMPACTION, planCompaction } from "../store/compaction.ts";
import { EventStore } from "../store/event-store.ts";
import { StoreReader } from "../store/reader.ts";
import type { IdentityInput } from "./identity-input.ts";
import { identityDb, indexMismatches, storeEvent } from "./test-helpers.ts";
import { personEdges, removeEdge, splitIdentities } from "./unmerge.ts";

const T0 = Date.UTC(2024, 5, 1, 9);
const at = (minutes: number) => T0 + minutes * 60_000;

function setup() {
  const { db, identity } = identityDb();
  const store = new EventStore<IdentityInput>(db, identity.resolve, { delayMs: 0 });
  const reader = new StoreReader(db);
  const send = (ts: number, ...inputs: IdentityInput[]) => store.writer.append(inputs.map((i) => storeEvent(i, { ts })));
  const compact = () => expect(store.apply(reader.read(() => planCompaction(reader, DEFAULT_COMPACTION, store.seal()))!)).toBe(true);
  /** distinctPersons is what a unique-users query computes: events → identity → person, counted once. */
  const distinctPersons = () => reader.read(() => {
    const persons = new Set<number>();
    const map = reader.identityToPerson;
    for (const c of reader.chunks({ from: 0, to: 8.64e15 })) for (const i of c.identity) persons.add(map[i]!);
    return persons;
  });
  const person = (ns: string, v: string) => identity.lookup(ns, v)!.person;
  return { db, identity, store, reader, send, compact, distinctPersons, person };
}

describe("merged persons count once", () => {
  test("events from before and after the merge, in segments and tail, count one person; unmerge restores two", async () => {
    const { db, identity, send, compact, distinctPersons, person } = setup();
    await send(at(0), { type: "identify", userId: "alice", anonymousId: "phone", traits: { set: { plan: "pro" } } });
    await send(at(1), { type: "page", anonymousId: "phone" }, { type: "page", anonymousId: "phone" });
    await send(at(2), { type: "track", anonymousId: "laptop", traits: { set: { city: "Hangzhou" } } });
    await send(at(3), { type: "page", anonymousId: "laptop" });
    const alice = person("user_id", "alice");
    const laptop = person("anonymous_id", "laptop");
    expect(distinctPersons().size).toBe(2);
    compact();
    // Logging in on the laptop merges its history into alice (the older person survives).
    await send(at(10), { type: "identify", userId: "alice", anonymousId: "laptop" });
    await send(at(11), { type: "track", userId: "alice", anonymousId: "laptop" });
    expect(person("anonymous_id", "laptop")).toBe(alice);
    expect(distinctPersons()).toEqual(new Set([alice]));
    compact();
    expect(distinctPersons()).toEqual(new Set([alice]));
    expect(identity.graph.traits(alice).values).toEqual({ plan: "pro", city: "Hangzhou" });

    const merge = personEdges(identity.graph, alice).find((e) => e.id.startsWith("e"))!;
    expect(merge.kind).toBe("identify");
    const split = removeEdge(identity.graph, merge.id, "admin@test", at(20));
    expect(split.persons.map((p) => [p.id, p.restored])).toEqual([[alice, false], [laptop, true]]);
    expect(person("anonymous_id", "laptop")).toBe(laptop);
    expect(distinctPersons()).toEqual(new Set([alice, laptop]));
    expect(db.query("SELECT merged_into FROM persons WHERE id = ?").get(laptop)).toEqual({ merged_into: null });
    expect(identity.graph.traits(alice).values).toEqual({ plan: "pro" });
    expect(identity.graph.traits(laptop).values).toEqual({ city: "Hangzhou" });
    expect(indexMismatches(identity)).toEqual([]);

    // The admin's decision sticks: the same pair is reported, not merged again.
    await send(at(30), { type: "identify", userId: "alice", anonymousId: "laptop" });
    expect(person("anonymous_id", "laptop")).toBe(laptop);
    expect(db.query("SELECT reason FROM identity_conflicts").all()).toEqual([{ reason: "unmerged" }]);
  });
});

describe("splitting", () => {
  test("detaching identifiers moves them, with the traits they set, to a new person", async () => {
    const { identity, send, person, distinctPersons } = setup();
    await send(at(0), { type: "identify", userId: "bob", anonymousId: "d1", traits: { set: { plan: "free" } } });
    await send(at(1), { type: "identify", userId: "bob", anonymousId: "d2" });
    await send(at(2), { type: "track", anonymousId: "d2", traits: { set: { lang: "zh" } } });
    const bob = person("user_id", "bob");
    const d2 = identity.lookup("anonymous_id", "d2")!.identity;
    const split = splitIdentities(identity.graph, bob, [d2], "admin@test", at(5));
    expect(split.persons).toHaveLength(2);
    const fresh = split.persons[1]!;
    expect(fresh).toMatchObject({ identities: [d2], restored: false });
    expect(person("anonymous_id", "d2")).toBe(fresh.id);
    expect(person("anonymous_id", "d1")).toBe(bob);
    expect(identity.graph.traits(fresh.id).values).toEqual({ lang: "zh" });
    expect(identity.graph.traits(bob).values).toEqual({ plan: "free" });
    expect(distinctPersons()).toEqual(new Set([bob, fresh.id]));
    expect(indexMismatches(identity)).toEqual([]);
  });

  test("links already implied are not logged, so removing a link splits off the part behind it", async () => {
    const { identity, send, person } = setup();
    await send(at(0), { type: "track", identifiers: [{ type: "wx_unionid", id: "U1" }, { type: "wx_openid:oa", id: "o1" }] });
    await send(at(1), { type: "track", identifiers: [{ type: "wx_openid:oa", id: "o1" }, { type: "wx_openid:mp", id: "m1" }] });
    // U1 and m1 meeting again connects nothing new: the log stays a spanning forest.
    await send(at(2), { type: "track", identifiers: [{ type: "wx_unionid", id: "U1" }, { type: "wx_openid:mp", id: "m1" }] });
    const p = person("wx_unionid", "U1");
    const edges = personEdges(identity.graph, p);
    expect(edges.map((e) => e.kind)).toEqual(["event", "event"]);
    const res = removeEdge(identity.graph, edges[0]!.id, "admin@test", at(3));
    expect(res.persons.map((x) => x.identities.length)).toEqual([1, 2]);
    expect(person("wx_openid:mp", "m1")).toBe(person("wx_openid:oa", "o1"));
    expect(() => removeEdge(identity.graph, edges[0]!.id, "admin@test", at(4))).toThrow(/already removed/);
    expect(() => removeEdge(identity.graph, "x1", "admin@test", at(4))).toThrow(/not an edge id/);
  });
});
