/**
 * Serves the built dashboard (web/dist on disk in development, the `--asset web/dist` folder inside the
 * compiled binary). The file list is read once at start into a map, so a request path is only ever
 * looked up, never joined onto the file system (no traversal). Unknown extension-less paths get
 * index.html: the Preact router owns them.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./env.ts";

/**
 * findWebRoot locates the dashboard build: beside the bundle inside a compiled binary (Bun puts
 * `--asset web/dist` at `<bundle dir>/dist`), else web/dist of the checkout.
 */
export function findWebRoot(): string | null {
  const candidates = [join(import.meta.dir, "dist"), resolve(import.meta.dir, "../../web/dist")];
  return candidates.find((d) => existsSync(join(d, "index.html"))) ?? null;
}

/** dashboard serves `root`'s files and the SPA fallback; with no root it answers a hint. */
export function dashboard(root: string | null): MiddlewareHandler<AppEnv> {
  const files = new Map<string, string>();
  if (root !== null) {
    for (const rel of readdirSync(root, { recursive: true, encoding: "utf8" })) {
      const abs = join(root, rel);
      if (statSync(abs).isFile()) files.set(`/${rel.split("\\").join("/")}`, abs);
    }
  }
  const index = files.get("/index.html");
  return async (c, next) => {
    const path = c.req.path;
    const file = files.get(path);
    if (file !== undefined) {
      // Bundled assets carry a content hash in their name, so they never change under the same URL.
      const hashed = /-[a-z0-9]{8}\.[a-z0-9]+$/.test(path);
      c.header("Cache-Control", hashed ? "public, max-age=31536000, immutable" : "no-cache");
      return c.body(await Bun.file(file).arrayBuffer(), 200, { "Content-Type": Bun.file(file).type });
    }
    if (path.startsWith("/api/") || /\.[A-Za-z0-9]+$/.test(path)) return next();
    if (index === undefined) {
      return c.text("The dashboard is not built. Run `bun scripts/build-web.ts` (npm start does this) and reload.", 503);
    }
    c.header("Cache-Control", "no-cache");
    return c.html(await Bun.file(index).text());
  };
}
