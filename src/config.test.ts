/**
 * Protects the configuration contract of SPEC §1: defaults as documented, and every invalid variable
 * reported by name (with what to set), so a failed start tells the operator what to fix.
 */
import { describe, expect, test } from "bun:test";
import { ConfigError, configWarnings, loadConfig } from "./config.ts";

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
    ["TESSERA_HOST", "999.1.1.1"],
    ["TESSERA_HOST", "my host"],
    ["TESSERA_WEEK_START", "saturday"],
    ["TESSERA_SECRET_KEY", "not-a-key"],
    ["TESSERA_LOG", "verbose"],
    ["TESSERA_SYNC", "always"],
  ])("%s=%s is a ConfigError naming it", (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });

  test("short credentials are taken as set (SPEC §1 sets no length) and named by configWarnings", () => {
    const c = loadConfig({ TESSERA_WRITE_KEY: "wk_test", TESSERA_ADMIN_TOKEN: "admin", TESSERA_ADMIN_EMAIL: "a@example.com", TESSERA_ADMIN_PASSWORD: "secret" });
    expect([c.writeKey, c.adminToken, c.adminPassword]).toEqual(["wk_test", "admin", "secret"]);
    expect(configWarnings(c)).toEqual([
      "TESSERA_ADMIN_TOKEN is shorter than 16 characters: anyone who can reach this server could guess it",
      "TESSERA_WRITE_KEY is shorter than 8 characters: anyone who can reach this server could guess it",
      "TESSERA_ADMIN_PASSWORD is shorter than 10 characters: anyone who can reach this server could guess it",
    ]);
    expect(configWarnings(loadConfig({ TESSERA_WRITE_KEY: "wk_0123456789", TESSERA_ADMIN_TOKEN: "admintoken-0123456789" }))).toEqual([]);
  });

  test("hosts: addresses and names bind; a secret's value is never echoed in the error", () => {
    for (const h of ["0.0.0.0", "127.0.0.1", "::", "::1", "localhost", "tessera.internal"]) expect(loadConfig({ TESSERA_HOST: h }).host).toBe(h);
    const secret = "abc".repeat(21);
    expect(() => loadConfig({ TESSERA_SECRET_KEY: secret })).toThrow("TESSERA_SECRET_KEY=<hidden>: must be 32 bytes");
    expect(() => loadConfig({ TESSERA_SECRET_KEY: secret })).not.toThrow(secret);
  });

  test("admin e-mail and password go together", () => {
    expect(() => loadConfig({ TESSERA_ADMIN_EMAIL: "a@example.com" })).toThrow(/TESSERA_ADMIN_PASSWORD/);
    expect(loadConfig({ TESSERA_ADMIN_EMAIL: "A@Example.com", TESSERA_ADMIN_PASSWORD: "long enough!" }).adminEmail).toBe("a@example.com");
  });

  test("the result is frozen", () => {
    expect(Object.isFrozen(loadConfig({}))).toBe(true);
  });
});
