/**
 * Protects the trait rules (SPEC §4 and the decisions in traits.ts): $set overwrites, $set_once fills only
 * absent keys, $unset removes, event time orders changes, merges keep the newest change (the earliest for
 * two $set_once), and a split sends each key with the identity that last changed it.
 */
import { describe, expect, test } from "bun:test";
import { EventStore } from "../store/event-store.ts";
import type { IdentityInput } from "./identity-input.ts";
import { identityDb, storeEvent } from "./test-helpers.ts";
import { applyTraitOps, emptyTraits, mergeTraits, settles, splitTraits, type TraitOps, type TraitState } from "./traits.ts";

const at = (t: number, i = 1, s = 1) => ({ t, s, i });

describe("operations", () => {
  test("$set overwrites, $set_once fills only absent keys, $unset removes; provenance is kept", () => {
    const st = emptyTraits();
    expect(applyTraitOps(st, { set: { plan: "free", city: "Shanghai" }, setOnce: { first_ref: "wechat", plan: "trial" } }, at(10))).toBe(true);
    expect(st.values).toEqual({ plan: "free", city: "Shanghai", first_ref: "wechat" });
    expect(applyTraitOps(st, { set: { plan: "pro" }, setOnce: { first_ref: "douyin" }, unset: ["city"] }, at(20, 2, 3))).toBe(true);
    expect(st.values).toEqual({ plan: "pro", first_ref: "wechat" });
    expect(st.meta).toEqual({
      plan: { t: 20, s: 3, op: "set", i: 2 },
      city: { t: 20, s: 3, op: "unset", i: 2 },
      first_ref: { t: 10, s: 1, op: "set_once", i: 1 },
    });
  });

  test("repeating the same values changes nothing (no write)", () => {
    const st = emptyTraits();
    applyTraitOps(st, { set: { tags: ["a", "b"], n: 1 }, unset: ["missing"] }, at(1)); // "missing" gets a tombstone
    expect(applyTraitOps(st, { set: { tags: ["a", "b"], n: 1 }, unset: ["missing"] }, at(1))).toBe(false);
  });

  test("an older event does not overwrite a newer change", () => {
    const st = emptyTraits();
    applyTraitOps(st, { set: { plan: "pro" } }, at(100));
    expect(applyTraitOps(st, { set: { plan: "free" }, unset: ["plan"] }, at(50))).toBe(false);
    expect(st.values.plan).toBe("pro");
  });

  test("any arrival order leaves what time order leaves (PostHog's person-state ingestion-order cases)", () => {
    const events: [number, TraitOps][] = [
      [10, { set: { s: "s0" }, setOnce: { o: "o0", so: "o0" } }],
      [11, { setOnce: { o: "o1", s: "o1" }, unset: ["so"] }],
      [12, { set: { so: "s2", o2: "s2" }, setOnce: { s: "o2" } }],
      [13, { setOnce: { o: "o3", so: "o3", gone: "o3" }, unset: ["s"] }],
      [14, { unset: ["gone"], setOnce: { o2: "o4" } }],
    ];
    const play = (order: number[]) => {
      const st = emptyTraits();
      for (const k of order) applyTraitOps(st, events[k]![1], at(events[k]![0]));
      return st.values;
    };
    const inTime = play([0, 1, 2, 3, 4]);
    expect(inTime).toEqual({ o: "o0", so: "s2", o2: "s2" });
    const perms = (xs: number[]): number[][] => (xs.length <= 1 ? [xs] : xs.flatMap((x) => perms(xs.filter((y) => y !== x)).map((r) => [x, ...r])));
    for (const order of perms([0, 1, 2, 3, 4])) expect([order, play(order)]).toEqual([order, inTime]);
  });

  test("prototype keys are ignored", () => {
    const st = emptyTraits();
    applyTraitOps(st, { set: JSON.parse('{"__proto__": {"admin": true}, "ok": 1}') as Record<string, unknown> }, at(1));
    expect(Object.getPrototypeOf(st.values)).toBe(Object.prototype);
    expect(st.values).toEqual({ ok: 1 });
  });
});

describe("settled operations (repeats skipped without reading the person)", () => {
  test("settles only when the same operations again could change nothing at any time", () => {
    const st = emptyTraits();
    applyTraitOps(st, { set: { plan: "pro", tags: ["a"] }, setOnce: { ref: "wechat" }, unset: ["gone"] }, at(10));
    expect(settles(st, { set: { plan: "pro", tags: ["a"] }, setOnce: { ref: "wechat" }, unset: ["gone"] })).toBe(true);
    expect(settles(st, { setOnce: { ref: "wechat" } })).toBe(true);
    // an older $set_once of another value would replace the one there (it came first): not settled
    expect(settles(st, { setOnce: { ref: "douyin" } })).toBe(false);
    applyTraitOps(st, { set: { plan: "free" } }, at(5));
    // Skipped as older than the last change: a later resend with a newer time would apply, so not settled.
    expect(settles(st, { set: { plan: "free" } })).toBe(false);
    expect(settles(st, { unset: ["plan"] })).toBe(false);
    const sealed = { isSealed: (k: string) => k === "email", seal: String, hash: String };
    expect(settles({ values: { email: "x" }, meta: {} }, { set: { email: "x" } }, sealed)).toBe(false);
  });

  test("through the writer: a repeat is skipped only while nothing else changed the person", async () => {
    const { db, identity } = identityDb();
    const store = new EventStore<IdentityInput>(db, identity.resolve, { delayMs: 0 });
    const send = (ts: number, input: IdentityInput) => store.writer.append([storeEvent(input, { ts })]);
    const set = (userId: string | undefined, values: Record<string, unknown>, anonymousId?: string): IdentityInput =>
      ({ type: "identify", userId, anonymousId, traits: { set: values } });
    const plan = () => identity.graph.traits(identity.lookup("user_id", "u1")!.person).values.plan;
    await send(10, set("u1", { plan: "pro" }));
    await send(20, set("u1", { plan: "free" }));
    await send(30, set("u1", { plan: "pro" }));
    expect(plan()).toBe("pro");
    await send(5, set("u1", { plan: "free" }));
    expect(plan()).toBe("pro");
    await send(40, set("u1", { plan: "free" }));
    await send(41, set("u1", { plan: "free" }));
    expect(plan()).toBe("free");
    // A merge brings a newer value from the other person: the settled repeat must be applied again.
    await send(50, set(undefined, { plan: "gold" }, "a2"));
    await send(55, { type: "identify", userId: "u1", anonymousId: "a2" });
    expect(plan()).toBe("gold");
    await send(60, set("u1", { plan: "free" }));
    expect(plan()).toBe("free");
  });
});

