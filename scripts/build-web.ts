/**
 * Builds the dashboard (web/index.html → web/dist) with Bun's bundler: minified, hashed file names,
 * absolute `/` URLs so deep SPA routes load their assets. `npm start`, `npm test` and the release build
 * run it first.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dir, "..");
const outdir = join(root, "web", "dist");
rmSync(outdir, { recursive: true, force: true });
const result = await Bun.build({
  entrypoints: [join(root, "web", "index.html")],
  outdir,
  minify: true,
  // Pages imported with import() become their own chunks: the first load carries the shell and overview only.
  splitting: true,
  publicPath: "/",
  sourcemap: "linked",
  define: { "process.env.NODE_ENV": JSON.stringify("production") },
});
if (!result.success) {
  for (const log of result.logs) console.error(log);
  process.exit(1);
}
const size = result.outputs.reduce((n, o) => n + o.size, 0);
console.log(`web/dist: ${result.outputs.length} files, ${(size / 1024).toFixed(1)} KB`);
