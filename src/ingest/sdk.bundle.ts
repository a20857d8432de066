/**
 * The SDK bundles, each built once per process with Bun.build from memory and content-addressed (the first 16
 * hex characters of its SHA-256), so a version can be served with an immutable cache:
 * - the browser SDK (sdk/browser-sdk.ts): a minified IIFE (~4.5 KB, ~2 KB gzipped) at `/sdk/<hash>.js`, pinned
 *   with Subresource Integrity;
 * - the WeChat Mini Program SDK (sdk/miniprogram-sdk.ts): a minified CommonJS module (`module.exports = tessera`)
 *   at `/sdk/wx.js` and `/sdk/wx-<hash>.js`, which developers save into their mini program (a mini program
 *   cannot load code from the network).
 * The sources are imported as text (sdk/sources.js) so `bun build --compile` embeds them and nothing is read from
 * disk at run time.
 */
import { browserSdkSource, miniprogramSdkSource } from "./sdk/sources.js";

/** SdkBundle is a built SDK with its content hash and SRI value. */
export interface SdkBundle {
  readonly code: string;
  /** First 16 hex characters of the SHA-256 of `code`: the versioned URL is `/sdk/<hash>.js` (`/sdk/wx-<hash>.js`). */
  readonly hash: string;
  /** `sha384-…` for `<script integrity>`. */
  readonly integrity: string;
}

const builds = new Map<string, Promise<SdkBundle>>();

function bundle(name: string, source: string, format: "iife" | "cjs"): Promise<SdkBundle> {
  let built = builds.get(name);
  if (built) return built;
  built = (async () => {
    const entry = `/tessera-sdk/${name}.ts`;
    const r = await Bun.build({ entrypoints: [entry], files: { [entry]: source }, minify: true, format, target: "browser" });
    const out = r.outputs[0];
    if (!r.success || !out) throw new Error(`building the ${name} SDK failed: ${r.logs.map(String).join("; ")}`);
    const code = await out.text();
    const hash = new Bun.CryptoHasher("sha256").update(code).digest("hex").slice(0, 16);
    const integrity = `sha384-${new Bun.CryptoHasher("sha384").update(code).digest("base64")}`;
    return { code, hash, integrity };
  })();
  builds.set(name, built);
  built.catch(() => builds.delete(name));
  return built;
}

/** buildSdk bundles the browser SDK (memoised: every caller shares one build per process). */
export function buildSdk(): Promise<SdkBundle> {
  return bundle("browser-sdk", browserSdkSource, "iife");
}

/** buildWxSdk bundles the WeChat Mini Program SDK, a CommonJS module (memoised like buildSdk). */
export function buildWxSdk(): Promise<SdkBundle> {
  return bundle("miniprogram-sdk", miniprogramSdkSource, "cjs");
}
