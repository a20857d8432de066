/**
 * endpoint() is how a route declares itself: who may call it, what it accepts and what it answers.
 * The returned middleware enforces the permission (401/403), validates the query and JSON body with zod
 * (400 with the issues) and hands typed data to `c.req.valid("json" | "query")`. The declaration is
 * kept against the middleware, so the OpenAPI document and the route × role test are built from the
 * routes actually mounted on the app, never from a second list.
 *
 * @example
 * ```ts
 * const create = endpoint({ summary: "Create a source", tags: ["sources"], access: "admin", body: NewSource, response: Source });
 * new Hono<AppEnv>().post("/", create, async (c) => c.json(await createSource(kdb, c.req.valid("json")), 201));
 * ```
 */
import type { Context, MiddlewareHandler } from "hono";
import { z } from "zod";
import { can, type Permission } from "../auth/roles.ts";
import type { AppEnv } from "./env.ts";

/** Access is a permission, or "public" for the few routes open to anyone (login, setup, health). */
export type Access = Permission | "public";

type Schema = z.ZodType;

/** EndpointSpec describes one route for enforcement and for the OpenAPI document. */
export interface EndpointSpec<B extends Schema | undefined = undefined, Q extends Schema | undefined = undefined> {
  summary: string;
  description?: string;
  tags: readonly string[];
  access: Access;
  body?: B;
  query?: Q;
  /** response documents the success body; `status` its code (200 unless said). */
  response?: Schema;
  status?: number;
}

type In<S, K extends string> = S extends Schema ? { [P in K]: z.input<S> } : {};
type Out<S, K extends string> = S extends Schema ? { [P in K]: z.output<S> } : {};
type EndpointInput<B, Q> = { in: In<B, "json"> & In<Q, "query">; out: Out<B, "json"> & Out<Q, "query"> };

/** AnySpec is an EndpointSpec whatever its schemas, as the registry stores it. */
export type AnySpec = EndpointSpec<Schema | undefined, Schema | undefined>;

const specs = new WeakMap<Function, AnySpec>();

const ZH: z.core.ParseContext<z.core.$ZodIssue> = { error: z.locales.zhCN().localeError };

/**
 * parseOptions gives zod's own issue messages in Chinese to a caller whose first language is Chinese
 * (the dashboard sends its UI language as Accept-Language); messages a schema spells out stay as written.
 */
export function parseOptions(c: Context): z.core.ParseContext<z.core.$ZodIssue> | undefined {
  return /^\s*zh\b/i.test(c.req.header("accept-language") ?? "") ? ZH : undefined;
}

/** specOf returns the declaration behind a handler registered on the app, if it is an endpoint(). */
export function specOf(handler: Function): AnySpec | undefined {
  return specs.get(handler);
}

/** endpoint builds the enforcing, validating middleware for a route declaration. */
export function endpoint<B extends Schema | undefined = undefined, Q extends Schema | undefined = undefined>(
  spec: EndpointSpec<B, Q>,
): MiddlewareHandler<AppEnv, string, EndpointInput<B, Q>> {
  const mw: MiddlewareHandler<AppEnv, string, EndpointInput<B, Q>> = async (c, next) => {
    if (spec.access !== "public") {
      const p = c.get("principal");
      if (!p) return c.json({ error: "authentication required" }, 401);
      if (!can(p.role, spec.access)) {
        return c.json({ error: `forbidden: this needs the "${spec.access}" permission, your role is ${p.role}` }, 403);
      }
    }
    if (spec.query) c.req.addValidatedData("query", spec.query.parse(c.req.query(), parseOptions(c)) as {});
    if (spec.body) {
      // Cross-site HTML forms can only send form and text/plain bodies; demanding JSON keeps them out
      // of even the public routes (login CSRF), on top of SameSite cookies and the CSRF token.
      if (!/^application\/([\w.+-]+\+)?json\b/i.test(c.req.header("content-type") ?? "")) {
        return c.json({ error: "send the body as JSON with Content-Type: application/json" }, 415);
      }
      let raw: unknown;
      try {
        raw = await c.req.json();
      } catch {
        return c.json({ error: "the request body must be JSON" }, 400);
      }
      c.req.addValidatedData("json", spec.body.parse(raw, parseOptions(c)) as {});
    }
    await next();
  };
  specs.set(mw, spec as AnySpec);
  return mw;
}
