/**
 * Test fixture: mounts a room's sub-app the way createApp does — the same error boundary, endpoint()
 * enforcing permissions — with the caller named by an `X-Role` header instead of a session, so route
 * tests can run over fixture data without the whole appliance.
 */
import { Hono } from "hono";
import type { Role } from "../auth/roles.ts";
import type { AppEnv } from "../http/env.ts";
import { notFound, onError } from "../http/errors.ts";
import { silentLogger } from "../log.ts";

/** mountForTest serves `routes` at `path`; requests without X-Role are anonymous. */
export function mountForTest(path: string, routes: Hono<AppEnv>): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
    .use(async (c, next) => {
      const role = c.req.header("x-role") as Role | undefined;
      c.set("principal", role ? { kind: "token", tokenId: null, name: `test-${role}`, role } : null);
      c.set("clientIp", "127.0.0.1");
      await next();
    })
    .route(path, routes);
  app.onError(onError(silentLogger));
  app.notFound(notFound);
  return app;
}
