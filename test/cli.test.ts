/**
 * Protects the operator's experience of the `tessera` command, run as a real subprocess: bad
 * configuration, an unwritable data directory, a corrupt database and a secret key the database was not
 * written with each end with one clear line that names the culprit and a non-zero exit (2 for
 * configuration, 1 otherwise), never a bare stack trace; migrate, token create, backup and healthcheck do what the README says.
 */
import { describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sha256Hex } from "../src/crypto/crypto.ts";
import { tempDir } from "./helpers.ts";

const MAIN = join(import.meta.dir, "..", "src", "main.ts");

function tessera(args: string[], env: Record<string, string>) {
  const p = Bun.spawnSync([process.execPath, MAIN, ...args], { env: { PATH: process.env.PATH ?? "", HOME: "/tmp", TESSERA_LOG: "warn", ...env }, stdout: "pipe", stderr: "pipe" });
  return { code: p.exitCode, out: p.stdout.toString(), err: p.stderr.toString() };
}

/** A stack trace line looks like "    at fn (file:line)". */
const STACK = /^\s+at .+:\d+/m;

describe("startup failures", () => {
  test.each([
    ["TESSERA_PORT", "eighty"],
    ["TESSERA_TIMEZONE", "Mars/Olympus_Mons"],
    ["TESSERA_WEEK_START", "friday"],
    ["TESSERA_SECRET_KEY", "too-short"],
    ["TESSERA_ADMIN_EMAIL", "not-an-email"],
  ])("bad %s → exit 2 naming the variable", (name, value) => {
    const { dir, cleanup } = tempDir();
    try {
      const r = tessera(["serve"], { TESSERA_DATA_DIR: dir, [name]: value, ...(name === "TESSERA_ADMIN_EMAIL" ? { TESSERA_ADMIN_PASSWORD: "long enough password" } : {}) });
      expect(r.code).toBe(2);
      expect(r.err).toContain(name);
      expect(r.err).not.toMatch(STACK);
    } finally {
      cleanup();
    }
  });

  test("a data directory that is a file → exit 1 naming it", () => {
    const { dir, cleanup } = tempDir();
    try {
      writeFileSync(join(dir, "file"), "");
      const r = tessera(["serve"], { TESSERA_DATA_DIR: join(dir, "file") });
      expect(r.code).toBe(1);
      expect(r.err).toContain(`the data directory ${join(dir, "file")} is not writable`);
      expect(r.err).not.toMatch(STACK);
    } finally {
      cleanup();
    }
  });

  test("a read-only data directory → exit 1 naming it", () => {
    const { dir, cleanup } = tempDir();
    try {
      let data = join(dir, "data");
      mkdirSync(data);
      chmodSync(data, 0o555);
      // root ignores permission bits; sysfs refuses new files even to root. (Running as nobody instead
      // needs a checkout others may traverse, which a CI clone in a mktemp directory is not.)
      if (process.getuid?.() === 0) data = "/sys/kernel";
      const r = tessera(["serve"], { TESSERA_DATA_DIR: data });
      expect(r.code).toBe(1);
      expect(r.err).toContain(`the data directory ${data} is not writable`);
      expect(r.err).not.toMatch(STACK);
    } finally {
      cleanup();
    }
  });

  test.each([
    ["random bytes", () => Buffer.alloc(8192, 0x5a)],
    ["a damaged SQLite file", () => {
      const b = Buffer.alloc(8192, 0);
      b.write("SQLite format 3\u0000");
      b.writeUInt16BE(4096, 16);
      b.fill(0xff, 100, 8192);
      return b;
    }],
  ])("a corrupt database (%s) → exit 1 naming the file", (_n, content) => {
    const { dir, cleanup } = tempDir();
    try {
      writeFileSync(join(dir, "tessera.db"), content());
      const r = tessera(["serve"], { TESSERA_DATA_DIR: dir });
      expect(r.code).toBe(1);
      expect(r.err).toContain(`the database file ${join(dir, "tessera.db")} is corrupt`);
      expect(r.err).not.toMatch(STACK);
    } finally {
      cleanup();
    }
  });

  test("a secret key the database was not written with → exit 1 saying what to do", () => {
    const { dir, cleanup } = tempDir();
    try {
      expect(tessera(["migrate"], { TESSERA_DATA_DIR: dir }).code).toBe(0);
      writeFileSync(join(dir, "secret.key"), "ee".repeat(32));
      for (const command of [["serve"], ["migrate"]]) {
        const r = tessera(command, { TESSERA_DATA_DIR: dir });
        expect(r.code).toBe(1);
        expect(r.err.trim().split("\n")).toHaveLength(1);
        expect(r.err).toContain(`tessera: cannot load the secret key: ${join(dir, "secret.key")} is not the key`);
        expect(r.err).not.toMatch(STACK);
      }
      const env = tessera(["serve"], { TESSERA_DATA_DIR: dir, TESSERA_SECRET_KEY: "ff".repeat(32) });
      expect(env.code).toBe(1);
      expect(env.err).toContain("TESSERA_SECRET_KEY is not the key");
    } finally {
      cleanup();
    }
  });

  test("an unknown command → exit 64 with the usage", () => {
    const r = tessera(["frobnicate"], {});
    expect(r.code).toBe(64);
    expect(r.err).toContain("tessera backup FILE");
  });
});

