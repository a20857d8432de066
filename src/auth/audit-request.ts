/** auditRequest records an administrative action taken through the API, naming the caller and its address. */
import type { Context } from "hono";
import type { CoreDeps } from "../deps.ts";
import type { AppEnv } from "../http/env.ts";
import { audit } from "./audit.ts";
import { actorOf } from "./principal.ts";

export function auditRequest(
  deps: Pick<CoreDeps, "kdb" | "now">,
  c: Context<AppEnv>,
  action: string,
  target?: string | null,
  detail?: unknown,
): Promise<void> {
  return audit(deps.kdb, { actor: actorOf(c.get("principal")), action, target, detail, ip: c.get("clientIp") }, deps.now());
}
