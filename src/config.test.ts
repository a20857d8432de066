/**
 * Protects the configuration contract of SPEC §1: defaults as documented, and every invalid variable
 * reported by name (with what to set), so a failed start tells the operator what to fix.
 */
import { describe, expect, test } from "bun:test";
import { ConfigError, loadConfig } from "./config.ts";

describe("loadConfig", () => {
  test("defaults match the README table", () => {
    expect(loadConfig({})).toEqual({
      port: 8080, host: "0.0.0.0", dataDir: "./data", timezone: "Asia/Shanghai", weekStart: "monday",
      adminToken: undefined, writeKey: undefined, adminEmail: undefined, adminPassword: undefined, secretKey: undefined, log: "info", sync: "normal",
    });
  });

  test("empty values count as unset", () => {
    expect(loadConfig({ TESSERA_PORT: "", TESSERA_ADMIN_TOKEN: "" }).port).toBe(8080);
  });

  test.each([
    ["TESSERA_PORT", "http"],
    ["TESSERA_PORT", "70000"],
    ["TESSERA_TIMEZONE", "Asia/Beijing"],
    ["TESSERA_WEEK_START", "saturday"],
    ["TESSERA_ADMIN_TOKEN", "short"],
    ["TESSERA_WRITE_KEY", "abc"],
    ["TESSERA_SECRET_KEY", "not-a-key"],
    ["TESSERA_LOG", "verbose"],
    ["TESSERA_SYNC", "always"],
  ])("%s=%s is a ConfigError naming it", (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });

  test("admin e-mail and password go together", () => {
    expect(() => loadConfig({ TESSERA_ADMIN_EMAIL: "a@example.com" })).toThrow(/TESSERA_ADMIN_PASSWORD/);
    expect(loadConfig({ TESSERA_ADMIN_EMAIL: "A@Example.com", TESSERA_ADMIN_PASSWORD: "long enough!" }).adminEmail).toBe("a@example.com");
  });

  test("the result is frozen", () => {
    expect(Object.isFrozen(loadConfig({}))).toBe(true);
  });
});
