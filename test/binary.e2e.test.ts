/**
 * Protects the release artefact (SPEC §1, issue 2 "done means"): `dist/tessera`, copied alone into an
 * empty directory with no node_modules, starts, creates and migrates a new data directory, serves
 * /healthz and the embedded dashboard (HTML and its hashed JS), and exits 0 on SIGTERM after
 * checkpointing the WAL. The binary is rebuilt when any source is newer than it.
 */
import { afterAll, expect, test } from "bun:test";
import { copyFileSync, existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "./helpers.ts";

const ROOT = join(import.meta.dir, "..");
const BINARY = join(ROOT, "dist", "tessera");

function newestSource(): number {
  let newest = statSync(join(ROOT, "package.json")).mtimeMs;
  for (const dir of ["src", "web", "migrations", "scripts"]) {
    for (const rel of readdirSync(join(ROOT, dir), { recursive: true, encoding: "utf8" })) {
      if (rel.startsWith("dist")) continue;
      newest = Math.max(newest, statSync(join(ROOT, dir, rel)).mtimeMs);
    }
  }
  return newest;
}

function ensureBinary(): void {
  if (existsSync(BINARY) && statSync(BINARY).mtimeMs > newestSource()) return;
  const p = Bun.spawnSync([process.execPath, "scripts/build.ts"], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  if (p.exitCode !== 0) throw new Error(`bun scripts/build.ts failed:\n${p.stdout}\n${p.stderr}`);
}

const work = tempDir("tessera-binary-");
afterAll(() => work.cleanup());

/** tail collects a stream's text so several waits can look for lines that arrived in one chunk. */
function tail(stream: ReadableStream<Uint8Array>) {
  let text = "";
  const done = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) text += decoder.decode(chunk);
  })();
  return {
    closed: done,
    get text() {
      return text;
    },
    async waitFor(re: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const m = re.exec(text);
        if (m) return m;
        await Promise.race([Bun.sleep(50), done]);
      }
      throw new Error(`timed out waiting for ${re} in:\n${text}`);
    },
  };
}

test(
  "the compiled binary runs alone from an empty directory, serves the dashboard and stops cleanly",
  async () => {
    ensureBinary();
    const exe = join(work.dir, "tessera");
    copyFileSync(BINARY, exe);
    Bun.spawnSync(["chmod", "+x", exe]);
    expect(readdirSync(work.dir)).toEqual(["tessera"]);

    const data = join(work.dir, "data");
    const proc = Bun.spawn([exe, "serve"], {
      cwd: work.dir,
      env: { TESSERA_PORT: "0", TESSERA_HOST: "127.0.0.1", TESSERA_DATA_DIR: data, PATH: "/usr/bin:/bin" },
      stdout: "pipe",
      stderr: "pipe",
    });
    const log = tail(proc.stderr);
    try {
      const m = await log.waitFor(/listening url=(http:\/\/[^\s]+)/, 15_000);
      const base = m[1] ?? "";
      expect(await (await fetch(new URL("/healthz", base))).json()).toEqual({ ok: true });

      const page = await fetch(base);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('<div id="app">');
      const js = /src="(\/chunk-[a-z0-9]+\.js)"/.exec(html)?.[1];
      expect(js).toBeDefined();
      const asset = await fetch(new URL(js ?? "", base));
      expect(asset.status).toBe(200);
      expect(asset.headers.get("content-type")).toContain("javascript");
      expect((await asset.text()).length).toBeGreaterThan(10_000);
      expect(await (await fetch(new URL("/sources", base))).text()).toContain('<div id="app">');
      // Both SDKs are built inside the binary from their embedded sources (no file on disk).
      const sdk = await fetch(new URL("/sdk.js", base));
      expect([sdk.status, (await sdk.text()).includes("tessera")]).toEqual([200, true]);
      const wx = await fetch(new URL("/sdk/wx.js", base));
      expect([wx.status, (await wx.text()).includes("module.exports")]).toEqual([200, true]);

      await log.waitFor(/setup code: [A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}/, 5_000);
      expect(existsSync(join(data, "tessera.db"))).toBe(true);
      expect(statSync(join(data, "secret.key")).mode & 0o777).toBe(0o600);
    } finally {
      proc.kill("SIGTERM");
    }
    expect(await proc.exited).toBe(0);
    await log.closed;
    expect(log.text).toContain("stopped cleanly");
    expect(existsSync(join(data, "tessera.db-wal")) ? statSync(join(data, "tessera.db-wal")).size : 0).toBe(0);
  },
  120_000,
);
