/**
 * Protects the HTTP surface's global behaviour: secure headers with a strict CSP on every answer, a
 * request id, JSON errors that never leak a stack trace, zod issues as 400, body limits, /healthz
 * readiness, the OpenAPI document generated from the mounted routes, and the dashboard's static files
 * with SPA fallback and immutable caching of hashed assets.
 */
import { describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Hono } from "hono";
import { testClient } from "hono/testing";
import { z } from "zod";
import { createLogger } from "../log.ts";
import { testApp } from "../../test/app-helpers.ts";
import { tempDir } from "../../test/helpers.ts";
import { API_BODY_LIMIT, createApp } from "./app.ts";
import type { AppEnv } from "./env.ts";
import { onError } from "./errors.ts";
import { toOpenApiPath } from "./openapi.ts";

describe("global middleware", () => {
  test.each(["/healthz", "/api/sources", "/"])("%s carries secure headers, a strict CSP and a request id", async (path) => {
    const res = await testApp().call("GET", path);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("/healthz answers 200 when ready and 503 before", async () => {
    const t = testApp();
    expect(await (await t.call("GET", "/healthz")).json()).toEqual({ ok: true });
    const notReady = createApp({ ...t.deps, ready: () => false });
    const res = await notReady.request("/healthz");
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ ok: false });
  });

  test.each([
    ["GET", "/api/nope"],
    ["POST", "/api/nope"],
    ["DELETE", "/healthz"],
    ["GET", "/missing.js"],
  ])("%s %s → JSON 404", async (method, path) => {
    const res = await testApp().call(method, path);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(((await res.json()) as { error: string }).error).toContain("not found");
  });

  test("a body over the API limit is refused with 413 before it is parsed", async () => {
    const t = testApp();
    const admin = await t.asToken("admin");
    const res = await t.call("POST", "/api/sources", { headers: { ...admin.headers, "content-type": "application/json" }, body: JSON.stringify({ name: "x".repeat(API_BODY_LIMIT) }) });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: string }).error).toContain(String(API_BODY_LIMIT));
  });

  test("a body that is not JSON is a 400 that says so", async () => {
    const t = testApp();
    const admin = await t.asToken("admin");
    const res = await t.call("POST", "/api/sources", { headers: { ...admin.headers, "content-type": "application/json" }, body: "{nope" });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: "the request body must be JSON" });
  });
});

describe("error handler", () => {
  const lines: string[] = [];
  const app = new Hono<AppEnv>()
    .get("/boom", () => {
      throw new Error("secret internals at /srv/db.ts:42");
    })
    .get("/zod", () => {
      z.object({ n: z.number() }).parse({ n: "x" });
      return new Response("unreachable");
    });
  app.onError(onError(createLogger("error", (l) => lines.push(l))));

  test("a crash is a 500 with the request id, and the stack goes only to the log", async () => {
    const res = await app.request("/boom");
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain("secret internals");
    expect(text).not.toContain(".ts:");
    expect(JSON.parse(text)).toEqual({ error: "internal error" });
    expect(lines.join("\n")).toContain("secret internals");
  });

  test("a ZodError is a 400 with the issues", async () => {
    const res = await app.request("/zod");
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: "invalid request", issues: [{ path: "n", message: expect.stringContaining("number") }] });
  });

  test("zod's issues are in Chinese for a caller whose first language is Chinese; spelled-out messages stay", async () => {
    const t = testApp();
    const admin = await t.asToken("admin");
    const post = (lang?: string) => t.call("POST", "/api/sources", {
      json: { name: "", kind: 7 },
      headers: { ...admin.headers, ...(lang ? { "accept-language": lang } : {}) },
    }).then((r) => r.json());
    const issues = [
      { path: "name", message: "数值过小：期望 string >=1 字符" },
      { path: "kind", message: expect.stringMatching(/^无效/) },
    ];
    expect(await post("zh-CN,zh;q=0.9,en;q=0.8")).toEqual({ error: "invalid request", issues });
    expect(await post("zh")).toEqual({ error: "invalid request", issues });
    for (const lang of [undefined, "en", "en-US,zh;q=0.5"]) {
      expect((await post(lang)).issues[0]).toEqual({ path: "name", message: "Too small: expected string to have >=1 characters" });
    }
    // Users' own schema messages are not zod's to translate.
    const user = await t.call("POST", "/api/users", {
      json: { email: "a@example.com", password: "short", role: "analyst" },
      headers: { ...admin.headers, "accept-language": "zh-CN" },
    });
    expect((await user.json()).issues).toContainEqual({ path: "password", message: "the password must have at least 10 characters" });
  });
});

