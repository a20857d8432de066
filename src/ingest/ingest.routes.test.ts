/**
 * Protects the ingestion HTTP contract of SPEC §3 at the wire level (app.request with a recording sink):
 * every route and auth form, body encodings, answers and status codes (partial batches, 400/401/413/415/503),
 * pixels that always answer a GIF, CORS limited to ingest paths, the analytics.js settings, /sdk.js caching,
 * and the per-source counters.
 */
import { describe, expect, test } from "bun:test";
import { Hono } from "hono";
import { gzipSync } from "node:zlib";
import { basic, NOW, testApp, WRITE_KEY } from "./ingest.fixtures.ts";
import { compressToBase64 as lz } from "./lz-string.fixtures.ts";
import { ingestRoutes } from "./ingest.routes.ts";
import { buildSdk, buildWxSdk } from "./sdk.bundle.ts";
import { Overloaded } from "./sink.ts";

const ev = (over: Record<string, unknown> = {}) => ({ type: "track", event: "Clicked", anonymousId: "a1", ...over });
const post = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body: typeof body === "string" ? body : body instanceof Uint8Array ? (body as Uint8Array<ArrayBuffer>) : JSON.stringify(body),
});
const auth = { authorization: basic(WRITE_KEY) };

describe("write key", () => {
  test.each<[string, string, Record<string, string>, Record<string, unknown>]>([
    ["Basic with trailing colon", "/v1/track", { authorization: basic(WRITE_KEY) }, {}],
    ["Basic without colon", "/v1/track", { authorization: basic(WRITE_KEY, false) }, {}],
    ["X-Write-Key", "/v1/track", { "x-write-key": WRITE_KEY }, {}],
    ["X-Write-Key key:secret (Jitsu)", "/v1/track", { "x-write-key": `${WRITE_KEY}:secret` }, {}],
    ["?writeKey=", `/v1/track?writeKey=${WRITE_KEY}`, {}, {}],
    ["?writekey=", `/v1/track?writekey=${WRITE_KEY}`, {}, {}],
    ["body writeKey", "/v1/track", {}, { writeKey: WRITE_KEY }],
  ])("%s", async (_name, path, headers, extra) => {
    const { app, rec } = testApp();
    const res = await app.request(path, post(ev(extra), headers));
    expect([res.status, await res.json()]).toEqual([200, { success: true }]);
    expect(rec.messages()).toHaveLength(1);
  });

  test("RudderStack's beacon route: a batch sent as text/plain with the key in the query", async () => {
    const { app, rec } = testApp();
    const res = await app.request(`/beacon/v1/batch?writeKey=${WRITE_KEY}`, post({ batch: [{ ...ev(), type: "track" }] }, { "content-type": "text/plain;charset=UTF-8" }));
    expect([res.status, await res.json()]).toEqual([200, { success: true }]);
    expect(rec.messages()).toHaveLength(1);
  });

  test("Jitsu's routes: one event per request, type from the path, a key:secret write key in X-Write-Key", async () => {
    const { app, rec } = testApp();
    for (const path of ["/api/s/track", "/api/s/s2s/track"]) {
      const res = await app.request(path, post(ev(), { "x-write-key": `${WRITE_KEY}:secret` }));
      expect([path, res.status, await res.json()]).toEqual([path, 200, { success: true }]);
    }
    expect(rec.messages().map((m) => m.type)).toEqual(["track", "track"]);
    const bad = await app.request("/api/s/purchase", post(ev(), { "x-write-key": WRITE_KEY }));
    expect([bad.status, ((await bad.json()) as { error: string }).error]).toEqual([400, 'type "purchase" in the path is not one of track, identify, page, screen, group, alias, batch']);
    expect((await app.request("/api/s/track", post(ev(), { "x-write-key": "nope:secret" }))).status).toBe(401);
  });

  test("missing and unknown keys are 401 with a JSON error", async () => {
    const { app, rec } = testApp();
    const missing = await app.request("/v1/track", post(ev()));
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { error: string }).error).toStartWith("missing write key: send it as the HTTP Basic username");
    const unknown = await app.request("/v1/batch", post({ batch: [ev()] }, { authorization: basic("nope") }));
    expect([unknown.status, await unknown.json()]).toEqual([401, { success: false, error: "unknown write key", code: "invalid_write_key", message: "unknown write key" }]);
    expect(rec.messages()).toHaveLength(0);
  });

  test("the header key wins over the body key", async () => {
    const { app } = testApp();
    const res = await app.request("/v1/track", post(ev({ writeKey: WRITE_KEY }), { authorization: basic("wrong") }));
    expect(res.status).toBe(401);
  });
});

