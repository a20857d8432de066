/**
 * Roles and permissions (SPEC §9). A route declares the one permission it needs; a role is a set of
 * permissions. `read` covers every GET and the read-only POSTs (queries, previews), `operate` the
 * marketing writes (campaigns, audiences, tags), `admin` everything else (sources, tokens, users,
 * settings, jobs, audit log).
 */
import { z } from "zod";
import type { Role } from "../db/foundation.table.ts";

export type { Role };

/** RoleSchema validates a role at the edge (token creation, user management). */
export const RoleSchema = z.enum(["admin", "analyst", "operator"]);

/** Permission is what a route requires; see ROLE_PERMISSIONS for who has it. */
export type Permission = "read" | "operate" | "admin";

/** ROLE_PERMISSIONS is the whole authorisation policy in one table. */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = Object.freeze({
  analyst: ["read"],
  operator: ["read", "operate"],
  admin: ["read", "operate", "admin"],
});

/** can reports whether `role` holds `permission`. */
export function can(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}
