/**
 * PostHog body encodings (PH-types, PH-decomp, PH-js request.ts): posthog-js sends gzip as a raw body
 * (`?compression=gzip-js`, or just the magic bytes) or base64 as a form field (`data=…&compression=base64`);
 * legacy clients GET with `?data=`, and a payload still base64 after decoding is unwrapped once more.
 * lz-string (`lz64`) is refused with a 415 that says what to send instead: posthog-js stopped sending it, and
 * its decompressor cannot be capped cheaply against bombs.
 */
import { IngestError } from "./errors.ts";
import { decodeBase64, inflate, isGzip, looksLikeJson, parseJson, utf8, type BodyLimit } from "./decode.ts";
import type { Json } from "./json.ts";

const LZ = new Set(["lz64", "lz-string", "lz"]);

function refuseLz(compression: string | null): void {
  if (compression && LZ.has(compression.toLowerCase())) {
    throw new IngestError(415, `compression=${compression} is not supported: send gzip-js, gzip or base64`);
  }
}

/** payloadFromData decodes a `data` field: base64 (possibly twice, possibly of gzip) or plain JSON. */
export function payloadFromData(data: string, compression: string | null, limit: BodyLimit): Json {
  refuseLz(compression);
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
  refuseLz(o.compression);
  const text = utf8(inflate(raw, o.contentEncoding, o.limit));
  const form = (o.contentType ?? "").toLowerCase().includes("application/x-www-form-urlencoded");
  if (!looksLikeJson(text) && (form || /^(?:[\w$]+=[^&]*&)*data=/.test(text))) {
    const fields = new URLSearchParams(text);
    const data = fields.get("data");
    if (data === null) throw new IngestError(400, "data: missing form field (expected data=<base64 JSON>)");
    return payloadFromData(data, fields.get("compression") ?? o.compression, o.limit);
  }
  const c = (o.compression ?? "").toLowerCase();
  if (c === "base64" || c === "b64") return payloadFromData(text, o.compression, o.limit);
  if (!looksLikeJson(text) && decodeBase64(text) !== null) return payloadFromData(text, o.compression, o.limit);
  return parseJson(text);
}