describe("Segment routes", () => {
  test.each([
    ["/v1/track", "track", "Clicked"],
    ["/v1/identify", "identify", "$identify"],
    ["/v1/page", "page", "$pageview"],
    ["/v1/screen", "screen", "$screen"],
    ["/v1/t", "track", "Clicked"],
    ["/v1/i", "identify", "$identify"],
    ["/v1/p", "page", "$pageview"],
    ["/v1/s", "screen", "$screen"],
  ])("%s stores a %s", async (path, type, event) => {
    const { app, rec } = testApp();
    // analytics.js posts text/plain to avoid a CORS preflight; the body is JSON all the same.
    const res = await app.request(path, post(ev(), { ...auth, "content-type": "text/plain" }));
    expect(res.status).toBe(200);
    expect(rec.messages()[0]).toMatchObject({ type, event });
  });

  test("group and alias need their ids", async () => {
    const { app, rec } = testApp();
    expect((await app.request("/v1/group", post(ev({ groupId: "g" }), auth))).status).toBe(200);
    expect((await app.request("/v1/g", post(ev({ groupId: "g" }), auth))).status).toBe(200);
    expect((await app.request("/v1/alias", post({ userId: "u", previousId: "p" }, auth))).status).toBe(200);
    expect((await app.request("/v1/a", post({ userId: "u", previousId: "p" }, auth))).status).toBe(200);
    expect(rec.messages().map((m) => m.type)).toEqual(["group", "group", "alias", "alias"]);
  });

  test("/v1/batch, /v1/b and /v1/import take {batch}; import is marked", async () => {
    const { app, rec } = testApp();
    for (const path of ["/v1/batch", "/v1/b", "/v1/import"]) {
      expect((await app.request(path, post({ batch: [ev(), ev()] }, auth))).status).toBe(200);
    }
    expect(rec.batches.map((b) => b.length)).toEqual([2, 2, 2]);
    expect(rec.batches[2]![0]!.wire).toBe("import");
  });

  test("a partial batch stores the valid items and lists the rejected ones", async () => {
    const { app, rec, stats, source } = testApp();
    const res = await app.request("/v1/batch", post({ batch: [ev(), { event: "x", anonymousId: "a" }, ev(), ev({ anonymousId: null })] }, auth));
    expect(await res.json()).toEqual({
      success: true,
      rejected: [
        { index: 1, error: "type: required in a batch item (one of track, identify, page, screen, group, alias)" },
        { index: 3, error: "userId: every message needs a userId or an anonymousId" },
      ],
    });
    expect(res.status).toBe(200);
    expect(rec.messages()).toHaveLength(2);
    const counts = Object.fromEntries(stats.pendingRows().filter((r) => r.sourceId === source.id).map((r) => [r.outcome, r.count]));
    expect(counts).toEqual({ received: 4, accepted: 2, invalid: 2 });
  });

  test("refused items and unreadable requests are kept as samples for the source page, newest first", async () => {
    const { app, stats, source } = testApp();
    await app.request("/v1/batch", post({ batch: [ev(), { event: "x", anonymousId: "a", properties: { big: "y".repeat(2000) } }] }, auth));
    await app.request("/v1/track", { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: "{nope" });
    const samples = stats.recentRejections(source.id);
    expect(samples.map((x) => [x.route, x.error.split(":")[0], x.sample?.length ?? null])).toEqual([
      ["/v1/track", "request body is not valid JSON (JSON Parse error", null],
      ["/v1/batch", "type", 500],
    ]);
    expect(samples[1]!.sample!.startsWith('{"event":"x","anonymousId":"a"')).toBe(true);
    expect(stats.recentRejections(source.id + 1)).toEqual([]);
  });

  test("a batch where every item is invalid is a 400 with the list", async () => {
    const { app, rec } = testApp();
    const res = await app.request("/v1/batch", post({ batch: [{ type: "track" }] }, auth));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      success: false,
      error: "every item of the batch was rejected",
      // what analytics-python and rudder-sdk-python read of a refusal
      code: "invalid_request",
      message: "every item of the batch was rejected",
      rejected: [{ index: 0, error: "userId: every message needs a userId or an anonymousId" }],
    });
    expect(rec.batches).toHaveLength(0);
  });

  test("an invalid single message is a 400 naming the field", async () => {
    const { app } = testApp();
    const res = await app.request("/v1/track", post({ anonymousId: "a" }, auth));
    expect([res.status, ((await res.json()) as { error: string }).error]).toEqual([400, "event: required for track"]);
  });

  test("gzip bodies (RudderStack) are inflated", async () => {
    const { app, rec } = testApp();
    const res = await app.request("/v1/batch", post(new Uint8Array(gzipSync(JSON.stringify({ batch: [ev()] }))), { ...auth, "content-encoding": "gzip" }));
    expect(res.status).toBe(200);
    expect(rec.messages()).toHaveLength(1);
  });

  test.each<[string, () => RequestInit, number, string]>([
    ["not JSON", () => post("{nope", auth), 400, "request body is not valid JSON"],
    ["invalid UTF-8", () => post(new Uint8Array([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]), auth), 400, "request body is not valid UTF-8"],
    ["over 500 KB", () => post({ batch: [ev({ properties: { s: "x".repeat(600_000) } })] }, auth), 413, "request body exceeds the limit of 500 KB per request on /v1 routes"],
    ["gzip inflating over 500 KB", () => post(new Uint8Array(gzipSync(" ".repeat(600_000))), { ...auth, "content-encoding": "gzip" }), 413, "gzip-decompressed body exceeds the limit of 500 KB per request on /v1 routes"],
    ["2501 items", () => post({ batch: Array.from({ length: 2501 }, () => ({})) }, auth), 413, "batch: has 2501 items, the limit is 2500 items per batch"],
    ["unsupported encoding", () => post("{}", { ...auth, "content-encoding": "lz4" }), 415, 'unsupported Content-Encoding "lz4": send gzip, deflate, br, zstd or none'],
  ])("%s → %i naming the problem", async (_name, init, status, message) => {
    const { app, errors } = testApp();
    const res = await app.request("/v1/batch", init());
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: string }).error).toStartWith(message);
    expect(errors).toEqual([]);
  });

  test("a refused request of a known source is counted once as bad_request", async () => {
    const { app, stats } = testApp();
    await app.request("/v1/batch", post("{nope", auth));
    expect(Object.fromEntries(stats.pendingRows().map((r) => [r.outcome, r.count]))).toEqual({ received: 1, bad_request: 1 });
  });

  test("one message over 32 KB in a batch is rejected, the rest kept", async () => {
    const { app, rec } = testApp();
    const res = await app.request("/v1/batch", post({ batch: [ev({ properties: { s: "x".repeat(40_000) } }), ev()] }, auth));
    const body = (await res.json()) as { rejected: { index: number; error: string }[] };
    expect(res.status).toBe(200);
    expect(body.rejected[0]?.error).toMatch(/^message: is \d+ bytes, the limit is 32 KB/);
    expect(rec.messages()).toHaveLength(1);
  });

  test("a single message over 32 KB is a 413", async () => {
    const { app } = testApp();
    expect((await app.request("/v1/track", post(ev({ properties: { s: "x".repeat(40_000) } }), auth))).status).toBe(413);
  });

  test("timestamps: receivedAt from the clock, skew corrected by the batch sentAt", async () => {
    const { app, rec } = testApp();
    await app.request("/v1/batch", post({ sentAt: new Date(NOW + 3600_000).toISOString(), batch: [ev({ timestamp: new Date(NOW + 3590_000).toISOString() })] }, auth));
    expect([rec.messages()[0]?.receivedAt, rec.messages()[0]?.timestamp]).toEqual([NOW, NOW - 10_000]);
  });
});

