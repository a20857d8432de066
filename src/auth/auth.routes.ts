/**
 * /api/auth and /api/setup: first-run setup, login, logout and "who am I". Login and setup are the only
 * public state-changing routes; both are rate limited per IP (and login per e-mail) and answer 429 with
 * Retry-After when the bucket is empty.
 */
import { Hono, type Context } from "hono";
import { z } from "zod";
import type { AppDeps } from "../http/deps.ts";
import { endpoint } from "../http/endpoint.ts";
import type { AppEnv } from "../http/env.ts";
import { auditRequest } from "./audit-request.ts";
import { audit } from "./audit.ts";
import { ROLE_PERMISSIONS, RoleSchema } from "./roles.ts";
import type { TokenBucket } from "./rate-limit.ts";
import { clearSessionCookie, createSession, deleteSession, setSessionCookie } from "./sessions.ts";
import { countUsers, createUser, Email, Password, verifyLogin, type User } from "./users.ts";

const Credentials = z.object({ email: Email, password: z.string().min(1).max(200) });
const SetupBody = z.object({ code: z.string().min(1).max(40), email: Email, password: Password, name: z.string().max(100).optional() });
const UserOut = z.object({ id: z.number(), email: z.string(), name: z.string().nullable(), role: RoleSchema });
const SessionOut = z.object({ user: UserOut, csrf: z.string().describe("send back as X-CSRF-Token on state-changing requests") });
const MeOut = z.object({
  kind: z.enum(["user", "token"]),
  email: z.string().nullable(),
  name: z.string().nullable(),
  role: RoleSchema,
  permissions: z.array(z.string()),
  csrf: z.string().nullable().describe("null for bearer tokens, which need no CSRF token"),
});

/** Me is the answer of GET /api/auth/me (the dashboard imports this type). */
export type Me = z.infer<typeof MeOut>;

function userOut(u: User): z.infer<typeof UserOut> {
  return { id: u.id, email: u.email, name: u.name, role: u.role };
}

function limited(c: Context<AppEnv>, checks: [TokenBucket, string][], now: number): Response | null {
  for (const [bucket, key] of checks) {
    const r = bucket.take(key, now);
    if (!r.ok) {
      c.header("Retry-After", String(r.retryAfterSec));
      // retryAfterSec too, so a dashboard can say it in its own language.
      return c.json({ error: `too many attempts; try again in ${r.retryAfterSec} s`, retryAfterSec: r.retryAfterSec }, 429);
    }
  }
  return null;
}

async function startSession(deps: AppDeps, c: Context<AppEnv>, user: User) {
  const now = deps.now();
  const s = await createSession(deps.kdb, user.id, { ip: c.get("clientIp"), userAgent: c.req.header("user-agent") ?? null }, now);
  setSessionCookie(c, s.token, s.expiresAt, now);
  return { user: userOut(user), csrf: s.csrf };
}

/** setupRoutes is mounted at /api/setup. */
export function setupRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .get(
      "/",
      endpoint({
        summary: "Whether the first-run setup is still open, and whether the caller is signed in",
        tags: ["auth"], access: "public",
        response: z.object({ needed: z.boolean(), signedIn: z.boolean().describe("a valid session cookie or token came with the request") }),
      }),
      // The dashboard asks this first, so a signed-out visit never shows the browser's red 401 in the console.
      async (c) => c.json({ needed: (await countUsers(deps.kdb)) === 0, signedIn: c.get("principal") !== null }),
    )
    .post(
      "/",
      endpoint({ summary: "Create the first admin with the setup code from the server log", tags: ["auth"], access: "public", body: SetupBody, response: SessionOut, status: 201 }),
      async (c) => {
        const body = c.req.valid("json");
        const tooMany = limited(c, [[deps.limits.byIp, `setup:${c.get("clientIp")}`]], deps.now());
        if (tooMany) return tooMany;
        if ((await countUsers(deps.kdb)) > 0) return c.json({ error: "setup is already done; log in instead" }, 409);
        if (!deps.setup.matches(body.code)) return c.json({ error: "wrong setup code; it is printed in the server log" }, 403);
        const user = await createUser(deps.kdb, { email: body.email, password: body.password, role: "admin", name: body.name ?? null }, deps.now());
        deps.setup.close();
        deps.log.info("first admin created through setup; the setup code is no longer valid", { email: user.email });
        const out = await startSession(deps, c, user);
        await audit(deps.kdb, { actor: `user:${user.email}`, action: "setup.admin_created", target: `user:${user.email}`, ip: c.get("clientIp") }, deps.now());
        return c.json(out, 201);
      },
    );
}

/** authRoutes is mounted at /api/auth. */
export function authRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .post(
      "/login",
      endpoint({ summary: "Log in with e-mail and password (sets the session cookie)", tags: ["auth"], access: "public", body: Credentials, response: SessionOut }),
      async (c) => {
        const { email, password } = c.req.valid("json");
        const tooMany = limited(c, [[deps.limits.byIp, c.get("clientIp")], [deps.limits.byEmail, email]], deps.now());
        if (tooMany) return tooMany;
        const user = await verifyLogin(deps.kdb, email, password);
        if (!user) {
          await auditRequest(deps, c, "auth.login_failed", `user:${email}`);
          return c.json({ error: "wrong e-mail or password" }, 401);
        }
        const out = await startSession(deps, c, user);
        return c.json(out, 200);
      },
    )
    .post(
      "/logout",
      endpoint({ summary: "End the current session", tags: ["auth"], access: "read", response: z.object({ ok: z.boolean() }) }),
      async (c) => {
        const p = c.get("principal");
        if (p?.kind === "user") await deleteSession(deps.kdb, p.sessionId);
        clearSessionCookie(c);
        return c.json({ ok: true }, 200);
      },
    )
    .get(
      "/me",
      endpoint({ summary: "The caller, its role and permissions, and the CSRF token of its session", tags: ["auth"], access: "read", response: MeOut }),
      (c) => {
        const p = c.get("principal");
        if (!p) return c.json({ error: "authentication required" }, 401);
        return c.json({
          kind: p.kind,
          email: p.kind === "user" ? p.email : null,
          name: p.name,
          role: p.role,
          permissions: [...ROLE_PERMISSIONS[p.role]],
          csrf: p.kind === "user" ? p.csrf : null,
        }, 200);
      },
    );
}
