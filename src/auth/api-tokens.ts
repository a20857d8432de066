/**
 * API tokens for scripts and integrations (`Authorization: Bearer tsk_…`). The token is shown once at
 * creation; the database keeps its SHA-256 and a short prefix so people can tell tokens apart.
 */
import { timingSafeEqual } from "node:crypto";
import type { Kdb } from "../db/kysely.ts";
import { randomToken, sha256Hex } from "../crypto/crypto.ts";
import type { Role } from "./roles.ts";

/** TOKEN_PREFIX marks Tessera API tokens, so secret scanners and people recognise them. */
export const TOKEN_PREFIX = "tsk_";
// Updating last_used_at on every request would turn each API read into a write; once a minute is enough.
const TOUCH_EVERY_MS = 60_000;

/** ApiToken is a token as listed (never the secret). */
export interface ApiToken {
  id: number;
  name: string;
  prefix: string;
  role: Role;
  createdBy: string | null;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

type Row = { id: number; name: string; prefix: string; role: Role; created_by: string | null; created_at: number; last_used_at: number | null; revoked_at: number | null };

function toToken(r: Row): ApiToken {
  return { id: r.id, name: r.name, prefix: r.prefix, role: r.role, createdBy: r.created_by, createdAt: r.created_at, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at };
}

/** createApiToken stores a new token and returns it with its secret, which is not recoverable later. */
export async function createApiToken(kdb: Kdb, t: { name: string; role: Role; createdBy: string }, now: number): Promise<ApiToken & { token: string }> {
  const token = randomToken(TOKEN_PREFIX, 40);
  const row = await kdb
    .insertInto("api_tokens")
    .values({ name: t.name, token_hash: sha256Hex(token), prefix: token.slice(0, TOKEN_PREFIX.length + 6), role: t.role, created_by: t.createdBy, created_at: now, last_used_at: null, revoked_at: null })
    .returning(["id", "name", "prefix", "role", "created_by", "created_at", "last_used_at", "revoked_at"])
    .executeTakeFirstOrThrow();
  return { ...toToken(row), token };
}

/** listApiTokens lists every token, newest first, revoked ones included (they explain audit entries). */
export async function listApiTokens(kdb: Kdb): Promise<ApiToken[]> {
  const rows = await kdb
    .selectFrom("api_tokens")
    .select(["id", "name", "prefix", "role", "created_by", "created_at", "last_used_at", "revoked_at"])
    .orderBy("id", "desc")
    .execute();
  return rows.map(toToken);
}

/** revokeApiToken revokes a live token; it returns false when there was none with that id. */
export async function revokeApiToken(kdb: Kdb, id: number, now: number): Promise<boolean> {
  const r = await kdb.updateTable("api_tokens").set({ revoked_at: now }).where("id", "=", id).where("revoked_at", "is", null).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** findApiToken resolves a bearer token to its live record. */
export async function findApiToken(kdb: Kdb, token: string, now: number): Promise<ApiToken | null> {
  if (!token.startsWith(TOKEN_PREFIX)) return null;
  const row = await kdb
    .selectFrom("api_tokens")
    .select(["id", "name", "prefix", "role", "created_by", "created_at", "last_used_at", "revoked_at"])
    .where("token_hash", "=", sha256Hex(token))
    .executeTakeFirst();
  if (!row || row.revoked_at !== null) return null;
  if (row.last_used_at === null || now - row.last_used_at > TOUCH_EVERY_MS) {
    await kdb.updateTable("api_tokens").set({ last_used_at: now }).where("id", "=", row.id).execute();
  }
  return toToken(row);
}

/** sameSecret compares two secrets in constant time (TESSERA_ADMIN_TOKEN against a bearer value). */
export function sameSecret(a: string, b: string): boolean {
  const ha = Buffer.from(sha256Hex(a), "hex");
  const hb = Buffer.from(sha256Hex(b), "hex");
  return timingSafeEqual(ha, hb);
}
