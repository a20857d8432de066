/**
 * Reference cases for the Segment-compatible wire (SPEC §3, with the identity effects of §4), rebuilt from what
 * the two anchors pin down themselves:
 * - RudderStack's gateway tests, `rudderlabs/rudder-server`: `gateway/gateway_test.go` ("Valid requests",
 *   "Invalid requests", "Bots", "Suppress users", "jobDataFromRequest"), `gateway/integration_test.go`
 *   (`sendEventsToGateway`), and the time rule of `processor/processor.go` (`enhanceWithTimeFields`).
 * - Segment's own pages, `segmentio/segment-docs`: the HTTP Tracking API page (`…/server/http-api/index.md`: the
 *   documented calls, auth forms, limits, errors, batch) and "Spec: Common Fields" (`connections/spec/common.md`:
 *   the four timestamps and their worked example); the request shapes `@segment/analytics-node` pins in
 *   `segmentio/analytics-next` `packages/node/src/__tests__/http-integration.test.ts`.
 * Each case sends those requests to a fresh app (source key KEY, clock pinned to the anchor's receive time) and
 * reads the outcome back through our APIs: the answer, `GET /api/persons?search=` (identifiers, traits),
 * `GET /api/persons/:id/events` (stored time, name, properties) and trends `math: "total"` (counts).
 * Where SPEC §3 decides differently from an anchor the test asserts the SPEC answer and names the difference;
 * where the SPEC is silent and we differ, the test says which anchor we follow.
 */