describe("store answers", () => {
  test("overload is a 503 with Retry-After and nothing acknowledged", async () => {
    const { app, stats } = testApp({ fail: () => new Overloaded("buffer full", 7) });
    const res = await app.request("/v1/batch", post({ batch: [ev(), ev()] }, auth));
    expect([res.status, res.headers.get("retry-after")]).toEqual([503, "7"]);
    expect(stats.pendingRows().find((r) => r.outcome === "overloaded")?.count).toBe(2);
  });

  test("any other store failure is a 503 too, reported to onError", async () => {
    const { app, errors } = testApp({ fail: () => new Error("SQLITE_FULL") });
    const res = await app.request("/e/", post([{ event: "e", distinct_id: "d", api_key: WRITE_KEY }]));
    expect([res.status, res.headers.get("retry-after")]).toEqual([503, "2"]);
    expect(errors.map((e) => (e as Error).message)).toEqual(["SQLITE_FULL"]);
  });

  test("duplicates reported by the store are counted and still acknowledged", async () => {
    const { app, stats } = testApp({ sink: async () => ({ duplicates: 1 }) });
    expect((await app.request("/v1/batch", post({ batch: [ev(), ev()] }, auth))).status).toBe(200);
    const counts = Object.fromEntries(stats.pendingRows().map((r) => [r.outcome, r.count]));
    expect(counts).toEqual({ received: 2, accepted: 1, duplicate: 1 });
  });

  test("consent drops are acknowledged, not stored, and counted", async () => {
    const { app, rec, stats } = testApp();
    const res = await app.request("/v1/track", post(ev({ context: { consent: { categoryPreferences: { analytics: false } } } }), auth));
    expect([res.status, await res.json()]).toEqual([200, { success: true }]);
    expect(rec.batches).toHaveLength(0);
    expect(stats.pendingRows().find((r) => r.outcome === "consent")?.count).toBe(1);
  });
});

