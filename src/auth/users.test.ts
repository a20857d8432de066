/**
 * Protects team accounts: admins add people with a role, change roles, disable and reset them (their
 * sessions end at once); nobody can lock the team out (last admin, own account); everyone can change
 * their own password, which logs out their other sessions.
 */
import { describe, expect, test } from "bun:test";
import { SESSION_COOKIE } from "./sessions.ts";
import { cookieOf, testApp } from "../../test/app-helpers.ts";
import { verifyLogin } from "./users.ts";

const PASSWORD = "correct horse battery";

describe("/api/users", () => {
  test("create, change role, disable (sessions end), reset password, delete", async () => {
    const t = testApp();
    const admin = await t.asUser("admin");
    const call = (m: string, p: string, json?: unknown) => t.call(m, p, { headers: admin.headers, json });

    const created = await call("POST", "/api/users", { email: "Ana@Example.com", password: PASSWORD, role: "analyst" });
    expect(created.status).toBe(201);
    const ana = (await created.json()) as { id: number; email: string };
    expect(ana.email).toBe("ana@example.com");
    expect((await call("POST", "/api/users", { email: "ana@example.com", password: PASSWORD, role: "admin" })).status).toBe(409);

    const login = await t.call("POST", "/api/auth/login", { json: { email: "ana@example.com", password: PASSWORD } });
    const anaCookie = { cookie: `${SESSION_COOKIE}=${cookieOf(login, SESSION_COOKIE)}` };
    expect(await (await t.call("GET", "/api/auth/me", { headers: anaCookie })).json()).toMatchObject({ role: "analyst" });

    await call("PATCH", `/api/users/${ana.id}`, { role: "operator" });
    expect(await (await t.call("GET", "/api/auth/me", { headers: anaCookie })).json()).toMatchObject({ role: "operator" });

    expect(((await (await call("PATCH", `/api/users/${ana.id}`, { disabled: true })).json()) as { disabled: boolean }).disabled).toBe(true);
    expect((await t.call("GET", "/api/auth/me", { headers: anaCookie })).status).toBe(401);
    expect(await verifyLogin(t.deps.kdb, "ana@example.com", PASSWORD)).toBeNull();

    await call("PATCH", `/api/users/${ana.id}`, { disabled: false, password: "a brand new password" });
    expect(await verifyLogin(t.deps.kdb, "ana@example.com", "a brand new password")).toMatchObject({ role: "operator" });

    expect((await call("DELETE", `/api/users/${ana.id}`)).status).toBe(200);
    expect((await call("DELETE", `/api/users/${ana.id}`)).status).toBe(404);
    const list = (await (await call("GET", "/api/users")).json()) as { results: { email: string }[] };
    expect(list.results.map((u) => u.email)).toEqual([admin.email]);

    const actions = (await t.deps.kdb.selectFrom("audit_log").select("action").orderBy("id").execute()).map((a) => a.action);
    expect(actions).toEqual(["user.created", "user.updated", "user.updated", "user.updated", "user.deleted"]);
  });

  test.each([
    ["demote the last admin", (self: number) => ["PATCH", `/api/users/${self}`, { role: "analyst" }] as const, "last enabled admin"],
    ["disable yourself", (self: number) => ["PATCH", `/api/users/${self}`, { disabled: true }] as const, "your own account"],
    ["delete yourself", (self: number) => ["DELETE", `/api/users/${self}`, undefined] as const, "your own account"],
  ])("refuses to %s (409)", async (_n, req, message) => {
    const t = testApp();
    const admin = await t.asUser("admin");
    const self = (await t.deps.kdb.selectFrom("users").select("id").executeTakeFirstOrThrow()).id;
    const [m, p, json] = req(self);
    const res = await t.call(m, p, { headers: admin.headers, json });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: string }).error).toContain(message);
  });

  test("another admin can demote an admin when one admin remains", async () => {
    const t = testApp();
    const a = await t.asUser("admin");
    await t.asUser("admin", "second@example.com");
    const second = (await t.deps.kdb.selectFrom("users").select("id").where("email", "=", "second@example.com").executeTakeFirstOrThrow()).id;
    expect((await t.call("PATCH", `/api/users/${second}`, { headers: a.headers, json: { role: "analyst" } })).status).toBe(200);
  });
});

describe("changing your own password", () => {
  test("needs the current password and logs out your other sessions only", async () => {
    const t = testApp();
    const me = await t.asUser("analyst", "me@example.com");
    const other = await t.call("POST", "/api/auth/login", { json: { email: "me@example.com", password: "correct horse battery" } });
    const otherCookie = { cookie: `${SESSION_COOKIE}=${cookieOf(other, SESSION_COOKIE)}` };

    const wrong = await t.call("POST", "/api/auth/password", { headers: me.headers, json: { currentPassword: "nope", newPassword: "a brand new password" } });
    expect(wrong.status).toBe(403);
    const ok = await t.call("POST", "/api/auth/password", { headers: me.headers, json: { currentPassword: PASSWORD, newPassword: "a brand new password" } });
    expect(ok.status).toBe(200);
    expect((await t.call("GET", "/api/auth/me", { headers: me.headers })).status).toBe(200);
    expect((await t.call("GET", "/api/auth/me", { headers: otherCookie })).status).toBe(401);
    expect(await verifyLogin(t.deps.kdb, "me@example.com", "a brand new password")).not.toBeNull();
  });

  test("an API token has no password to change", async () => {
    const t = testApp();
    const tok = await t.asToken("admin");
    const res = await t.call("POST", "/api/auth/password", { headers: tok.headers, json: { currentPassword: "x", newPassword: "a brand new password" } });
    expect(res.status).toBe(400);
  });
});

describe("JSON bodies only", () => {
  test.each(["text/plain", "application/x-www-form-urlencoded", ""])("a %s body is refused with 415 (no cross-site form can log anyone in)", async (type) => {
    const t = testApp();
    const res = await t.app.request("/api/auth/login", { method: "POST", headers: type ? { "content-type": type } : {}, body: JSON.stringify({ email: "a@example.com", password: PASSWORD }) });
    expect(res.status).toBe(415);
  });
});
