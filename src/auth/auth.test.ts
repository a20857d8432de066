/**
 * Protects the dashboard's front door: the first-run setup code (only someone who can read the server
 * log creates the admin, once), login and its cookie flags (HttpOnly, SameSite=Lax, Secure behind
 * https), sliding expiry, logout, rate limiting with Retry-After, and API tokens that are shown once and
 * stored only as hashes.
 */
import { describe, expect, test } from "bun:test";
import { sha256Hex } from "../crypto/crypto.ts";
import { cookieOf, testApp } from "../../test/app-helpers.ts";
import { SESSION_COOKIE, SESSION_IDLE_MS, SESSION_MAX_MS } from "./sessions.ts";
import { createUser, ensureAdmin, verifyLogin } from "./users.ts";
import { silentLogger } from "../log.ts";

const PASSWORD = "correct horse battery";

describe("first-run setup", () => {
  test("needs the code from the log, works once, then the code is dead", async () => {
    const t = testApp();
    expect(await (await t.call("GET", "/api/setup")).json()).toEqual({ needed: true, signedIn: false });
    const code = t.deps.setup.issue();
    const body = { code, email: "Admin@Example.com", password: PASSWORD };

    const wrong = await t.call("POST", "/api/setup", { json: { ...body, code: "AAAA-BBBB-CCCC" } });
    expect(wrong.status).toBe(403);

    const ok = await t.call("POST", "/api/setup", { json: { ...body, code: code.toLowerCase().replace(/-/g, " ") } });
    expect(ok.status).toBe(201);
    const out = (await ok.json()) as { user: { email: string; role: string }; csrf: string };
    expect(out.user).toMatchObject({ email: "admin@example.com", role: "admin" });
    expect(cookieOf(ok, SESSION_COOKIE)).toBeTruthy();
    expect(t.deps.setup.pending).toBe(false);

    const again = await t.call("POST", "/api/setup", { json: { ...body, email: "second@example.com" } });
    expect(again.status).toBe(409);
    expect(await (await t.call("GET", "/api/setup")).json()).toEqual({ needed: false, signedIn: false });
    // The session the setup started is seen by the same public route (the dashboard's first question).
    const cookie = `${SESSION_COOKIE}=${cookieOf(ok, SESSION_COOKIE)}`;
    expect(await (await t.call("GET", "/api/setup", { headers: { cookie } })).json()).toEqual({ needed: false, signedIn: true });

    const audit = await t.deps.kdb.selectFrom("audit_log").select("action").execute();
    expect(audit.map((a) => a.action)).toContain("setup.admin_created");
  });

  test.each([
    ["a short password", { email: "a@example.com", password: "short" }],
    ["a bad e-mail", { email: "not-an-email", password: PASSWORD }],
    ["no code", { code: "", email: "a@example.com", password: PASSWORD }],
  ])("rejects %s with 400 and the zod issues", async (_n, partial) => {
    const t = testApp();
    const code = t.deps.setup.issue();
    const res = await t.call("POST", "/api/setup", { json: { code, ...partial } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { issues: unknown[] }).issues.length).toBeGreaterThan(0);
  });

  test("without an issued code nobody can set up, even with a guess", async () => {
    const t = testApp();
    const res = await t.call("POST", "/api/setup", { json: { code: "AAAA-BBBB-CCCC", email: "a@example.com", password: PASSWORD } });
    expect(res.status).toBe(403);
  });
});

