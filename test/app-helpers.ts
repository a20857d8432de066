/**
 * testApp gives a fully wired app over a fresh in-memory database, a fixed key and a fake clock, plus
 * one-line ways to call it as each kind of caller (PocketBase's ApiScenario, GoatCounter's gctest).
 */
import { createApiToken } from "../src/auth/api-tokens.ts";
import { createLoginLimits } from "../src/auth/rate-limit.ts";
import type { Role } from "../src/auth/roles.ts";
import { createSession, SESSION_COOKIE } from "../src/auth/sessions.ts";
import { SetupGate } from "../src/auth/setup.ts";
import { createUser } from "../src/auth/users.ts";
import { loadConfig, type Config } from "../src/config.ts";
import { createCrypto } from "../src/crypto/crypto.ts";
import { createKysely } from "../src/db/kysely.ts";
import { openLocalEvents } from "../src/events.ts";
import { createApp } from "../src/http/app.ts";
import type { AppDeps } from "../src/http/deps.ts";
import type { Job } from "../src/jobs/job.ts";
import { jobs as allJobs } from "../src/jobs/registry.ts";
import { Scheduler } from "../src/jobs/scheduler.ts";
import { silentLogger, type Logger } from "../src/log.ts";
import { freshDb } from "./helpers.ts";

/** T0 is the fake clock's start: 2026-01-01T00:00:00Z. */
export const T0 = Date.parse("2026-01-01T00:00:00Z");

/** Caller is how a request authenticates in tests. */
export type Caller = { headers: Record<string, string> };

export interface TestApp {
  app: ReturnType<typeof createApp>;
  deps: AppDeps;
  clock: { now: number; advance(ms: number): void };
  /** asUser creates a dashboard user with `role` and returns session cookie + CSRF headers. */
  asUser(role: Role, email?: string): Promise<Caller & { email: string; csrf: string }>;
  /** asToken creates an API token with `role` and returns the bearer header. */
  asToken(role: Role): Promise<Caller & { token: string }>;
  /** call sends a request through app.request(), JSON-encoding `json` when given. */
  call(method: string, path: string, opts?: { json?: unknown; headers?: Record<string, string>; body?: string }): Promise<Response>;
}

/** testApp builds the app; `env` overrides configuration variables, `jobs` the jobs table. */
export function testApp(opts: { env?: Record<string, string>; jobs?: readonly Job[]; log?: Logger; webRoot?: string | null } = {}): TestApp {
  const db = freshDb();
  const kdb = createKysely(db);
  const config: Config = loadConfig({ TESSERA_DATA_DIR: "/nonexistent-test-dir", ...opts.env });
  const crypto = createCrypto(new Uint8Array(32).fill(7));
  const clock = { now: T0, advance(ms: number) { clock.now += ms; } };
  const core = { db, kdb, config, crypto, log: opts.log ?? silentLogger, now: () => clock.now };
  const events = openLocalEvents(core);
  const scheduler = new Scheduler(opts.jobs ?? allJobs, { ...core, events }, config.timezone);
  const deps: AppDeps = { ...core, ready: () => true, setup: new SetupGate(), limits: createLoginLimits(), scheduler, webRoot: opts.webRoot ?? null, events };
  const app = createApp(deps);
  let n = 0;
  return {
    app,
    deps,
    clock,
    async asUser(role, email = `${role}${++n}@example.com`) {
      const u = await createUser(kdb, { email, password: "correct horse battery", role }, clock.now);
      const s = await createSession(kdb, u.id, { ip: null, userAgent: null }, clock.now);
      return { email, csrf: s.csrf, headers: { cookie: `${SESSION_COOKIE}=${s.token}`, "x-csrf-token": s.csrf } };
    },
    async asToken(role) {
      const t = await createApiToken(kdb, { name: `${role}-token-${++n}`, role, createdBy: "test" }, clock.now);
      return { token: t.token, headers: { authorization: `Bearer ${t.token}` } };
    },
    call(method, path, o = {}) {
      const headers: Record<string, string> = { ...o.headers };
      let body = o.body;
      if (o.json !== undefined) {
        body = JSON.stringify(o.json);
        headers["content-type"] = "application/json";
      }
      return Promise.resolve(app.request(path, { method, headers, body }));
    },
  };
}

/** cookieOf extracts a cookie's value from a response's Set-Cookie headers. */
export function cookieOf(res: Response, name: string): string | undefined {
  for (const h of res.headers.getSetCookie()) {
    const m = new RegExp(`^${name}=([^;]*)`).exec(h);
    if (m) return m[1];
  }
  return undefined;
}