describe("PostHog routes", () => {
  const phEvent = (over: Record<string, unknown> = {}) => ({ event: "clicked", distinct_id: "d1", properties: { $lib: "web" }, ...over });

  test.each(["/capture", "/capture/", "/batch", "/batch/", "/e", "/e/", "/i/v0/e", "/i/v0/e/", "/track", "/track/", "/engage", "/engage/"])("POST %s", async (path) => {
    const { app, rec } = testApp();
    const res = await app.request(path, post({ api_key: WRITE_KEY, batch: [phEvent()] }));
    expect([res.status, await res.json()]).toEqual([200, { status: 1 }]);
    expect(rec.messages()[0]).toMatchObject({ wire: "posthog", event: "clicked", distinctId: "d1" });
  });

  test("posthog-js style: gzip body as text/plain with ?compression=gzip-js, sent_at in the query", async () => {
    const { app, rec } = testApp();
    const body = new Uint8Array(gzipSync(JSON.stringify([phEvent({ timestamp: new Date(NOW + 5000).toISOString(), properties: { token: WRITE_KEY } })])));
    const res = await app.request(`/e/?compression=gzip-js&_=${NOW + 10_000}`, post(body, { "content-type": "text/plain" }));
    expect(res.status).toBe(200);
    expect(rec.messages()[0]?.timestamp).toBe(NOW - 5000);
  });

  test("base64 form and legacy GET ?data=", async () => {
    const { app, rec } = testApp();
    const data = Buffer.from(JSON.stringify(phEvent({ api_key: WRITE_KEY }))).toString("base64");
    const form = await app.request("/e/", post(`data=${encodeURIComponent(data)}&compression=base64`, { "content-type": "application/x-www-form-urlencoded" }));
    const get = await app.request(`/e/?data=${encodeURIComponent(data)}`);
    expect([form.status, get.status]).toEqual([200, 200]);
    expect(rec.messages()).toHaveLength(2);
  });

  test("lz64 as PostHog's capture tests send it: form data= unescaped, raw body, legacy GET", async () => {
    const { app, rec } = testApp();
    // The "~" puts a "+" into the lz-string text: unescaped in a form, it arrives as a space.
    const data = lz(JSON.stringify(phEvent({ api_key: WRITE_KEY, properties: { s: "中文 ~" } })));
    expect(data).toContain("+");
    const form = await app.request("/e/", post(`data=${data}&compression=lz64`, { "content-type": "application/x-www-form-urlencoded" }));
    const raw = await app.request("/batch/?compression=lz-string", post(data, { "content-type": "text/plain" }));
    const get = await app.request(`/e/?data=${encodeURIComponent(data)}&compression=lz64`);
    expect([form.status, raw.status, get.status]).toEqual([200, 200, 200]);
    expect(rec.messages().map((m) => m.properties.s)).toEqual(["中文 ~", "中文 ~", "中文 ~"]);
  });

  test("/engage: a nameless person update (capture-rs's fixture, and PostHog's legacy GET test) becomes $identify", async () => {
    const { app, rec } = testApp();
    for (const path of ["/engage", "/engage/"]) {
      const body = { timestamp: "2024-05-01T11:00:00Z", api_key: WRITE_KEY, distinct_id: "01983d85", properties: { $set: { foo: "bar", baz: 42 } } };
      const res = await app.request(path, post(body));
      expect([res.status, await res.json()]).toEqual([200, { status: 1 }]);
    }
    const legacy = { $set: { $os: "Mac OS X" }, $token: WRITE_KEY, $distinct_id: 3 };
    expect((await app.request(`/engage/?data=${encodeURIComponent(JSON.stringify(legacy))}`)).status).toBe(200);
    expect(rec.messages().map((m) => [m.event, m.type, m.distinctId, m.traits.set])).toEqual([
      ["$identify", "track", "01983d85", { foo: "bar", baz: 42 }],
      ["$identify", "track", "01983d85", { foo: "bar", baz: 42 }],
      ["$identify", "track", "3", { $os: "Mac OS X" }],
    ]);
    // Only /engage reads a nameless body that way (capture-rs: "non-engage request missing event name attribute").
    const elsewhere = await app.request("/track", post({ api_key: WRITE_KEY, distinct_id: "d", $set: { a: 1 } }));
    expect(elsewhere.status).toBe(400);
  });

  test("a personless event ($process_person_profile: false) is stored and counted, its $set ignored", async () => {
    const { app, rec, stats } = testApp();
    const res = await app.request("/e/", post([phEvent({ api_key: WRITE_KEY, properties: { $process_person_profile: false, $set: { plan: "pro" } } })]));
    expect([res.status, await res.json()]).toEqual([200, { status: 1 }]);
    expect(rec.messages().map((m) => [m.event, m.distinctId, m.traits.set])).toEqual([["clicked", "d1", {}]]);
    expect(Object.fromEntries(stats.pendingRows().map((r) => [r.outcome, r.count]))).toEqual({ received: 1, accepted: 1 });
  });

  test("?beacon=1 answers 204", async () => {
    const { app } = testApp();
    expect((await app.request("/e/?beacon=1", post([phEvent({ api_key: WRITE_KEY })]))).status).toBe(204);
  });

  test("bodies up to 4 MB are accepted, larger are 413", async () => {
    const { app, rec } = testApp();
    const items = Array.from({ length: 100 }, () => phEvent({ properties: { s: "x".repeat(20_000) } }));
    const ok = await app.request("/batch/", post({ api_key: WRITE_KEY, batch: items }));
    expect(ok.status).toBe(200);
    expect(rec.messages()).toHaveLength(100);
    const tooBig = await app.request("/batch/", post({ api_key: WRITE_KEY, batch: Array(250).fill(items[0]) }));
    expect([tooBig.status, ((await tooBig.json()) as { limit: string }).limit]).toEqual([413, "4 MB per request"]);
  });

  test("errors: no token 401, no distinct_id 400", async () => {
    const { app } = testApp();
    const noKey = await app.request("/capture", post(phEvent()));
    expect([noKey.status, ((await noKey.json()) as { error: string }).error]).toEqual([401, "missing api_key: send it as api_key or token in the body (or in each event's properties)"]);
    const res = await app.request("/capture", post(phEvent({ distinct_id: undefined, api_key: WRITE_KEY })));
    expect([res.status, ((await res.json()) as { error: string }).error]).toEqual([400, "distinct_id: required"]);
  });

  test("flags and remote config answer 'nothing' so PostHog SDKs stay quiet", async () => {
    const { app } = testApp();
    expect(await (await app.request("/flags/?v=2", post({}))).json()).toMatchObject({ featureFlags: {}, flags: {} });
    expect(await (await app.request("/array/phc_x/config")).json()).toMatchObject({ token: "phc_x", hasFeatureFlags: false, sessionRecording: false });
    // The script form sets the same config where posthog-js looks for it.
    const js = await app.request("/array/phc_x/config.js");
    expect(js.headers.get("content-type")).toStartWith("text/javascript");
    const window: { _POSTHOG_REMOTE_CONFIG?: Record<string, { config: unknown; siteApps: unknown[] }> } = {};
    new Function("window", await js.text())(window);
    expect(window._POSTHOG_REMOTE_CONFIG?.phc_x).toEqual({ config: await (await app.request("/array/phc_x/config")).json(), siteApps: [] });
  });
});

