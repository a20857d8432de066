/** /api/settings: project time zone and week start (everyone reads; admins change). */
import { Hono } from "hono";
import { auditRequest } from "../auth/audit-request.ts";
import type { AppDeps } from "../http/deps.ts";
import { endpoint } from "../http/endpoint.ts";
import type { AppEnv } from "../http/env.ts";
import { getSettings, Settings, SettingsPatch, updateSettings } from "./settings.ts";

/** settingsRoutes is mounted at /api/settings. */
export function settingsRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .get("/", endpoint({ summary: "Project settings", tags: ["settings"], access: "read", response: Settings }), async (c) =>
      c.json(await getSettings(deps.kdb, deps.config), 200),
    )
    .patch("/", endpoint({ summary: "Change project settings", tags: ["settings"], access: "admin", body: SettingsPatch, response: Settings }), async (c) => {
      const patch = c.req.valid("json");
      const before = await getSettings(deps.kdb, deps.config);
      const after = await updateSettings(deps.kdb, deps.config, patch);
      if (after.timezone !== before.timezone) await deps.scheduler.reschedule(after.timezone);
      await auditRequest(deps, c, "settings.updated", "settings", patch);
      return c.json(after, 200);
    });
}
