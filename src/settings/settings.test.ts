/**
 * Protects the project settings every analysis buckets by: defaults come from the configuration, only
 * valid IANA zones and week starts are stored, and getSettings never breaks on a bad stored value.
 */
import { expect, test } from "bun:test";
import { testApp } from "../../test/app-helpers.ts";
import { getSettings } from "./settings.ts";

test("defaults come from the configuration", async () => {
  const t = testApp({ env: { TESSERA_TIMEZONE: "Europe/Berlin", TESSERA_WEEK_START: "sunday" } });
  const a = await t.asToken("analyst");
  expect(await (await t.call("GET", "/api/settings", a)).json()).toEqual({ timezone: "Europe/Berlin", weekStart: "sunday" });
});

test("PATCH stores what it is given and keeps the rest", async () => {
  const t = testApp();
  const admin = await t.asUser("admin");
  const res = await t.call("PATCH", "/api/settings", { headers: admin.headers, json: { weekStart: "sunday" } });
  expect(await res.json()).toEqual({ timezone: "Asia/Shanghai", weekStart: "sunday" });
  await t.call("PATCH", "/api/settings", { headers: admin.headers, json: { timezone: "UTC" } });
  expect(await getSettings(t.deps.kdb, t.deps.config)).toEqual({ timezone: "UTC", weekStart: "sunday" });
});

test.each([
  ["an unknown zone", { timezone: "Mars/Olympus_Mons" }, "timezone"],
  ["a bad week start", { weekStart: "friday" }, "weekStart"],
  ["an unknown key", { currency: "CNY" }, ""],
])("PATCH with %s is a 400 naming the field", async (_n, body, path) => {
  const t = testApp();
  const admin = await t.asUser("admin");
  const res = await t.call("PATCH", "/api/settings", { headers: admin.headers, json: body });
  expect(res.status).toBe(400);
  const out = (await res.json()) as { issues: { path: string }[] };
  expect(out.issues.map((i) => i.path)).toContain(path);
});

test("a stored value that no longer validates falls back to the configuration", async () => {
  const t = testApp();
  await t.deps.kdb.insertInto("settings").values({ key: "timezone", value: "Old/Zone" }).execute();
  expect(await getSettings(t.deps.kdb, t.deps.config)).toEqual({ timezone: "Asia/Shanghai", weekStart: "monday" });
});
