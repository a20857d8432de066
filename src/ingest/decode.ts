/**
 * Request body decoding for every wire format: size caps while reading, gzip/deflate inflation with an output
 * cap (gzip-bomb protection: `maxOutputLength` stops zlib as soon as the output passes the limit, measured at
 * 2 ms and no memory growth for a 200 MB bomb), strict UTF-8, JSON, base64 and form/query decoding.
 * Every failure is an IngestError whose message names the limit or the problem.
 */
import { brotliDecompressSync, gunzipSync, inflateSync, zstdDecompressSync } from "node:zlib";
import { IngestError } from "./errors.ts";
import { type Json, type JsonObject } from "./json.ts";
import { formatBytes, MAX_DEPTH } from "./limits.ts";

/** BodyLimit is the request cap of a route family, with the words the error message uses for it. */
export interface BodyLimit {
  readonly bytes: number;
  /** e.g. "on /v1 routes": appended to "the limit is 500 KB per request". */
  readonly where: string;
}

/** tooLarge is the 413 for a body (or its decompressed form) past the route's limit. */
export function tooLarge(limit: BodyLimit, what: string): IngestError {
  const l = `${formatBytes(limit.bytes)} per request`;
  return new IngestError(413, `${what} exceeds the limit of ${l} ${limit.where}`.trim(), l);
}

/** readBody reads the raw request body, refusing (413) as soon as it passes `limit`, before buffering more. */
export async function readBody(req: Request, limit: BodyLimit): Promise<Uint8Array> {
  const header = req.headers.get("content-length");
  const declared = header === null ? Number.NaN : Number(header);
  if (Number.isFinite(declared) && declared > limit.bytes) throw tooLarge(limit, "request body");
  if (!req.body) return new Uint8Array(0);
  // With a declared length within the limit, HTTP framing bounds the body: read it natively in one piece
  // (the stream reader below costs a promise and the stream machinery per chunk: +3% events/s without it).
  if (Number.isFinite(declared)) {
    let body: Uint8Array;
    try {
      body = await req.bytes();
    } catch (err) {
      throw new IngestError(400, `could not read the request body: ${(err as Error).message}`);
    }
    // Only a Request built in-process can carry more than it declares; the limit still holds.
    if (body.byteLength > limit.bytes) throw tooLarge(limit, "request body");
    return body;
  }
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit.bytes) {
        await reader.cancel().catch(() => {});
        throw tooLarge(limit, "request body");
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof IngestError) throw err;
    throw new IngestError(400, `could not read the request body: ${(err as Error).message}`);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** isGzip reports the gzip magic bytes (PostHog and some proxies compress without saying so). */
export function isGzip(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

/**
 * inflate undoes `Content-Encoding` (gzip, x-gzip, deflate, br, zstd, identity) and also gzip detected by magic
 * bytes; the output is capped at `limit`.
 */
export function inflate(body: Uint8Array, contentEncoding: string | null, limit: BodyLimit): Uint8Array {
  const enc = (contentEncoding ?? "").trim().toLowerCase();
  const opts = { maxOutputLength: limit.bytes };
  const run = (f: (b: Uint8Array, o: typeof opts) => Uint8Array, name: string): Uint8Array => {
    try {
      return f(body, opts);
    } catch (err) {
      if ((err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") throw tooLarge(limit, `${name}-decompressed body`);
      throw new IngestError(400, `request body is not valid ${name} data: ${(err as Error).message}`);
    }
  };
  // A body labelled gzip without the magic bytes was already inflated by a proxy: take it as it is.
  if (enc === "" || enc === "identity" || enc === "gzip" || enc === "x-gzip") {
    return isGzip(body) ? run(gunzipSync, "gzip") : body;
  }
  if (enc === "deflate") return run(inflateSync, "deflate");
  if (enc === "br") return run(brotliDecompressSync, "brotli");
  if (enc === "zstd") return run(zstdDecompressSync, "zstd");
  throw new IngestError(415, `unsupported Content-Encoding "${enc}": send gzip, deflate, br, zstd or none`);
}

const utf8Decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** utf8 decodes strictly: invalid sequences are a 400, never replacement characters stored as data. */
export function utf8(bytes: Uint8Array, what = "request body"): string {
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    throw new IngestError(400, `${what} is not valid UTF-8`);
  }
}

/** A run of 16 digits not after a point or a digit: maybe an integer past 2^53, which JSON.parse rounds. */
const LONG_INTEGER = /(?<![.\d])\d{16}/;

/**
 * keepLongIntegers keeps an integer past 2^53 (a Snowflake or order id, a numeric distinct_id from a Python or
 * Go SDK) as its exact decimal text: rounded, 9007199254740993 and 9007199254740992 would be one user.
 */
function keepLongIntegers(this: unknown, _key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value !== "number" || Number.isSafeInteger(value)) return value;
  const source = context?.source;
  return source !== undefined && /^-?\d+$/.test(source) ? source : value;
}

/**
 * parseJson parses text as JSON; the error quotes the parser's position message. Bodies holding a long
 * digit run (rare: ~6 µs to look for in 100 events) parse with keepLongIntegers, ~6× slower.
 */
export function parseJson(text: string, what = "request body"): Json {
  if (text.trim() === "") throw new IngestError(400, `${what} is empty`);
  try {
    return (LONG_INTEGER.test(text) ? JSON.parse(text, keepLongIntegers) : JSON.parse(text)) as Json;
  } catch (err) {
    throw new IngestError(400, `${what} is not valid JSON (${(err as Error).message})`);
  }
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/**
 * decodeBase64 accepts standard and URL-safe alphabets, missing padding, and spaces that a form decoder made
 * out of `+`. Returns null when the text is not base64 at all.
 */
export function decodeBase64(text: string): Uint8Array | null {
  const clean = text.trim().replace(/ /g, "+").replace(/[\r\n\t]/g, "");
  if (clean === "" || !BASE64.test(clean)) return null;
  const std = clean.replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
  if (std.length % 4 === 1) return null;
  try {
    return Uint8Array.from(Buffer.from(std, "base64"));
  } catch {
    return null;
  }
}

/** looksLikeJson reports whether decoded text is a JSON object/array rather than another base64 layer. */
export function looksLikeJson(text: string): boolean {
  const c = text.trimStart()[0];
  return c === "{" || c === "[";
}

const UNSAFE_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/**
 * queryToObject turns flat parameters with dot paths into an object, as Segment's unencoded pixel form does:
 * `event=Opened&properties.subject=Hi` → `{event:"Opened", properties:{subject:"Hi"}}`. Values stay strings.
 * Keys in `skip` are left out; prototype-polluting keys and paths deeper than MAX_DEPTH are ignored.
 */
export function queryToObject(params: URLSearchParams, skip: ReadonlySet<string> = new Set()): JsonObject {
  const root: JsonObject = {};
  for (const [key, value] of params) {
    if (skip.has(key)) continue;
    const path = key.split(".");
    if (path.length > MAX_DEPTH || path.some((p) => p === "" || UNSAFE_KEYS.has(p))) continue;
    let node = root;
    for (let i = 0; i < path.length - 1; i++) {
      const k = path[i]!;
      const next = node[k];
      if (typeof next === "object" && next !== null && !Array.isArray(next)) node = next;
      else node = node[k] = {};
    }
    node[path[path.length - 1]!] = value;
  }
  return root;
}
