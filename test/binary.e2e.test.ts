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

async function waitForLine(stream: ReadableStream<Uint8Array>, re: RegExp, timeoutMs: number, seen: string[]): Promise<RegExpExecArray> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  const deadline = Date.now() + timeoutMs;
  let text = "";
  try {
    while (Date.now() < deadline) {
      const chunk = await Promise.race([reader.read(), Bun.sleep(deadline - Date.now()).then(() => null)]);
      if (chunk === null || chunk.done) break;
      text += decoder.decode(chunk.value);
      seen.push(text);
      const m = re.exec(text);
      if (m) return m;
    }
  } finally {
    reader.releaseLock();
  }
  throw new Error(`timed out waiting for ${re} in:\n${text}`);
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
    const log: string[] = [];
    try {
      const m = await waitForLine(proc.stderr, /listening url=(http:\/\/[^\s]+)/, 15_000, log);
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

      await waitForLine(proc.stderr, /setup code: [A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}/, 5_000, log);
      expect(existsSync(join(data, "tessera.db"))).toBe(true);
      expect(statSync(join(data, "secret.key")).mode & 0o777).toBe(0o600);
    } finally {
      proc.kill("SIGTERM");
    }
    expect(await proc.exited).toBe(0);
    expect(existsSync(join(data, "tessera.db-wal")) ? statSync(join(data, "tessera.db-wal")).size : 0).toBe(0);
  },
  120_000,
);
