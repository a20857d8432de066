/**
 * buildOpenApi writes the OpenAPI 3.1 document from the routes mounted on the app: every handler made by
 * endpoint() carries its declaration, and z.toJSONSchema turns its zod schemas into JSON Schema. A route
 * is documented exactly as it is enforced, and a new route cannot be forgotten.
 */
import { z } from "zod";
import { specOf } from "./endpoint.ts";

/** MountedRoute is the part of Hono's `app.routes` entries the builder reads. */
export interface MountedRoute {
  method: string;
  path: string;
  handler: Function;
}

type JsonSchema = Record<string, unknown>;

function schema(s: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io, unrepresentable: "any" }) as JsonSchema;
  return rest;
}

/** toOpenApiPath turns Hono's `/api/sources/:id` into OpenAPI's `/api/sources/{id}`. */
export function toOpenApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, "{$1}");
}

/** buildOpenApi returns the document for every endpoint() route in `routes`. */
export function buildOpenApi(routes: readonly MountedRoute[], info: { title: string; version: string }): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const r of routes) {
    const spec = specOf(r.handler);
    if (!spec) continue;
    const path = toOpenApiPath(r.path);
    const parameters: JsonSchema[] = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: "string" } }));
    if (spec.query) {
      const q = schema(spec.query, "input") as { properties?: Record<string, JsonSchema>; required?: string[] };
      for (const [name, s] of Object.entries(q.properties ?? {})) {
        parameters.push({ name, in: "query", required: q.required?.includes(name) ?? false, schema: s, ...(typeof s.description === "string" ? { description: s.description } : {}) });
      }
    }
    const status = String(spec.status ?? 200);
    const responses: Record<string, JsonSchema> = {
      [status]: { description: "success", ...(spec.response ? { content: { "application/json": { schema: schema(spec.response, "output") } } } : {}) },
      "400": { description: "invalid request (zod issues)" },
    };
    if (spec.access !== "public") {
      responses["401"] = { description: "not authenticated" };
      responses["403"] = { description: `needs the "${spec.access}" permission (or a missing CSRF token)` };
    }
    paths[path] ??= {};
    paths[path][r.method.toLowerCase()] = {
      summary: spec.summary,
      ...(spec.description ? { description: spec.description } : {}),
      tags: [...spec.tags],
      "x-tessera-permission": spec.access,
      security: spec.access === "public" ? [] : [{ bearerAuth: [] }, { sessionCookie: [] }],
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(spec.body ? { requestBody: { required: true, content: { "application/json": { schema: schema(spec.body, "input") } } } } : {}),
      responses,
    };
  }
  return {
    openapi: "3.1.0",
    info,
    paths,
    components: {
      securitySchemes: {
        bearerAuth: { type: "http", scheme: "bearer", description: "an API token (tsk_…) or TESSERA_ADMIN_TOKEN" },
        sessionCookie: { type: "apiKey", in: "cookie", name: "tessera_session", description: "dashboard session; state-changing requests also need X-CSRF-Token" },
      },
    },
  };
}
