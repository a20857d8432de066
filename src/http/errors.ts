/**
 * The error boundary of the HTTP surface: zod errors become 400 with their issues, HTTPExceptions keep
 * their status, anything else is a 500 that names only the request id. Stack traces go to the log,
 * never to the client.
 */
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { z } from "zod";
import type { Logger } from "../log.ts";
import type { AppEnv } from "./env.ts";

/** issuesOf flattens zod issues to what a client needs to fix its request. */
export function issuesOf(err: z.ZodError): { path: string; message: string }[] {
  return err.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
}

/** onError is the app's error handler. */
export function onError(log: Logger): ErrorHandler<AppEnv> {
  return (err, c: Context<AppEnv>) => {
    if (err instanceof z.ZodError) return c.json({ error: "invalid request", issues: issuesOf(err) }, 400);
    if (err instanceof HTTPException) {
      if (err.res) return err.res;
      return c.json({ error: err.message || "request failed" }, err.status);
    }
    const requestId = c.get("requestId");
    log.error("unhandled error", { requestId, path: c.req.path, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    return c.json({ error: "internal error", requestId }, 500);
  };
}

/** notFound answers JSON for every unknown path (the SPA fallback has already taken dashboard pages). */
export const notFound: NotFoundHandler<AppEnv> = (c) => c.json({ error: `not found: ${c.req.method} ${c.req.path}` }, 404);
