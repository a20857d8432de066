/**
 * Protects SPEC §9's promise that auth is enforced on every route but ingestion and /healthz. The table
 * of (route × caller → status) is built from the routes actually mounted on the app, so a route added
 * by any room is covered without editing this file; a new public route or an undeclared /api route
 * fails here until someone decides about it on purpose.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { can, type Role } from "../auth/roles.ts";
import { createSession, SESSION_COOKIE } from "../auth/sessions.ts";
import { createUser } from "../auth/users.ts";
import { createApiToken } from "../auth/api-tokens.ts";
import { testApp } from "../../test/app-helpers.ts";
import { INGEST_PREFIXES } from "./app.ts";
import { specOf, type Access } from "./endpoint.ts";

// Every route open to anonymous callers, on purpose. Adding one means adding it here.
const PUBLIC = ["GET /healthz", "GET /api/setup", "POST /api/setup", "POST /api/auth/login", "POST /api/s/:type", "POST /api/s/s2s/:type"];
const ADMIN_TOKEN = "env-admin-token-0123456789";

const t = testApp({ env: { TESSERA_ADMIN_TOKEN: ADMIN_TOKEN } });

type Route = { method: string; path: string; access: Access | undefined };
const routes: Route[] = [];
{
  const seen = new Set<string>();
  for (const r of t.app.routes) {
    const key = `${r.method} ${r.path}`;
    if (r.method === "ALL" || r.path === "/*") continue; // middleware and the dashboard fallback
    const access = specOf(r.handler)?.access;
    const known = routes.find((x) => `${x.method} ${x.path}` === key);
    if (known && access !== undefined) known.access = access;
    if (!seen.has(key)) routes.push({ method: r.method, path: r.path, access });
    seen.add(key);
  }
}

const ROLES: Role[] = ["analyst", "operator", "admin"];
const users = new Map<Role, number>();
const tokens = new Map<Role, string>();

beforeAll(async () => {
  for (const role of ROLES) {
    users.set(role, (await createUser(t.deps.kdb, { email: `${role}@example.com`, password: "correct horse battery", role }, t.clock.now)).id);
    tokens.set(role, (await createApiToken(t.deps.kdb, { name: role, role, createdBy: "test" }, t.clock.now)).token);
  }
});

type Caller = { name: string; role: Role | null; headers: () => Promise<Record<string, string>> };
const callers: Caller[] = [
  { name: "anonymous", role: null, headers: async () => ({}) },
  ...ROLES.map((role): Caller => ({
    name: `${role} (session)`,
    role,
    // A fresh session per request: logout must not log out the rest of the table.
    headers: async () => {
      const s = await createSession(t.deps.kdb, users.get(role) ?? 0, { ip: null, userAgent: null }, t.clock.now);
      return { cookie: `${SESSION_COOKIE}=${s.token}`, "x-csrf-token": s.csrf };
    },
  })),
  ...ROLES.map((role): Caller => ({ name: `${role} (token)`, role, headers: async () => ({ authorization: `Bearer ${tokens.get(role)}` }) })),
  { name: "admin (TESSERA_ADMIN_TOKEN)", role: "admin", headers: async () => ({ authorization: `Bearer ${ADMIN_TOKEN}` }) },
];

function concrete(path: string): string {
  return path.replace(/:[A-Za-z0-9_]+/g, "999999");
}

function expected(access: Access, role: Role | null): "pass" | 401 | 403 {
  if (access === "public") return "pass";
  if (role === null) return 401;
  return can(role, access) ? "pass" : 403;
}

describe("route inventory", () => {
  test("the app has the foundation's routes", () => {
    const keys = routes.map((r) => `${r.method} ${r.path}`);
    for (const k of ["GET /api/sources", "POST /api/tokens", "PATCH /api/settings", "POST /api/jobs/:name/run", "GET /api/audit", "GET /api/openapi.json"]) {
      expect(keys).toContain(k);
    }
  });

  test("every /api route and /healthz declares its access with endpoint()", () => {
    const undeclared = routes.filter((r) => (r.path.startsWith("/api/") || r.path === "/healthz") && r.access === undefined);
    expect(undeclared.map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });

  test("routes outside /api are /healthz or ingestion", () => {
    const stray = routes.filter((r) => !r.path.startsWith("/api/") && r.path !== "/healthz" && !INGEST_PREFIXES.some((p) => r.path === p || r.path.startsWith(`${p}/`)));
    expect(stray.map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });

  test("the public routes are exactly the allowed list", () => {
    expect(routes.filter((r) => r.access === "public").map((r) => `${r.method} ${r.path}`).sort()).toEqual([...PUBLIC].sort());
  });
});

describe("route × caller → status", () => {
  const cases = routes
    .filter((r) => r.access !== undefined && r.access !== "public")
    .flatMap((r) => callers.map((c) => ({ route: r, caller: c, want: expected(r.access as Access, c.role) })));

  test.each(cases.map((c) => [`${c.route.method} ${c.route.path}`, c.caller.name, String(c.want), c] as const))("%s as %s → %s", async (_r, _c, _w, c) => {
    const headers = await c.caller.headers();
    const res = await t.call(c.route.method, concrete(c.route.path), c.route.method === "GET" ? { headers } : { headers, json: {} });
    if (c.want === "pass") {
      expect([401, 403]).not.toContain(res.status);
      expect(res.status).toBeLessThan(500);
    }
    else expect(res.status).toBe(c.want);
  });
});

describe("CSRF", () => {
  const unsafe = routes.filter((r) => r.access !== undefined && r.access !== "public" && r.method !== "GET");

  test("there are state-changing routes to check", () => {
    expect(unsafe.length).toBeGreaterThan(5);
  });

  test.each(unsafe.map((r) => [`${r.method} ${r.path}`, r] as const))("%s with a session cookie but no X-CSRF-Token → 403", async (_n, r) => {
    const s = await createSession(t.deps.kdb, users.get("admin") ?? 0, { ip: null, userAgent: null }, t.clock.now);
    const res = await t.call(r.method, concrete(r.path), { headers: { cookie: `${SESSION_COOKIE}=${s.token}` }, json: {} });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("X-CSRF-Token");
  });

  test.each(unsafe.map((r) => [`${r.method} ${r.path}`, r] as const))("%s with a wrong X-CSRF-Token → 403", async (_n, r) => {
    const s = await createSession(t.deps.kdb, users.get("admin") ?? 0, { ip: null, userAgent: null }, t.clock.now);
    const res = await t.call(r.method, concrete(r.path), { headers: { cookie: `${SESSION_COOKIE}=${s.token}`, "x-csrf-token": `${s.csrf}x` }, json: {} });
    expect(res.status).toBe(403);
  });
});

test("Jitsu's ingestion under /api/s takes its write key only: a dashboard session cookie without CSRF does not refuse it", async () => {
  const created = await t.call("POST", "/api/sources", { headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, json: { name: "jitsu-same-origin" } });
  const { writeKey } = (await created.json()) as { writeKey: string };
  const s = await createSession(t.deps.kdb, users.get("admin") ?? 0, { ip: null, userAgent: null }, t.clock.now);
  const res = await t.call("POST", "/api/s/track", {
    headers: { cookie: `${SESSION_COOKIE}=${s.token}`, "x-write-key": `${writeKey}:secret` },
    json: { type: "track", event: "Viewed", anonymousId: "jitsu-anon-1" },
  });
  expect([res.status, await res.json()]).toEqual([200, { success: true }]);
});

describe("bearer tokens", () => {
  test.each([
    ["a malformed Authorization header", "Basic abc"],
    ["an unknown token", "Bearer tsk_doesnotexist0000000000000000000000000000"],
    ["a non-token value", "Bearer hello"],
  ])("%s → 401 even on a public route's neighbour", async (_n, auth) => {
    const res = await t.call("GET", "/api/sources", { headers: { authorization: auth } });
    expect(res.status).toBe(401);
  });
});
