/**
 * Small pieces shared by the audience and tag routes. 4xx answers are thrown as HTTPExceptions and
 * rendered by the app's error boundary (src/http/errors.ts) — the sub-apps set no `onError` of their
 * own, which would hide their endpoint() declarations from the route inventory.
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { IssueOut } from "./definition.ts";

/** invalid answers 400 with issues in the shape zod errors get (`{error, issues:[{path, message}]}`). */
export function invalid(issues: readonly IssueOut[], error = "invalid request"): never {
  throw new HTTPException(400, { res: Response.json({ error, issues }, { status: 400 }) });
}

/** notFound answers 404 naming what was looked for. */
export function notFound(what: string): never {
  throw new HTTPException(404, { message: `${what} not found` });
}

/** conflict answers 409 (a name taken, a state that does not allow the request). */
export function conflict(message: string): never {
  throw new HTTPException(409, { message });
}

/** idParam reads a numeric `:id`; anything else cannot name a row, so it is a 404. */
export function idParam(c: Context, what: string): number {
  const raw = c.req.param("id") ?? "";
  if (!/^[1-9]\d{0,14}$/.test(raw)) notFound(what);
  return Number(raw);
}

/** isUniqueViolation recognises SQLite's UNIQUE constraint error (a name already taken). */
export function isUniqueViolation(e: unknown): boolean {
  return e instanceof Error && /UNIQUE constraint failed/.test(e.message);
}
