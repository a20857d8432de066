/**
 * authenticate resolves the caller of an /api request into `c.get("principal")` and enforces CSRF.
 * A bearer token (API token or TESSERA_ADMIN_TOKEN) needs no CSRF token: browsers never attach it on
 * their own. A session cookie is sent by the browser automatically, so every state-changing request
 * it authenticates must also carry the session's CSRF token in `X-CSRF-Token` (from GET /api/auth/me).
 * Whether a route needs a principal is the route's business (endpoint()); this middleware only says who.
 */
import type { MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { timingSafeEqual } from "node:crypto";
import type { AppDeps } from "../http/deps.ts";
import type { AppEnv } from "../http/env.ts";
import { findApiToken, sameSecret } from "./api-tokens.ts";
import { findSession, SESSION_COOKIE, setSessionCookie } from "./sessions.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function csrfMatches(sent: string | undefined, expected: string): boolean {
  if (sent === undefined) return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** authenticate is mounted on /api/*. */
export function authenticate(deps: Pick<AppDeps, "kdb" | "config" | "now">): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set("principal", null);
    const auth = c.req.header("authorization");
    if (auth !== undefined) {
      const m = /^Bearer\s+(\S+)$/i.exec(auth);
      if (!m?.[1]) return c.json({ error: "the Authorization header must be: Bearer <token>" }, 401);
      const bearer = m[1];
      if (deps.config.adminToken !== undefined && sameSecret(bearer, deps.config.adminToken)) {
        c.set("principal", { kind: "token", tokenId: null, name: "TESSERA_ADMIN_TOKEN", role: "admin" });
        return next();
      }
      const t = await findApiToken(deps.kdb, bearer, deps.now());
      if (!t) return c.json({ error: "invalid or revoked API token" }, 401);
      c.set("principal", { kind: "token", tokenId: t.id, name: t.name, role: t.role });
      return next();
    }
    const cookie = getCookie(c, SESSION_COOKIE);
    if (cookie !== undefined) {
      const now = deps.now();
      const s = await findSession(deps.kdb, cookie, now);
      if (s) {
        if (!SAFE_METHODS.has(c.req.method) && !csrfMatches(c.req.header("x-csrf-token"), s.csrf)) {
          return c.json({ error: "missing or wrong X-CSRF-Token header (get it from GET /api/auth/me)" }, 403);
        }
        if (s.renewedUntil !== null) setSessionCookie(c, cookie, s.renewedUntil, now);
        c.set("principal", { kind: "user", userId: s.userId, email: s.email, name: s.name, role: s.role, sessionId: s.sessionId, csrf: s.csrf });
      }
    }
    return next();
  };
}