describe("OpenAPI", () => {
  test("documents every declared route with its permission, schemas and security", async () => {
    const t = testApp();
    const admin = await t.asToken("analyst");
    const res = await t.call("GET", "/api/openapi.json", admin);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, Record<string, unknown>>> };
    expect(doc.openapi).toBe("3.1.0");

    const declared = t.app.routes.filter((r) => r.method !== "ALL" && r.path !== "/*" && (r.path.startsWith("/api/") || r.path === "/healthz"));
    for (const r of declared) expect(doc.paths[toOpenApiPath(r.path)]?.[r.method.toLowerCase()]).toBeDefined();

    const create = doc.paths["/api/sources"]?.post ?? {};
    expect(create["x-tessera-permission"]).toBe("admin");
    expect(JSON.stringify(create.requestBody)).toContain('"name"');
    expect(Object.keys(create.responses as object)).toContain("201");
    expect((doc.paths["/api/sources/{id}"]?.patch?.parameters as { name: string; in: string }[])[0]).toMatchObject({ name: "id", in: "path" });
    expect(doc.paths["/healthz"]?.get?.security).toEqual([]);
    expect(JSON.stringify(doc.paths["/api/audit"]?.get?.parameters)).toContain('"before"');
  });
});

describe("dashboard files", () => {
  test("serves files, immutable hashed assets, and index.html for app paths only", async () => {
    const { dir, cleanup } = tempDir();
    try {
      mkdirSync(join(dir, "assets"));
      writeFileSync(join(dir, "index.html"), "<!doctype html><title>Tessera</title>");
      writeFileSync(join(dir, "chunk-abcd1234.js"), "console.log(1)");
      writeFileSync(join(dir, "assets", "logo.svg"), "<svg/>");
      const t = testApp({ webRoot: dir });

      for (const path of ["/", "/sources", "/tokens/123", "/setup"]) {
        const res = await t.call("GET", path);
        expect(res.status).toBe(200);
        expect(await res.text()).toContain("<title>Tessera</title>");
        expect(res.headers.get("cache-control")).toBe("no-cache");
      }
      const js = await t.call("GET", "/chunk-abcd1234.js");
      expect(js.headers.get("content-type")).toContain("javascript");
      expect(js.headers.get("cache-control")).toContain("immutable");
      expect(await (await t.call("GET", "/assets/logo.svg")).text()).toBe("<svg/>");
      expect((await t.call("GET", "/assets/../index.html")).status).toBe(200); // normalised by URL parsing, still only known files
      expect((await t.call("GET", "/../../etc/passwd")).status).not.toBe(500);
      expect((await t.call("GET", "/api/sources/x/y")).headers.get("content-type")).toContain("json");
    } finally {
      cleanup();
    }
  });
});

describe("typed routes", () => {
  test("the app's type carries its routes and their schemas (chained definitions)", async () => {
    const t = testApp();
    const admin = await t.asToken("admin");
    const client = testClient(t.app);
    // @ts-expect-error: a route that does not exist is a type error, so the client is not `any`.
    void client.api.nope;
    const created = await client.api.sources.$post({ json: { name: "typed" } }, { headers: admin.headers });
    expect(created.status).toBe(201);
    const settings = await client.api.settings.$get({}, { headers: admin.headers });
    const body = await settings.json();
    expect("timezone" in body ? body.timezone : null).toBe("Asia/Shanghai");
  });
});
