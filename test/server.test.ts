/**
 * Protects the appliance's life cycle (src/server.ts), in process on a free port: the environment's
 * promises hold after start (admin, `default` source, no setup code then), an event acknowledged before
 * stop is in the database after it, the HTTP server refuses connections, the database ends checkpointed
 * and closed and the data-directory lock is released; a busy port is a clear StartupError, and so is a
 * secret key other than the one the database was written with (a backup restored without its secret.key).
 */
import { expect, test } from "bun:test";
import { existsSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../src/config.ts";
import { LOCK_FILE } from "../src/data-lock.ts";
import { DB_FILE, openReader } from "../src/db/sqlite.ts";
import { createLogger } from "../src/log.ts";
import { startServer, StartupError } from "../src/server.ts";
import { findSourceByWriteKey } from "../src/sources/sources.ts";
import { tempDir } from "./helpers.ts";

test("bootstrap from the environment, clean stop with the store flushed", async () => {
  const { dir, cleanup } = tempDir();
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
    });
    expect(await (await fetch(new URL("/healthz", server.url))).json()).toEqual({ ok: true });
    const track = await fetch(new URL("/v1/track", server.url), {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Basic ${btoa("wk_from_the_environment:")}` },
      body: JSON.stringify({ userId: "u1", event: "stopped_cleanly", messageId: "m-stop-1" }),
    });
    expect(track.status).toBe(200);

    const login = await fetch(new URL("/api/auth/login", server.url), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "boss@example.com", password: "correct horse battery" }) });
    expect(login.status).toBe(200);
    expect(findSourceByWriteKey(server.deps.db, server.deps.crypto, "wk_from_the_environment")?.name).toBe("default");
    const me = await fetch(new URL("/api/auth/me", server.url), { headers: { authorization: "Bearer admin-token-from-the-environment" } });
    expect(await me.json()).toMatchObject({ role: "admin", kind: "token" });
    expect(lines.join("\n")).not.toContain("setup code");

    const url = server.url;
    await server.stop();
    expect(await fetch(new URL("/healthz", url)).then(() => "answered", () => "refused")).toBe("refused");
    expect(() => server.deps.db.query("SELECT 1").get()).toThrow();
    const wal = join(dir, "tessera.db-wal");
    expect(existsSync(wal) ? statSync(wal).size : 0).toBe(0);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    const db = openReader(join(dir, DB_FILE));
    const stored = db.query<{ n: number }, []>(
      "SELECT (SELECT coalesce(sum(n), 0) FROM events_tail_0) + (SELECT coalesce(sum(n), 0) FROM events_tail_1) + (SELECT coalesce(sum(rows), 0) FROM segments) AS n",
    ).get()!.n;
    db.close();
    expect(stored).toBe(1);
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

test("a data directory whose secret.key was replaced or lost is refused, naming what to do", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const config = loadConfig({ TESSERA_PORT: "0", TESSERA_HOST: "127.0.0.1", TESSERA_DATA_DIR: dir, TESSERA_WRITE_KEY: "wk_before_the_restore" });
    const start = () => startServer(config, { log: createLogger("error", () => {}), webRoot: null });
    await (await start()).stop();
    const original = Bun.file(join(dir, "secret.key"));
    const key = await original.text();

    // As after restoring tessera.db onto a machine that generated its own key.
    writeFileSync(join(dir, "secret.key"), "ee".repeat(32));
    const replaced = await start().then(() => null, (e: unknown) => e);
    expect(replaced).toBeInstanceOf(StartupError);
    expect(String(replaced)).toContain(`${join(dir, "secret.key")} is not the key the database in ${dir} was written with`);
    expect(String(replaced)).toContain("Restore secret.key from where the database (or its backup) came from, or set TESSERA_SECRET_KEY");
    // The refusal released the directory: nothing half-started holds it.
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);

    // Without any key file: refused too, and no new key is generated over the database.
    rmSync(join(dir, "secret.key"));
    expect(String(await start().then(() => null, (e: unknown) => e))).toContain("is missing");
    expect(existsSync(join(dir, "secret.key"))).toBe(false);

    // The original key back: the old write key works again.
    writeFileSync(join(dir, "secret.key"), key, { mode: 0o600 });
    const server = await start();
    try {
      expect(findSourceByWriteKey(server.deps.db, server.deps.crypto, "wk_before_the_restore")?.name).toBe("default");
    } finally {
      await server.stop();
    }
  } finally {
    cleanup();
  }
});
