/**
 * PostHog body encodings (PH-types, PH-decomp, PH-js request.ts): posthog-js sends gzip as a raw body
 * (`?compression=gzip-js`, or just the magic bytes) or base64 as a form field (`data=…&compression=base64`);
 * legacy clients GET with `?data=`, and a payload still base64 after decoding is unwrapped once more.
 * lz-string (`compression=lz64` / `lz-string`, in the query or the form; PostHog's old Django capture also
 * took it as `Content-Encoding: lz64`) is what posthog-js sent before gzip and what some SDKs still send:
 * decompressed by lz-string.ts under the same cap as gzip.
 */
import { IngestError } from "./errors.ts";
import { decodeBase64, inflate, isGzip, looksLikeJson, parseJson, tooLarge, utf8, type BodyLimit } from "./decode.ts";
import type { Json } from "./json.ts";
import { decompressFromBase64, LzTooLarge } from "./lz-string.ts";

const LZ = new Set(["lz64", "lz-string", "lz"]);

function isLz(compression: string | null): boolean {
  return compression !== null && LZ.has(compression.trim().toLowerCase());
}

/**
 * lzText decompresses lz-string base64. The cap counts UTF-16 code units while decoding (UTF-8 is never
 * shorter, so nothing under the byte limit is refused), then the UTF-8 size is checked like any other body.
 */
function lzText(data: string, limit: BodyLimit, what: string): string {
  let text: string | null;
  try {
    text = decompressFromBase64(data.trim(), limit.bytes);
  } catch (err) {
    if (err instanceof LzTooLarge) throw tooLarge(limit, "lz-string-decompressed body");
    throw err;
  }
  if (text === null) throw new IngestError(400, `${what} is not valid lz-string data (compression=lz64)`);
  // The decompressor yields UTF-16 code units; a lone surrogate is what invalid UTF-8 is elsewhere.
  if (!text.isWellFormed()) throw new IngestError(400, `${what} is not valid lz-string data (not valid UTF-16 text)`);
  if (Buffer.byteLength(text) > limit.bytes) throw tooLarge(limit, "lz-string-decompressed body");
  return text;
}

/** payloadFromData decodes a `data` field: lz-string, base64 (possibly twice, possibly of gzip) or plain JSON. */
export function payloadFromData(data: string, compression: string | null, limit: BodyLimit): Json {
  // A client that labels plain JSON lz64 is read as JSON: lz-string's alphabet cannot start with { or [.
  if (isLz(compression) && !looksLikeJson(data)) return parseJson(lzText(data, limit, "data"), "data");
  let text = data;
  for (let layer = 0; layer < 2 && !looksLikeJson(text); layer++) {
    const decoded = decodeBase64(text);
    if (!decoded) break;
    text = utf8(isGzip(decoded) ? inflate(decoded, null, limit) : decoded, "data");
  }
  return parseJson(text, "data");
}

/** PosthogBodyOptions are the request facts that decide how to read the body. */
export interface PosthogBodyOptions {
  readonly contentType: string | null;
  readonly contentEncoding: string | null;
  /** `compression` from the query string. */
  readonly compression: string | null;
  readonly limit: BodyLimit;
}

/** decodePosthogBody turns the raw bytes of a PostHog POST into JSON. */
export function decodePosthogBody(raw: Uint8Array, o: PosthogBodyOptions): Json {
  if (isLz(o.contentEncoding)) return parseJson(lzText(utf8(raw), o.limit, "request body"));
  // capture-rs reads these Content-Encoding values as compression names, as if sent as `compression=`
  const named = (o.contentEncoding ?? "").trim().toLowerCase();
  if (named === "gzip-js" || named === "base64" || named === "b64") {
    return decodePosthogBody(raw, { ...o, contentEncoding: null, compression: named === "gzip-js" ? "gzip" : named });
  }
  const text = utf8(inflate(raw, o.contentEncoding, o.limit));
  const form = (o.contentType ?? "").toLowerCase().includes("application/x-www-form-urlencoded");
  if (!looksLikeJson(text) && (form || /^(?:[\w$]+=[^&]*&)*data=/.test(text))) {
    const fields = new URLSearchParams(text);
    const data = fields.get("data");
    if (data === null) throw new IngestError(400, "data: missing form field (expected data=<base64 JSON>)");
    return payloadFromData(data, fields.get("compression") ?? o.compression, o.limit);
  }
  if (isLz(o.compression) && !looksLikeJson(text)) return parseJson(lzText(text, o.limit, "request body"));
  const c = (o.compression ?? "").toLowerCase();
  if (c === "base64" || c === "b64") return payloadFromData(text, o.compression, o.limit);
  if (!looksLikeJson(text) && decodeBase64(text) !== null) return payloadFromData(text, o.compression, o.limit);
  return parseJson(text);
}
