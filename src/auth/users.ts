/**
 * Dashboard users: e-mail + password (hashed with Bun.password, argon2id) + role. Login answers the same
 * way and in about the same time whether the e-mail exists or not, so it cannot be used to list users.
 */
import type { Kdb } from "../db/kysely.ts";
import type { Logger } from "../log.ts";
import { z } from "zod";
import type { Role } from "./roles.ts";

/** Password is the one password policy: long enough to resist guessing, short enough to hash. */
export const Password = z.string().min(10, "the password must have at least 10 characters").max(200);
/** Email is normalised to lower case so a person has one account whatever they type. */
export const Email = z.email("must be an e-mail address").max(254).transform((e) => e.toLowerCase());

/** User is a user as the API shows it (never the hash). */
export interface User {
  id: number;
  email: string;
  name: string | null;
  role: Role;
  createdAt: number;
  disabled: boolean;
}

interface UserRow {
  id: number;
  email: string;
  name: string | null;
  password_hash: string;
  role: Role;
  created_at: number;
  disabled_at: number | null;
}

function toUser(r: UserRow): User {
  return { id: r.id, email: r.email, name: r.name, role: r.role, createdAt: r.created_at, disabled: r.disabled_at !== null };
}

/** countUsers is 0 exactly while the first-run setup is open. */
export async function countUsers(kdb: Kdb): Promise<number> {
  const r = await kdb.selectFrom("users").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
  return r.n;
}

/** createUser hashes the password and inserts the user; the e-mail must be new. */
export async function createUser(
  kdb: Kdb,
  u: { email: string; password: string; role: Role; name?: string | null },
  now: number,
): Promise<User> {
  const row = await kdb
    .insertInto("users")
    .values({
      email: u.email.toLowerCase(),
      name: u.name ?? null,
      password_hash: await Bun.password.hash(u.password),
      role: u.role,
      created_at: now,
      disabled_at: null,
      locale: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toUser(row);
}

let dummyHash: Promise<string> | undefined;

/** verifyLogin returns the enabled user whose password matches, else null. */
export async function verifyLogin(kdb: Kdb, email: string, password: string): Promise<User | null> {
  const row = await kdb.selectFrom("users").selectAll().where("email", "=", email.toLowerCase()).executeTakeFirst();
  if (!row) {
    // Spend the same time as a real check, so response time does not tell which e-mails exist.
    dummyHash ??= Bun.password.hash("tessera-dummy-password");
    await Bun.password.verify(password, await dummyHash);
    return null;
  }
  const ok = await Bun.password.verify(password, row.password_hash);
  return ok && row.disabled_at === null ? toUser(row) : null;
}

/**
 * ensureAdmin makes TESSERA_ADMIN_EMAIL/PASSWORD true at start: the user exists, is an enabled admin, and
 * the password is the configured one (the environment wins over a password changed since).
 */
export async function ensureAdmin(kdb: Kdb, email: string, password: string, now: number, log: Logger): Promise<void> {
  const row = await kdb.selectFrom("users").selectAll().where("email", "=", email.toLowerCase()).executeTakeFirst();
  if (!row) {
    await createUser(kdb, { email, password, role: "admin" }, now);
    log.info("created the admin user from TESSERA_ADMIN_EMAIL", { email });
    return;
  }
  const passwordOk = await Bun.password.verify(password, row.password_hash);
  if (passwordOk && row.role === "admin" && row.disabled_at === null) return;
  await kdb
    .updateTable("users")
    .set({ role: "admin", disabled_at: null, password_hash: passwordOk ? row.password_hash : await Bun.password.hash(password) })
    .where("id", "=", row.id)
    .execute();
  log.info("reset the admin user to TESSERA_ADMIN_EMAIL/TESSERA_ADMIN_PASSWORD", { email });
}

/** listUsers lists every user, oldest first. */
export async function listUsers(kdb: Kdb): Promise<User[]> {
  const rows = await kdb.selectFrom("users").selectAll().orderBy("id").execute();
  return rows.map(toUser);
}

/** getUser returns one user or null. */
export async function getUser(kdb: Kdb, id: number): Promise<User | null> {
  const row = await kdb.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? toUser(row) : null;
}

/** countActiveAdmins counts enabled admins; the last one may not be demoted, disabled or deleted. */
export async function countActiveAdmins(kdb: Kdb): Promise<number> {
  const r = await kdb
    .selectFrom("users")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("role", "=", "admin")
    .where("disabled_at", "is", null)
    .executeTakeFirstOrThrow();
  return r.n;
}

/**
 * updateUser changes role, name, enabled state or password. A new password or disabling ends the user's
 * sessions (except `keepSession`, the caller's own when changing their own password).
 */
export async function updateUser(
  kdb: Kdb,
  id: number,
  patch: { role?: Role; name?: string | null; disabled?: boolean; password?: string },
  now: number,
  keepSession?: string,
): Promise<User | null> {
  const set: { role?: Role; name?: string | null; disabled_at?: number | null; password_hash?: string } = {};
  if (patch.role !== undefined) set.role = patch.role;
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.disabled !== undefined) set.disabled_at = patch.disabled ? now : null;
  if (patch.password !== undefined) set.password_hash = await Bun.password.hash(patch.password);
  if (Object.keys(set).length > 0) await kdb.updateTable("users").set(set).where("id", "=", id).execute();
  if (patch.password !== undefined || patch.disabled === true) {
    let q = kdb.deleteFrom("sessions").where("user_id", "=", id);
    if (keepSession !== undefined) q = q.where("id", "!=", keepSession);
    await q.execute();
  }
  return getUser(kdb, id);
}

/** deleteUser removes a user and, by cascade, their sessions. */
export async function deleteUser(kdb: Kdb, id: number): Promise<boolean> {
  const r = await kdb.deleteFrom("users").where("id", "=", id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** checkPassword verifies a user's current password (for changing it). */
export async function checkPassword(kdb: Kdb, id: number, password: string): Promise<boolean> {
  const row = await kdb.selectFrom("users").select("password_hash").where("id", "=", id).executeTakeFirst();
  return row ? Bun.password.verify(password, row.password_hash) : false;
}
