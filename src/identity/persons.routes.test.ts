/**
 * Protects the person API through app.request(): the fixed search shape of SPEC §4/§5.0 (any identifier
 * value, encrypted ones included, or a trait value; cursor paging), the person page, the timeline, conflicts,
 * unmerge, deletion with suppression, export, guard settings — and that every route declares the
 * permission the role model expects (reads: "read", privacy and unmerge: "admin").
 */
import type { AppEnv } from "../http/env.ts";
import { onError } from "../http/errors.ts";
import { silentLogger } from "../log.ts";
import { describe, expect, test } from "bun:test";
import { Hono, type MiddlewareHandler } from "hono";
import { createKysely } from "../db/kysely.ts";
import { EventStore } from "../store/event-store.ts";
import { localReader } from "../store/reader-client.ts";
import type { IdentityInput } from "./identity-input.ts";
import { identityRoutes, personsRoutes, type Access } from "./persons.routes.ts";
import { identityDb, storeEvent } from "./test-helpers.ts";

const T0 = Date.UTC(2024, 8, 1, 12);

async function setup(role: "admin" | "analyst" = "admin") {
  const { db, identity } = identityDb();
  db.query("INSERT INTO sources (id, name, write_key_hash, write_key_enc, created_at) VALUES (1, 'web', 'h', 'e', 0)").run();
  const store = new EventStore<IdentityInput>(db, identity.resolve, { delayMs: 0 });
  const sendFrom = (source: number, ts: number, ...inputs: IdentityInput[]) =>
    store.writer.append(inputs.map((i, k) => storeEvent(i, { source, ts: ts + k, props: { k } })));
  const send = (ts: number, ...inputs: IdentityInput[]) => sendFrom(1, ts, ...inputs);
  const declared: { summary: string; access: Access }[] = [];
  const guard = (spec: { summary: string; access: Access }): MiddlewareHandler => {
    declared.push(spec);
    return async (c, next) => (spec.access === "admin" && role !== "admin" ? c.json({ error: "forbidden" }, 403) : next());
  };
  const audited: [string, string, unknown][] = [];
  const deps = {
    identity, kdb: createKysely(db), reader: localReader(db), guard, now: () => T0 + 1e6,
    personExtras: async (p: number) => ({ tags: [`tag-of-${p}`], audiences: [] }),
    audit: async (_c: unknown, action: string, target: string, detail?: unknown) => void audited.push([action, target, detail]),
  };
  const app = new Hono<AppEnv>().route("/api/persons", personsRoutes(deps)).route("/api/identity", identityRoutes(deps));
  app.onError(onError(silentLogger));
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await app.request(path, { method, body: body === undefined ? undefined : JSON.stringify(body), headers: { "content-type": "application/json", ...headers } });
    return { status: res.status, json: (await res.json()) as Record<string, any> };
  };
  await send(T0,
    { type: "identify", userId: "u-1", anonymousId: "a-1", traits: { set: { email: "Li.Lei@Example.cn", phone: "13800138000", city: "Shanghai", plan: "pro" } } },
    { type: "track", userId: "u-1", identifiers: [{ type: "wx_openid:wxmp1", id: "oMP-1" }] },
    { type: "identify", userId: "u-2", traits: { set: { city: "Shenzhen" } } },
    { type: "identify", userId: "u-3", anonymousId: "a-1" });
  return { db, identity, send, sendFrom, call, declared, audited };
}

