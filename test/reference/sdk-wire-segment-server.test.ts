/**
 * Reference cases for what Segment's and RudderStack's SERVER libraries put on the wire and what they need back
 * (SPEC §3, with the identity effects of §4). Each request is rebuilt from the library's own transport and message
 * code, byte for byte where it matters (path, auth, headers, body encoding, JSON escaping, time formats, envelope):
 * - segmentio/analytics-python `segment/analytics/request.py` (POST `/v1/batch`, Basic `key:`, `gzip=True` →
 *   `Content-Encoding: gzip`, `sentAt` = `datetime.now(tz=tzutc()).isoformat()`, `writeKey` in the body,
 *   `X-Retry-Count` on retries, error body read as `payload["code"]`/`payload["message"]`), `consumer.py`
 *   (`MAX_MSG_SIZE = 32 << 10` measured with `json.dumps` — `", "`/`": "` separators, `\uXXXX` escapes;
 *   `BATCH_SIZE_LIMIT = 475000`; retry on 408/410/429/460 and 5xx but 501/505/511, give up on every other 4xx;
 *   a Retry-After re-queues), `client.py` (`isoformat(timespec="milliseconds")` timestamps, `context.library`,
 *   uuid4 messageId, `None` ids sent as `null`);
 * - segmentio/analytics-go `analytics.go`, `message.go`, `batch.go`, `config.go`, `analytics_test.go` +
 *   `fixtures/test-enqueue-*.json` (`{batch, context:{library}, messageId, sentAt}` envelope, the library only in
 *   the batch context, RFC 3339 times in the process's zone, `integrations`, `maxMessageBytes = 32000`,
 *   `maxBatchBytes = 500000`; v3.3 retries 408/410/429/460 and 5xx but 501/505/511, Retry-After on 429 only);
 * - segmentio/analytics-ruby `lib/segment/analytics/transport.rb`, `message_batch.rb`, `worker.rb`, `defaults.rb`,
 *   `field_parser.rb`, `utils.rb` (`/v1/import` by default, `{sentAt, batch}`, `%Y-%m-%dT%H:%M:%S.%6N` + offset,
 *   `Message::MAX_BYTES = 32768`, `MessageBatch::MAX_BYTES = 512_000` with "room for one more message", reads
 *   `JSON.parse(body)["error"]`, 2xx/3xx success);
 * - segmentio/analytics-java `http/SegmentService.java` (`@POST("/v1/import")`), `messages/Batch.java`,
 *   `internal/AnalyticsClient.java` (`{batch, sentAt, context:{library, instanceId}, sequence, writeKey}`,
 *   `MSG_MAX_SIZE = 1024 * 32`, `BATCH_MAX_SIZE = 1024 * 500`, Gson's HTML-safe escapes), `http/UploadResponse.java`
 *   (a 2xx body is parsed as `{success: boolean}`), `gson/Iso8601Utils.java` (`yyyy-MM-ddTHH:mm:ss.SSSZ`);
 * - segmentio/analytics-php `lib/Client.php` (`date('c')` times, microtime fractions, empty properties as `{}`,
 *   `context.library.consumer`), `lib/Consumer/QueueConsumer.php` (`{batch, sentAt}`, 32000/512000 byte caps),
 *   `LibCurl.php` (POST `/v1/batch`, `CURLOPT_USERPWD key:`, optional gzip, exactly 200 is success, 5xx/429 retried),
 *   `Socket.php` (a raw HTTP/1.1 request, only the status line is read), `File.php` + `send.php` (NDJSON replay);
 * - segmentio/Analytics.NET `Analytics/Request/BlockingRequestHandler.cs` (POST `/v1/import`, `DateTime.Now
 *   .ToString("o")`, optional gzip, exactly `HttpStatusCode.OK` is success, 5xx/429 retried, other 4xx given up);
 * - rudderlabs/rudder-sdk-python `rudderstack/analytics/request.py`, `consumer.py`, `client.py` (`/v1/batch`,
 *   `channel: "server"`, library "analytics-python", `MAX_MSG_SIZE`/`BATCH_SIZE_LIMIT` = 4 MB, exactly 200 is success,
 *   `payload["code"]` read from any other answer);
 * - rudderlabs/analytics-go (rudder-sdk-go) `analytics.go` (anonymousId = userId when absent, `RS-targetNode`,
 *   `RS-nodeCount`, `RS-userAgent` headers);
 * - rudderlabs/rudder-sdk-java `analytics/.../internal/AnalyticsClient.java` (batch cap 1024 * 500 measured in
 *   characters, `GzipRequestInterceptor`), `messages/Message.java` (`channel`, per-message `sentAt`);
 * - rudderlabs/rudder-sdk-ruby `lib/rudder/analytics/transport.rb`, `field_parser.rb` (gzip `{batch}` without an
 *   envelope sentAt, identify traits only in `context.traits`, page/screen `event: name`, a per-message `sentAt` set
 *   when the call is made, `channel: "server"`, `integrations: {All: true}`).
 * What segment-rudderstack.test.ts and sdk-wire.test.ts already pin (key forms, short paths, the documented calls,
 * the four timestamps, RudderStack's refusals, 503 + Retry-After for the browser and mobile SDKs) is not repeated.
 * Every case reads the outcome back through our APIs: the person search, the timeline, and trends totals.
 */
