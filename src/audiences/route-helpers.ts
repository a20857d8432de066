/**
 * Small pieces shared by the audience and tag routes: the role seam, JSON bodies validated with zod
 * into 400 answers whose issues name the path, and the error shape.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { z } from "zod";
import { describeIssues, type IssueOut } from "./definition.ts";

/**
 * Guard returns the middleware that admits requests of at least `role` — the foundation's
 * `requireRole`. Routes receive it as a dependency: reads need "analyst", writes "operator".
 */
export type Guard = (role: "analyst" | "operator") => MiddlewareHandler;

/** ApiError is every error body of these routes. */
export interface ApiError {
  readonly error: string;
  readonly issues?: readonly IssueOut[];
}

/** Parsed is a validated body, or the 400 response to send instead. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; response: Response };

/** invalid answers 400 with the issues. */
export function invalid(c: Context, issues: readonly IssueOut[], error = "invalid request"): Response {
  return c.json({ error, issues } satisfies ApiError, 400);
}

/** readBody parses the JSON body with a schema; errors name the path inside the body. */
export async function readBody<S extends z.ZodType>(c: Context, schema: S): Promise<Parsed<z.infer<S>>> {
  let raw: unknown;
  try {
    const text = await c.req.text();
    raw = text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    return { ok: false, response: invalid(c, [{ path: "(root)", message: "body is not valid JSON" }]) };
  }
  const r = schema.safeParse(raw);
  return r.success ? { ok: true, value: r.data } : { ok: false, response: invalid(c, describeIssues(r.error)) };
}

/** isUniqueViolation recognises SQLite's UNIQUE constraint error (a name already taken). */
export function isUniqueViolation(e: unknown): boolean {
  return e instanceof Error && /UNIQUE constraint failed/.test(e.message);
}

/** pageParams reads `offset` and `limit` query parameters with bounds. */
export function pageParams(c: Context, maxLimit = 1000): { offset: number; limit: number } {
  const num = (name: string, dflt: number) => {
    const n = Number(c.req.query(name) ?? dflt);
    return Number.isInteger(n) && n >= 0 ? n : dflt;
  };
  return { offset: num("offset", 0), limit: Math.min(maxLimit, Math.max(1, num("limit", 100))) };
}
