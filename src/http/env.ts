/** AppEnv types the Hono context of every Tessera route: the caller and the request id. */
import type { Principal } from "../auth/principal.ts";

export type AppEnv = {
  Variables: {
    requestId: string;
    /** principal is null for anonymous requests; set by the authenticate middleware on /api. */
    principal: Principal | null;
    /** clientIp is the peer address (or the forwarded one behind a private-network proxy). */
    clientIp: string;
  };
};