import { describe, expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { type Answer, answerOf, byIdentifier, idsOf, type Props, referenceApp, rejectedOf, stored, diskSwitch } from "./harness.ts";

const KEY = "wk_server_sdk_reference_01";
const basic = (key: string) => `Basic ${btoa(`${key}:`)}`;
const gzip = (s: string) => new Uint8Array(gzipSync(Buffer.from(s, "utf8")));
const utf8Bytes = (s: string) => Buffer.byteLength(s, "utf8");

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/**
 * encode writes JSON the way one library's serializer does: `sep` puts Python's spaces after `,` and `:`,
 * `ascii` escapes everything outside ASCII as `\uXXXX` (Python's ensure_ascii, PHP's json_encode), `escape` names
 * ASCII characters written as `\u00XX` (Go's `<>&`, Gson's HTML-safe `<>&='`), `slash` writes `/` as `\/` (PHP).
 */
function encode(v: Json, o: { sep?: boolean; ascii?: boolean; escape?: string; slash?: boolean } = {}): string {
  const str = (s: string) => {
    let out = "";
    for (const ch of JSON.stringify(s).slice(1, -1)) {
      const c = ch.charCodeAt(0);
      if (o.escape?.includes(ch) || (o.ascii && c > 0x7e)) {
        for (let i = 0; i < ch.length; i++) out += `\\u${ch.charCodeAt(i).toString(16).padStart(4, "0")}`;
      } else if (o.slash && ch === "/") out += "\\/";
      else out += ch;
    }
    return `"${out}"`;
  };
  const comma = o.sep ? ", " : ",";
  const colon = o.sep ? ": " : ":";
  const go = (x: Json): string => {
    if (x === null || typeof x !== "object") return typeof x === "string" ? str(x) : JSON.stringify(x);
    if (Array.isArray(x)) return `[${x.map(go).join(comma)}]`;
    return `{${Object.entries(x).map(([k, val]) => `${str(k)}${colon}${go(val)}`).join(comma)}}`;
  };
  return go(v);
}
/** Python's `json.dumps(body)`: `", "` / `": "` separators and `\uXXXX` for everything outside ASCII. */
const pyDumps = (v: Json) => encode(v, { sep: true, ascii: true });
/** PHP's `json_encode($body)`: compact, `\/`, `\uXXXX` outside ASCII. */
const phpEncode = (v: Json) => encode(v, { ascii: true, slash: true });
/** Go's `json.Marshal`: compact, `<`, `>` and `&` as `\u003c` `\u003e` `\u0026`. */
const goMarshal = (v: Json) => encode(v, { escape: "<>&" });
/** Gson's default (HTML-safe) writer: `<`, `>`, `&`, `=` and `'` escaped. */
const gson = (v: Json) => encode(v, { escape: "<>&='" });

/** world is a fresh app whose default source has write key KEY, its clock at `now` (receivedAt). */
async function world(now: string) {
  const h = await referenceApp(KEY, { now });
  const find = byIdentifier(h);
  const w = {
    setNow: h.setNow,
    advance: (ms: number) => h.t.clock.advance(ms),
    /** send makes one raw POST, as the library's transport does, and reads the answer as JSON when it is JSON. */
    async send(path: string, body: string | Uint8Array, headers: Record<string, string>): Promise<Answer> {
      return answerOf(await h.t.app.request(path, { method: "POST", headers, body: body as BodyInit }));
    },
    ...diskSwitch(h),
    ...find,
    ...stored(h, find.must),
    ids: idsOf,
  };
  return w;
}
type World = Awaited<ReturnType<typeof world>>;

/** ok is the answer every server library counts as delivered: exactly 200 (PHP, .NET, rudder-sdk-python insist). */
const ok = (a: Answer) => expect([a.status, a.body]).toEqual([200, { success: true }]);

/** personIdOf finds the one person holding `id` as a user id or an anonymous id (an alias's previousId is either). */
async function personIdOf(w: World, id: string): Promise<string | null> {
  return (await w.person("user_id", id))?.id ?? (await w.person("anonymous_id", id))?.id ?? null;
}

// ───────────────────────────────────────────── segmentio/analytics-python ─────────────────────────────────────────────

describe("segmentio/analytics-python", () => {
  const lib = { library: { name: "analytics-python", version: "2.3.4" } };
  const pyHeaders = (attempt: number, gz: boolean): Record<string, string> => ({
    "content-type": "application/json", "user-agent": "analytics-python/2.3.4", authorization: basic(KEY),
    ...(gz ? { "content-encoding": "gzip" } : {}), ...(attempt > 0 ? { "x-retry-count": String(attempt) } : {}),
  });

  // client.py builds each call with every field present (None → null) and isoformat(timespec="milliseconds")
  // timestamps; request.py adds one microsecond sentAt and the key to the body, json.dumps it (spaces, \u escapes)
  // and, with gzip=True, compresses it. The host's clock is 2 s behind ours: everything lands 2 s later than its
  // own timestamps say. A retry of the same batch (X-Retry-Count: 1, the first answer lost) is stored once.
  test("gzip json.dumps body on /v1/batch: identify, track, page, screen, group, alias land on one person at corrected times", async () => {
    const w = await world("2026-03-01T12:00:02.500Z");
    const ts = (s: string) => `2026-03-01T11:59:${s}+00:00`;
    const common = (type: string, n: number, t: string): { [k: string]: Json } => ({
      integrations: {}, anonymousId: "py-anon-7", timestamp: ts(t), context: { ...lib }, type, userId: "py-user-1",
      messageId: `5f0c8a3e-2c1b-4d7e-9a6f-00000000000${n}`,
    });
    const batch: Json[] = [
      { ...common("identify", 1, "50.000"), traits: { email: "Li.Wei@Example.com", name: "李伟", plan: "enterprise" } },
      { ...common("track", 2, "51.000"), properties: { sku: "LJ-250", title: "龙井茶 250g", price: 88.5 }, event: "Order Completed" },
      { ...common("page", 3, "52.000"), properties: { url: "https://shop.example.cn/pricing" }, category: "Docs", name: "Pricing" },
      { ...common("screen", 4, "53.000"), properties: {}, category: null, name: "Settings" },
      { ...common("group", 5, "54.000"), groupId: "acme-cn", traits: { name: "Acme 中国", employees: 42 } },
      { integrations: {}, previousId: "py-legacy-9", timestamp: ts("55.000"), context: { ...lib }, userId: "py-user-1", type: "alias", messageId: "5f0c8a3e-2c1b-4d7e-9a6f-000000000006" },
    ];
    const body = pyDumps({ batch, sentAt: "2026-03-01T12:00:00.500000+00:00", writeKey: KEY });
    expect(body).toContain("\\u9f99\\u4e95\\u8336"); // 龙井茶, as ensure_ascii writes it
    ok(await w.send("/v1/batch", gzip(body), pyHeaders(0, true)));
    ok(await w.send("/v1/batch", gzip(body), pyHeaders(1, true)));

    const p = await w.must("user_id", "py-user-1");
    // The alias's previousId (no anonymousId on a Python alias) is held as an identifier of the same person.
    expect(w.ids(p, "anonymous_id")).toContain("py-anon-7");
    expect(w.ids(p, "email")).toEqual(["li.wei@example.com"]);
    expect(p.traits).toMatchObject({ name: "李伟", plan: "enterprise" });
    expect(p.traits.employees).toBeUndefined(); // the group's traits are the group's
    expect(await personIdOf(w, "py-legacy-9")).toBe(p.id);
    const events = await w.events("user_id", "py-user-1");
    expect(events.map((e) => [e.time, e.event])).toEqual([
      ["2026-03-01T11:59:52.000Z", "$identify"],
      ["2026-03-01T11:59:53.000Z", "Order Completed"],
      ["2026-03-01T11:59:54.000Z", "$pageview"],
      ["2026-03-01T11:59:55.000Z", "$screen"],
      ["2026-03-01T11:59:56.000Z", "$groupidentify"],
      ["2026-03-01T11:59:57.000Z", "$create_alias"],
    ]);
    const byName = Object.fromEntries(events.map((e) => [e.event, e.properties]));
    expect(byName["Order Completed"]).toMatchObject({ sku: "LJ-250", title: "龙井茶 250g", price: 88.5, $lib: "analytics-python", $lib_version: "2.3.4" });
    expect(byName.$pageview).toMatchObject({ name: "Pricing", category: "Docs", url: "https://shop.example.cn/pricing" });
    expect(byName.$screen).toMatchObject({ name: "Settings", $screen_name: "Settings" });
    expect(await w.total("Order Completed", "2026-03-01", "2026-03-01")).toBe(1);
  });

  // consumer.py drops an item whose json.dumps is over 32 << 10 bytes and sends the rest. json.dumps writes a space
  // after every ":" and "," and six bytes per CJK character, so an item at exactly Python's limit is smaller by our
  // measure (compact UTF-8) and must be taken; the batch is far under BATCH_SIZE_LIMIT (475000) and our 500 KB.
  test("an item at exactly Python's 32 KB measure (CJK, spaces) is under ours: stored", async () => {
    const w = await world("2026-03-01T12:00:00.000Z");
    const item = (text: string): { [k: string]: Json } => ({
      integrations: {}, anonymousId: null, properties: { note: text }, timestamp: "2026-03-01T11:59:59.000+00:00",
      context: { ...lib }, userId: "py-big", type: "track", event: "Long Note", messageId: "5f0c8a3e-2c1b-4d7e-9a6f-0000000000b1",
    });
    const base = utf8Bytes(pyDumps(item("")));
    const text = "茶".repeat(Math.floor((32 * 1024 - base) / 6)) + "x".repeat((32 * 1024 - base) % 6);
    expect(utf8Bytes(pyDumps(item(text)))).toBe(32 * 1024); // what consumer.next() measures: not over MAX_MSG_SIZE
    expect(utf8Bytes(JSON.stringify(item(text)))).toBeLessThan(32 * 1024); // what we measure
    ok(await w.send("/v1/batch", gzip(pyDumps({ batch: [item(text)], sentAt: "2026-03-01T12:00:00+00:00", writeKey: KEY })), pyHeaders(0, true)));
    const [e] = await w.events("user_id", "py-big");
    expect([e!.event, e!.properties.note]).toEqual(["Long Note", text]);
  });
});

// ───────────────────────────────────────────── segmentio/analytics-go ─────────────────────────────────────────────

describe("segmentio/analytics-go", () => {
  // analytics_test.go ExampleTrack / TestEnqueue: `{batch, context:{library}, messageId, sentAt}`; the items carry
  // no context of their own (the library rides on the batch context, merged into each item, SD-http), times are
  // time.Time in the process's zone (a server in Asia/Shanghai writes "+08:00", RFC 3339 with nanoseconds),
  // TestTrackWithIntegrations sends `integrations`. json.Marshal writes "<b>" as "\u003cb\u003e". The host clock
  // is 1 s ahead: each event lands 1 s before its own timestamp.
  test("{batch, context, messageId, sentAt}: the batch context's library on every event, +08:00 nanosecond times corrected", async () => {
    const w = await world("2026-03-01T12:00:00.000Z");
    const t = (s: string) => `2026-03-01T20:00:${s}+08:00`;
    const batch: Json[] = [
      { messageId: "go-0001", timestamp: t("00.123456789"), type: "identify", userId: "go-user", traits: { email: "go@example.com", tier: "gold" } },
      {
        event: "Download", integrations: { All: true, Intercom: false, Mixpanel: true }, messageId: "go-0002",
        properties: { application: "Segment Desktop", platform: "osx", version: "1.1.0", note: "<b>fast</b> & free" },
        timestamp: t("00.5"), type: "track", userId: "go-user",
      },
      { messageId: "go-0003", name: "Docs", properties: { path: "/docs" }, timestamp: t("00.6"), type: "page", userId: "go-user" },
      { messageId: "go-0004", name: "Home", timestamp: t("00.7"), type: "screen", userId: "go-user" },
      { groupId: "go-group", messageId: "go-0005", timestamp: t("00.8"), traits: { plan: "team" }, type: "group", userId: "go-user" },
      { messageId: "go-0006", previousId: "go-old-id", timestamp: t("00.9"), type: "alias", userId: "go-user" },
    ];
    const body = goMarshal({ batch, context: { library: { name: "analytics-go", version: "3.3.0" } }, messageId: "go-batch-1", sentAt: t("01") });
    expect(body).toContain("\\u003cb\\u003efast\\u003c/b\\u003e \\u0026 free");
    ok(await w.send("/v1/batch", body, {
      "user-agent": "analytics-go (version: 3.3.0)", "content-type": "application/json", "content-length": String(utf8Bytes(body)), authorization: basic(KEY),
    }));

    const p = await w.must("user_id", "go-user");
    expect(p.traits).toMatchObject({ email: "go@example.com", tier: "gold" });
    expect(await personIdOf(w, "go-old-id")).toBe(p.id);
    const events = await w.events("user_id", "go-user");
    expect(events.map((e) => [e.time, e.event, e.properties.$lib])).toEqual([
      ["2026-03-01T11:59:59.123Z", "$identify", "analytics-go"],
      ["2026-03-01T11:59:59.500Z", "Download", "analytics-go"],
      ["2026-03-01T11:59:59.600Z", "$pageview", "analytics-go"],
      ["2026-03-01T11:59:59.700Z", "$screen", "analytics-go"],
      ["2026-03-01T11:59:59.800Z", "$groupidentify", "analytics-go"],
      ["2026-03-01T11:59:59.900Z", "$create_alias", "analytics-go"],
    ]);
    expect(events[1]!.properties).toMatchObject({ application: "Segment Desktop", note: "<b>fast</b> & free" });
  });

  // The numeric-time fixtures (fixtures/test-enqueue-*.json at 0afefc5: `"timestamp": 1257894000000`, the same
  // `sentAt`) are epoch milliseconds: sent the moment it was made, so the event happened at receipt.
  test("fixtures with epoch-millisecond timestamp and sentAt: stored at receipt", async () => {
    const w = await world("2026-03-01T12:00:00.000Z");
    ok(await w.send("/v1/batch", goMarshal({
      batch: [{ messageId: "I'm unique", name: "A", timestamp: 1257894000000, type: "page", userId: "B-go-fixture" }],
      context: { library: { name: "analytics-go", version: "3.0.0" } }, messageId: "I'm unique", sentAt: 1257894000000,
    }), { "content-type": "application/json", authorization: basic(KEY) }));
    expect(await w.times("user_id", "B-go-fixture")).toEqual([["2026-03-01T12:00:00.000Z", "$pageview"]]);
  });
});

// ───────────────────────────────────────────── segmentio/analytics-ruby ─────────────────────────────────────────────

describe("segmentio/analytics-ruby", () => {
  const rubyHeaders = { accept: "application/json", "content-type": "application/json", authorization: basic(KEY), "user-agent": "Ruby" };
  const rubyItem = (type: string, n: number, extra: { [k: string]: Json }): { [k: string]: Json } => ({
    anonymousId: null, context: { library: { name: "analytics-ruby", version: "2.5.0" } }, integrations: null,
    messageId: `0d1f2e3c-4b5a-4978-8a6b-5c4d3e2f1a0${n}`, timestamp: `2026-03-01T19:59:5${n}.000000+08:00`, userId: "rb-user", options: null,
    type, ...extra,
  });

  // transport.rb posts `{sentAt, batch}` (JSON.generate: raw UTF-8) to PATH = "/v1/import" with basic_auth(key, nil);
  // field_parser.rb sends every common field (nil → null, `options` kept "for backward compatibility") and
  // isoify_dates! turns Time properties into "%6N" strings. It reads `JSON.parse(body)["error"]` from any answer.
  test("{sentAt, batch} on /v1/import: nulls, %6N+08:00 times, Time properties as strings", async () => {
    const w = await world("2026-03-01T12:00:00.000Z");
    const body = JSON.stringify({
      sentAt: "2026-03-01T20:00:00.000000+08:00",
      batch: [
        rubyItem("identify", 1, { traits: { email: "rb@example.com", signed_up_at: "2025-12-31T09:00:00.000000+08:00" } }),
        rubyItem("track", 2, { event: "Subscribed", properties: { plan: "年付", renews_at: "2027-03-01T00:00:00.000000+08:00" } }),
        rubyItem("alias", 3, { previousId: "rb-guest-3" }),
      ],
    });
    ok(await w.send("/v1/import", body, rubyHeaders));
    const p = await w.must("user_id", "rb-user");
    expect(p.traits).toMatchObject({ email: "rb@example.com", signed_up_at: "2025-12-31T09:00:00.000000+08:00" });
    expect(await personIdOf(w, "rb-guest-3")).toBe(p.id);
    const events = await w.events("user_id", "rb-user");
    expect(events.map((e) => [e.time, e.event])).toEqual([
      ["2026-03-01T11:59:51.000Z", "$identify"],
      ["2026-03-01T11:59:52.000Z", "Subscribed"],
      ["2026-03-01T11:59:53.000Z", "$create_alias"],
    ]);
    expect(events[1]!.properties).toMatchObject({ plan: "年付", renews_at: "2027-03-01T00:00:00.000000+08:00", $lib: "analytics-ruby" });
  });

  // message_batch.rb takes messages up to Message::MAX_BYTES = 32768 (to_json bytesize, the same compact UTF-8 we
  // measure) and calls the batch full once its bytes reach 512_000 − 32768, so the last message can carry the request
  // past 512_000: with a 32768-byte last message the body is 512_055 bytes. SPEC §3 ("500 KB per request") refuses it
  // whole with 413, and Ruby gives a 413 up (RETRYABLE_4XX is 408/410/429/460): the batch is lost. The difference is
  // named here; a request just inside 500 KB is taken whole.
  test("the message cap: a 32768-byte message is taken; Ruby's fullest batch (512_055 bytes) is refused by SPEC's 500 KB", async () => {
    const w = await world("2026-03-01T12:00:00.000Z");
    const msg = (n: number, bytes: number) => {
      const m = rubyItem("track", 0, { event: "Sized", properties: { pad: "" }, messageId: `rb-sized-${String(n).padStart(4, "0")}`, userId: `rb-sized-${n % 3}` });
      const pad = bytes - utf8Bytes(JSON.stringify(m));
      return { ...m, properties: { pad: "页".repeat(Math.floor(pad / 3)) + "x".repeat(pad % 3) } };
    };
    const exact = msg(9999, 32768);
    expect(utf8Bytes(JSON.stringify(exact))).toBe(32768);
    ok(await w.send("/v1/import", JSON.stringify({ sentAt: "2026-03-01T20:00:00.000000+08:00", batch: [exact] }), rubyHeaders));
    expect(await w.total("Sized", "2026-03-01", "2026-03-01")).toBe(1);

    // The fullest batch MessageBatch allows: json_size (bytes + one per comma) just under 479_232, then one more.
    const sizes = [...Array.from({ length: 14 }, () => 32768), 479_232 - 1 - 14 * 32769 - 1, 32768];
    const batch = sizes.map((b, i) => msg(i, b));
    const jsonSize = batch.slice(0, -1).reduce((s, m) => s + utf8Bytes(JSON.stringify(m)) + 1, 0);
    expect(jsonSize).toBe(479_231); // not yet full? → false, so the worker adds the last message
    const body = JSON.stringify({ sentAt: "2026-03-01T20:00:00.000000+08:00", batch });
    expect(utf8Bytes(body)).toBe(512_055);
    const over = await w.send("/v1/import", body, rubyHeaders);
    expect([over.status, over.body.success, over.body.limit]).toEqual([413, false, "500 KB per request"]);
    expect(typeof over.body.error).toBe("string"); // what transport.rb's parse_error reads
    expect(await w.total("Sized", "2026-03-01", "2026-03-01")).toBe(1);
    // Without the last message the batch is within the limit and taken whole.
    ok(await w.send("/v1/import", JSON.stringify({ sentAt: "2026-03-01T20:00:00.000000+08:00", batch: batch.slice(0, -1) }), rubyHeaders));
    expect(await w.total("Sized", "2026-03-01", "2026-03-01")).toBe(1 + sizes.length - 1);
  });
});

// ───────────────────────────────────────────── segmentio/analytics-java ─────────────────────────────────────────────

describe("segmentio/analytics-java", () => {
  // SegmentService `@POST("/v1/import")`, AnalyticsRequestInterceptor `Credentials.basic(writeKey, "")` and the
  // library's User-Agent; Batch.create(CONTEXT, messages, writeKey) → `{batch, sentAt, context:{library, instanceId},
  // sequence, writeKey}` with Iso8601Utils millisecond UTC times and Gson's HTML-safe escapes ("=" → \u003d). On a
  // 2xx Retrofit parses the body into UploadResponse `{success: boolean}`, ignoring unknown fields.
  test("/v1/import with {batch, sentAt, context, sequence, writeKey}: the answer parses as UploadResponse", async () => {
    const w = await world("2026-03-01T12:00:00.000Z");
    const item = (type: string, n: number, extra: { [k: string]: Json }): { [k: string]: Json } => ({
      type, messageId: `7a1c9e2b-0000-4000-8000-00000000000${n}`, timestamp: `2026-03-01T11:59:5${n}.250Z`, userId: "java-user",
      integrations: {}, ...extra,
    });
    const body = gson({
      batch: [
        item("identify", 1, { traits: { email: "java@example.com", coupon: "a=b's" } }),
        item("track", 2, { event: "Checkout Started", properties: { query: "sku=LJ-250&qty=2" } }),
        item("page", 3, { name: "Cart", properties: { path: "/cart" } }),
        { ...item("track", 4, { event: "Legacy Order", properties: { total: 12 } }), timestamp: "1999-12-31T16:00:00.000Z" },
      ],
      sentAt: "2026-03-01T11:59:59.500Z",
      context: { library: { name: "analytics-java", version: "3.5.1" }, instanceId: "4f0e2c7a-6b1d-4c3e-9a8f-1e2d3c4b5a69" },
      sequence: 1, writeKey: KEY,
    });
    expect(body).toContain("sku\\u003dLJ-250\\u0026qty\\u003d2");
    const a = await w.send("/v1/import", body, { "content-type": "application/json; charset=UTF-8", authorization: basic(KEY), "user-agent": "analytics-java/3.5.1" });
    // `.timestamp(date)` for a historical import of a 1999 order: our guard against reset device clocks refuses
    // times before 2000-01-01 (SPEC §3 keeps explicit historical timestamps; a difference named here). The item is listed, the
    // rest stored: still a 2xx whose `success` is true for UploadResponse, so the Java client reports no failure.
    expect([a.status, a.body.success, rejectedOf(a).map((r) => r.index)]).toEqual([200, true, [3]]);
    expect(rejectedOf(a)[0]!.error).toContain("before 2000-01-01");
    const p = await w.must("user_id", "java-user");
    expect(p.traits).toMatchObject({ email: "java@example.com", coupon: "a=b's" });
    const events = await w.events("user_id", "java-user");
    expect(events.map((e) => [e.time, e.event, e.properties.$lib])).toEqual([
      ["2026-03-01T11:59:51.750Z", "$identify", "analytics-java"],
      ["2026-03-01T11:59:52.750Z", "Checkout Started", "analytics-java"],
      ["2026-03-01T11:59:53.750Z", "$pageview", "analytics-java"],
    ]);
    expect(events[1]!.properties.query).toBe("sku=LJ-250&qty=2");
  });
});

// ───────────────────────────────────────────── segmentio/analytics-php ─────────────────────────────────────────────

describe("segmentio/analytics-php", () => {
  const phpItem = (type: string, n: number, timestamp: string, consumer: string, extra: { [k: string]: Json }): { [k: string]: Json } => ({
    userId: "php-user", ...extra,
    context: { library: { name: "analytics-php", version: "3.8.0", consumer } },
    timestamp, messageId: `8c2d4e6f-1a3b-4c5d-8e7f-00000000000${n}`, type,
  });

  // Client.php: track/page/screen get `properties` (an empty one as `{}`), identify/group `traits`; `timestamp` is
  // date('c') in the server's zone, or a microtime float kept to its own digits ("…:57.1234+08:00"). QueueConsumer
  // payload() is `{batch, sentAt: date('c')}`; LibCurl posts it to /v1/batch with CURLOPT_USERPWD "key:", optional
  // gzip, and counts exactly 200 as success. json_encode escapes "/" and non-ASCII.
  test("LibCurl: json_encode {batch, sentAt} on /v1/batch, gzip; date('c') and microtime timestamps", async () => {
    const w = await world("2026-03-01T12:00:00.000Z");
    const body = phpEncode({
      batch: [
        phpItem("identify", 1, "2026-03-01T19:59:55+08:00", "LibCurl", { traits: { email: "php@example.com", city: "杭州" } }),
        phpItem("track", 2, "2026-03-01T19:59:57.1234+08:00", "LibCurl", { event: "Viewed Product", properties: { url: "https://shop.example.cn/p/1" } }),
        phpItem("page", 3, "2026-03-01T19:59:58+08:00", "LibCurl", { name: "Home", properties: {} }),
      ],
      sentAt: "2026-03-01T20:00:00+08:00",
    });
    expect(body).toContain("https:\\/\\/shop.example.cn\\/p\\/1");
    ok(await w.send("/v1/batch", gzip(body), { authorization: basic(KEY), "content-type": "application/json", "content-encoding": "gzip", "user-agent": "analytics-php/3.8.0" }));
    const p = await w.must("user_id", "php-user");
    expect(p.traits).toMatchObject({ city: "杭州" });
    const events = await w.events("user_id", "php-user");
    expect(events.map((e) => [e.time, e.event])).toEqual([
      ["2026-03-01T11:59:55.000Z", "$identify"],
      ["2026-03-01T11:59:57.123Z", "Viewed Product"],
      ["2026-03-01T11:59:58.000Z", "$pageview"],
    ]);
    expect(events[1]!.properties).toMatchObject({ url: "https://shop.example.cn/p/1", $lib: "analytics-php" });
  });

  // File.php writes each message as one json_encode line; send.php reads the file, strtotime()s each timestamp and
  // calls the library again, which sends it with a Socket or LibCurl consumer: the replay is the same messageIds, so
  // replaying a file twice (a cron that ran twice) stores each event once.
  test("File consumer lines replayed (send.php) through the Socket consumer twice: stored once", async () => {
    const w = await world("2026-03-01T12:00:00.000Z");
    const lines = [
      phpItem("track", 4, "2026-02-28T10:00:00+08:00", "File", { event: "Invoice Paid", properties: { amount: 1200 } }),
      phpItem("track", 5, "2026-02-28T11:00:00+08:00", "File", { event: "Invoice Paid", properties: { amount: 300 } }),
    ];
    for (let run = 0; run < 2; run++) {
      const body = phpEncode({ batch: lines.map((l) => ({ ...l, context: { library: { name: "analytics-php", version: "3.8.0", consumer: "Socket" } } })), sentAt: "2026-03-01T20:00:00+08:00" });
      // Socket.php's raw request: Host, Content-Type, Basic, Accept, User-Agent, Content-length; it reads the status line.
      ok(await w.send("/v1/batch", body, {
        host: "collect.example.cn", "content-type": "application/json", authorization: basic(KEY), accept: "application/json",
        "user-agent": "analytics-php/3.8.0", "content-length": String(utf8Bytes(body)),
      }));
    }
    // sentAt is a day after these timestamps: a replay of a historical file keeps its times (corrected by the 0 s skew).
    expect(await w.times("user_id", "php-user")).toEqual([["2026-02-28T02:00:00.000Z", "Invoice Paid"], ["2026-02-28T03:00:00.000Z", "Invoice Paid"]]);
    expect(await w.total("Invoice Paid", "2026-02-01", "2026-03-31")).toBe(2);
  });
});

// ───────────────────────────────────────────── segmentio/Analytics.NET ─────────────────────────────────────────────

describe("segmentio/Analytics.NET", () => {
  // BlockingRequestHandler: POST /v1/import, Basic "key:", `Content-Type: application/json`, `Content-Encoding: gzip`
  // with CompressRequest, sentAt = DateTime.Now.ToString("o") (seven fraction digits, the local offset). It counts only
  // HttpStatusCode.OK as delivered: any other 2xx is neither retried nor failed, the loop sends it again at once.
  test("gzip /v1/import with \"o\" times: exactly 200, stored with the seven-digit fractions read", async () => {
    const w = await world("2026-03-01T12:00:00.000Z");
    const item = (type: string, n: number, extra: { [k: string]: Json }): { [k: string]: Json } => ({
      type, messageId: `c1d2e3f4-0000-4000-8000-00000000000${n}`, timestamp: `2026-03-01T19:59:5${n}.1234567+08:00`,
      context: { library: { name: "Analytics.NET", version: "3.8.1" } }, integrations: {}, userId: "dotnet-user", ...extra,
    });
    const body = JSON.stringify({
      batch: [
        item("identify", 7, { traits: { company: "联想" } }),
        item("screen", 8, { name: "Dashboard", category: "Main", properties: {} }),
        item("group", 9, { groupId: "lenovo", traits: { industry: "hardware" } }),
      ],
      sentAt: "2026-03-01T20:00:00.0000000+08:00", messageId: "c1d2e3f4-batch",
    });
    const a = await w.send("/v1/import", gzip(body), { authorization: basic(KEY), "content-type": "application/json", "content-encoding": "gzip", "user-agent": "Analytics.NET/3.8.1" });
    expect(a.status).toBe(200);
    ok(a);
    const p = await w.must("user_id", "dotnet-user");
    expect(p.traits).toMatchObject({ company: "联想" });
    expect(p.traits.industry).toBeUndefined();
    expect(await w.times("user_id", "dotnet-user")).toEqual([
      ["2026-03-01T11:59:57.123Z", "$identify"],
      ["2026-03-01T11:59:58.123Z", "$screen"],
      ["2026-03-01T11:59:59.123Z", "$groupidentify"],
    ]);
  });
});

// ───────────────────────────────────────────── RudderStack server SDKs ─────────────────────────────────────────────

describe("RudderStack server SDKs", () => {
  // rudder-sdk-python: client.py adds `channel: "server"` and library "analytics-python"; request.py posts the batch
  // with a UTC sentAt to /v1/batch (HTTPBasicAuth, gzip) and counts exactly 200 as delivered.
  test("rudder-sdk-python: gzip /v1/batch with channel server; identify then track on one person", async () => {
    const w = await world("2026-03-01T12:00:00.000Z");
    const common = (type: string, n: number, t: string): { [k: string]: Json } => ({
      integrations: {}, anonymousId: "rs-py-anon", timestamp: `2026-03-01T11:59:${t}+00:00`, context: { library: { name: "analytics-python", version: "2.1.0" } },
      type, userId: "rs-py-user", messageId: `6e5d4c3b-2a19-4807-b6a5-00000000000${n}`, channel: "server",
    });
    const body = pyDumps({
      batch: [
        { ...common("identify", 1, "58.000000"), traits: { phone: "+8613800138000", name: "王芳" } },
        { ...common("track", 2, "59.000000"), properties: { amount: 199 }, event: "Recharge" },
      ],
      sentAt: "2026-03-01T12:00:00.000000+00:00",
    });
    ok(await w.send("/v1/batch", gzip(body), { "content-type": "application/json", "user-agent": "analytics-python/2.1.0", "content-encoding": "gzip", authorization: basic(KEY) }));
    const p = await w.must("user_id", "rs-py-user");
    expect(w.ids(p, "anonymous_id")).toEqual(["rs-py-anon"]);
    expect(w.ids(p, "phone")).toEqual(["+8613800138000"]);
    expect(await w.times("user_id", "rs-py-user")).toEqual([["2026-03-01T11:59:58.000Z", "$identify"], ["2026-03-01T11:59:59.000Z", "Recharge"]]);
  });

  // rudder-sdk-python caps an item and a batch at 4 MB (RudderStack's gateway takes 4000 KB per request); rudder-sdk-java
  // caps a batch at 1024 * 500 measured with String.length(), i.e. in UTF-16 units, so 500 K Chinese characters are
  // ~1.5 MB of UTF-8. SPEC §3 fixes 500 KB per request on Segment routes: both are refused whole with a 413 naming the
  // limit, and both libraries give a 4xx up (rudder-sdk-java: not 5xx/429; rudder-sdk-python: an APIError built
  // from the body's `code` and `message`, a 4xx other than 429). Nothing of such a batch is stored.
  test("batches RudderStack's own limits allow but SPEC's 500 KB does not: 413 naming the limit, nothing stored", async () => {
    const w = await world("2026-03-01T12:00:00.000Z");
    const chars = 400_000; // under rudder-sdk-java's 512_000-character cap
    const items = Array.from({ length: 20 }, (_, i) => ({
      type: "track", event: "Imported Note", userId: "rs-big", channel: "server", messageId: `rs-big-${i}`, timestamp: "2026-03-01T11:59:00.000Z",
      context: { library: { name: "analytics-java", version: "3.1.0" } }, properties: { text: "评".repeat(chars / 20 - 200) },
    }));
    const javaBody = JSON.stringify({ batch: items, sentAt: "2026-03-01T11:59:59.000Z", context: { library: { name: "analytics-java", version: "3.1.0" } } });
    expect(javaBody.length).toBeLessThan(500 * 1024); // what the Java client measures
    expect(utf8Bytes(javaBody)).toBeGreaterThan(500 * 1024); // what arrives
    const java = await w.send("/v1/batch", gzip(javaBody), { "content-type": "application/json", "content-encoding": "gzip", authorization: basic(KEY) });
    expect([java.status, java.body.success, java.body.limit]).toEqual([413, false, "500 KB per request"]);

    const pyBody = pyDumps({ batch: [{ type: "track", event: "Imported Note", userId: "rs-big", properties: { text: "x".repeat(600 * 1024) }, channel: "server" }], sentAt: "2026-03-01T12:00:00+00:00" });
    const py = await w.send("/v1/batch", gzip(pyBody), { "content-type": "application/json", "content-encoding": "gzip", authorization: basic(KEY) });
    expect([py.status, py.body.success, py.body.limit]).toEqual([413, false, "500 KB per request"]);
    expect(await w.person("user_id", "rs-big")).toBeNull();
  });

  // rudderlabs/analytics-go Enqueue: `if m.AnonymousId == "" { m.AnonymousId = makeAnonymousId(m.UserId) }`, i.e. the
  // user id again; upload() adds RS-targetNode/RS-nodeCount/RS-userAgent for its proxy. Two users therefore each carry
  // their own id as anonymousId: one person each, holding the value as both identifiers, never merged together.
  test("rudder-sdk-go: anonymousId = userId and RS-* headers: one person per user, nobody merged", async () => {
    const w = await world("2026-03-01T12:00:00.000Z");
    const msgs = ["rs-go-a", "rs-go-b"].flatMap((u, i) => [
      { type: "identify", userId: u, anonymousId: u, messageId: `${u}-1`, timestamp: `2026-03-01T11:59:5${i}.000Z`, traits: { team: u } },
      { type: "track", userId: u, anonymousId: u, event: "Deployed", messageId: `${u}-2`, timestamp: `2026-03-01T11:59:5${i + 2}.000Z`, properties: { env: "prod" } },
    ]);
    const body = JSON.stringify({ messageId: "rs-go-batch", sentAt: "2026-03-01T12:00:00.000Z", batch: msgs, context: { library: { name: "analytics-go", version: "3.3.0" } } });
    ok(await w.send("/v1/batch", body, {
      "user-agent": "analytics-go (version: 3.3.0)", "content-type": "application/json", authorization: basic(KEY),
      "rs-targetnode": "0", "rs-nodecount": "1", "rs-useragent": "serverSDK",
    }));
    const a = await w.must("user_id", "rs-go-a");
    const b = await w.must("user_id", "rs-go-b");
    expect(a.id).not.toBe(b.id);
    expect([w.ids(a, "anonymous_id"), w.ids(b, "anonymous_id")]).toEqual([["rs-go-a"], ["rs-go-b"]]);
    expect((await w.times("user_id", "rs-go-a")).map(([, e]) => e)).toEqual(["$identify", "Deployed"]);
  });

  // rudder-sdk-ruby field_parser.rb: identify traits only in context.traits, page/screen with `event: name` and
  // properties.name, `integrations: {All: true}`, `channel: "server"`, and a per-message `sentAt` taken when the call
  // is made, next to the call's `timestamp`; transport.rb gzips `{batch}` with no envelope sentAt. Under SPEC §3 the
  // time is receivedAt − (sentAt − timestamp): a call made with the default timestamp (= its sentAt) lands at the time
  // it was received, however long it queued (RudderStack's processor keeps a `timestamp` as sent: the difference is
  // the queueing delay); an explicit historical timestamp keeps its distance from the call.
  test("rudder-sdk-ruby: gzip {batch}, context.traits identify, per-message sentAt at call time", async () => {
    const w = await world("2026-03-01T12:00:30.000Z");
    const library = { name: "rudderanalytics-ruby", version: "2.0.0" };
    const base = (type: string, n: number, timestamp: string): { [k: string]: Json } => ({
      context: { library }, integrations: { All: true }, timestamp,
      sentAt: "2026-03-01T12:00:00.000Z", messageId: `rs-rb-${n}`, channel: "server", userId: "rs-rb-user", anonymousId: "rs-rb-anon", type,
    });
    const body = JSON.stringify({
      batch: [
        { ...base("identify", 1, "2026-03-01T12:00:00.000Z"), context: { library, traits: { email: "rb.rs@example.com", vip: true } } },
        { ...base("page", 2, "2026-03-01T12:00:00.000Z"), name: "Pricing", event: "Pricing", properties: { name: "Pricing", path: "/pricing" } },
        { ...base("track", 3, "2025-11-11T00:00:00.000Z"), event: "Singles Day Order", properties: { total: 1111 } },
      ],
    });
    ok(await w.send("/v1/batch", gzip(body), { accept: "application/json", "content-type": "application/json", "content-encoding": "gzip", authorization: basic(KEY), "user-agent": "rudderanalytics-ruby/2.0.0" }));
    const p = await w.must("user_id", "rs-rb-user");
    expect(w.ids(p, "email")).toEqual(["rb.rs@example.com"]);
    expect(p.traits).toMatchObject({ vip: true });
    expect(await w.times("user_id", "rs-rb-user")).toEqual([
      ["2025-11-11T00:00:30.000Z", "Singles Day Order"],
      ["2026-03-01T12:00:30.000Z", "$identify"],
      ["2026-03-01T12:00:30.000Z", "$pageview"],
    ]);
    const page = (await w.events("user_id", "rs-rb-user")).find((e) => e.event === "$pageview")!;
    expect(page.properties).toMatchObject({ name: "Pricing", path: "/pricing", $lib: "rudderanalytics-ruby" });
  });
});

// ───────────────────────────────────────────── what the libraries make of our answers ─────────────────────────────────────────────

type Decision = "delivered" | "retry" | "give up";
/** RULES are each library's reading of a status, from its own code (cited in the header). */
const RULES: Record<string, (status: number) => Decision> = {
  "analytics-python": (s) => (s >= 200 && s < 300 ? "delivered" : (s >= 400 && s < 500 ? [408, 410, 429, 460].includes(s) : s >= 500 && s < 600 && ![501, 505, 511].includes(s)) ? "retry" : "give up"),
  "analytics-go": (s) => (s >= 200 && s < 400 ? "delivered" : [408, 410, 429, 460].includes(s) || (s >= 500 && s < 600 && ![501, 505, 511].includes(s)) ? "retry" : "give up"),
  "analytics-ruby": (s) => (s >= 200 && s < 400 ? "delivered" : [408, 410, 429, 460].includes(s) || (s >= 500 && s < 600 && ![501, 505, 511].includes(s)) ? "retry" : "give up"),
  "analytics-java": (s) => (s >= 200 && s < 300 ? "delivered" : [408, 410, 429, 460].includes(s) || (s >= 500 && s < 600 && ![501, 505, 511].includes(s)) ? "retry" : "give up"),
  "analytics-php LibCurl": (s) => (s === 200 ? "delivered" : (s >= 500 && s <= 600) || s === 429 ? "retry" : "give up"),
  "Analytics.NET": (s) => (s === 200 ? "delivered" : (s >= 500 && s < 600) || s === 429 ? "retry" : "give up"),
  "rudder-sdk-java": (s) => (s >= 200 && s < 300 ? "delivered" : (s >= 500 && s < 600) || s === 429 ? "retry" : "give up"),
};

describe("what the libraries make of our answers", () => {
  // Each of our Segment-route answers, produced for real, read by every library's status rule: a stored batch
  // (whole or partial) is delivered everywhere, a refused write (503 + Retry-After, SPEC §3) is retried everywhere, and a
  // request that can never succeed (400, 401, 413) is given up everywhere instead of clogging the queue. Ruby reads
  // the JSON `error` of a failure, the Python libraries its `code` and `message`. The retry of the refused batch is then stored exactly once.
  test("200 and partial 200 are delivered, 503 + Retry-After retried, 400/401/413 given up — and the retried batch is stored once", async () => {
    const w = await world("2026-03-01T12:00:00.000Z");
    const H = { "content-type": "application/json", authorization: basic(KEY) };
    const ev = (id: string, extra: Props = {}) => ({ type: "track", userId: "status-user", event: "Status Probe", messageId: id, timestamp: "2026-03-01T11:59:59.000Z", ...extra });
    const answers: [string, Answer, Decision][] = [];
    answers.push(["stored", await w.send("/v1/batch", JSON.stringify({ batch: [ev("st-1")] }), H), "delivered"]);
    answers.push(["partial", await w.send("/v1/batch", JSON.stringify({ batch: [ev("st-2"), { type: "track", event: "No One" }] }), H), "delivered"]);
    w.refuseWrites();
    try {
      answers.push(["refused write", await w.send("/v1/batch", JSON.stringify({ batch: [ev("st-3")] }), H), "retry"]);
    } finally {
      w.allowWrites();
    }
    answers.push(["unparseable", await w.send("/v1/batch", "{\"batch\": [", H), "give up"]);
    answers.push(["unknown key", await w.send("/v1/batch", JSON.stringify({ batch: [ev("st-4")] }), { ...H, authorization: basic("wk_nobody") }), "give up"]);
    answers.push(["too large", await w.send("/v1/batch", JSON.stringify({ batch: [ev("st-5", { properties: { pad: "x".repeat(510 * 1024) } })] }), H), "give up"]);

    expect(answers.map(([what, a]) => [what, a.status])).toEqual([
      ["stored", 200], ["partial", 200], ["refused write", 503], ["unparseable", 400], ["unknown key", 401], ["too large", 413],
    ]);
    for (const [what, a, want] of answers) {
      for (const [sdk, rule] of Object.entries(RULES)) expect([what, sdk, rule(a.status)]).toEqual([what, sdk, want]);
      // Ruby reads `error`; the Python libraries build their APIError from `payload['code']` and `payload['message']`
      // (without them a KeyError escapes their give-up rule and the 4xx is retried to the end).
      if (a.status !== 200) expect([what, typeof a.body.error, typeof a.body.code, typeof a.body.message]).toEqual([what, "string", "string", "string"]);
    }
    expect(answers[2]![1].headers.get("retry-after") ?? "").toMatch(/^[1-9]\d*$/);

    // The refused batch again, as analytics-python's retry sends it (X-Retry-Count: 1), and once more.
    w.advance(2_000);
    for (const n of [1, 2]) ok(await w.send("/v1/batch", JSON.stringify({ batch: [ev("st-3")] }), { ...H, "x-retry-count": String(n) }));
    expect(await w.total("Status Probe", "2026-03-01", "2026-03-01")).toBe(3);
  });
});
