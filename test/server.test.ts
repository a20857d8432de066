/**
 * Protects the appliance's life cycle (src/server.ts), in process on a free port: the environment's
 * promises hold after start (admin, `default` source, no setup code then), other rooms' start hooks run
 * before serving and their shutdown hooks run in reverse at stop, after the HTTP server has stopped,
 * and the database ends checkpointed and closed; a busy port is a clear StartupError.
 */
import { expect, test } from "bun:test";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { migrations } from "../migrations/index.ts";
import { loadConfig } from "../src/config.ts";
import { createLogger } from "../src/log.ts";
import { startServer, StartupError } from "../src/server.ts";
import { findSourceByWriteKey } from "../src/sources/sources.ts";
import { tempDir } from "./helpers.ts";

test("bootstrap from the environment, hooks in order, clean stop", async () => {
  const { dir, cleanup } = tempDir();
  const events: string[] = [];
  const lines: string[] = [];
  try {
    const config = loadConfig({
      TESSERA_PORT: "0",
      TESSERA_HOST: "127.0.0.1",
      TESSERA_DATA_DIR: dir,
      TESSERA_ADMIN_EMAIL: "boss@example.com",
      TESSERA_ADMIN_PASSWORD: "correct horse battery",
      TESSERA_WRITE_KEY: "wk_from_the_environment",
      TESSERA_ADMIN_TOKEN: "admin-token-from-the-environment",
    });
    const server = await startServer(config, {
      log: createLogger("info", (l) => lines.push(l)),
      webRoot: null,
      hooks: {
        start: [
          (core) => {
            const n = core.db.query<{ n: number }, []>("SELECT count(*) AS n FROM _migrations").get()?.n;
            events.push(`start store after ${n} migrations`);
            return () => void events.push("flush store");
          },
          () => {
            events.push("start query worker");
            return async () => void events.push("stop query worker");
          },
        ],
      },
    });
    expect(events).toEqual([`start store after ${migrations.length} migrations`, "start query worker"]);
    expect(await (await fetch(new URL("/healthz", server.url))).json()).toEqual({ ok: true });

    const login = await fetch(new URL("/api/auth/login", server.url), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "boss@example.com", password: "correct horse battery" }) });
    expect(login.status).toBe(200);
    expect(findSourceByWriteKey(server.deps.db, server.deps.crypto, "wk_from_the_environment")?.name).toBe("default");
    const me = await fetch(new URL("/api/auth/me", server.url), { headers: { authorization: "Bearer admin-token-from-the-environment" } });
    expect(await me.json()).toMatchObject({ role: "admin", kind: "token" });
    expect(lines.join("\n")).not.toContain("setup code");

    const url = server.url;
    await server.stop();
    expect(events).toEqual([`start store after ${migrations.length} migrations`, "start query worker", "stop query worker", "flush store"]);
    expect(await fetch(new URL("/healthz", url)).then(() => "answered", () => "refused")).toBe("refused");
    expect(() => server.deps.db.query("SELECT 1").get()).toThrow();
    const wal = join(dir, "tessera.db-wal");
    expect(existsSync(wal) ? statSync(wal).size : 0).toBe(0);
  } finally {
    cleanup();
  }
});

test("a port in use is a StartupError that says what to set", async () => {
  const { dir, cleanup } = tempDir();
  const busy = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("busy") });
  try {
    const config = loadConfig({ TESSERA_PORT: String(busy.port), TESSERA_HOST: "127.0.0.1", TESSERA_DATA_DIR: dir });
    const err = await startServer(config, { log: createLogger("error", () => {}), webRoot: null }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(StartupError);
    expect(String(err)).toContain("TESSERA_PORT");
  } finally {
    busy.stop(true);
    cleanup();
  }
});