describe("search", () => {
  test("finds by any identifier value (encrypted e-mail and phone too) and by trait value, in the fixed shape", async () => {
    const { call } = await setup();
    const byEmail = await call("GET", "/api/persons?search=li.lei@EXAMPLE.cn");
    expect(byEmail).toEqual({
      status: 200,
      json: {
        persons: [{
          id: expect.any(String),
          identifiers: [
            { type: "user_id", value: "u-1" }, { type: "phone", value: "+8613800138000" },
            { type: "email", value: "li.lei@example.cn" }, { type: "anonymous_id", value: "a-1" },
            { type: "wx_openid:wxmp1", value: "oMP-1" },
          ],
          traits: { email: "Li.Lei@Example.cn", phone: "13800138000", city: "Shanghai", plan: "pro" },
        }],
        next: null,
      },
    });
    const id = byEmail.json.persons[0].id;
    for (const q of ["138 0013 8000", "oMP-1", "u-1", "a-1"]) {
      expect((await call("GET", `/api/persons?search=${encodeURIComponent(q)}`)).json.persons.map((p: { id: string }) => p.id)).toEqual([id]);
    }
    expect((await call("GET", "/api/persons?search=nobody")).json).toEqual({ persons: [], next: null });
  });

  test("trait substring matches page newest first with a cursor", async () => {
    const { call } = await setup();
    const first = await call("GET", "/api/persons?search=sh&limit=1");
    expect(first.json.persons.map((p: { traits: { city: string } }) => p.traits.city)).toEqual(["Shenzhen"]);
    const second = await call("GET", `/api/persons?search=sh&limit=1&cursor=${first.json.next}`);
    expect(second.json.persons.map((p: { traits: { city: string } }) => p.traits.city)).toEqual(["Shanghai"]);
    expect(second.json.next).toBeNull();
    expect((await call("GET", "/api/persons?cursor=abc")).status).toBe(400);
  });

  test("trait search takes % and _ literally and matches numbers and any case", async () => {
    const { call, send } = await setup();
    await send(T0 + 10, { type: "identify", userId: "u-9", traits: { set: { discount: "50%_off", visits: 1234 } } });
    const found = async (q: string) =>
      (await call("GET", `/api/persons?search=${encodeURIComponent(q)}`)).json.persons.map((p: { traits: Record<string, unknown> }) => p.traits.discount ?? p.traits.city);
    expect(await found("50%_")).toEqual(["50%_off"]);
    expect(await found("5%off")).toEqual([]);
    expect(await found("0_o")).toEqual([]);
    expect(await found("123")).toEqual(["50%_off"]);
    expect(await found("SHANG")).toEqual(["Shanghai"]);
  });
});

