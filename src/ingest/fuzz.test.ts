/**
 * Fuzzes the ingest routes with malformed bodies (truncated JSON, wrong types, huge strings, deep nesting,
 * invalid UTF-8, gzip bombs, random bytes, odd headers). Protects SPEC §3's promises for hostile input:
 * never a 500 and never a crash, always a JSON (or GIF) answer, and the valid items of a partly broken batch
 * are still handed to the store. A seeded PRNG keeps failures reproducible.
 */
import { describe, expect, test } from "bun:test";
import { gzipSync, zstdCompressSync } from "node:zlib";
import { basic, testApp, WRITE_KEY } from "./ingest.fixtures.ts";

/** mulberry32: small deterministic PRNG so a failing case can be replayed from its seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T,>(xs: readonly T[]): T => xs[int(xs.length)]!;
  return { next, int, pick };
}
type Rng = ReturnType<typeof prng>;

const OK_STATUSES = new Set([200, 204, 400, 401, 413, 415]);

function randomValue(r: Rng, depth = 0): unknown {
  switch (r.int(depth > 3 ? 6 : 9)) {
    case 0: return null;
    case 1: return r.next() < 0.5;
    case 2: return r.pick([0, -1, 1e308, -1e-308, 2 ** 53, Number.MAX_SAFE_INTEGER, 3.14]);
    case 3: return r.pick(["", "null", "undefined", "0", "中文", "\u0000", "\ud800", "😀".repeat(5), "a".repeat(r.int(300))]);
    case 4: return "x".repeat(r.int(5000));
    case 5: return new Date(r.int(2 ** 42)).toISOString();
    case 6: return Array.from({ length: r.int(4) }, () => randomValue(r, depth + 1));
    case 7: return Object.fromEntries(Array.from({ length: r.int(4) }, (_, i) => [r.pick(["type", "event", "userId", "__proto__", `k${i}`, "$set"]), randomValue(r, depth + 1)]));
    default: return { nested: randomValue(r, depth + 1) };
  }
}

const FIELDS = ["type", "event", "userId", "anonymousId", "previousId", "groupId", "messageId", "properties", "traits", "context", "timestamp", "originalTimestamp", "sentAt", "name"];

function validItem(r: Rng, i: number): Record<string, unknown> {
  return { type: "track", event: `ev${i}`, anonymousId: `anon-${r.int(1000)}`, messageId: `valid-${i}-${r.int(1e9)}`, properties: { n: i } };
}

function mutate(r: Rng, item: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...item, messageId: `mutant-${r.int(1e9)}` };
  for (let k = 0, n = 1 + r.int(3); k < n; k++) out[r.pick(FIELDS)] = randomValue(r);
  return out;
}

function deep(levels: number, open: string, close: string, leaf = "1"): string {
  return open.repeat(levels) + leaf + close.repeat(levels);
}

const enc = (s: string) => new TextEncoder().encode(s);

describe("Segment routes", () => {
  test("partly broken batches: valid items always reach the sink, never a 500", async () => {
    const r = prng(20240501);
    for (let round = 0; round < 300; round++) {
      const { app, rec, errors } = testApp();
      const items: Record<string, unknown>[] = [];
      const valid: string[] = [];
      for (let i = 0, n = 1 + r.int(12); i < n; i++) {
        if (r.next() < 0.5) {
          const v = validItem(r, i);
          valid.push(v.messageId as string);
          items.push(v);
        } else items.push(mutate(r, validItem(r, i)));
      }
      const res = await app.request("/v1/batch", {
        method: "POST",
        headers: { authorization: basic(WRITE_KEY), "content-type": r.pick(["application/json", "text/plain", "", "application/x-www-form-urlencoded"]) },
        body: JSON.stringify({ batch: items, sentAt: r.next() < 0.8 ? new Date().toISOString() : randomValue(r) }),
      });
      expect(errors).toEqual([]);
      expect(OK_STATUSES.has(res.status)).toBe(true);
      const body = (await res.json()) as { success: boolean };
      if (res.status === 200) {
        const stored = new Set(rec.messages().map((m) => m.messageId));
        for (const id of valid) expect(stored.has(id)).toBe(true);
      } else {
        expect(body.success).toBe(false);
      }
    }
  });

  test("malformed bodies of every kind answer 4xx JSON", async () => {
    const r = prng(7);
    const good = JSON.stringify({ batch: [validItem(r, 0), validItem(r, 1)] });
    const bodies: [string, Uint8Array | string, Record<string, string>][] = [
      ["deep arrays", deep(200_000, "[", "]"), {}],
      ["deep objects in properties", `{"batch":[{"type":"track","event":"e","anonymousId":"a","properties":${deep(50_000, '{"a":', "}")}}]}`, {}],
      ["deep single message", `{"event":"e","anonymousId":"a","properties":${deep(10_000, "[", "]")}}`, {}],
      ["deep batch context", `{"context":${deep(5_000, '{"a":', "}")},"batch":[{"type":"track","event":"e","anonymousId":"a"}]}`, {}],
      ["big batch context", JSON.stringify({ context: { s: "c".repeat(40_000) }, batch: [validItem(r, 0)] }), {}],
      ["huge string", JSON.stringify({ batch: [{ ...validItem(r, 0), properties: { s: "y".repeat(490_000) } }] }), {}],
      ["invalid UTF-8", new Uint8Array([...enc('{"batch":[{"event":"'), 0xff, 0xfe, ...enc('"}]}')]), {}],
      ["lone surrogate escapes", '{"batch":[{"type":"track","event":"\\ud800","anonymousId":"\\udfff"}]}', {}],
      ["NUL bytes", `{"batch":[{"type":"track","event":"a\u0000b","anonymousId":"a"}]}`, {}],
      ["gzip bomb", new Uint8Array(gzipSync(new Uint8Array(50 * 1024 * 1024))), { "content-encoding": "gzip" }],
      ["gzip bomb without header", new Uint8Array(gzipSync(new Uint8Array(50 * 1024 * 1024))), {}],
      ["gzip of garbage", new Uint8Array([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7]), {}],
      ["deflate of garbage", new Uint8Array([1, 2, 3]), { "content-encoding": "deflate" }],
      ["br of garbage", new Uint8Array([1, 2, 3]), { "content-encoding": "br" }],
      ["empty", "", {}],
      ["null", "null", {}],
      ["number", "42", {}],
      ["batch is an object", '{"batch":{"0":{}}}', {}],
      ["batch of nulls", '{"batch":[null,null]}', {}],
      ["huge number", `{"batch":[{"type":"track","event":"e","anonymousId":"a","timestamp":1e400}]}`, {}],
      ["proto pollution", '{"batch":[{"type":"track","event":"e","anonymousId":"a","__proto__":{"polluted":1},"properties":{"__proto__":{"x":1}}}]}', {}],
    ];
    for (let i = 0; i < 40; i++) bodies.push([`truncated ${i}`, good.slice(0, r.int(good.length)), {}]);
    for (let i = 0; i < 40; i++) bodies.push([`random bytes ${i}`, crypto.getRandomValues(new Uint8Array(1 + r.int(2000))), {}]);
    for (let i = 0; i < 10; i++) bodies.push([`gzip random ${i}`, new Uint8Array(gzipSync(crypto.getRandomValues(new Uint8Array(r.int(3000))))), { "content-encoding": "gzip" }]);

    for (const [name, body, headers] of bodies) {
      for (const path of ["/v1/batch", "/v1/track", "/v1/b", "/v1/import", "/beacon/v1/batch", "/api/s/track", "/api/s/s2s/identify"]) {
        const { app, errors } = testApp();
        const res = await app.request(path, {
          method: "POST",
          headers: { authorization: basic(WRITE_KEY), ...headers },
          body: typeof body === "string" ? body : (body as Uint8Array<ArrayBuffer>),
        });
        if (!OK_STATUSES.has(res.status) || errors.length > 0) {
          throw new Error(`${name} on ${path}: ${res.status} ${await res.text()} ${errors.map(String).join("; ")}`);
        }
        const text = await res.text();
        expect(() => JSON.parse(text)).not.toThrow();
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("PostHog routes", () => {
  test("random and broken PostHog bodies never 500; valid events of a mixed batch are kept", async () => {
    const r = prng(99);
    for (let round = 0; round < 200; round++) {
      const { app, rec, errors } = testApp();
      const valid: string[] = [];
      const events = Array.from({ length: 1 + r.int(8) }, (_, i) => {
        const uuid = `ph-${round}-${i}`;
        if (r.next() < 0.5) {
          valid.push(uuid);
          return { event: "e", distinct_id: `d${i}`, uuid, properties: { i } };
        }
        const e: Record<string, unknown> = { event: "e", distinct_id: "d", uuid: `bad-${uuid}` };
        for (let k = 0; k < 2; k++) e[r.pick(["event", "distinct_id", "properties", "timestamp", "$set", "offset"])] = randomValue(r);
        return e;
      });
      const json = JSON.stringify({ api_key: WRITE_KEY, batch: events });
      const form = r.int(4);
      const body: Uint8Array | string =
        form === 0 ? json
        : form === 1 ? new Uint8Array(gzipSync(json))
        : form === 2 ? `data=${encodeURIComponent(Buffer.from(json).toString("base64"))}&compression=base64`
        : json.slice(0, r.int(json.length));
      const res = await app.request(r.pick(["/batch/", "/e/", "/capture", "/i/v0/e/"]), {
        method: "POST",
        headers: form === 2 ? { "content-type": "application/x-www-form-urlencoded" } : { "content-type": r.pick(["application/json", "text/plain"]) },
        body: typeof body === "string" ? body : (body as Uint8Array<ArrayBuffer>),
      });
      expect(errors).toEqual([]);
      expect(OK_STATUSES.has(res.status)).toBe(true);
      if (res.status === 200) {
        const stored = new Set(rec.messages().map((m) => m.messageId));
        for (const id of valid) expect(stored.has(id)).toBe(true);
      }
    }
  });

  test("a 4 MB route still refuses a gzip bomb quickly", async () => {
    const { app } = testApp();
    const t = performance.now();
    const res = await app.request("/batch/", {
      method: "POST",
      headers: { "content-encoding": "gzip" },
      body: new Uint8Array(gzipSync(new Uint8Array(300 * 1024 * 1024))),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { limit: string }).limit).toBe("4 MB per request");
    expect(performance.now() - t).toBeLessThan(2000);
  });
});

describe("PostHog capture v1", () => {
  test("random and broken v1 bodies never 500; valid events are stored and answered ok by uuid", async () => {
    const r = prng(17);
    for (let round = 0; round < 200; round++) {
      const { app, rec, errors } = testApp();
      const valid: string[] = [];
      const events = Array.from({ length: 1 + r.int(8) }, (_, i) => {
        const uuid = `v1-${round}-${i}`;
        if (r.next() < 0.5) {
          valid.push(uuid);
          return { event: "e", uuid, distinct_id: `d${i}`, timestamp: "2026-03-02T07:00:00Z", options: {}, properties: { i } };
        }
        const e: Record<string, unknown> = { event: "e", uuid: `bad-${uuid}`, distinct_id: "d", timestamp: "2026-03-02T07:00:00Z" };
        for (let k = 0; k < 2; k++) e[r.pick(["event", "distinct_id", "properties", "timestamp", "options", "session_id", "window_id"])] = randomValue(r);
        return e;
      });
      const json = JSON.stringify({ created_at: "2026-03-02T07:00:00Z", batch: events });
      const form = r.int(3);
      const body = form === 0 ? json : form === 1 ? new Uint8Array(zstdCompressSync(json)) : json.slice(0, r.int(json.length));
      const res = await app.request(r.pick(["/i/v1/analytics/events", "/i/v1/analytics/events/"]), {
        method: "POST",
        headers: {
          authorization: `Bearer ${WRITE_KEY}`, "content-type": "application/json", "posthog-request-timestamp": r.pick(["2026-03-02T07:00:01Z", "not a time", "", "1709362801000"]),
          ...(form === 1 ? { "content-encoding": "zstd" } : {}),
        },
        body: typeof body === "string" ? body : (body as Uint8Array<ArrayBuffer>),
      });
      expect(errors).toEqual([]);
      expect(OK_STATUSES.has(res.status)).toBe(true);
      if (res.status === 200) {
        const { results } = (await res.json()) as { results: Record<string, { result: string }> };
        const stored = new Set(rec.messages().map((m) => m.messageId));
        for (const id of valid) expect([id, stored.has(id), results[id]?.result]).toEqual([id, true, "ok"]);
      }
    }
  });

  test("a zstd bomb is refused quickly, naming the limit", async () => {
    const { app } = testApp();
    const res = await app.request("/i/v1/analytics/events", {
      method: "POST",
      headers: { authorization: `Bearer ${WRITE_KEY}`, "content-encoding": "zstd" },
      body: new Uint8Array(zstdCompressSync(new Uint8Array(300 * 1024 * 1024))),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: "payload_too_large" });
  });
});

describe("Sensors Data routes", () => {
  test("random and broken Sensors bodies never 500; when accepted, every valid event is stored", async () => {
    const r = prng(23);
    for (let round = 0; round < 200; round++) {
      const { app, rec, errors } = testApp();
      let valid = 0;
      const events = Array.from({ length: 1 + r.int(6) }, (_, i) => {
        const e: Record<string, unknown> = { type: "track", event: "e", distinct_id: `d${i}`, time: 1_700_000_000_000 + i, _track_id: round * 100 + i, properties: { i } };
        if (r.next() < 0.5) valid++;
        else for (let k = 0; k < 2; k++) e[r.pick(["type", "event", "distinct_id", "time", "properties", "identities", "lib"])] = randomValue(r);
        return e;
      });
      const json = JSON.stringify(events);
      const form = r.int(3);
      const payload = form === 0 ? Buffer.from(json).toString("base64") : form === 1 ? Buffer.from(gzipSync(json)).toString("base64") : Buffer.from(json).toString("base64").slice(0, r.int(json.length));
      const body = `${form === 1 ? "gzip=1&" : ""}data_list=${encodeURIComponent(payload)}`;
      const res = await app.request(`/sa?project=${WRITE_KEY}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body });
      expect(errors).toEqual([]);
      expect(OK_STATUSES.has(res.status)).toBe(true);
      if (res.status === 200) expect(rec.messages().length).toBeGreaterThanOrEqual(valid);
    }
  });
});

describe("pixels", () => {
  test("random query strings always answer the GIF", async () => {
    const r = prng(5);
    const { app, errors } = testApp();
    for (let i = 0; i < 200; i++) {
      const params = new URLSearchParams();
      params.set("writeKey", r.next() < 0.8 ? WRITE_KEY : "x");
      for (let k = 0, n = r.int(6); k < n; k++) {
        params.set(r.pick(["event", "userId", "anonymousId", "properties.a", "context.page.url", "timestamp", "type", "a.b.c.d", "__proto__.x", "data"]), String(randomValue(r)).slice(0, 500));
      }
      const res = await app.request(`${r.pick(["/t.gif", "/v1/pixel/track", "/v1/pixel/page", "/pixel/v1/track", "/v1/pixel/bogus"])}?${params}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("image/gif");
    }
    expect(errors).toEqual([]);
  });
});