describe("commands", () => {
  test("token create works while the server runs (docker exec); migrate is refused beside it", async () => {
    const { dir, cleanup } = tempDir();
    const port = 21_000 + Math.floor(Math.random() * 2000);
    const env = { TESSERA_DATA_DIR: dir, TESSERA_PORT: String(port), TESSERA_HOST: "127.0.0.1" };
    const server = Bun.spawn([process.execPath, MAIN, "serve"], { env: { PATH: process.env.PATH ?? "", HOME: "/tmp", TESSERA_LOG: "error", ...env }, stdout: "ignore", stderr: "ignore" });
    try {
      for (let i = 0; i < 100; i++) {
        if (await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false)) break;
        await Bun.sleep(100);
      }
      const tok = tessera(["token", "create", "--role", "analyst", "--name", "from docker exec"], env);
      expect(tok.code).toBe(0);
      const me = await fetch(`http://127.0.0.1:${port}/api/auth/me`, { headers: { authorization: `Bearer ${tok.out.trim()}` } });
      expect(await me.json()).toMatchObject({ role: "analyst", kind: "token" });
      const m = tessera(["migrate"], env);
      expect([m.code, m.err]).toEqual([1, expect.stringContaining(`another Tessera process (pid ${server.pid})`)]);
    } finally {
      server.kill("SIGTERM");
      await server.exited;
      cleanup();
    }
  });


  test("migrate, token create, backup, healthcheck", () => {
    const { dir, cleanup } = tempDir();
    try {
      const env = { TESSERA_DATA_DIR: join(dir, "data"), TESSERA_PORT: "1" };
      const m = tessera(["migrate"], env);
      expect(m.code).toBe(0);
      expect(existsSync(join(dir, "data", "tessera.db"))).toBe(true);
      expect(existsSync(join(dir, "data", "secret.key"))).toBe(true);

      const tok = tessera(["token", "create", "--role", "analyst", "--name", "ci"], env);
      expect(tok.code).toBe(0);
      const token = tok.out.trim();
      expect(token).toMatch(/^tsk_[0-9A-Za-z]{40}$/);
      expect(tok.err).toContain("shown only now");
      expect(tessera(["token", "create", "--role", "boss", "--name", "x"], env).code).toBe(64);

      const backup = join(dir, "copy.db");
      const b = tessera(["backup", backup], env);
      expect(b.code).toBe(0);
      // The reminder goes to stderr, beside the output a script may parse.
      expect(b.err).toContain("needs secret.key");
      const copy = new Database(backup, { readonly: true });
      expect(copy.query<{ token_hash: string; role: string }, []>("SELECT token_hash, role FROM api_tokens").all()).toEqual([{ token_hash: sha256Hex(token), role: "analyst" }]);
      expect(copy.query<{ actor: string; action: string }, []>("SELECT actor, action FROM audit_log").all()).toEqual([{ actor: "cli", action: "token.created" }]);
      copy.close();
      const again = tessera(["backup", backup], env);
      expect(again.code).toBe(1);
      expect(again.err).toContain("already exists");

      const h = tessera(["healthcheck"], env); // nothing listens on port 1
      expect(h.code).toBe(1);
    } finally {
      cleanup();
    }
  });
});
