/**
 * Dashboard sessions. The cookie holds 32 random bytes; the database keeps only their SHA-256 (a copied
 * database yields no live session). Sessions slide: each use within the last part of the idle window
 * extends it, up to an absolute lifetime, so a stolen cookie does not live forever.
 */
import { randomBytes } from "node:crypto";
import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import type { Kdb } from "../db/kysely.ts";
import { sha256Hex } from "../crypto/crypto.ts";
import type { Role } from "./roles.ts";

/** SESSION_COOKIE is the cookie's name. */
export const SESSION_COOKIE = "tessera_session";
/** SESSION_IDLE_MS is how long a session lives without use. */
export const SESSION_IDLE_MS = 7 * 24 * 3600_000;
/** SESSION_MAX_MS caps a session's life however active it is. */
export const SESSION_MAX_MS = 30 * 24 * 3600_000;
// Renew at most hourly: a write per request would put the sessions table on the hot path.
const RENEW_AFTER_MS = 3600_000;

/** SessionUser is what a valid session resolves to. */
export interface SessionUser {
  sessionId: string;
  csrf: string;
  expiresAt: number;
  createdAt: number;
  userId: number;
  email: string;
  name: string | null;
  role: Role;
}

/** createSession stores a new session and returns the cookie value (shown only here) and its CSRF token. */
export async function createSession(
  kdb: Kdb,
  userId: number,
  meta: { ip: string | null; userAgent: string | null },
  now: number,
): Promise<{ token: string; csrf: string; expiresAt: number }> {
  const token = randomBytes(32).toString("base64url");
  const csrf = randomBytes(24).toString("base64url");
  const expiresAt = now + SESSION_IDLE_MS;
  await kdb
    .insertInto("sessions")
    .values({ id: sha256Hex(token), user_id: userId, csrf, created_at: now, expires_at: expiresAt, ip: meta.ip, user_agent: meta.userAgent?.slice(0, 300) ?? null })
    .execute();
  return { token, csrf, expiresAt };
}

/**
 * findSession resolves a cookie value to its live session and user, renewing the expiry when due.
 * It returns `renewedUntil` when the cookie should be re-sent with a later expiry.
 */
export async function findSession(kdb: Kdb, token: string, now: number): Promise<(SessionUser & { renewedUntil: number | null }) | null> {
  const id = sha256Hex(token);
  const row = await kdb
    .selectFrom("sessions as s")
    .innerJoin("users as u", "u.id", "s.user_id")
    .select(["s.id", "s.csrf", "s.expires_at", "s.created_at", "u.id as user_id", "u.email", "u.name", "u.role", "u.disabled_at"])
    .where("s.id", "=", id)
    .executeTakeFirst();
  if (!row || row.expires_at <= now || row.disabled_at !== null) return null;
  let expiresAt = row.expires_at;
  let renewedUntil: number | null = null;
  const target = Math.min(now + SESSION_IDLE_MS, row.created_at + SESSION_MAX_MS);
  if (target - expiresAt >= RENEW_AFTER_MS) {
    await kdb.updateTable("sessions").set({ expires_at: target }).where("id", "=", id).execute();
    expiresAt = renewedUntil = target;
  }
  return {
    sessionId: row.id,
    csrf: row.csrf,
    expiresAt,
    createdAt: row.created_at,
    userId: row.user_id,
    email: row.email,
    name: row.name,
    role: row.role,
    renewedUntil,
  };
}

/** deleteSession ends one session (logout). */
export async function deleteSession(kdb: Kdb, sessionId: string): Promise<void> {
  await kdb.deleteFrom("sessions").where("id", "=", sessionId).execute();
}

/** deleteExpiredSessions removes dead sessions and returns how many. */
export async function deleteExpiredSessions(kdb: Kdb, now: number): Promise<number> {
  const r = await kdb.deleteFrom("sessions").where("expires_at", "<=", now).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** isHttps tells whether the browser reached us over TLS, directly or through a proxy that says so. */
export function isHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === "https:" || c.req.header("x-forwarded-proto")?.split(",")[0]?.trim() === "https";
}

/** setSessionCookie sends the session cookie: HttpOnly, SameSite=Lax, Secure whenever the request is https. */
export function setSessionCookie(c: Context, token: string, expiresAt: number, now: number): void {
  setCookie(c, SESSION_COOKIE, token, {
    path: "/",
    httpOnly: true,
    sameSite: "Lax",
    secure: isHttps(c),
    maxAge: Math.max(0, Math.floor((expiresAt - now) / 1000)),
  });
}

/** clearSessionCookie removes the cookie on logout. */
export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/", httpOnly: true, sameSite: "Lax", secure: isHttps(c) });
}