describe("login, session cookie, logout", () => {
  test("login sets an HttpOnly, SameSite=Lax cookie that authenticates; logout ends it", async () => {
    const t = testApp();
    await createUser(t.deps.kdb, { email: "ana@example.com", password: PASSWORD, role: "analyst" }, t.clock.now);
    const res = await t.call("POST", "/api/auth/login", { json: { email: "ANA@example.com", password: PASSWORD } });
    expect(res.status).toBe(200);
    const setCookie = res.headers.getSetCookie().join("\n");
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("SameSite=Lax");
    expect(setCookie).toContain("Path=/");
    expect(setCookie).not.toContain("Secure");
    const token = cookieOf(res, SESSION_COOKIE) ?? "";
    const { csrf } = (await res.json()) as { csrf: string };

    const stored = await t.deps.kdb.selectFrom("sessions").select("id").execute();
    expect(stored.map((s) => s.id)).toEqual([sha256Hex(token)]);

    const cookie = `${SESSION_COOKIE}=${token}`;
    const me = await t.call("GET", "/api/auth/me", { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ kind: "user", email: "ana@example.com", role: "analyst", permissions: ["read"], csrf });

    const out = await t.call("POST", "/api/auth/logout", { headers: { cookie, "x-csrf-token": csrf } });
    expect(out.status).toBe(200);
    expect(out.headers.getSetCookie().join()).toContain("Max-Age=0");
    expect((await t.call("GET", "/api/auth/me", { headers: { cookie } })).status).toBe(401);
  });

  test.each([
    ["X-Forwarded-Proto: https", "http://localhost/api/auth/login", { "x-forwarded-proto": "https" }],
    ["an https URL", "https://tessera.example.com/api/auth/login", {}],
  ])("the cookie is Secure behind %s", async (_n, url, headers) => {
    const t = testApp();
    await createUser(t.deps.kdb, { email: "a@example.com", password: PASSWORD, role: "admin" }, t.clock.now);
    const res = await t.app.request(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ email: "a@example.com", password: PASSWORD }) });
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie().join()).toContain("Secure");
  });

  test.each([
    ["a wrong password", "a@example.com", "wrong password!"],
    ["an unknown e-mail", "nobody@example.com", PASSWORD],
  ])("%s → 401 with the same message", async (_n, email, password) => {
    const t = testApp();
    await createUser(t.deps.kdb, { email: "a@example.com", password: PASSWORD, role: "admin" }, t.clock.now);
    const res = await t.call("POST", "/api/auth/login", { json: { email, password } });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: "wrong e-mail or password" });
    expect(cookieOf(res, SESSION_COOKIE)).toBeUndefined();
  });

  test("a disabled user cannot log in", async () => {
    const t = testApp();
    const u = await createUser(t.deps.kdb, { email: "a@example.com", password: PASSWORD, role: "admin" }, t.clock.now);
    await t.deps.kdb.updateTable("users").set({ disabled_at: t.clock.now }).where("id", "=", u.id).execute();
    expect(await verifyLogin(t.deps.kdb, "a@example.com", PASSWORD)).toBeNull();
  });

  test("sessions slide while used, expire when idle, and end at the absolute maximum", async () => {
    const t = testApp();
    const a = await t.asUser("admin");
    const me = () => t.call("GET", "/api/auth/me", { headers: a.headers });

    t.clock.advance(SESSION_IDLE_MS - 60_000);
    const renewed = await me();
    expect(renewed.status).toBe(200);
    expect(renewed.headers.getSetCookie().join()).toContain(SESSION_COOKIE);

    for (let used = SESSION_IDLE_MS; used < SESSION_MAX_MS - SESSION_IDLE_MS; used += SESSION_IDLE_MS / 2) {
      t.clock.advance(SESSION_IDLE_MS / 2);
      expect((await me()).status).toBe(200);
    }
    t.clock.advance(SESSION_IDLE_MS);
    expect((await me()).status).toBe(401);

    const b = await t.asUser("admin");
    t.clock.advance(SESSION_IDLE_MS + 1);
    expect((await t.call("GET", "/api/auth/me", { headers: b.headers })).status).toBe(401);
  });
});

