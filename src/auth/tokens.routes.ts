/** /api/tokens: API tokens for scripts and integrations (admin only; the secret is shown once, at creation). */
import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../http/deps.ts";
import { endpoint } from "../http/endpoint.ts";
import type { AppEnv } from "../http/env.ts";
import { createApiToken, listApiTokens, revokeApiToken } from "./api-tokens.ts";
import { auditRequest } from "./audit-request.ts";
import { actorOf } from "./principal.ts";
import { RoleSchema } from "./roles.ts";

const TokenOut = z.object({
  id: z.number(),
  name: z.string(),
  prefix: z.string().describe("first characters of the token, to tell tokens apart"),
  role: RoleSchema,
  createdBy: z.string().nullable(),
  createdAt: z.number(),
  lastUsedAt: z.number().nullable(),
  revokedAt: z.number().nullable(),
});
const NewToken = z.object({ name: z.string().trim().min(1).max(100), role: RoleSchema });
const IdParam = z.coerce.number().int().positive();

/** tokenRoutes is mounted at /api/tokens. */
export function tokenRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .get("/", endpoint({ summary: "List API tokens", tags: ["tokens"], access: "admin", response: z.object({ results: z.array(TokenOut) }) }), async (c) =>
      c.json({ results: await listApiTokens(deps.kdb) }, 200),
    )
    .post(
      "/",
      endpoint({ summary: "Create an API token (the token is in this response only)", tags: ["tokens"], access: "admin", body: NewToken, response: TokenOut.extend({ token: z.string() }), status: 201 }),
      async (c) => {
        const body = c.req.valid("json");
        const t = await createApiToken(deps.kdb, { ...body, createdBy: actorOf(c.get("principal")) }, deps.now());
        await auditRequest(deps, c, "token.created", `token:${t.name}#${t.id}`, { role: t.role });
        return c.json(t, 201);
      },
    )
    .delete("/:id", endpoint({ summary: "Revoke an API token", tags: ["tokens"], access: "admin", response: z.object({ ok: z.boolean() }) }), async (c) => {
      const id = IdParam.parse(c.req.param("id"));
      if (!(await revokeApiToken(deps.kdb, id, deps.now()))) return c.json({ error: "no live token with that id" }, 404);
      await auditRequest(deps, c, "token.revoked", `token#${id}`);
      return c.json({ ok: true }, 200);
    });
}
