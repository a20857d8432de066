/**
 * Protects the body decoder against what clients and attackers send: size caps that stop reading early,
 * gzip (labelled or by magic bytes) with a cap on the inflated size (a 200 MB bomb must be refused fast and
 * without memory growth), strict UTF-8, JSON errors that say where, base64 variants and dot-path queries.
 */
import { describe, expect, test } from "bun:test";
import { gzipSync, deflateSync } from "node:zlib";
import { decodeBase64, inflate, parseJson, queryToObject, readBody, utf8, type BodyLimit } from "./decode.ts";
import { IngestError } from "./errors.ts";

const LIMIT: BodyLimit = { bytes: 1000, where: "on /v1 routes" };
const req = (body: BodyInit, headers: Record<string, string> = {}) =>
  new Request("http://x/v1/batch", { method: "POST", body, headers });

function caught(f: () => unknown): IngestError {
  try {
    f();
  } catch (err) {
    if (err instanceof IngestError) return err;
    throw err;
  }
  throw new Error("expected an IngestError");
}

async function caughtAsync(f: () => Promise<unknown>): Promise<IngestError> {
  try {
    await f();
  } catch (err) {
    if (err instanceof IngestError) return err;
    throw err;
  }
  throw new Error("expected an IngestError");
}

describe("readBody", () => {
  test("returns the bytes under the limit", async () => {
    expect(new TextDecoder().decode(await readBody(req("hello"), LIMIT))).toBe("hello");
  });

  test("refuses a declared Content-Length over the limit before reading", async () => {
    const e = await caughtAsync(() => readBody(req("x".repeat(10), { "content-length": "5000" }), LIMIT));
    expect(e.status).toBe(413);
    expect(e.message).toContain("1000 bytes per request on /v1 routes");
  });

  test("reads a body with a declared Content-Length within the limit in one piece, and still checks its size", async () => {
    expect(new TextDecoder().decode(await readBody(req("hello", { "content-length": "5" }), LIMIT))).toBe("hello");
    // Over HTTP the framing stops at the declared length; a Request built in-process can carry more.
    const e = await caughtAsync(() => readBody(req("x".repeat(2000), { "content-length": "10" }), LIMIT));
    expect(e.status).toBe(413);
  });

  test("refuses a streamed body that passes the limit", async () => {
    const stream = new ReadableStream<Uint8Array>({
      pull(ctrl) {
        ctrl.enqueue(new Uint8Array(300));
      },
    });
    const e = await caughtAsync(() => readBody(req(stream), LIMIT));
    expect(e.status).toBe(413);
    expect(e.limit).toBe("1000 bytes per request");
  });
});

describe("inflate", () => {
  const json = new TextEncoder().encode('{"a":1}');

  test.each([
    ["gzip", gzipSync(json)],
    ["x-gzip", gzipSync(json)],
    ["", gzipSync(json)],
    ["deflate", deflateSync(json)],
    ["identity", json],
    ["gzip", json],
  ])("Content-Encoding %p", (enc, body) => {
    expect(utf8(inflate(new Uint8Array(body), enc, LIMIT))).toBe('{"a":1}');
  });

  test("a gzip bomb is refused with 413 naming the limit, quickly", () => {
    const bomb = gzipSync(new Uint8Array(200 * 1024 * 1024));
    const t = performance.now();
    const e = caught(() => inflate(bomb, "gzip", { bytes: 4 * 1024 * 1024, where: "on PostHog routes" }));
    expect(performance.now() - t).toBeLessThan(500);
    expect(e.status).toBe(413);
    expect(e.message).toBe("gzip-decompressed body exceeds the limit of 4 MB per request on PostHog routes");
  });

  test("truncated gzip is a 400", () => {
    const gz = gzipSync(json);
    const e = caught(() => inflate(gz.subarray(0, gz.length - 6), "gzip", LIMIT));
    expect(e.status).toBe(400);
    expect(e.message).toStartWith("request body is not valid gzip data");
  });

  test("an unknown encoding is a 415", () => {
    expect(caught(() => inflate(json, "lz4", LIMIT)).status).toBe(415);
  });
});

describe("text and JSON", () => {
  test("invalid UTF-8 is a clear 400", () => {
    const e = caught(() => utf8(new Uint8Array([0x7b, 0xff, 0x7d])));
    expect([e.status, e.message]).toEqual([400, "request body is not valid UTF-8"]);
  });

  test("a UTF-8 BOM is dropped", () => {
    expect(utf8(new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d]))).toBe("{}");
  });

  test("JSON errors quote the parser", () => {
    const e = caught(() => parseJson('{"a":'));
    expect(e.status).toBe(400);
    expect(e.message).toStartWith("request body is not valid JSON (");
    expect(caught(() => parseJson("  ")).message).toBe("request body is empty");
  });
});

describe("decodeBase64", () => {
  const text = '{"event":"开","x":"~~~???"}';
  const std = Buffer.from(text).toString("base64");
  test.each([
    ["standard", std],
    ["url-safe", std.replace(/\+/g, "-").replace(/\//g, "_")],
    ["unpadded", std.replace(/=+$/, "")],
    ["form-mangled + as space", std.replace(/\+/g, " ")],
  ])("%s", (_name, input) => {
    expect(new TextDecoder().decode(decodeBase64(input)!)).toBe(text);
  });

  test("non-base64 is null", () => {
    expect(decodeBase64("{not base64}")).toBeNull();
    expect(decodeBase64("")).toBeNull();
  });
});

describe("queryToObject", () => {
  test("dot paths nest, values stay strings, key params are skipped", () => {
    const q = new URLSearchParams("event=Email%20Opened&userId=u1&properties.subject=Hi&properties.n=3&context.page.url=https://x&writeKey=k");
    expect(queryToObject(q, new Set(["writeKey"]))).toEqual({
      event: "Email Opened",
      userId: "u1",
      properties: { subject: "Hi", n: "3" },
      context: { page: { url: "https://x" } },
    });
  });

  test("prototype keys and empty segments are ignored", () => {
    const o = queryToObject(new URLSearchParams("__proto__.x=1&a..b=2&constructor.prototype.y=3&ok=1"));
    expect(o).toEqual({ ok: "1" });
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

test("integers past 2^53 keep every digit as text; other numbers stay numbers", () => {
  expect(parseJson('{"id":9007199254740993,"big":-12345678901234567890,"safe":9007199254740991,"f":0.1234567890123456789,"e":1e300,"s":"12345678901234567890"}'))
    .toEqual({ id: "9007199254740993", big: "-12345678901234567890", safe: 9007199254740991, f: 0.12345678901234568, e: 1e300, s: "12345678901234567890" });
  expect(parseJson('{"n":42,"x":1.5}')).toEqual({ n: 42, x: 1.5 }); // no long digit run: the plain parse
});
