/**
 * Protects write keys, the only credential the public internet sees: generated with enough entropy,
 * never stored in clear (keyed hash for lookup, AES-GCM to show again), resolved by ingest from memory,
 * and that memory forgets a key the moment it is rotated, disabled or deleted. TESSERA_WRITE_KEY must
 * yield a `default` source with exactly that key.
 */
import { describe, expect, test } from "bun:test";
import { silentLogger } from "../log.ts";
import { testApp } from "../../test/app-helpers.ts";
import { ensureDefaultSource, ensureSystemSource, findSourceByWriteKey, type Source } from "./sources.ts";

describe("/api/sources", () => {
  test("create, list, rotate, disable, delete; ingest lookup follows every change", async () => {
    const t = testApp();
    const { db, crypto } = t.deps;
    const admin = await t.asUser("admin");
    const call = (method: string, path: string, json?: unknown) => t.call(method, path, { headers: admin.headers, json });

    const created = await call("POST", "/api/sources", { name: "Website" });
    expect(created.status).toBe(201);
    const s = (await created.json()) as Source;
    expect(s).toMatchObject({ name: "Website", kind: "http", disabled: false });
    expect(s.writeKey).toMatch(/^wk_[0-9A-Za-z]{32}$/);

    const row = await t.deps.kdb.selectFrom("sources").selectAll().executeTakeFirstOrThrow();
    expect(row.write_key_hash).toBe(crypto.keyedHash(s.writeKey));
    expect(crypto.decrypt(row.write_key_enc)).toBe(s.writeKey);
    expect(JSON.stringify(row)).not.toContain(s.writeKey);

    expect(findSourceByWriteKey(db, crypto, s.writeKey)).toEqual({ id: s.id, name: "Website", kind: "http", settings: "{}" });
    expect(findSourceByWriteKey(db, crypto, "wk_unknown")).toBeNull();

    expect((await call("POST", "/api/sources", { name: "Website" })).status).toBe(409);
    expect((await call("POST", "/api/sources", { name: "" })).status).toBe(400);

    const list = (await (await call("GET", "/api/sources")).json()) as { results: Source[] };
    expect(list.results.map((x) => x.writeKey)).toEqual([s.writeKey]);

    const rotated = (await (await call("PATCH", `/api/sources/${s.id}`, { rotateWriteKey: true })).json()) as Source;
    expect(rotated.writeKey).not.toBe(s.writeKey);
    expect(findSourceByWriteKey(db, crypto, s.writeKey)).toBeNull();
    expect(findSourceByWriteKey(db, crypto, rotated.writeKey)?.id).toBe(s.id);

    expect(((await (await call("PATCH", `/api/sources/${s.id}`, { disabled: true })).json()) as Source).disabled).toBe(true);
    expect(findSourceByWriteKey(db, crypto, rotated.writeKey)).toBeNull();
    await call("PATCH", `/api/sources/${s.id}`, { disabled: false, name: "Site" });
    expect(findSourceByWriteKey(db, crypto, rotated.writeKey)).toEqual({ id: s.id, name: "Site", kind: "http", settings: "{}" });
    // The platform a source stands for can change later; a kind is a lower-case word.
    expect(((await (await call("PATCH", `/api/sources/${s.id}`, { kind: "tmall" })).json()) as Source).kind).toBe("tmall");
    expect((await call("PATCH", `/api/sources/${s.id}`, { kind: "Tmall!" })).status).toBe(400);
    await call("PATCH", `/api/sources/${s.id}`, { kind: "http" });

    expect((await call("DELETE", `/api/sources/${s.id}`)).status).toBe(200);
    expect(findSourceByWriteKey(db, crypto, rotated.writeKey)).toBeNull();
    expect((await call("DELETE", `/api/sources/${s.id}`)).status).toBe(404);
    expect((await call("GET", `/api/sources/${s.id}`)).status).toBe(404);

    const actions = (await t.deps.kdb.selectFrom("audit_log").select("action").orderBy("id").execute()).map((a) => a.action);
    expect(actions).toEqual(["source.created", "source.key_rotated", "source.updated", "source.updated", "source.updated", "source.updated", "source.deleted"]);
  });

  test("a source can keep the write key its SDKs already send: only the host changes", async () => {
    const t = testApp();
    const admin = await t.asToken("admin");
    const call = (method: string, path: string, json?: unknown) => t.call(method, path, { headers: admin.headers, json });
    const segmentKey = "9zmhjfqv3U5dCm7qL2MjH7Qd4aJrXe1b";
    const s = (await (await call("POST", "/api/sources", { name: "Segment app", writeKey: ` ${segmentKey} ` })).json()) as Source;
    expect(s.writeKey).toBe(segmentKey);
    const auth = { authorization: `Basic ${btoa(`${segmentKey}:`)}` };
    expect((await t.call("POST", "/v1/track", { headers: auth, json: { userId: "u", event: "e" } })).status).toBe(200);
    expect(await (await call("POST", "/api/sources", { name: "Again", writeKey: segmentKey })).json()).toEqual({ error: "another source has this write key" });
    for (const bad of ["short", "key:secret", "two words"]) expect((await call("POST", "/api/sources", { name: bad, writeKey: bad })).status).toBe(400);
  });

  test("data handling: defaults shown, a patch changes only what it names, ingestion follows at once, bad values name the field", async () => {
    const t = testApp();
    const admin = await t.asUser("admin");
    const call = (method: string, path: string, json?: unknown) => t.call(method, path, { headers: admin.headers, json });
    const s = (await (await call("POST", "/api/sources", { name: "Shop" })).json()) as Source;
    expect(s.settings).toEqual({ ipPolicy: "truncate", bots: "flag", consentCategories: ["analytics", "statistics", "measurement"] });
    const auth = { authorization: `Basic ${btoa(`${s.writeKey}:`)}` };
    const send = async (userId: string, extra: Record<string, unknown> = {}) =>
      (await t.call("POST", "/v1/track", { headers: auth, json: { userId, event: "e", context: { ip: "203.0.113.77", ...extra } } })).status;
    const ipOf = async (userId: string) => {
      const found = (await (await call("GET", `/api/persons?search=${userId}`)).json()) as { persons: { id: string }[] };
      if (found.persons.length === 0) return "not stored";
      const ev = (await (await call("GET", `/api/persons/${found.persons[0]!.id}/events`)).json()) as { events: { properties: Record<string, unknown> }[] };
      return ev.events[0]?.properties.$ip ?? "no ip";
    };

    expect(await send("u-default")).toBe(200);
    const patched = (await (await call("PATCH", `/api/sources/${s.id}`, { settings: { ipPolicy: "keep", consentCategories: ["tracking"] } })).json()) as Source;
    expect(patched.settings).toEqual({ ipPolicy: "keep", bots: "flag", consentCategories: ["tracking"] });
    expect(await send("u-kept")).toBe(200);
    expect(await send("u-refused", { consent: { categoryPreferences: { Tracking: false } } })).toBe(200);
    await call("PATCH", `/api/sources/${s.id}`, { settings: { ipPolicy: "drop" } });
    expect(await send("u-dropped")).toBe(200);
    await t.deps.events.store.store.writer.flush();
    expect(await Promise.all(["u-default", "u-kept", "u-refused", "u-dropped"].map(ipOf))).toEqual(["203.0.113.0", "203.0.113.77", "not stored", "no ip"]);

    const bad = await call("PATCH", `/api/sources/${s.id}`, { settings: { ipPolicy: "anonymise" } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain("ipPolicy");
    expect((await call("PATCH", `/api/sources/${s.id}`, { settings: { retention: 30 } })).status).toBe(400);
    const audited = await t.deps.kdb.selectFrom("audit_log").select(["action", "detail"]).where("action", "=", "source.updated").orderBy("id").executeTakeFirstOrThrow();
    expect(JSON.parse(audited.detail!)).toEqual({ settings: { ipPolicy: "keep", consentCategories: ["tracking"] } });
  });

  test.each([
    ["an unknown field", { name: "x", writeKey: "mine" }],
    ["a bad kind", { name: "x", kind: "Not Valid" }],
    ["a too long name", { name: "x".repeat(101) }],
  ])("creating with %s is a 400", async (_n, body) => {
    const t = testApp();
    const admin = await t.asUser("admin");
    expect((await t.call("POST", "/api/sources", { headers: admin.headers, json: body })).status).toBe(400);
  });
});

describe("TESSERA_WRITE_KEY", () => {
  test("creates source default once, re-keys an existing default, re-enables it", async () => {
    const t = testApp();
    const { db, kdb, crypto } = t.deps;
    await ensureDefaultSource(db, kdb, crypto, "key-from-env-1", t.clock.now, silentLogger);
    await ensureDefaultSource(db, kdb, crypto, "key-from-env-1", t.clock.now, silentLogger);
    expect((await kdb.selectFrom("sources").select("name").execute()).map((r) => r.name)).toEqual(["default"]);
    expect(findSourceByWriteKey(db, crypto, "key-from-env-1")?.name).toBe("default");

    await kdb.updateTable("sources").set({ disabled_at: 1 }).execute();
    await ensureDefaultSource(db, kdb, crypto, "key-from-env-2", t.clock.now, silentLogger);
    expect(findSourceByWriteKey(db, crypto, "key-from-env-1")).toBeNull();
    expect(findSourceByWriteKey(db, crypto, "key-from-env-2")?.name).toBe("default");
    expect(await kdb.selectFrom("sources").select("id").execute()).toHaveLength(1);
  });
});

describe("the system source", () => {
  test("is created once, and its write key cannot ingest", async () => {
    const t = testApp();
    const { db, kdb, crypto } = t.deps;
    const id = await ensureSystemSource(db, kdb, crypto, t.clock.now);
    expect(await ensureSystemSource(db, kdb, crypto, t.clock.now)).toBe(id);
    const row = await kdb.selectFrom("sources").select(["name", "kind", "write_key_enc", "disabled_at"]).where("id", "=", id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ name: "tessera", kind: "system", disabled_at: t.clock.now });
    expect(findSourceByWriteKey(db, crypto, crypto.decrypt(row.write_key_enc))).toBeNull();
  });
});
