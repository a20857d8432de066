/**
 * Project settings (SPEC §5): the time zone and first day of week that day/week/month buckets and job
 * schedules use. Stored as key/value rows; absent keys fall back to the configuration, so changing
 * TESSERA_TIMEZONE still works until someone saves a setting in the dashboard.
 */
import { z } from "zod";
import { isTimeZone, type Config } from "../config.ts";
import type { Kdb } from "../db/kysely.ts";

/** Settings is the project-wide analysis settings. */
export const Settings = z.object({
  timezone: z.string().refine(isTimeZone, "must be an IANA time zone such as Asia/Shanghai"),
  weekStart: z.enum(["monday", "sunday"]),
});
export type Settings = z.infer<typeof Settings>;

/** SettingsPatch is what PATCH /api/settings accepts: any subset. */
export const SettingsPatch = Settings.partial().strict();
export type SettingsPatch = z.infer<typeof SettingsPatch>;

/** getSettings returns the stored settings over the configured defaults. */
export async function getSettings(kdb: Kdb, config: Pick<Config, "timezone" | "weekStart">): Promise<Settings> {
  const rows = await kdb.selectFrom("settings").select(["key", "value"]).where("key", "in", ["timezone", "weekStart"]).execute();
  const stored = Object.fromEntries(rows.map((r) => [r.key, r.value]));
  const merged = { timezone: config.timezone, weekStart: config.weekStart, ...stored };
  // A value stored by an older build that no longer validates falls back rather than breaking queries.
  const parsed = Settings.safeParse(merged);
  return parsed.success ? parsed.data : { timezone: config.timezone, weekStart: config.weekStart };
}

/** updateSettings stores the given keys and returns the resulting settings. */
export async function updateSettings(kdb: Kdb, config: Pick<Config, "timezone" | "weekStart">, patch: SettingsPatch): Promise<Settings> {
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    await kdb.insertInto("settings").values({ key, value }).onConflict((oc) => oc.column("key").doUpdateSet({ value })).execute();
  }
  return getSettings(kdb, config);
}
