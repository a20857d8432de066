/**
 * Builds the single executable `dist/tessera`: the dashboard first (web/dist), then Bun's compiler with
 * the dashboard embedded as an asset folder (reference/stack.md §2a, approach C). Bytecode needs ESM
 * for top-level await; the two --no-compile-autoload flags stop the binary from reading a stray .env or
 * bunfig.toml in whatever directory it is started from: configuration comes only from the environment.
 */
import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dir, "..");
const run = (cmd: string[]) => {
  const p = Bun.spawnSync(cmd, { cwd: root, stdout: "inherit", stderr: "inherit" });
  if (p.exitCode !== 0) {
    console.error(`build failed: ${cmd.join(" ")}`);
    process.exit(p.exitCode ?? 1);
  }
};

run([process.execPath, "scripts/build-web.ts"]);
mkdirSync(join(root, "dist"), { recursive: true });
run([
  process.execPath, "build", "--compile", "--minify", "--bytecode", "--format=esm",
  "--no-compile-autoload-dotenv", "--no-compile-autoload-bunfig",
  // The store worker is its own entry point: a Worker URL must name a file inside the binary.
  "src/main.ts", "src/store/worker.ts", "--asset", "web/dist", "--outfile", "dist/tessera",
]);
console.log(`dist/tessera: ${(statSync(join(root, "dist", "tessera")).size / 1e6).toFixed(1)} MB`);