describe("person page, timeline, conflicts", () => {
  test("the person page groups identifiers by channel and shows trait provenance and extras", async () => {
    const { call } = await setup();
    const id = (await call("GET", "/api/persons?search=u-1")).json.persons[0].id;
    const page = await call("GET", `/api/persons/${id}`);
    expect(page.status).toBe(200);
    expect(Object.keys(page.json.channels).sort()).toEqual(["app", "email", "phone", "wechat"]);
    // First seen is the first event's time (T0), not when the row was written.
    expect(page.json.firstSeen).toBe(new Date(T0).toISOString());
    expect(page.json.traitMeta.city).toEqual({ at: new Date(T0).toISOString(), source: "web", op: "set", via: { type: "user_id", value: "u-1" } });
    expect(page.json.tags).toEqual([`tag-of-${id}`]);
    expect((await call("GET", "/api/persons/999999")).status).toBe(404);
    expect((await call("GET", "/api/persons/abc")).status).toBe(400);
  });

  test("a request that is not of the schema is a 400 naming the part, worded by zod in the caller's language", async () => {
    const { call } = await setup();
    expect((await call("GET", "/api/persons?limit=0")).json.error).toBe("query: limit Too small: expected number to be >=1");
    expect((await call("GET", "/api/persons?limit=0", undefined, { "accept-language": "zh-CN,zh;q=0.9" })).json.error).toBe("query: limit 数值过小：期望 number >=1");
  });

  test("the timeline pages newest first with identifier, channel and source", async () => {
    const { call } = await setup();
    const id = (await call("GET", "/api/persons?search=u-1")).json.persons[0].id;
    const first = await call("GET", `/api/persons/${id}/events?limit=1`);
    expect(first.json.events).toEqual([{
      time: new Date(T0 + 1).toISOString(), event: "click", properties: { k: 1 },
      identifier: { type: "user_id", value: "u-1" }, channel: "app", source: "web",
    }]);
    const rest = await call("GET", `/api/persons/${id}/events?limit=10&cursor=${first.json.next}`);
    expect(rest.json.events.map((e: { event: string }) => e.event)).toEqual(["$identify"]);
    expect(rest.json.next).toBeNull();
    expect((await call("GET", `/api/persons/${id}/events?cursor=zzz`)).status).toBe(400);
  });

  test("an event from a platform source carries that platform's channel, whatever id it was sent with", async () => {
    const { db, call, sendFrom } = await setup();
    db.query("INSERT INTO sources (id, name, kind, write_key_hash, write_key_enc, created_at) VALUES (2, 'Tmall', 'tmall', 'h2', 'e2', 0)").run();
    // A marketplace connector sends the buyer's id as the anonymousId, declaring it as a taobao_buyer too.
    await sendFrom(2, T0 + 10, { type: "track", userId: "u-1", anonymousId: "tb-buyer-1", identifiers: [{ type: "taobao_buyer", id: "tb-buyer-1" }] });
    await sendFrom(2, T0 + 20, { type: "track", anonymousId: "tb-buyer-1" });
    const id = (await call("GET", "/api/persons?search=u-1")).json.persons[0].id;
    const events = (await call("GET", `/api/persons/${id}/events?limit=3`)).json.events as { identifier: { type: string }; channel: string; source: string }[];
    expect(events.map((e) => [e.identifier.type, e.channel, e.source])).toEqual([
      ["anonymous_id", "taobao", "Tmall"], ["user_id", "taobao", "Tmall"], ["user_id", "app", "web"],
    ]);
    // On the person page the buyer id the connector sent as anonymousId sits with Tmall's ids; the website's a-1 stays.
    const page = (await call("GET", `/api/persons/${id}`)).json;
    const byType = (list: { type: string; value: string }[]) => [...list].sort((a, b) => a.type.localeCompare(b.type));
    expect(byType(page.channels.taobao)).toEqual([{ type: "anonymous_id", value: "tb-buyer-1" }, { type: "taobao_buyer", value: "tb-buyer-1" }]);
    expect(page.channels.app).toEqual(expect.arrayContaining([{ type: "anonymous_id", value: "a-1" }, { type: "user_id", value: "u-1" }]));
  });

  test("conflicts name both sides; unmerge by edge and by identities; admin-only routes are guarded", async () => {
    const { call, declared, identity } = await setup();
    const conflicts = await call("GET", "/api/identity/conflicts");
    expect(conflicts.json.conflicts).toMatchObject([{ reason: "user_id", kind: "identify", source: "web",
      a: { type: "user_id", value: "u-3" }, b: { type: "anonymous_id", value: "a-1" } }]);
    const id = (await call("GET", "/api/persons?search=u-1")).json.persons[0].id;
    const edges = (await call("GET", `/api/persons/${id}/edges`)).json.edges as { id: string; b: number }[];
    const openid = identity.lookup("wx_openid:wxmp1", "oMP-1")!.identity;
    const split = await call("POST", `/api/persons/${id}/unmerge`, { edgeId: edges.find((e) => e.b === openid)!.id });
    expect(split.json.persons.map((p: { identities: number[] }) => p.identities.length)).toEqual([4, 1]);
    expect((await call("POST", `/api/persons/${id}/unmerge`, { edgeId: "a1" })).status).toBe(409);
    const phone = identity.lookup("phone", "13800138000")!.identity;
    expect((await call("POST", `/api/persons/${id}/unmerge`, { identities: [phone] })).json.persons).toHaveLength(2);
    expect((await call("POST", `/api/persons/${id}/unmerge`, { nope: 1 })).status).toBe(400);
    const access = Object.fromEntries(declared.map((d) => [d.summary, d.access]));
    expect(Object.values(access).filter((a) => a === "admin")).toHaveLength(9);
    expect(access["Search persons by identifier or trait value"]).toBe("read");
    expect(access["Delete a person and all their data"]).toBe("admin");
  });
});

describe("linking a refused pair", () => {
  test("an admin applies a refused link: one person, an admin edge that Unlink takes back, the conflict gone, audited", async () => {
    const { call, audited } = await setup();
    const [conflict] = (await call("GET", "/api/identity/conflicts")).json.conflicts as { id: number; a: { person: string }; b: { person: string } }[];
    expect(conflict!.a.person).not.toBe(conflict!.b.person); // u-3 was refused a-1 (u-1 holds it)
    const linked = await call("POST", `/api/identity/conflicts/${conflict!.id}/link`);
    expect(linked.status).toBe(200);
    const person = linked.json.person as string;
    expect(person).toBe(String(Math.min(Number(conflict!.a.person), Number(conflict!.b.person))));
    for (const q of ["u-1", "u-3"]) expect((await call("GET", `/api/persons?search=${q}`)).json.persons.map((p: { id: string }) => p.id)).toEqual([person]);
    expect((await call("GET", "/api/identity/conflicts")).json.conflicts).toEqual([]);
    expect((await call("POST", `/api/identity/conflicts/${conflict!.id}/link`)).status).toBe(404);
    expect(audited.map(([action, target]) => [action, target])).toEqual([["identity.link.forced", `person:${person}`]]);

    const edge = ((await call("GET", `/api/persons/${person}/edges`)).json.edges as { id: string; kind: string }[]).find((e) => e.kind === "admin")!;
    const split = await call("DELETE", `/api/identity/edges/${edge.id}`);
    expect(split.json.persons).toHaveLength(2);
    expect((await call("GET", "/api/persons?search=u-3")).json.persons[0].id).not.toBe(person);
  });
});

