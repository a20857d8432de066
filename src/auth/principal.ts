/**
 * Principal is who is calling: a dashboard user (cookie session) or an API token (bearer). Routes see it
 * through `c.get("principal")`; the audit log names it with `actorOf`.
 */
import type { Role } from "./roles.ts";

export type Principal =
  | { kind: "user"; userId: number; email: string; name: string | null; role: Role; sessionId: string; csrf: string }
  | { kind: "token"; tokenId: number | null; name: string; role: Role };

/** actorOf is the stable, human-readable name of a principal in the audit log. */
export function actorOf(p: Principal | null): string {
  if (p === null) return "anonymous";
  if (p.kind === "user") return `user:${p.email}`;
  return p.tokenId === null ? `token:${p.name}` : `token:${p.name}#${p.tokenId}`;
}
