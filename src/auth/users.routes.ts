/**
 * /api/users: the team's dashboard accounts (admin only), and /api/auth/password for anyone to change
 * their own password. The last enabled admin can be neither demoted, disabled nor deleted, and nobody
 * disables or deletes themselves, so the appliance can never be locked out from the dashboard.
 */
import { Hono, type Context } from "hono";
import { z } from "zod";
import type { AppDeps } from "../http/deps.ts";
import { endpoint } from "../http/endpoint.ts";
import type { AppEnv } from "../http/env.ts";
import { auditRequest } from "./audit-request.ts";
import { RoleSchema } from "./roles.ts";
import { checkPassword, countActiveAdmins, createUser, deleteUser, Email, getUser, listUsers, Password, updateUser, type User } from "./users.ts";

const UserSchema = z.object({ id: z.number(), email: z.string(), name: z.string().nullable(), role: RoleSchema, createdAt: z.number(), disabled: z.boolean() });
const NewUser = z.object({ email: Email, password: Password, role: RoleSchema, name: z.string().trim().max(100).optional() }).strict();
const UserPatch = z.object({ role: RoleSchema.optional(), name: z.string().trim().max(100).nullable().optional(), disabled: z.boolean().optional(), password: Password.optional() }).strict();
const PasswordChange = z.object({ currentPassword: z.string().min(1).max(200), newPassword: Password }).strict();
const IdParam = z.coerce.number().int().positive();

function isUniqueViolation(e: unknown): boolean {
  return e instanceof Error && /UNIQUE constraint failed/.test(e.message);
}

/** lockoutReason says why a change would leave no enabled admin or remove the caller; null if it is fine. */
async function lockoutReason(deps: AppDeps, c: Context<AppEnv>, target: User, change: { role?: string; disabled?: boolean; deleted?: boolean }): Promise<string | null> {
  const p = c.get("principal");
  const self = p?.kind === "user" && p.userId === target.id;
  if (self && (change.disabled || change.deleted)) return "you cannot disable or delete your own account";
  const losesAdmin = target.role === "admin" && !target.disabled && (change.deleted || change.disabled || (change.role !== undefined && change.role !== "admin"));
  if (losesAdmin && (await countActiveAdmins(deps.kdb)) <= 1) return "this is the last enabled admin; make someone else admin first";
  return null;
}

/** userRoutes is mounted at /api/users. */
export function userRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .get("/", endpoint({ summary: "List dashboard users", tags: ["users"], access: "admin", response: z.object({ results: z.array(UserSchema) }) }), async (c) =>
      c.json({ results: await listUsers(deps.kdb) }, 200),
    )
    .post("/", endpoint({ summary: "Create a dashboard user", tags: ["users"], access: "admin", body: NewUser, response: UserSchema, status: 201 }), async (c) => {
      const body = c.req.valid("json");
      try {
        const u = await createUser(deps.kdb, { ...body, name: body.name ?? null }, deps.now());
        await auditRequest(deps, c, "user.created", `user:${u.email}`, { role: u.role });
        return c.json(u, 201);
      } catch (e) {
        if (isUniqueViolation(e)) return c.json({ error: `a user with e-mail ${body.email} already exists` }, 409);
        throw e;
      }
    })
    .patch("/:id", endpoint({ summary: "Change a user's role, name, password, or disable/enable them", tags: ["users"], access: "admin", body: UserPatch, response: UserSchema }), async (c) => {
      const target = await getUser(deps.kdb, IdParam.parse(c.req.param("id")));
      if (!target) return c.json({ error: "no user with that id" }, 404);
      const patch = c.req.valid("json");
      const refused = await lockoutReason(deps, c, target, patch);
      if (refused) return c.json({ error: refused }, 409);
      const u = await updateUser(deps.kdb, target.id, patch, deps.now());
      await auditRequest(deps, c, "user.updated", `user:${target.email}`, { role: patch.role, disabled: patch.disabled, passwordReset: patch.password !== undefined || undefined });
      return c.json(u, 200);
    })
    .delete("/:id", endpoint({ summary: "Delete a user (their sessions end)", tags: ["users"], access: "admin", response: z.object({ ok: z.boolean() }) }), async (c) => {
      const target = await getUser(deps.kdb, IdParam.parse(c.req.param("id")));
      if (!target) return c.json({ error: "no user with that id" }, 404);
      const refused = await lockoutReason(deps, c, target, { deleted: true });
      if (refused) return c.json({ error: refused }, 409);
      await deleteUser(deps.kdb, target.id);
      await auditRequest(deps, c, "user.deleted", `user:${target.email}`);
      return c.json({ ok: true }, 200);
    });
}

/** passwordRoutes is mounted at /api/auth/password: a logged-in user changes their own password. */
export function passwordRoutes(deps: AppDeps) {
  return new Hono<AppEnv>().post(
    "/",
    endpoint({ summary: "Change your own password (other sessions are logged out)", tags: ["auth"], access: "read", body: PasswordChange, response: z.object({ ok: z.boolean() }) }),
    async (c) => {
      const p = c.get("principal");
      if (p?.kind !== "user") return c.json({ error: "only dashboard users have a password; API tokens are revoked instead" }, 400);
      const { currentPassword, newPassword } = c.req.valid("json");
      if (!(await checkPassword(deps.kdb, p.userId, currentPassword))) return c.json({ error: "the current password is wrong" }, 403);
      await updateUser(deps.kdb, p.userId, { password: newPassword }, deps.now(), p.sessionId);
      await auditRequest(deps, c, "user.password_changed", `user:${p.email}`);
      return c.json({ ok: true }, 200);
    },
  );
}