import { describe, expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { type Answer, answerOf, byIdentifier, idsOf, type Props, referenceApp, rejectedOf, stored } from "./harness.ts";

const KEY = "rs_reference_segment_wire_01";

/** basic is an HTTP Basic header with the write key as user name; `rest` is what follows it (":" by default). */
const basic = (key: string, rest = ":") => `Basic ${btoa(`${key}${rest}`)}`;
const AUTH = { authorization: basic(KEY) };
const JSON_TYPE = { "content-type": "application/json" };

/** world is a fresh app whose default source has write key KEY, its clock at `now` (the anchor's receivedAt). */
async function world(now = "2026-03-01T12:00:00.000Z") {
  const h = await referenceApp(KEY, { now });
  const admin = await h.t.asToken("admin");
  const call = async (method: string, path: string, headers: Record<string, string>, json?: unknown) => {
    const res = await h.t.call(method, path, { headers, ...(json === undefined ? {} : { json }) });
    const body: unknown = await res.json();
    expect(res.status, `${method} ${path}: ${JSON.stringify(body)}`).toBeLessThan(300);
    return body;
  };
  const read = (path: string) => call("GET", path, h.analyst.headers);
  const find = byIdentifier(h);
  const w = {
    setNow: h.setNow,
    /** send makes one raw request, as an SDK would, and reads the answer as JSON when it is JSON. */
    async send(path: string, body: string | Uint8Array | undefined, headers: Record<string, string> = {}, peer?: string): Promise<Answer> {
      // A peer address is what Bun's server reports for the socket (hono/bun reads `env.requestIP`).
      const env = peer === undefined ? undefined : { requestIP: () => ({ address: peer, family: "IPv4", port: 40000 }) };
      return answerOf(await h.t.app.request(path, { method: "POST", headers, body: body as BodyInit | undefined }, env));
    },
    /** post sends `body` as JSON to `path` (Basic auth with KEY unless `headers` says otherwise). */
    post(path: string, body: unknown, headers: Record<string, string> = AUTH): Promise<Answer> {
      return w.send(path, JSON.stringify(body), { ...JSON_TYPE, ...headers });
    },
    /** ok asserts the Segment-route success answer of SPEC §3. */
    ok(a: Answer) {
      expect([a.status, a.body]).toEqual([200, { success: true }]);
    },
    ...find,
    ...stored(h, find.must),
    /** source is the default source's id (for the admin API). */
    async sourceId(): Promise<number> {
      const { results } = (await read("/api/sources")) as { results: { id: number; writeKey: string }[] };
      return results.find((s) => s.writeKey === KEY)!.id;
    },
    /** patchSource changes the default source as an admin (e.g. its IP policy, or disabling it). */
    async patchSource(patch: Props) {
      return call("PATCH", `/api/sources/${await w.sourceId()}`, admin.headers, patch);
    },
    /** createSource adds a second source with its own write key. */
    createSource: (name: string, writeKey: string) => call("POST", "/api/sources", admin.headers, { name, writeKey }),
    /** deletePerson is the privacy deletion, with suppression of future data when `suppress`. */
    deletePerson: (id: string, suppress: boolean) => call("DELETE", `/api/persons/${id}?suppress=${suppress}`, admin.headers),
    ids: idsOf,
  };
  return w;
}

// ───────────────────────────────────────────── Segment's documented calls ─────────────────────────────────────────────

describe("Segment HTTP Tracking API page: the documented calls", () => {
  // http-api/index.md, sections Identify, Track, Page, Screen, Group, Alias: each example body as printed, the write
  // key in the body ("writeKey authentication"), historical timestamps and no sentAt ("Historical import").
  const docs: [string, Props][] = [
    ["/v1/identify", {
      userId: "019mr8mf4r", traits: { email: "pgibbons@example.com", name: "Peter Gibbons", industry: "Technology" },
      context: { ip: "24.5.68.47" }, timestamp: "2012-12-02T00:30:08.276Z",
    }],
    ["/v1/track", {
      userId: "019mr8mf4r", event: "Item Purchased", properties: { name: "Leap to Conclusions Mat", revenue: 14.99 },
      context: { ip: "24.5.68.47" }, timestamp: "2012-12-02T00:30:12.984Z",
    }],
    ["/v1/page", { userId: "019mr8mf4r", name: "Tracking HTTP API", timestamp: "2012-12-02T00:31:29.738Z" }],
    ["/v1/screen", { userId: "019mr8mf4r", name: "Tracking HTTP API", timestamp: "2012-12-02T00:31:29.738Z" }],
    ["/v1/group", {
      userId: "019mr8mf4r", groupId: "8e9df332ac", traits: { name: "Initech", industry: "Technology", employees: 420 },
      timestamp: "2012-12-02T00:31:38.208Z",
    }],
    ["/v1/alias", { previousId: "39239-239239-239239-23923", userId: "019mr8mf4r", timestamp: "2012-12-02T00:31:29.738Z" }],
  ];

  test("each call is acknowledged with {success:true} and lands on one person at its historical time", async () => {
    const w = await world();
    for (const [path, body] of docs) w.ok(await w.post(path, { ...body, writeKey: KEY }, {}));

    const p = await w.must("user_id", "019mr8mf4r");
    // Identify traits are the person's; the group's traits (Initech, 420 employees) are the group's only.
    expect(p.traits).toMatchObject({ email: "pgibbons@example.com", name: "Peter Gibbons", industry: "Technology" });
    expect(p.traits.employees).toBeUndefined();
    expect(w.ids(p, "email")).toEqual(["pgibbons@example.com"]);
    // The alias's previousId names the same user (Segment: "associate one identity with another").
    expect((await w.person("user_id", "39239-239239-239239-23923"))?.id ?? (await w.person("anonymous_id", "39239-239239-239239-23923"))?.id).toBe(p.id);

    expect(await w.times("user_id", "019mr8mf4r")).toEqual([
      ["2012-12-02T00:30:08.276Z", "$identify"],
      ["2012-12-02T00:30:12.984Z", "Item Purchased"],
      ["2012-12-02T00:31:29.738Z", "$create_alias"],
      ["2012-12-02T00:31:29.738Z", "$pageview"],
      ["2012-12-02T00:31:29.738Z", "$screen"],
      ["2012-12-02T00:31:38.208Z", "$groupidentify"],
    ]);
    const byName = Object.fromEntries((await w.events("user_id", "019mr8mf4r")).map((e) => [e.event, e.properties]));
    expect(byName["Item Purchased"]).toMatchObject({ name: "Leap to Conclusions Mat", revenue: 14.99 });
    expect(byName.$pageview).toMatchObject({ name: "Tracking HTTP API" });
    expect(byName.$screen).toMatchObject({ name: "Tracking HTTP API", $screen_name: "Tracking HTTP API" });
    // The write key sent in the body is never stored with the event.
    expect(JSON.stringify(byName)).not.toContain(KEY);
  });

  test("context.ip: kept as sent under the `keep` policy; truncated under our default (a SPEC §3 IP policy)", async () => {
    // Segment stores `context.ip` as sent. SPEC §3: "`context.ip` (or the peer address) with an IP policy
    // (keep / truncate / drop)"; our default policy is `truncate`, so the documented call stores 24.5.68.0 until
    // the source says `keep`.
    const w = await world();
    const [path, body] = docs[1]!;
    w.ok(await w.post(path, body));
    expect((await w.events("user_id", "019mr8mf4r"))[0]!.properties.$ip).toBe("24.5.68.0");
    await w.patchSource({ settings: { ipPolicy: "keep" } });
    w.ok(await w.post(path, { ...body, timestamp: "2012-12-02T00:30:13.984Z" }));
    expect((await w.events("user_id", "019mr8mf4r")).map((e) => e.properties.$ip)).toEqual(["24.5.68.0", "24.5.68.47"]);
  });

  test("the peer address: recorded for browser calls and `context.direct: true`, never over an explicit context.ip", async () => {
    // common.md: IP "is not collected by our libraries, but instead filled in by our servers … for client side
    // events only"; http-api/index.md, Collecting IP Address: "When sending a HTTP call from a user's device, you
    // can collect the IP address by setting `context.direct` to `true`". RudderStack's gateway records the peer
    // as `request_ip` on every request, server-to-server ones included; a server's address is not the user's, so
    // the server-side call below records none (SPEC §3: "`context.ip` (or the peer address)").
    const w = await world();
    await w.patchSource({ settings: { ipPolicy: "keep" } });
    const peer = "203.0.113.9";
    const call = (path: string, event: string, extra: Props = {}) =>
      w.send(path, JSON.stringify({ userId: "ip-user", event, timestamp: "2026-03-01T10:00:00.000Z", ...extra }), { ...JSON_TYPE, ...AUTH }, peer);
    w.ok(await call("/v1/track", "Server Side"));
    w.ok(await call("/v1/track", "Direct", { context: { direct: true } }));
    w.ok(await call("/v1/t", "Browser"));
    w.ok(await call("/v1/t", "Browser With Ip", { context: { ip: "198.51.100.7" } }));
    const ips = Object.fromEntries((await w.events("user_id", "ip-user")).map((e) => [e.event, e.properties.$ip ?? null]));
    expect(ips).toEqual({ "Server Side": null, Direct: peer, Browser: peer, "Browser With Ip": "198.51.100.7" });
  });

  test("the documented /v1/batch body: batch context merged, the two items with a non-ISO date refused by index", async () => {
    // http-api/index.md, section Batch, as printed: the write key and a `context` on the envelope, four items.
    // Items 2 and 3 carry "2015-2-02T00:30:08.276Z" (a one-digit month): not the ISO-8601 the Common Fields spec
    // requires ("All timestamps are ISO-8601 date strings"), so under SPEC §3 ("a batch with some invalid items
    // stores the valid ones and answers 200 with … rejected") they are listed, not stored. Segment's own answer is
    // 200 either way; the page does not say whether it kept them.
    const w = await world();
    const a = await w.post("/v1/batch", {
      batch: [
        { type: "identify", userId: "019mr8mf4r", traits: { email: "jake@yahoo.com", name: "Jake Peterson", age: 26 }, timestamp: "2012-12-02T00:30:08.276Z" },
        { type: "track", userId: "019mr8mf4r", event: "Song Played", properties: { name: "Fallin for You", artist: "Dierks Bentley" }, timestamp: "2012-12-02T00:30:12.984Z" },
        { type: "identify", userId: "971mj8mk7p", traits: { email: "cindy@example.com", name: "Cindy Gonzalez", age: 23 }, timestamp: "2015-2-02T00:30:08.276Z" },
        { type: "track", userId: "971mj8mk7p", event: "Song Played", properties: { name: "Get Right", artist: "Jennifer Lopez" }, timestamp: "2015-2-02T00:30:12.984Z" },
      ],
      writeKey: KEY,
      context: { device: { type: "phone", name: "Apple iPhone 6" }, library: { name: "http-docs", version: "1" } },
    }, {});
    expect(a.status).toBe(200);
    expect(a.body.success).toBe(true);
    expect(rejectedOf(a).map((r) => [r.index, r.error.split(":")[0]])).toEqual([[2, "timestamp"], [3, "timestamp"]]);

    const jake = await w.must("user_id", "019mr8mf4r");
    expect(jake.traits).toMatchObject({ email: "jake@yahoo.com", name: "Jake Peterson", age: 26 });
    const events = await w.events("user_id", "019mr8mf4r");
    expect(events.map((e) => [e.time, e.event])).toEqual([["2012-12-02T00:30:08.276Z", "$identify"], ["2012-12-02T00:30:12.984Z", "Song Played"]]);
    // The envelope's context reached every item (its library is the one the events are stored with).
    expect(events.map((e) => e.properties.$lib)).toEqual(["http-docs", "http-docs"]);
    expect(await w.person("user_id", "971mj8mk7p")).toBeNull();
  });

  test("batch context is merged under each item's own: an item's own context keys win", async () => {
    // http-api/index.md, Batch: the envelope `context` "will be merged with any context inside each of the items".
    const w = await world();
    w.ok(await w.post("/v1/batch", {
      context: { library: { name: "envelope-lib", version: "1.0.0" }, ip: "8.8.8.8" },
      batch: [
        { type: "track", userId: "u-merge", event: "From Envelope", timestamp: "2026-03-01T11:00:00.000Z" },
        { type: "track", userId: "u-merge", event: "Own Context", context: { library: { name: "item-lib", version: "2.0.0" } }, timestamp: "2026-03-01T11:00:01.000Z" },
      ],
    }));
    expect((await w.events("user_id", "u-merge")).map((e) => [e.event, e.properties.$lib, e.properties.$lib_version, e.properties.$ip])).toEqual([
      ["From Envelope", "envelope-lib", "1.0.0", "8.8.8.0"],
      ["Own Context", "item-lib", "2.0.0", "8.8.8.0"],
    ]);
  });
});

// ───────────────────────────────────────────── timestamps ─────────────────────────────────────────────

describe("the four timestamps (Segment Common Fields; RudderStack's enhanceWithTimeFields)", () => {
  // common.md's example: receivedAt 04:08:31.909, sentAt 04:08:31.581, timestamp 04:08:31.905, so by
  // timestamp = receivedAt − (sentAt − originalTimestamp) the call was made at 04:08:31.577 by the device clock.
  const RECEIVED = "2015-12-10T04:08:31.909Z";
  const SENT = "2015-12-10T04:08:31.581Z";
  const ORIGINAL = "2015-12-10T04:08:31.577Z";
  const CORRECTED = "2015-12-10T04:08:31.905Z";

  test("skew correction from every sender's shape; explicit times kept; future clamped (SPEC §3)", async () => {
    const w = await world(RECEIVED);
    const ev = (who: string, times: Props) => ({ type: "track", anonymousId: who, event: "Timed", ...times });
    w.ok(await w.post("/v1/batch", {
      batch: [
        // A server library's `timestamp` is the originalTimestamp (common.md: "the `timestamp` value manually
        // passed in through server-side libraries"), corrected by the item's own sentAt.
        ev("segment-server", { timestamp: ORIGINAL, sentAt: SENT }),
        // RudderStack's SDKs send `originalTimestamp` and `sentAt` on every message.
        ev("rudder-sdk", { originalTimestamp: ORIGINAL, sentAt: SENT }),
        // RudderStack: "use existing timestamp if it exists in the event" — a timestamp next to an
        // originalTimestamp is kept as given, not corrected.
        ev("rudder-explicit", { timestamp: "2015-12-10T04:00:00.000Z", originalTimestamp: ORIGINAL, sentAt: SENT }),
        // No sentAt (historical import, http-api/index.md): the time is kept as given. RudderStack defaults a
        // missing sentAt to receivedAt, which gives the same answer.
        ev("historical", { timestamp: "2013-05-06T07:08:09.010Z" }),
        // No time at all: Segment "will use the server's time", RudderStack defaults every field to receivedAt.
        ev("untimed", {}),
        // 22 h ahead is kept; 24 h ahead is clamped to receipt (SPEC §3: "a `timestamp` more than 23 h in the
        // future is clamped to now"). Segment and RudderStack keep both as sent.
        ev("future-22h", { timestamp: "2015-12-11T02:08:31.909Z" }),
        ev("future-24h", { timestamp: "2015-12-11T04:08:31.909Z" }),
        // ISO-8601 with an offset, and without fractional seconds, name the same instants.
        ev("offset", { timestamp: "2015-12-10T12:08:31.577+08:00", sentAt: "2015-12-10T12:08:31.581+08:00" }),
        ev("whole-seconds", { timestamp: "2015-12-10T04:08:30Z" }),
        // A sentAt with no event time: the server's time (Segment). RudderStack would default the missing
        // originalTimestamp to receivedAt and give receivedAt − (sentAt − receivedAt), 10 s in the future here.
        ev("sent-only", { sentAt: "2015-12-10T04:08:21.909Z" }),
      ],
    }));
    const time = async (who: string) => (await w.times("anonymous_id", who))[0]![0];
    expect(await time("segment-server")).toBe(CORRECTED);
    expect(await time("rudder-sdk")).toBe(CORRECTED);
    expect(await time("rudder-explicit")).toBe("2015-12-10T04:00:00.000Z");
    expect(await time("historical")).toBe("2013-05-06T07:08:09.010Z");
    expect(await time("untimed")).toBe(RECEIVED);
    expect(await time("future-22h")).toBe("2015-12-11T02:08:31.909Z");
    expect(await time("future-24h")).toBe(RECEIVED);
    expect(await time("offset")).toBe(CORRECTED);
    expect(await time("whole-seconds")).toBe("2015-12-10T04:08:30.000Z");
    expect(await time("sent-only")).toBe(RECEIVED);
  });

  test("a batch-level sentAt applies to items without their own (@segment/analytics-node's {batch, writeKey, sentAt})", async () => {
    // analytics-next http-integration.test.ts pins the node library's body: items carry `timestamp` and a
    // messageId, the envelope carries the key and one sentAt for the whole batch.
    const w = await world(RECEIVED);
    const a = await w.send("/v1/batch", JSON.stringify({
      batch: [
        {
          type: "identify", userId: "my_user_id", traits: { foo: "bar" }, timestamp: ORIGINAL, messageId: "node-next-1449720511577-aa-bb-cc-dd-ee",
          context: { library: { name: "@segment/analytics-node", version: "3.1.0" } }, integrations: {}, _metadata: { nodeVersion: "20.0.0" },
        },
        { type: "track", userId: "my_user_id", event: "foo", timestamp: ORIGINAL, messageId: "node-next-1449720511577-aa-bb-cc-dd-ff", integrations: {} },
        // An item's own sentAt wins over the envelope's: sent the moment it was made, it happened at receipt.
        { type: "track", userId: "my_user_id", event: "bar", timestamp: ORIGINAL, sentAt: ORIGINAL, messageId: "node-next-1449720511577-aa-bb-cc-dd-00" },
      ],
      writeKey: KEY,
      sentAt: SENT,
    }), { ...JSON_TYPE, authorization: basic(KEY), "user-agent": "analytics-node-next/latest" });
    w.ok(a);
    const p = await w.must("user_id", "my_user_id");
    expect(p.traits).toMatchObject({ foo: "bar" });
    expect(await w.times("user_id", "my_user_id")).toEqual([
      [CORRECTED, "$identify"],
      [CORRECTED, "foo"],
      [RECEIVED, "bar"],
    ]);
    expect((await w.events("user_id", "my_user_id")).find((e) => e.event === "$identify")!.properties.$lib).toBe("@segment/analytics-node");
  });
});

// ───────────────────────────────────────────── RudderStack gateway: refusals ─────────────────────────────────────────────

describe("RudderStack gateway_test.go, Context \"Invalid requests\": every route refuses the same way", () => {
  // allHandlers(gateway): alias, batch, group, identify, import, page, screen, track (RudderStack also has
  // audiencelist/merge/extract, which are not Segment calls). Batch-shaped routes get the body wrapped in {batch}.
  const SINGLE = ["alias", "group", "identify", "page", "screen", "track"];
  const ROUTES = [...SINGLE, "batch", "import"].map((r) => `/v1/${r}`);
  const isBatch = (path: string) => path.endsWith("/batch") || path.endsWith("/import");

  test("\"should reject requests without Authorization header\" / \"…without username\" / \"…with invalid write keys\": 401", async () => {
    // RudderStack answers `401` with "Failed to read writeKey from header" or "Invalid Write Key"; SPEC §3:
    // "Unknown key → `401`". Our answers are JSON (SPEC §3: errors are JSON).
    const w = await world();
    for (const path of ROUTES) {
      const body = isBatch(path) ? { batch: [{ type: "track", event: "e", userId: "u" }] } : { event: "e", userId: "u", groupId: "g", previousId: "p" };
      for (const headers of [{}, { authorization: basic("") }, { authorization: basic("invalid-write-key") }] as Record<string, string>[]) {
        const a = await w.post(path, body, headers);
        expect([path, headers, a.status, a.body.success]).toEqual([path, headers, 401, false]);
        expect(typeof a.body.error).toBe("string");
      }
    }
    expect(await w.person("user_id", "u")).toBeNull();
  });

  test("a disabled source's key is refused (RudderStack: 404 \"Source is disabled\"; ours 401)", async () => {
    // gateway_test.go "should reject requests with disabled write keys (source)". SPEC §3 names only the unknown
    // key (401); a disabled source's key is refused the same way here, so SDKs stop retrying (4xx) either way.
    const w = await world();
    await w.patchSource({ disabled: true });
    for (const path of ROUTES) {
      const body = isBatch(path) ? { batch: [{ type: "track", event: "e", userId: "u" }] } : { event: "e", userId: "u", groupId: "g", previousId: "p" };
      const a = await w.post(path, body);
      expect([path, a.status]).toEqual([path, 401]);
    }
    expect(await w.person("user_id", "u")).toBeNull();
  });

  test("\"should reject requests without request body\" and \"…without valid json in request body\": 400", async () => {
    const w = await world();
    for (const path of ROUTES) {
      for (const body of [undefined, "", "not-a-valid-json"]) {
        const a = await w.send(path, body, { ...JSON_TYPE, ...AUTH });
        expect([path, body, a.status, a.body.success]).toEqual([path, body, 400, false]);
      }
    }
  });

  test("\"should reject requests without valid rudder event in request body\": an array where a message belongs is 400", async () => {
    const w = await world();
    for (const path of ROUTES) {
      const body = isBatch(path) ? { batch: [[{ data: "valid-json", foo: "bar" }]] } : [{ data: "valid-json", foo: "bar" }];
      const a = await w.post(path, body);
      expect([path, a.status, a.body.success]).toEqual([path, 400, false]);
    }
  });

  test("\"should reject requests with both userId and anonymousId not present\": 400, nothing stored", async () => {
    // RudderStack answers 400 "non identifiable request". Segment's page calls this `no_user_anon_id`, and SPEC §3
    // requires `userId` or `anonymousId` on every message. The batch items of the RudderStack test also lack a
    // `type`, which SPEC §3 requires on batch items, so our error names that first.
    const w = await world();
    for (const path of ROUTES) {
      const body = isBatch(path) ? { batch: [{ data: "valid-json" }] } : { data: "valid-json", event: "e", groupId: "g", previousId: "p" };
      const a = await w.post(path, body);
      expect([path, a.status, a.body.success]).toEqual([path, 400, false]);
      expect(a.body.rejected).toHaveLength(1);
    }
    // jobDataFromRequest "drops non-identifiable requests": {"batch": [{"type": "track"}]}.
    const a = await w.post("/v1/batch", { batch: [{ type: "track", event: "e" }] });
    expect([a.status, a.body.rejected]).toEqual([400, [{ index: 0, error: "userId: every message needs a userId or an anonymousId" }]]);
    expect(await w.total("e", "2026-01-01", "2026-12-31")).toBe(0);
  });

  test("\"should return empty batch payload error\": {\"batch\":[]} is 400", async () => {
    const w = await world();
    for (const path of ["/v1/batch", "/v1/import", "/v1/b"]) {
      const a = await w.post(path, { batch: [] });
      expect([path, a.status, a.body]).toEqual([path, 400, { success: false, error: "batch: is empty", code: "invalid_request", message: "batch: is empty" }]);
    }
  });

  test("\"should reject requests with request bodies larger than configured limit\": 413 naming the limit", async () => {
    // RudderStack: one 4 MB limit per request, 413 "Request size exceeds max limit". Segment (http-api/index.md,
    // Max request size): 32 KB per call, 500 KB per batch, 32 KB per item, 400 when exceeded. SPEC §3: "32 KB per
    // message, 500 KB per request on Segment routes (`413`/`400` with a JSON error that names the limit)".
    const w = await world();
    const big = "a".repeat(510 * 1024);
    for (const path of ROUTES) {
      const one = { anonymousId: "anon_id", type: "track", event: "e", properties: { data: big } };
      const a = await w.post(path, isBatch(path) ? { batch: [one] } : one);
      expect([path, a.status, a.body.success, a.body.limit]).toEqual([path, 413, false, "500 KB per request"]);
    }
    // A single message over 32 KB (but under 500 KB) on a single-message route.
    const mid = await w.post("/v1/track", { anonymousId: "anon_id", event: "e", properties: { data: "a".repeat(33 * 1024) } });
    expect([mid.status, mid.body.success]).toEqual([413, false]);
    expect(mid.body.error).toContain("32 KB");
    expect(await w.person("anonymous_id", "anon_id")).toBeNull();
  });
});

// ───────────────────────────────────────────── RudderStack gateway: acceptance ─────────────────────────────────────────────

describe("RudderStack gateway_test.go, Context \"Valid requests\"", () => {
  // createValidBody: {"userId":"dummyId","data":{...},"context":{"library":{...}},"custom-property":"custom-value"},
  // posted to every single-message route with Basic "enabled-write-key:password-should-be-ignored".
  const validBody = {
    userId: "dummyId", data: { string: "valid-json", nested: { child: 1 } },
    context: { library: { name: "sdkLibrary", version: "v1.2.3" } }, "custom-property": "custom-value",
  };

  test("\"should accept valid requests on a single endpoint\": identify, page, screen accepted; the Basic password is ignored", async () => {
    const w = await world();
    for (const route of ["identify", "page", "screen"]) {
      w.ok(await w.post(`/v1/${route}`, validBody, { authorization: basic(KEY, ":password-should-be-ignored") }));
    }
    const events = await w.events("user_id", "dummyId");
    expect(events.map((e) => e.event).sort()).toEqual(["$identify", "$pageview", "$screen"]);
    expect(events.every((e) => e.properties.$lib === "sdkLibrary" && e.properties.$lib_version === "v1.2.3")).toBe(true);
  });

  test("the route decides the type: a `type` in the body of a single-message route is overridden", async () => {
    // The same test asserts the stored payload's `type` equals the handler's (messageType == handlerType) for a
    // body that names none; a body naming another type is stored as the route's call too.
    const w = await world();
    w.ok(await w.post("/v1/page", { type: "track", event: "Not A Track", userId: "route-type", name: "Pricing", timestamp: "2026-03-01T10:00:00.000Z" }));
    expect((await w.events("user_id", "route-type")).map((e) => [e.event, e.properties.name])).toEqual([["$pageview", "Pricing"]]);
  });

  test("the same body on track, group and alias: RudderStack stores it; we refuse it, naming the missing field", async () => {
    // RudderStack's gateway takes the body on all six routes (its SDKs validate event/groupId/previousId before
    // sending). Segment's page lists "Track event is missing name" among the events it does not accept. SPEC §3
    // only requires userId or anonymousId; refusing a nameless track, a group without groupId and an alias
    // without previousId loudly (400, nothing stored) is our decision where the SPEC is silent (Segment's, for track).
    const w = await world();
    const expected: Record<string, string> = {
      track: "event: required for track",
      group: "groupId: required for group",
      alias: "previousId: required for alias",
    };
    for (const [route, error] of Object.entries(expected)) {
      const a = await w.post(`/v1/${route}`, validBody);
      expect([route, a.status, a.body.error]).toEqual([route, 400, error]);
    }
    expect(await w.person("user_id", "dummyId")).toBeNull();
  });

  test("jobDataFromRequest \"accepts events with non-string type anonymousId and/or userId\": a number is its decimal string; an object is refused", async () => {
    // RudderStack accepts both `"userId": 456` and `"userId": {"id": 456}` at the gateway. A number becomes the
    // id "456" here too; an object id names nobody, so it is refused with the field named (SPEC §3: nothing valid
    // is dropped silently — this is not valid, and the client is told).
    const w = await world();
    const a = await w.post("/v1/batch", {
      batch: [
        { type: "track", event: "Numeric", userId: 456 },
        { type: "track", event: "Object", userId: { id: 456 } },
      ],
    });
    expect([a.status, a.body.success, a.body.rejected]).toEqual([200, true, [{ index: 1, error: "userId: expected a string or a number" }]]);
    expect((await w.times("user_id", "456")).map(([, e]) => e)).toEqual(["Numeric"]);
  });

  test("\"should send bots information\": a bot's event is stored and flagged; RudderStack's typeless items need a type here", async () => {
    // The RudderStack body as written has no `type` on its items; SPEC §3 requires `type` in a batch item, so we
    // refuse it (400, both listed). With the type added, both events are accepted and the Googlebot one flagged,
    // as RudderStack counts it (gateway.write_key_bot_events = 1 of write_key_events = 2).
    const w = await world();
    const ua = [
      "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/91.0.4472.114 Safari/537.36",
    ];
    const items = ua.map((userAgent) => ({ userId: "dummyId", context: { userAgent, library: { name: "sdkLibrary", version: "v1.2.3" } } }));
    const typeless = await w.post("/v1/batch", { batch: items });
    expect([typeless.status, rejectedOf(typeless).map((r) => [r.index, r.error.split(":")[0]])]).toEqual([400, [[0, "type"], [1, "type"]]]);

    w.ok(await w.post("/v1/batch", { batch: items.map((it, i) => ({ ...it, type: "track", event: "Visited", timestamp: `2026-03-01T11:00:0${i}.000Z` })) }));
    expect((await w.events("user_id", "dummyId")).map((e) => e.properties.$bot ?? false)).toEqual([true, false]);
    expect(await w.total("Visited", "2026-03-01", "2026-03-01")).toBe(2);
  });
});

describe("RudderStack gateway_test.go, Context \"Suppress users\"", () => {
  test("a suppressed user's events are acknowledged 200 and not stored; a normal user's are", async () => {
    // RudderStack: {"batch":[{"userId":"suppressed-user-2"}]} answers 200 "OK" and only counts a suppressed
    // request. SPEC §3: "suppressed people (privacy requests) are dropped at the door". The suppression here is
    // our privacy deletion with `suppress=true` (SPEC §4).
    const w = await world();
    w.ok(await w.post("/v1/batch", { batch: ["normal-user-1", "suppressed-user-2"].map((userId) => ({ type: "track", event: "Before", userId, timestamp: "2026-03-01T10:00:00.000Z" })) }));
    await w.deletePerson((await w.must("user_id", "suppressed-user-2")).id, true);

    w.ok(await w.post("/v1/batch", { batch: [{ type: "track", event: "After", userId: "suppressed-user-2" }] }));
    w.ok(await w.post("/v1/batch", { batch: [{ type: "track", event: "After", userId: "normal-user-1", context: { library: { name: "sdkLibrary", version: "v1.2.3" } } }] }));
    expect(await w.person("user_id", "suppressed-user-2")).toBeNull();
    expect((await w.times("user_id", "normal-user-1")).map(([, e]) => e)).toEqual(["Before", "After"]);
    expect(await w.total("After", "2026-01-01", "2026-12-31")).toBe(1);
  });
});

describe("RudderStack integration_test.go, sendEventsToGateway", () => {
  // The identify the integration test posts to /v1/identify (Basic "<key>:", an AnonymousId header), traits only in
  // context.traits (RudderStack's browser SDK shape), a context.ip, a client messageId and an explicit timestamp.
  const identifyEvent = {
    userId: "identified_user_id", anonymousId: "anonymousId_1", messageId: "messageId_1", type: "identify", eventOrderNo: "1",
    context: { traits: { trait1: "new-val" }, ip: "14.5.67.21", library: { name: "http" } },
    timestamp: "2020-02-02T00:23:09.544Z",
  };

  test("the identify lands on one person holding both ids, its context.traits as traits, at its timestamp", async () => {
    const w = await world();
    w.ok(await w.post("/v1/identify", identifyEvent, { ...AUTH, anonymousid: "anonymousId_header" }));
    const p = await w.must("user_id", "identified_user_id");
    expect(w.ids(p, "anonymous_id")).toEqual(["anonymousId_1"]);
    expect(p.traits).toMatchObject({ trait1: "new-val" });
    const [e] = await w.events("anonymous_id", "anonymousId_1");
    expect([e!.time, e!.event, e!.properties.$lib, e!.properties.$ip]).toEqual(["2020-02-02T00:23:09.544Z", "$identify", "http", "14.5.67.0"]);
  });

  test("sent again with the same messageId: acknowledged, stored once (SPEC §3 exactly-once; RudderStack dedup is off by default)", async () => {
    // RudderStack's processor dedups by messageId only when `Dedup.enableDedup` is on (default false) and within
    // a window; SPEC §3: "Exactly-once storage by `messageId` per source: a re-sent message is acknowledged and
    // not stored twice".
    const w = await world();
    w.ok(await w.post("/v1/identify", identifyEvent));
    w.ok(await w.post("/v1/identify", identifyEvent));
    w.ok(await w.post("/v1/batch", { batch: [identifyEvent] }));
    expect(await w.times("user_id", "identified_user_id")).toEqual([["2020-02-02T00:23:09.544Z", "$identify"]]);
  });
});

describe("Segment identity resolution's blocked values over the wire (SPEC §4)", () => {
  test("two devices identifying with userId \"null\" (or \"undefined\", \"0\", \"-1\", \"anonymous\", \"guest\") stay two people", async () => {
    // Segment Unify, identity-resolution-settings: blocked values (`null`, `anonymous`, `-1`, `^[0-]*$` …) "stay on
    // the event but are not promoted to identifiers". SPEC §4: "a blocklist of junk values (`null`, `undefined`,
    // `0`, `-1`, `anonymous`, `guest`, empty, …)". Both calls are acknowledged and stored; nobody is merged.
    const w = await world();
    for (const junk of ["null", "undefined", "0", "-1", "anonymous", "guest"]) {
      for (const device of ["A", "B"]) {
        w.ok(await w.post("/v1/identify", { userId: junk, anonymousId: `dev-${device}-${junk}`, traits: { device }, timestamp: "2026-03-01T10:00:00.000Z" }));
      }
      const a = await w.must("anonymous_id", `dev-A-${junk}`);
      const b = await w.must("anonymous_id", `dev-B-${junk}`);
      expect([junk, a.id === b.id, a.traits.device, b.traits.device, w.ids(a, "user_id"), w.ids(b, "user_id")]).toEqual([junk, false, "A", "B", [], []]);
    }
    expect(await w.total("$identify", "2026-03-01", "2026-03-01")).toBe(12);
  });
});

// ───────────────────────────────────────────── messageId ─────────────────────────────────────────────

describe("messageId: filled when absent, sanitised, deduplicated per source", () => {
  test("RudderStack \"sanitizes messageID, trim space and replace with new uuid\": a blank messageId is no id at all", async () => {
    // jobDataFromRequest: a messageId of only spaces and invisible characters (" \u0000\u00A0\t\n\r\u034F ") is
    // replaced by a fresh UUID, so two different events that both carry it are two events. SPEC §3: "`messageId`
    // is filled when absent" and "nothing valid is ever dropped silently".
    const w = await world();
    const blank = " \u0000\u00A0\t\n\r\u034F ";
    w.ok(await w.post("/v1/track", { userId: "blank-ids", event: "First", messageId: blank, timestamp: "2026-03-01T10:00:00.000Z" }));
    w.ok(await w.post("/v1/track", { userId: "blank-ids", event: "Second", messageId: blank, timestamp: "2026-03-01T10:01:00.000Z" }));
    w.ok(await w.post("/v1/track", { userId: "blank-ids", event: "Third", messageId: "", timestamp: "2026-03-01T10:02:00.000Z" }));
    w.ok(await w.post("/v1/track", { userId: "blank-ids", event: "Fourth", messageId: "", timestamp: "2026-03-01T10:03:00.000Z" }));
    expect((await w.times("user_id", "blank-ids")).map(([, e]) => e)).toEqual(["First", "Second", "Third", "Fourth"]);
  });

  test("RudderStack \"sanitizes messageID, remove bad runes and trim space\": padding around an id does not make a new message", async () => {
    // "\u0000 -a-random-string \u00A0\t\n\r\u034F" is stored by RudderStack as "-a-random-string": a resend of the
    // same message with the padded and the clean id is one message under SPEC §3's exactly-once rule.
    const w = await world();
    const ev = (messageId: string) => ({ userId: "padded-id", event: "Once", messageId, timestamp: "2026-03-01T10:00:00.000Z" });
    w.ok(await w.post("/v1/track", ev("\u0000 -a-random-string \u00A0\t\n\r\u034F")));
    w.ok(await w.post("/v1/track", ev("-a-random-string")));
    expect(await w.times("user_id", "padded-id")).toEqual([["2026-03-01T10:00:00.000Z", "Once"]]);
  });

  test("exactly once per source: a repeat in the same batch, in a later request, on /v1/import; another source keeps its own", async () => {
    // Segment dedups by messageId "not scoped to source/workspace" (duplicate-data guide); SPEC §3 scopes it:
    // "Exactly-once storage by `messageId` per source". The second source's copy is therefore stored.
    const w = await world();
    const ev = { type: "track", userId: "dup-user", event: "Purchased", messageId: "022bb90c-bbac-11e4-8dfc-aa07a5b093db", timestamp: "2026-03-01T10:00:00.000Z" };
    w.ok(await w.post("/v1/batch", { batch: [ev, ev] }));
    w.ok(await w.post("/v1/batch", { batch: [ev] }));
    w.ok(await w.post("/v1/track", ev));
    w.ok(await w.post("/v1/import", { batch: [ev] }));
    expect(await w.total("Purchased", "2026-03-01", "2026-03-01")).toBe(1);

    await w.createSource("second app", "rs_reference_second_source_01");
    w.ok(await w.post("/v1/batch", { batch: [ev] }, { authorization: basic("rs_reference_second_source_01") }));
    expect(await w.total("Purchased", "2026-03-01", "2026-03-01")).toBe(2);
  });
});

// ───────────────────────────────────────────── auth forms, short paths, encodings ─────────────────────────────────────────────

describe("auth forms, analytics.js short paths, gzip, /v1/import", () => {
  test("Segment's three key forms and RudderStack's Basic with a password are all one source", async () => {
    // http-api/index.md, Authentication: writeKey in the body (no header), Basic "<key>:" ("include a colon before
    // encoding"), Basic "<key>" without the colon ("might work due to backward compatibility"); gateway_test.go's
    // authorizedRequest sends "<key>:password-should-be-ignored". SPEC §3 adds X-Write-Key.
    const w = await world();
    const forms: [string, Record<string, string>, Props][] = [
      ["body writeKey", {}, { writeKey: KEY }],
      ["Basic key:", { authorization: basic(KEY) }, {}],
      ["Basic key (no colon)", { authorization: basic(KEY, "") }, {}],
      ["Basic key:password", { authorization: basic(KEY, ":password-should-be-ignored") }, {}],
      ["X-Write-Key", { "x-write-key": KEY }, {}],
    ];
    for (const [i, [name, headers, extra]] of forms.entries()) {
      const a = await w.post("/v1/track", { userId: "auth-forms", event: name, timestamp: `2026-03-01T10:00:0${i}.000Z`, ...extra }, headers);
      expect([name, a.status, a.body]).toEqual([name, 200, { success: true }]);
    }
    expect((await w.times("user_id", "auth-forms")).map(([, e]) => e)).toEqual(forms.map(([n]) => n));
  });

  test("analytics.js: /v1/t, /v1/p, /v1/i, /v1/g, /v1/a as text/plain, and its batching /v1/b with {writeKey, batch, sentAt}", async () => {
    // analytics-next posts to `${apiHost}/${type[0]}` with `Content-Type: text/plain` (no CORS preflight); its
    // batching dispatcher strips per-event sentAt and sends one sentAt with the key in the body.
    const w = await world("2026-03-01T12:00:10.000Z");
    const text = { "content-type": "text/plain", ...AUTH };
    const base = { anonymousId: "ajs-anon", context: { library: { name: "analytics.js", version: "npm:next-1.84.1" } } };
    const short: [string, Props][] = [
      ["/v1/p", { ...base, type: "page", name: "Home", properties: { path: "/" }, timestamp: "2026-03-01T12:00:00.000Z", sentAt: "2026-03-01T12:00:00.000Z" }],
      ["/v1/t", { ...base, type: "track", event: "Clicked", timestamp: "2026-03-01T12:00:01.000Z", sentAt: "2026-03-01T12:00:01.000Z" }],
      ["/v1/i", { ...base, type: "identify", userId: "ajs-user", traits: { plan: "pro" }, timestamp: "2026-03-01T12:00:02.000Z", sentAt: "2026-03-01T12:00:02.000Z" }],
      ["/v1/g", { ...base, type: "group", userId: "ajs-user", groupId: "acme", traits: { name: "Acme" }, timestamp: "2026-03-01T12:00:03.000Z", sentAt: "2026-03-01T12:00:03.000Z" }],
      ["/v1/a", { ...base, type: "alias", userId: "ajs-user", previousId: "ajs-anon", timestamp: "2026-03-01T12:00:04.000Z", sentAt: "2026-03-01T12:00:04.000Z" }],
    ];
    for (const [path, body] of short) w.ok(await w.send(path, JSON.stringify(body), text));
    // The batching dispatcher: no auth header, the key in the body; the device clock is 10 s behind.
    w.ok(await w.send("/v1/b", JSON.stringify({
      writeKey: KEY, sentAt: "2026-03-01T12:00:00.000Z",
      batch: [{ ...base, userId: "ajs-user", type: "track", event: "Batched", timestamp: "2026-03-01T11:59:59.000Z" }],
    }), { "content-type": "text/plain" }));

    const p = await w.must("user_id", "ajs-user");
    expect(w.ids(p, "anonymous_id")).toEqual(["ajs-anon"]);
    expect(p.traits).toMatchObject({ plan: "pro" });
    expect(p.traits.name).toBeUndefined();
    // Each single call was sent when made (sentAt = timestamp), so receipt at 12:00:10 is its time; the batched
    // event happened 1 s before its batch was sent.
    expect(await w.times("user_id", "ajs-user")).toEqual([
      ["2026-03-01T12:00:09.000Z", "Batched"],
      ["2026-03-01T12:00:10.000Z", "$create_alias"],
      ["2026-03-01T12:00:10.000Z", "$groupidentify"],
      ["2026-03-01T12:00:10.000Z", "$identify"],
      ["2026-03-01T12:00:10.000Z", "$pageview"],
      ["2026-03-01T12:00:10.000Z", "Clicked"],
    ]);
  });

  test("rudder-sdk-node: gzip body {batch, sentAt} with per-message originalTimestamp and sentAt", async () => {
    // rudder-sdk-node 3.x gzips by default ("server version should be 1.4 and above"); each message carries its
    // own originalTimestamp and sentAt, `channel: "server"`, `context.library.name: "analytics-node"` and
    // identify traits copied into context.traits. RudderStack's gateway inflates Content-Encoding: gzip.
    const w = await world("2026-03-01T12:00:00.500Z");
    const lib = { library: { name: "analytics-node", version: "3.0.12" } };
    const body = {
      batch: [
        {
          type: "identify", userId: "rs-node-user", anonymousId: "rs-node-anon", traits: { email: "Ana@Example.com" },
          context: { ...lib, traits: { email: "Ana@Example.com" } }, channel: "server", messageId: "b1f9a6b0-1d7e-4c1b-9b7a-000000000001",
          originalTimestamp: "2026-03-01T11:59:58.000Z", sentAt: "2026-03-01T12:00:00.000Z", _metadata: { nodeVersion: "20.11.0" },
        },
        {
          type: "track", userId: "rs-node-user", event: "Order Completed", properties: { revenue: 30, currency: "CNY" },
          context: lib, channel: "server", messageId: "b1f9a6b0-1d7e-4c1b-9b7a-000000000002",
          originalTimestamp: "2026-03-01T11:59:59.000Z", sentAt: "2026-03-01T12:00:00.000Z", _metadata: { nodeVersion: "20.11.0" },
        },
      ],
      timestamp: "2026-03-01T12:00:00.000Z",
      sentAt: "2026-03-01T12:00:00.000Z",
    };
    const a = await w.send("/v1/batch", new Uint8Array(gzipSync(Buffer.from(JSON.stringify(body)))), {
      ...JSON_TYPE, "content-encoding": "gzip", authorization: basic(KEY), "user-agent": "axios/1.6.0",
    });
    w.ok(a);
    const p = await w.must("user_id", "rs-node-user");
    expect(w.ids(p, "anonymous_id")).toEqual(["rs-node-anon"]);
    expect(w.ids(p, "email")).toEqual(["ana@example.com"]);
    expect((await w.events("user_id", "rs-node-user")).map((e) => [e.time, e.event, e.properties.$lib])).toEqual([
      ["2026-03-01T11:59:58.500Z", "$identify", "analytics-node"],
      ["2026-03-01T11:59:59.500Z", "Order Completed", "analytics-node"],
    ]);
  });

  test("middleware/uncompress_test.go: gzip with and without the header, plain with and without it", async () => {
    // RudderStack inflates only when `Content-Encoding: gzip` is set; a gzip body without the header reaches its
    // gateway compressed (and fails as invalid JSON). We also recognise gzip by its magic bytes (posthog-js and
    // proxies drop the header), and a body labelled gzip that is already plain is taken as it is: both store.
    const w = await world();
    const body = (n: number) => JSON.stringify({ batch: [{ type: "track", userId: "zip", event: `Case ${n}`, timestamp: `2026-03-01T10:00:0${n}.000Z` }] });
    const gz = (s: string) => new Uint8Array(gzipSync(Buffer.from(s)));
    w.ok(await w.send("/v1/batch", gz(body(1)), { ...JSON_TYPE, ...AUTH, "content-encoding": "gzip" }));
    w.ok(await w.send("/v1/batch", body(2), { ...JSON_TYPE, ...AUTH }));
    w.ok(await w.send("/v1/batch", gz(body(3)), { ...JSON_TYPE, ...AUTH }));
    w.ok(await w.send("/v1/batch", body(4), { ...JSON_TYPE, ...AUTH, "content-encoding": "gzip" }));
    expect((await w.times("user_id", "zip")).map(([, e]) => e)).toEqual(["Case 1", "Case 2", "Case 3", "Case 4"]);
  });

  test("a gzip body is measured after inflating: a 10 KB gzip of over 500 KB is 413", async () => {
    // SPEC §3's 500 KB is the request as read; README: limits apply after decompression.
    const w = await world();
    const body = { batch: [{ type: "track", anonymousId: "zip-bomb", event: "e", properties: { pad: "x".repeat(600 * 1024) } }] };
    const a = await w.send("/v1/batch", new Uint8Array(gzipSync(Buffer.from(JSON.stringify(body)))), { ...JSON_TYPE, "content-encoding": "gzip", ...AUTH });
    expect([a.status, a.body.limit]).toEqual([413, "500 KB per request"]);
  });

  test("/v1/import (segment-import, RudderStack import_handler): historical events of many users kept at their times", async () => {
    const w = await world();
    w.ok(await w.post("/v1/import", {
      batch: [
        { type: "identify", userId: "imp-1", traits: { name: "First" }, timestamp: "2019-06-01T08:00:00.000Z" },
        { type: "track", userId: "imp-2", event: "Legacy Order", properties: { total: 12 }, timestamp: "2019-06-02T09:30:00.000Z" },
        { type: "track", userId: "imp-1", event: "Legacy Order", properties: { total: 7 }, timestamp: "2019-06-03T10:45:00.000Z" },
      ],
    }));
    expect(await w.times("user_id", "imp-1")).toEqual([["2019-06-01T08:00:00.000Z", "$identify"], ["2019-06-03T10:45:00.000Z", "Legacy Order"]]);
    expect(await w.times("user_id", "imp-2")).toEqual([["2019-06-02T09:30:00.000Z", "Legacy Order"]]);
    expect(await w.total("Legacy Order", "2019-06-01", "2019-06-30")).toBe(2);
  });
});

// ───────────────────────────────────────────── limits ─────────────────────────────────────────────

describe("Segment's limits (http-api/index.md, Max request size and Errors)", () => {
  test("a batch item over 32 KB is refused by index, the rest stored, 200", async () => {
    // Segment: "each batched event needs to be less than 32KB". SPEC §3: partial batch → 200 with `rejected`.
    const w = await world();
    const a = await w.post("/v1/batch", {
      batch: [
        { type: "track", userId: "limits", event: "Small", timestamp: "2026-03-01T10:00:00.000Z" },
        { type: "track", userId: "limits", event: "Huge", properties: { blob: "b".repeat(33 * 1024) }, timestamp: "2026-03-01T10:00:01.000Z" },
        { type: "track", userId: "limits", event: "Small", timestamp: "2026-03-01T10:00:02.000Z" },
      ],
    });
    expect([a.status, a.body.success, rejectedOf(a).map((r) => r.index)]).toEqual([200, true, [1]]);
    expect(rejectedOf(a)[0]!.error).toContain("32 KB");
    expect((await w.times("user_id", "limits")).map(([, e]) => e)).toEqual(["Small", "Small"]);
  });

  test("2500 items are taken; 2501 are refused whole with a 413 naming the limit (Segment: 200 and drops them)", async () => {
    // Segment: "Each batch request can only have up to 2500 events … Segment returns a `200` response but rejects
    // the event when the number of batched events exceeds the limit." SPEC §3: "2500 items per batch" and
    // "nothing valid is ever dropped silently", so the over-long batch is refused loudly and the SDK can split it.
    const w = await world();
    const item = (i: number) => ({ type: "track", anonymousId: `bulk-${i % 50}`, event: "Bulk", messageId: `bulk-${i}`, timestamp: "2026-03-01T10:00:00.000Z" });
    const over = await w.post("/v1/batch", { batch: Array.from({ length: 2501 }, (_, i) => item(i)) });
    expect([over.status, over.body.success, over.body.limit]).toEqual([413, false, "2500 items per batch"]);
    expect(await w.total("Bulk", "2026-03-01", "2026-03-01")).toBe(0);
    w.ok(await w.post("/v1/batch", { batch: Array.from({ length: 2500 }, (_, i) => item(i)) }));
    expect(await w.total("Bulk", "2026-03-01", "2026-03-01")).toBe(2500);
  });
});