describe("a new person's first traits (applied without reading the row)", () => {
  test("several events of new persons in one commit all keep their traits; a rolled-back commit leaves none", async () => {
    const { db, identity } = identityDb();
    const store = new EventStore<IdentityInput>(db, identity.resolve, { delayMs: 0 });
    const traitsOf = (userId: string) => identity.graph.traits(identity.lookup("user_id", userId)!.person).values;
    const id = (userId: string, values: Record<string, unknown>, ts: number) =>
      storeEvent({ type: "identify", userId, traits: { set: values } }, { ts });
    // One append is one commit: u1 is created, then u2, then u1 and u2 again, then a merge of u3 into u1.
    await store.writer.append([
      id("u1", { plan: "pro" }, 10), id("u2", { city: "Hangzhou" }, 11), id("u1", { city: "Shanghai" }, 12),
      id("u2", { plan: "free" }, 13), storeEvent({ type: "identify", anonymousId: "a3", traits: { set: { vip: true } } }, { ts: 14 }),
      storeEvent({ type: "identify", userId: "u1", anonymousId: "a3" }, { ts: 15 }),
    ]);
    expect(traitsOf("u1")).toEqual({ plan: "pro", city: "Shanghai", vip: true });
    expect(traitsOf("u2")).toEqual({ city: "Hangzhou", plan: "free" });
    // The next commit creates a person whose first event fails to store: its traits must not survive.
    // (A new person's row is written with its first traits at the end of the commit: an insert, not an update.)
    for (const op of ["INSERT", "UPDATE"]) {
      db.exec(`CREATE TRIGGER fail_u4_${op} BEFORE ${op} ON persons WHEN NEW.traits LIKE '%boom%' BEGIN SELECT RAISE(ABORT, 'boom'); END`);
    }
    await expect(store.writer.append([id("u4", { plan: "boom" }, 20)])).rejects.toThrow("boom");
    db.exec("DROP TRIGGER fail_u4_INSERT; DROP TRIGGER fail_u4_UPDATE");
    await store.writer.append([id("u4", { city: "Suzhou" }, 21)]);
    expect(traitsOf("u4")).toEqual({ city: "Suzhou" });
  });
});

describe("merge and split", () => {
  const state = (values: Record<string, unknown>, meta: TraitState["meta"]): TraitState => ({ values, meta });

  test("newest change wins per key; two $set_once keep the earliest; ties keep the survivor", () => {
    const survivor = state({ plan: "pro", ref: "wechat", city: "Beijing", x: 1 }, {
      plan: { t: 50, s: 1, op: "set", i: 1 }, ref: { t: 20, s: 1, op: "set_once", i: 1 },
      city: { t: 10, s: 1, op: "set", i: 1 }, x: { t: 5, s: 1, op: "set", i: 1 },
    });
    const loser = state({ plan: "free", ref: "douyin", city: "Shanghai", x: 2, age: 30 }, {
      plan: { t: 40, s: 2, op: "set", i: 9 }, ref: { t: 5, s: 2, op: "set_once", i: 9 },
      city: { t: 60, s: 2, op: "set", i: 9 }, x: { t: 5, s: 2, op: "set", i: 9 }, age: { t: 1, s: 2, op: "set", i: 9 },
    });
    expect(mergeTraits(survivor, loser).values).toEqual({ plan: "pro", ref: "douyin", city: "Shanghai", x: 1, age: 30 });
  });

  test("a newer $unset on the merged-away person removes the key", () => {
    const survivor = state({ coupon: "A1" }, { coupon: { t: 1, s: 1, op: "set", i: 1 } });
    const loser = state({}, { coupon: { t: 9, s: 1, op: "unset", i: 2 } });
    expect(mergeTraits(survivor, loser).values).toEqual({});
  });

  test("split sends keys with the identity that last changed them", () => {
    const st = state({ a: 1, b: 2 }, {
      a: { t: 1, s: 1, op: "set", i: 1 }, b: { t: 1, s: 1, op: "set", i: 2 }, c: { t: 1, s: 1, op: "unset", i: 2 },
    });
    const moved = splitTraits(st, new Set([2]));
    expect(st.values).toEqual({ a: 1 });
    expect(Object.keys(st.meta)).toEqual(["a"]);
    expect(moved.values).toEqual({ b: 2 });
    expect(Object.keys(moved.meta).sort()).toEqual(["b", "c"]);
  });
});