describe("login rate limit", () => {
  test("per e-mail: 429 with Retry-After, then allowed again after waiting", async () => {
    const t = testApp();
    await createUser(t.deps.kdb, { email: "a@example.com", password: PASSWORD, role: "admin" }, t.clock.now);
    const attempt = (ip: string) => t.call("POST", "/api/auth/login", { json: { email: "a@example.com", password: "wrong password" }, headers: { "x-forwarded-for": ip } });
    for (let i = 0; i < 5; i++) expect((await attempt(`10.0.0.${i}`)).status).toBe(401);
    const blocked = await attempt("10.0.0.99");
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    // the seconds are in the body too, for the dashboard to say in its language
    expect((await blocked.json()).retryAfterSec).toBe(Number(blocked.headers.get("retry-after")));

    t.clock.advance(Number(blocked.headers.get("retry-after")) * 1000);
    expect((await attempt("10.0.0.100")).status).toBe(401);
  });

  test("per IP: many e-mails from one address are stopped", async () => {
    const t = testApp();
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await t.call("POST", "/api/auth/login", { json: { email: `u${i}@example.com`, password: "whatever1" }, headers: { "x-forwarded-for": "203.0.113.9" } });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
  });
});

describe("API tokens", () => {
  test("the secret is shown once, stored as a hash, works, and stops working when revoked", async () => {
    const t = testApp();
    const admin = await t.asUser("admin");
    const created = await t.call("POST", "/api/tokens", { headers: admin.headers, json: { name: "ci", role: "analyst" } });
    expect(created.status).toBe(201);
    const { token, id } = (await created.json()) as { token: string; id: number };
    expect(token).toMatch(/^tsk_[0-9A-Za-z]{40}$/);

    const rows = await t.deps.kdb.selectFrom("api_tokens").selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.token_hash).toBe(sha256Hex(token));
    expect(JSON.stringify(rows)).not.toContain(token);

    const list = await (await t.call("GET", "/api/tokens", { headers: admin.headers })).text();
    expect(list).toContain('"name":"ci"');
    expect(list).not.toContain(token);

    const bearer = { authorization: `Bearer ${token}` };
    expect((await t.call("GET", "/api/sources", { headers: bearer })).status).toBe(200);
    expect((await t.call("POST", "/api/sources", { headers: bearer, json: { name: "x" } })).status).toBe(403);

    expect((await t.call("DELETE", `/api/tokens/${id}`, { headers: admin.headers })).status).toBe(200);
    expect((await t.call("GET", "/api/sources", { headers: bearer })).status).toBe(401);
    expect((await t.call("DELETE", `/api/tokens/${id}`, { headers: admin.headers })).status).toBe(404);
  });

  test("TESSERA_ADMIN_TOKEN is an admin token", async () => {
    const t = testApp({ env: { TESSERA_ADMIN_TOKEN: "a-very-long-admin-token" } });
    const res = await t.call("POST", "/api/sources", { headers: { authorization: "Bearer a-very-long-admin-token" }, json: { name: "web" } });
    expect(res.status).toBe(201);
    const audit = await t.deps.kdb.selectFrom("audit_log").select(["actor", "action"]).execute();
    expect(audit).toEqual([{ actor: "token:TESSERA_ADMIN_TOKEN", action: "source.created" }]);
  });
});

describe("admin from the environment", () => {
  test("is created, then kept admin with the configured password", async () => {
    const t = testApp();
    await ensureAdmin(t.deps.kdb, "boss@example.com", PASSWORD, t.clock.now, silentLogger);
    expect(await verifyLogin(t.deps.kdb, "boss@example.com", PASSWORD)).toMatchObject({ role: "admin" });
    await t.deps.kdb.updateTable("users").set({ role: "analyst", disabled_at: 1 }).execute();
    await ensureAdmin(t.deps.kdb, "boss@example.com", "another password", t.clock.now, silentLogger);
    expect(await verifyLogin(t.deps.kdb, "boss@example.com", "another password")).toMatchObject({ role: "admin", disabled: false });
    expect(await verifyLogin(t.deps.kdb, "boss@example.com", PASSWORD)).toBeNull();
  });
});