describe("pixels", () => {
  const gif = async (res: Response) => {
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/gif");
    const bytes = new Uint8Array(await res.arrayBuffer());
    // "GIF89a", then width 1 and height 1 (little-endian).
    expect(new TextDecoder().decode(bytes.subarray(0, 6))).toBe("GIF89a");
    expect([...bytes.subarray(6, 10)]).toEqual([1, 0, 1, 0]);
    return res.headers.get("x-tessera-error");
  };

  test("GET /v1/pixel/track?data=<base64 JSON>", async () => {
    const { app, rec } = testApp();
    const data = btoa(JSON.stringify({ writeKey: WRITE_KEY, userId: "u9", event: "Email Opened", properties: { subject: "Hi" } }));
    expect(await gif(await app.request(`/v1/pixel/track?data=${encodeURIComponent(data)}`))).toBeNull();
    expect(rec.messages()[0]).toMatchObject({ wire: "pixel", type: "track", event: "Email Opened", userId: "u9", properties: { subject: "Hi" } });
  });

  test("unencoded query form on /t.gif and RudderStack's /pixel/v1/page", async () => {
    const { app, rec } = testApp();
    expect(await gif(await app.request(`/t.gif?writeKey=${WRITE_KEY}&anonymousId=a&event=Opened&properties.campaign=may`))).toBeNull();
    expect(await gif(await app.request(`/pixel/v1/page?writeKey=${WRITE_KEY}&anonymousId=a&name=Home`))).toBeNull();
    expect(rec.messages().map((m) => [m.type, m.event])).toEqual([["track", "Opened"], ["page", "$pageview"]]);
    expect(rec.messages()[0]?.properties.campaign).toBe("may");
  });

  test("problems are reported in X-Tessera-Error, never as an error status", async () => {
    const { app, rec } = testApp();
    expect(await gif(await app.request(`/t.gif?writeKey=nope&anonymousId=a`))).toBe("unknown write key");
    expect(await gif(await app.request(`/t.gif?writeKey=${WRITE_KEY}&event=x`))).toBe("userId: every message needs a userId or an anonymousId");
    expect(await gif(await app.request(`/v1/pixel/teleport?writeKey=${WRITE_KEY}`))).toStartWith('pixel type "teleport" is not one of');
    expect(await gif(await app.request(`/v1/pixel/track?data=%%%`))).toBe("data: not base64");
    expect(rec.batches).toHaveLength(0);
  });
});