describe("privacy and settings routes", () => {
  test("delete with suppression, then 404; export returns the events; analysts are refused", async () => {
    const { call, send } = await setup();
    const id = (await call("GET", "/api/persons?search=u-2")).json.persons[0].id;
    const exported = await call("GET", `/api/persons/${id}/export`);
    expect(exported.json.events).toHaveLength(1);
    const del = await call("DELETE", `/api/persons/${id}?suppress=true`);
    expect(del.json.deleted).toMatchObject({ person: id, identities: 1, events: 1, suppressed: 2 }); // u-2 as user_id and as distinct_id
    expect((await call("GET", `/api/persons/${id}`)).status).toBe(404);
    expect((await send(T0, { type: "track", userId: "u-2" })).rejected).toHaveLength(1);
    const analyst = await setup("analyst");
    expect((await analyst.call("DELETE", `/api/persons/${id}`)).status).toBe(403);
    expect((await analyst.call("GET", "/api/identity/settings")).json.caps).toEqual({ wx_unionid: 1 });
  });

  test("suppressions: listed without values, checked by identifier as ingestion reads it, lifted so data flows again; all audited", async () => {
    const { call, send, audited } = await setup();
    const id = (await call("GET", "/api/persons?search=u-1")).json.persons[0].id;
    const del = await call("DELETE", `/api/persons/${id}?suppress=true`);
    // u-1, a-1, the e-mail, the phone, the openid, and u-1 as a PostHog distinct_id (the same user from PostHog)
    expect(del.json.deleted.suppressed).toBe(6);
    const list = await call("GET", "/api/identity/suppressions?limit=4");
    // (Not toMatchObject with expect.any: bun 1.4.5 writes the matcher into the object it checks.)
    expect([list.json.total, typeof list.json.next]).toEqual([6, "number"]);
    expect(list.json.suppressions).toHaveLength(4);
    expect(list.json.suppressions[0]).toEqual({ id: expect.any(Number), namespace: expect.any(String), createdAt: T0 + 1e6 });
    expect((await call("GET", `/api/identity/suppressions?cursor=${list.json.next}`)).json.suppressions).toHaveLength(2);
    // The e-mail as a person types it: case and spaces do not matter, as at the door.
    const email = await call("POST", "/api/identity/suppressions/check", { type: "email", value: " LI.LEI@example.CN " });
    expect(email.json.suppression).toMatchObject({ namespace: "email", createdAt: T0 + 1e6 });
    expect((await call("POST", "/api/identity/suppressions/check", { type: "email", value: "someone@else.cn" })).json).toEqual({ suppression: null });
    expect((await call("POST", "/api/identity/suppressions/check", { type: "phone", value: "12" })).status).toBe(400);
    expect((await send(T0 + 2e6, { type: "identify", userId: "new-login", traits: { set: { email: "li.lei@example.cn" } } })).rejected).toHaveLength(1);

    const lifted = await call("DELETE", `/api/identity/suppressions/${email.json.suppression.id}`);
    expect(lifted.json.lifted).toEqual(email.json.suppression);
    expect((await call("DELETE", `/api/identity/suppressions/${email.json.suppression.id}`)).status).toBe(404);
    expect((await call("GET", "/api/identity/suppressions")).json.total).toBe(5);
    expect((await send(T0 + 2e6, { type: "identify", userId: "new-login", traits: { set: { email: "li.lei@example.cn" } } })).stored).toBe(1);
    expect(audited.map(([action, target]) => [action, target])).toEqual([
      ["person.deleted", "person (deleted)"],
      ["identity.suppression.lifted", `suppression:${email.json.suppression.id}`],
    ]);
    expect(audited[0]![2]).toEqual({ persons: 1, identities: 5, events: 2, suppressed: 6 });
  });

  test("guard settings validate and apply", async () => {
    const { call } = await setup();
    expect((await call("PATCH", "/api/identity/settings", { caps: { email: 2 }, maxIdentities: 50 })).json).toMatchObject({ caps: { email: 2 }, maxIdentities: 50 });
    expect((await call("PATCH", "/api/identity/settings", { caps: { user_id: 3 } })).status).toBe(400);
    expect((await call("PATCH", "/api/identity/settings", { blockPatterns: ["(("] })).status).toBe(400);
  });
});
