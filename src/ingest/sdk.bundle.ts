/**
 * The browser SDK bundle: sdk/browser-sdk.ts built once per process with Bun.build into a minified IIFE
 * (~4.5 KB, ~2 KB gzipped), content-addressed so it can be served at `/sdk/<hash>.js` with an immutable cache
 * and pinned with Subresource Integrity. The source is imported as text so `bun build --compile` embeds it and
 * the bundle builds from memory (`files`), with no file on disk at run time.
 */
// @ts-expect-error TypeScript types import attributes only for JSON; Bun gives the file's text as a string.
import sdkSource from "./sdk/browser-sdk.ts" with { type: "text" };

/** SdkBundle is the built SDK with its content hash and SRI value. */
export interface SdkBundle {
  readonly code: string;
  /** First 16 hex characters of the SHA-256 of `code`: the versioned URL is `/sdk/<hash>.js`. */
  readonly hash: string;
  /** `sha384-…` for `<script integrity>`. */
  readonly integrity: string;
}

let built: Promise<SdkBundle> | null = null;

/** buildSdk bundles the SDK (memoised: every caller shares one build per process). */
export function buildSdk(): Promise<SdkBundle> {
  built ??= (async () => {
    const entry = "/tessera-sdk/browser-sdk.ts";
    const r = await Bun.build({
      entrypoints: [entry],
      files: { [entry]: sdkSource as string },
      minify: true,
      format: "iife",
      target: "browser",
    });
    const out = r.outputs[0];
    if (!r.success || !out) throw new Error(`building the browser SDK failed: ${r.logs.map(String).join("; ")}`);
    const code = await out.text();
    const hash = new Bun.CryptoHasher("sha256").update(code).digest("hex").slice(0, 16);
    const integrity = `sha384-${new Bun.CryptoHasher("sha384").update(code).digest("base64")}`;
    return { code, hash, integrity };
  })();
  built.catch(() => {
    built = null;
  });
  return built;
}
