/** /api/sources: sources and their write keys (everyone can read; only admins change them). */
import { Hono } from "hono";
import { z } from "zod";
import { auditRequest } from "../auth/audit-request.ts";
import type { AppDeps } from "../http/deps.ts";
import { endpoint } from "../http/endpoint.ts";
import type { AppEnv } from "../http/env.ts";
import { SourceSettings } from "../ingest/source.ts";
import { createSource, deleteSource, getSource, listSources, SourceConflict, SourceKind, SourceSchema, updateSource } from "./sources.ts";

const Name = z.string().trim().min(1).max(100);
/**
 * writeKey keeps the key an app's SDKs already send (its Segment, RudderStack or PostHog key), so switching
 * to Tessera is a change of host only. A colon or a space would not survive Basic auth or Jitsu's key:secret.
 */
const ChosenWriteKey = z.string().trim().min(8, "at least 8 characters").max(200).regex(/^[^\s:]+$/, "no spaces or colons");
const NewSource = z.object({ name: Name, kind: SourceKind.optional(), writeKey: ChosenWriteKey.optional() }).strict();
const SourcePatch = z
  .object({
    name: Name.optional(),
    kind: SourceKind.optional(),
    disabled: z.boolean().optional(),
    rotateWriteKey: z.literal(true).optional(),
    // Only the keys sent change; the rest keep their values.
    settings: z
      .object({
        ipPolicy: SourceSettings.shape.ipPolicy.removeDefault(),
        bots: SourceSettings.shape.bots.removeDefault(),
        consentCategories: z.array(z.string().trim().min(1).max(64)).max(20),
      })
      .partial()
      .strict()
      .optional(),
  })
  .strict();
const IdParam = z.coerce.number().int().positive();

/** sourceRoutes is mounted at /api/sources. */
export function sourceRoutes(deps: AppDeps) {
  const { db, kdb, crypto } = deps;
  return new Hono<AppEnv>()
    .get("/", endpoint({ summary: "List sources with their write keys", tags: ["sources"], access: "read", response: z.object({ results: z.array(SourceSchema) }) }), async (c) =>
      c.json({ results: await listSources(kdb, crypto) }, 200),
    )
    .get("/:id", endpoint({ summary: "Get one source", tags: ["sources"], access: "read", response: SourceSchema }), async (c) => {
      const s = await getSource(kdb, crypto, IdParam.parse(c.req.param("id")));
      return s ? c.json(s, 200) : c.json({ error: "no source with that id" }, 404);
    })
    .post("/", endpoint({ summary: "Create a source with a new write key (or the one given, e.g. the key the app's SDKs already send)", tags: ["sources"], access: "admin", body: NewSource, response: SourceSchema, status: 201 }), async (c) => {
      try {
        const s = await createSource(db, kdb, crypto, c.req.valid("json"), deps.now());
        await auditRequest(deps, c, "source.created", `source:${s.name}#${s.id}`);
        return c.json(s, 201);
      } catch (e) {
        if (e instanceof SourceConflict) return c.json({ error: e.message }, 409);
        throw e;
      }
    })
    .patch("/:id", endpoint({ summary: "Rename, disable/enable, rotate the write key or change the data handling (settings) of a source", tags: ["sources"], access: "admin", body: SourcePatch, response: SourceSchema }), async (c) => {
      const id = IdParam.parse(c.req.param("id"));
      const patch = c.req.valid("json");
      try {
        const s = await updateSource(db, kdb, crypto, id, patch, deps.now());
        if (!s) return c.json({ error: "no source with that id" }, 404);
        await auditRequest(deps, c, patch.rotateWriteKey ? "source.key_rotated" : "source.updated", `source:${s.name}#${s.id}`, { name: patch.name, disabled: patch.disabled, settings: patch.settings });
        return c.json(s, 200);
      } catch (e) {
        if (e instanceof SourceConflict) return c.json({ error: e.message }, 409);
        throw e;
      }
    })
    .delete("/:id", endpoint({ summary: "Delete a source (its write key stops working; its events stay)", tags: ["sources"], access: "admin", response: z.object({ ok: z.boolean() }) }), async (c) => {
      const id = IdParam.parse(c.req.param("id"));
      if (!(await deleteSource(db, kdb, id))) return c.json({ error: "no source with that id" }, 404);
      await auditRequest(deps, c, "source.deleted", `source#${id}`);
      return c.json({ ok: true }, 200);
    });
}