describe("CORS", () => {
  test("preflight echoes the origin and requested headers", async () => {
    const { app } = testApp();
    const res = await app.request("/v1/batch", {
      method: "OPTIONS",
      headers: { origin: "https://shop.example", "access-control-request-method": "POST", "access-control-request-headers": "content-type,authorization" },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("https://shop.example");
    expect(res.headers.get("access-control-allow-headers")).toBe("content-type,authorization");
    expect(res.headers.get("access-control-allow-credentials")).toBe("true");
  });

  test("responses carry the origin; a parent app's other routes are untouched", async () => {
    const { app } = testApp();
    const parent = new Hono().get("/api/secret", (c) => c.text("no cors")).route("/", app);
    const res = await parent.request("/v1/track", post(ev(), { ...auth, origin: "https://shop.example" }));
    expect(res.headers.get("access-control-allow-origin")).toBe("https://shop.example");
    const api = await parent.request("/api/secret", { headers: { origin: "https://evil.example" } });
    expect(api.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("analytics.js settings and sdk.js", () => {
  test("RudderStack's source config: the source for its write key (query or Basic), 401 for an unknown key", async () => {
    const { app, source } = testApp();
    // config names statsCollection (off): older v3 builds read it without null checks
    const config = { statsCollection: { errors: { enabled: false }, metrics: { enabled: false } } };
    const want = { isHosted: false, source: { id: String(source.id), name: source.name, writeKey: WRITE_KEY, enabled: true, config, destinations: [] } };
    expect(await (await app.request(`/sourceConfig/?p=npm&v=3.34.1&writeKey=${WRITE_KEY}`)).json()).toMatchObject(want);
    expect(await (await app.request("/sourceConfig", { headers: { authorization: basic(WRITE_KEY) } })).json()).toMatchObject(want);
    expect((await app.request("/sourceConfig/?writeKey=nope")).status).toBe(401);
    expect((await app.request("/sourceConfig/")).status).toBe(401);
    expect((await app.request("/sourceConfig/", { headers: { authorization: "Basic %%%not-base64" } })).status).toBe(401);
  });

  test("settings point the Segment.io integration back at this host", async () => {
    const { app } = testApp();
    const res = await app.request(`http://t.example:8080/v1/projects/${WRITE_KEY}/settings`);
    const body = (await res.json()) as { integrations: Record<string, { apiKey: string; apiHost: string; protocol: string }> };
    expect(body.integrations["Segment.io"]).toMatchObject({ apiKey: WRITE_KEY, apiHost: "t.example:8080/v1", protocol: "http" });
    expect((await app.request("/v1/projects/nope/settings")).status).toBe(401);
  });

  test("/sdk.js is short-cached with an ETag; /sdk/<hash>.js is immutable; old hashes redirect", async () => {
    const { app } = testApp();
    const sdk = await buildSdk();
    expect(sdk.code.length).toBeLessThan(10 * 1024);
    expect(sdk.integrity).toMatch(/^sha384-[A-Za-z0-9+/]{64}$/);
    const plain = await app.request("/sdk.js");
    expect([plain.status, plain.headers.get("cache-control"), plain.headers.get("etag")]).toEqual([200, "public, max-age=300", `"${sdk.hash}"`]);
    expect(plain.headers.get("content-type")).toStartWith("text/javascript");
    expect(await plain.text()).toBe(sdk.code);
    expect((await app.request("/sdk.js", { headers: { "if-none-match": `"${sdk.hash}"` } })).status).toBe(304);
    expect((await app.request(`/sdk.js?v=${sdk.hash}`)).headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const pinned = await app.request(`/sdk/${sdk.hash}.js`, { headers: { origin: "https://shop.example" } });
    // SRI on a cross-origin script needs CORS.
    expect(pinned.headers.get("access-control-allow-origin")).toBe("https://shop.example");
    expect([pinned.status, pinned.headers.get("cache-control")]).toEqual([200, "public, max-age=31536000, immutable"]);
    expect(await (await app.request("/sdk.json")).json()).toMatchObject({ path: `/sdk/${sdk.hash}.js`, integrity: sdk.integrity, bytes: sdk.code.length });
    const old = await app.request("/sdk/0000.js");
    expect([old.status, old.headers.get("location")]).toEqual([302, `/sdk/${sdk.hash}.js`]);
  });

  test("/sdk/wx.js (the mini program SDK, CommonJS) is short-cached with an ETag; /sdk/wx-<hash>.js is immutable", async () => {
    const { app } = testApp();
    const wx = await buildWxSdk();
    expect(wx.code.length).toBeLessThan(10 * 1024);
    expect(wx.code).toContain("module.exports=");
    const plain = await app.request("/sdk/wx.js");
    expect([plain.status, plain.headers.get("cache-control"), plain.headers.get("etag")]).toEqual([200, "public, max-age=300", `"${wx.hash}"`]);
    expect(plain.headers.get("content-type")).toStartWith("text/javascript");
    expect(await plain.text()).toBe(wx.code);
    expect((await app.request("/sdk/wx.js", { headers: { "if-none-match": `"${wx.hash}"` } })).status).toBe(304);
    const pinned = await app.request(`/sdk/wx-${wx.hash}.js`);
    expect([pinned.status, pinned.headers.get("cache-control"), await pinned.text()]).toEqual([200, "public, max-age=31536000, immutable", wx.code]);
    const old = await app.request("/sdk/wx-0000.js");
    expect([old.status, old.headers.get("location")]).toEqual([302, `/sdk/wx-${wx.hash}.js`]);
    expect(((await (await app.request("/sdk.json")).json()) as { wx: unknown }).wx).toEqual({ path: `/sdk/wx-${wx.hash}.js`, integrity: wx.integrity, bytes: wx.code.length });
  });
});

test("findSource may be async and is asked once per request", async () => {
  const asked: string[] = [];
  const app = ingestRoutes({
    findSource: async (k) => (asked.push(k), k === WRITE_KEY ? { id: 1, name: "s", settings: { ipPolicy: "keep", bots: "flag", consentCategories: [] } } : null),
    sink: async () => {},
  });
  expect((await app.request("/v1/batch", post({ batch: [ev(), ev()] }, auth))).status).toBe(200);
  expect(asked).toEqual([WRITE_KEY]);
});

test("PostHog capture v1 answers every uuid, even one named __proto__", async () => {
  const { app } = testApp();
  const batch = ["__proto__", "u-2"].map((uuid) => ({ event: "e", uuid, distinct_id: "d", timestamp: new Date(NOW).toISOString(), options: {}, properties: {} }));
  const res = await app.request("/i/v1/analytics/events", {
    method: "POST",
    headers: { authorization: `Bearer ${WRITE_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ created_at: new Date(NOW).toISOString(), batch }),
  });
  const text = await res.text();
  expect([res.status, text]).toEqual([200, '{"results":{"__proto__":{"result":"ok"},"u-2":{"result":"ok"}}}']);
});
