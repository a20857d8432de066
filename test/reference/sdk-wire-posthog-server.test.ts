/**
 * Reference cases for what PostHog's server and non-browser SDKs put on the wire and what they need back (SPEC §3,
 * §4), so a backend pointed at Tessera behaves as it does against PostHog. Each request is rebuilt from the SDK's
 * own transport and message code (path, headers, envelope field names, compression, timestamp format, which
 * statuses it retries, what it reads from the answer):
 * - posthog-python `posthog/request.py` (`post`: `{batch, historical_migration, sentAt, api_key}` — camelCase
 *   `sentAt` with `isoformat()`, gzip only when `gzip=True`, success is exactly 200), `posthog/consumer.py`
 *   (`_send`: 4xx other than 408/429 is final, everything else retried, Retry-After honoured), `posthog/client.py`
 *   (`identify` → `$identify` with a top-level `$set`; `set`/`set_once` → `$set`/`$set_once` events; `alias` →
 *   `$create_alias` from the previous id, no uuid; `group_identify` → `$groupidentify` from `$<type>_<key>`;
 *   `capture(groups=)` → `properties.$groups`; a leftover Segment `context` object at the top level);
 * - posthog-go `posthog.go` (`upload`: `/batch/`, `?compression=gzip` + `Content-Encoding: gzip`, body
 *   `{api_key, historical_migration, batch}` without sent_at; success < 300; `isRetryableStatus`: 408, 429, ≥ 500,
 *   Retry-After in seconds or an HTTP date), `capture.go`, `identify.go`, `alias.go` (`type`, `library`,
 *   `library_version` beside the event; the alias has no top-level distinct_id and a local-zone time), and
 *   `GroupIdentifyInApi` (`$group_set` is Go's nil map, i.e. `null`, when no properties are given); Go writes
 *   `time.Time` as RFC 3339 with nanoseconds;
 * - posthog-ruby `lib/posthog/transport.rb` (`{api_key, batch}` to `/batch/`, retried on ≥ 500 and 429 only),
 *   `defaults.rb` (headers), `field_parser.rb` (`type` per message, `time_in_iso8601` with microseconds, a
 *   SecureRandom uuid per message, identify traits both as `$set` and in properties, `$is_server`);
 * - posthog-php `lib/Consumer/LibCurl.php` + `lib/QueueConsumer.php` (`{batch, api_key}` to `/batch/`, gzip when
 *   `compress_request`), `lib/HttpClient.php` (success is exactly 200; retried on 5xx and 429), `lib/Client.php`
 *   (`message()`: `library`/`library_version`/`library_consumer`, `groups: []`, `date("c")` timestamps in the PHP
 *   server's zone; `identify` copies `properties` into `$set`, so an empty PHP array is sent as `"$set": []`;
 *   `alias` sends `distinct_id: null` and the ids in properties);
 * - posthog-java `HttpSender.java` + `PostHog.java` (`/batch` without slash, `application/json; charset=utf-8`,
 *   `{api_key, batch}`, no uuid, no `$lib`, `Instant.toString()` times; the answer is not read, nothing retried);
 * - posthog-dotnet `src/PostHog/Api/PostHogApiClient.cs` (`CaptureBatchAsync`: `/batch` with
 *   `historical_migrations` (sic); `SendEventAsync`: one event to `/capture` with `api_key`), `CapturedEvent.cs`
 *   (a Guid uuid, `properties.distinct_id`, `$geoip_disable`), `ApiResult.cs` and the identify test
 *   (`Assert.Equal(1, result.Status)`: the answer must be `{"status": 1}`);
 * - posthog-rs `src/endpoints.rs` (`/i/v0/e/` and `/batch/`), `src/client/v0_capture.rs` (`{api_key,
 *   historical_migration, batch}`), `src/client/retry.rs` (408/500/502/503/504, and 429 only with Retry-After);
 * - posthog-node 5.x through `@posthog/core` (gzip `/batch/` with `sent_at`; `identify` with `$anon_distinct_id`,
 *   `alias`, `groupIdentify({distinctId})`, `capture({groups})`) — the message level is pinned by
 *   src/ingest/sdk-clients.test.ts; here the outcome is read back through our APIs;
 * - PostHog's own ingestion where the SDKs leave a rule to the server: capture-rs `v0_request.rs`
 *   (`BatchedRequest.sent_at` is the only batch time it reads, so posthog-python's `sentAt` is not one) and
 *   `nodejs/src/utils/event.ts` `normalizeProcessPerson` (a `$groupidentify` never changes person properties).
 * What capture-posthog*.test.ts, identity-posthog*.test.ts and sdk-wire.test.ts already pin (encodings, key forms,
 * skew rules, distinct-id forms, merge rules, the browser and mobile SDKs) is not repeated. Every case reads the
 * outcome back through our APIs: persons by identifier, their timelines, and trends counts.
 */
import { describe, expect, test } from "bun:test";
import { gzipSync, zstdCompressSync } from "node:zlib";
import { answerOf, byIdentifier, idsOf, referenceApp, stored, type Answer, type PersonSummary, type Props, diskSwitch } from "./harness.ts";

/** One project token for every SDK here: it is the default source's write key. */
const KEY = "phc_server_sdk_wire_reference_01";

type Body = string | Uint8Array;
const gzip = (s: string) => new Uint8Array(gzipSync(Buffer.from(s, "utf8")));
/** ms cuts an ISO time with more digits (isoformat's microseconds, Go's nanoseconds) to the stored millisecond. */
const ms = (iso: string) => new Date(Date.parse(iso)).toISOString();

/** world is a fresh app whose default source has write key KEY, its clock at `now`. */
async function world(now: string) {
  const h = await referenceApp(KEY, { now });
  const find = byIdentifier(h);
  const byDistinct = (id: string) => find.must("distinct_id", id);
  const w = {
    setNow: h.setNow,
    advance: (n: number) => h.t.clock.advance(n),
    /** send makes one raw request, as the SDK's transport does. */
    async send(method: string, path: string, body?: Body, headers: Record<string, string> = {}): Promise<Answer> {
      return answerOf(await h.t.app.request(path, { method, headers, body: body as BodyInit | undefined }));
    },
    person: (id: string) => find.person("distinct_id", id),
    must: byDistinct,
    ...stored(h, byDistinct),
    distinctIds: (p: PersonSummary) => idsOf(p, "distinct_id"),
    ...diskSwitch(h),
  };
  return w;
}
type World = Awaited<ReturnType<typeof world>>;

/** posthogOk is the answer every PostHog SDK takes as delivered: 200, and dotnet parses `status` as 1. */
const posthogOk = (a: Answer) => expect([a.status, a.body]).toEqual([200, { status: 1 }]);

/** names lists [time, event] of a distinct id's person, oldest first. */
const timeline = (w: World, id: string) => w.times(id);

// ───────────────────────────────────────────────────── posthog-python ─────────────────────────────────────────────────────

const PY_HEADERS = { "content-type": "application/json", "user-agent": "posthog-python/3.7.0" };

/** pyMsg is one queued message after `Client._enqueue`: isoformat timestamp, `$lib` added, `context` left in. */
function pyMsg(event: string, distinctId: string, timestamp: string, extra: Props = {}, properties: Props = {}): Props {
  return {
    ...extra,
    event,
    distinct_id: distinctId,
    timestamp,
    context: {},
    properties: { ...properties, $lib: "posthog-python", $lib_version: "3.7.0" },
  };
}

/** pyBody is `request.post`'s body: kwargs (batch, historical_migration), then `sentAt` and `api_key`. */
const pyBody = (batch: Props[], sentAt: string) => JSON.stringify({ batch, historical_migration: false, sentAt, api_key: KEY });

describe("posthog-python", () => {
  // client.py's calls in the order a Django view makes them: a page view by the anonymous session id, alias on
  // sign-up, identify with traits, set / set_once, a capture tied to a company group, and group_identify. The
  // server's clock is 3 s fast: its `sentAt` (camelCase) is not a field capture-rs reads (BatchedRequest has only
  // `sent_at`), so PostHog keeps the timestamps as sent, and so do we. The first flush is plain JSON (gzip=False,
  // the default), the second gzipped (gzip=True).
  test("/batch/ with sentAt and api_key, plain and gzip: identify/alias/set/set_once/group_identify land on one person", async () => {
    const w = await world("2026-03-01T09:00:10.000Z");
    const anon = "py-session-7f3c2a";
    const user = "py-user-1024";
    const first = [
      pyMsg("$pageview", anon, "2026-03-01T09:00:01.250731+00:00", { uuid: "5f0c1d2e-0001-4a5b-8c9d-0e1f2a3b4c5d" }, { $current_url: "https://shop.example.cn/tea" }),
      // alias(previous_id=anon, distinct_id=user): the event is the previous id's; older clients send no uuid.
      pyMsg("$create_alias", anon, "2026-03-01T09:00:02.000412+00:00", {}, { distinct_id: anon, alias: user }),
      pyMsg("$identify", user, "2026-03-01T09:00:02.500000+00:00", { uuid: "5f0c1d2e-0003-4a5b-8c9d-0e1f2a3b4c5d", $set: { email: "li.na@example.cn", plan: "free" } }),
    ];
    posthogOk(await w.send("POST", "/batch/", pyBody(first, "2026-03-01T09:00:13.000000+00:00"), PY_HEADERS));

    const second = [
      pyMsg("$set", user, "2026-03-01T09:00:03.000000+00:00", { uuid: "5f0c1d2e-0004-4a5b-8c9d-0e1f2a3b4c5d", $set: { plan: "pro" } }),
      pyMsg("$set_once", user, "2026-03-01T09:00:03.100000+00:00", { uuid: "5f0c1d2e-0005-4a5b-8c9d-0e1f2a3b4c5d", $set_once: { first_order_channel: "wechat", plan: "ignored" } }),
      pyMsg("order paid", user, "2026-03-01T09:00:04.999999+00:00", { uuid: "5f0c1d2e-0006-4a5b-8c9d-0e1f2a3b4c5d" }, { amount: 128, $groups: { company: "acme-tea" } }),
      {
        event: "$groupidentify", distinct_id: "$company_acme-tea", timestamp: "2026-03-01T09:00:05.000000+00:00", context: {},
        uuid: "5f0c1d2e-0007-4a5b-8c9d-0e1f2a3b4c5d",
        properties: { $group_type: "company", $group_key: "acme-tea", $group_set: { name: "Acme 茶业", employees: 40 }, $lib: "posthog-python", $lib_version: "3.7.0" },
      },
    ];
    w.advance(1000);
    posthogOk(await w.send("POST", "/batch/", gzip(pyBody(second, "2026-03-01T09:00:14.000000+00:00")), { ...PY_HEADERS, "content-encoding": "gzip" }));

    const p = await w.must(user);
    expect(w.distinctIds(p)).toEqual([anon, user].sort());
    expect(p.traits).toMatchObject({ email: "li.na@example.cn", plan: "pro", first_order_channel: "wechat" });
    // group properties describe the company, never the person
    expect(p.traits.name).toBeUndefined();
    expect(p.traits.employees).toBeUndefined();
    expect(await timeline(w, user)).toEqual([
      [ms("2026-03-01T09:00:01.250731Z"), "$pageview"],
      [ms("2026-03-01T09:00:02.000412Z"), "$create_alias"],
      [ms("2026-03-01T09:00:02.500000Z"), "$identify"],
      [ms("2026-03-01T09:00:03.000000Z"), "$set"],
      [ms("2026-03-01T09:00:03.100000Z"), "$set_once"],
      [ms("2026-03-01T09:00:04.999999Z"), "order paid"],
    ]);
    const paid = (await w.events(user)).find((e) => e.event === "order paid")!;
    expect(paid.properties).toMatchObject({ amount: 128, $groups: { company: "acme-tea" }, $lib: "posthog-python" });
    // The $groupidentify is stored once, under its own `$company_acme-tea` distinct id, as PostHog stores it.
    expect(await timeline(w, "$company_acme-tea")).toEqual([["2026-03-01T09:00:05.000Z", "$groupidentify"]]);
    expect(await w.total("$groupidentify", "2026-03-01", "2026-03-31")).toBe(1);
  });
});

// ─────────────────────────────────────────────────────── posthog-go ───────────────────────────────────────────────────────

const GO_HEADERS = { "content-type": "application/json", "user-agent": "posthog-go/1.6.10" };
const GO_LIB = { $lib: "posthog-go", $lib_version: "1.6.10" };
const goBody = (batch: Props[]) => JSON.stringify({ api_key: KEY, historical_migration: false, batch });

describe("posthog-go", () => {
  // posthog.go `upload` with Compression: gzip → POST /batch/?compression=gzip, Content-Encoding: gzip, no sent_at.
  // Each message is its APIfy() form: capture with `type`/`library`/`library_version` beside the event and
  // `$groups` from Capture.Groups; Identify's `$set` at the top level; Alias without a top-level distinct_id and its
  // Timestamp not converted to UTC (a server in Asia/Shanghai writes +08:00); GroupIdentify from `$<type>_<key>`
  // with a nil Properties map, i.e. `"$group_set": null`. time.Time is written with nanoseconds.
  test("gzip /batch/?compression=gzip: type/library fields, nanosecond and +08:00 times, alias without distinct_id, $group_set null", async () => {
    const w = await world("2026-03-01T09:30:00.000Z");
    const device = "go-device-4471";
    const user = "go-user-9";
    const batch = [
      {
        type: "capture", uuid: "0195f1a0-0001-7000-8000-00000000g001", library: "posthog-go", library_version: "1.6.10",
        timestamp: "2026-03-01T09:29:01.123456789Z", distinct_id: device, event: "api call",
        properties: { ...GO_LIB, endpoint: "/v2/orders", $groups: { company: "acme-tea" } },
      },
      {
        type: "alias", uuid: "0195f1a0-0002-7000-8000-00000000g002", library: "posthog-go", library_version: "1.6.10",
        timestamp: "2026-03-01T17:29:02.5+08:00", event: "$create_alias",
        properties: { distinct_id: user, alias: device, ...GO_LIB },
      },
      {
        type: "identify", uuid: "0195f1a0-0003-7000-8000-00000000g003", library: "posthog-go", library_version: "1.6.10",
        timestamp: "2026-03-01T09:29:03.000000001Z", event: "$identify", distinct_id: user,
        properties: { ...GO_LIB, $os: "linux", $go_version: "go1.23.4" }, $set: { email: "wang.fang@example.cn", tier: "gold" },
      },
      {
        uuid: "0195f1a0-0004-7000-8000-00000000g004", library: "posthog-go", library_version: "1.6.10",
        timestamp: "2026-03-01T09:29:04Z", event: "$groupidentify", distinct_id: "$company_acme-tea",
        properties: { ...GO_LIB, $group_type: "company", $group_key: "acme-tea", $group_set: null },
      },
    ];
    const a = await w.send("POST", "/batch/?compression=gzip", gzip(goBody(batch)), { ...GO_HEADERS, "content-encoding": "gzip" });
    // report(): any status < 300 is success; the body is not read.
    expect(a.status).toBe(200);
    expect(a.body.rejected ?? []).toEqual([]);

    const p = await w.must(user);
    expect(w.distinctIds(p)).toEqual([device, user].sort());
    expect(p.traits).toMatchObject({ email: "wang.fang@example.cn", tier: "gold" });
    expect(await timeline(w, user)).toEqual([
      ["2026-03-01T09:29:01.123Z", "api call"],
      ["2026-03-01T09:29:02.500Z", "$create_alias"],
      ["2026-03-01T09:29:03.000Z", "$identify"],
    ]);
    expect(await timeline(w, "$company_acme-tea")).toEqual([["2026-03-01T09:29:04.000Z", "$groupidentify"]]);
  });
});

// ────────────────────────────────────────────────────── posthog-ruby ──────────────────────────────────────────────────────

const RUBY_HEADERS = { accept: "application/json", "content-type": "application/json", "user-agent": "posthog-ruby/3.0.1" };
const RUBY_LIB = { $lib: "posthog-ruby", $lib_version: "3.0.1", $is_server: true };

describe("posthog-ruby", () => {
  // transport.rb `send_request`: `JSON.generate(api_key:, batch:)` to PATH `/batch/`, no sent_at, no gzip.
  // field_parser.rb: every message has `type`, a SecureRandom uuid and `time_in_iso8601` (6 digits, "Z");
  // identify puts the traits in `$set` and also merges them into `properties`; alias keeps `distinct_id` at the top
  // and in properties; capture(groups:) sets `properties.$groups`; group_identify defaults its distinct id.
  // Ruby's `Date` property values are ISO dates ("%F") after `isoify_dates!`.
  test("/batch/ {api_key, batch}: identify traits in $set and properties, alias, $groups, group_identify", async () => {
    const w = await world("2026-03-01T10:00:00.000Z");
    const anon = "rb-visitor-81a2";
    const user = "rb-user-77";
    const msg = (type: string | null, event: string, distinctId: string, t: string, uuid: string, properties: Props, extra: Props = {}): Props =>
      ({ timestamp: t, distinct_id: distinctId, properties: { ...properties, ...RUBY_LIB }, uuid, ...(type ? { type } : {}), event, ...extra });
    const batch = [
      msg("capture", "signed up", anon, "2026-03-01T09:59:50.123456Z", "2c1b7e9a-0001-4d5e-9f00-a1b2c3d4e5f6", { plan: "trial", trial_ends_on: "2026-03-15" }),
      msg("alias", "$create_alias", anon, "2026-03-01T09:59:51.000000Z", "2c1b7e9a-0002-4d5e-9f00-a1b2c3d4e5f6", { distinct_id: anon, alias: user }),
      msg("identify", "$identify", user, "2026-03-01T09:59:52.654321Z", "2c1b7e9a-0003-4d5e-9f00-a1b2c3d4e5f6",
        { email: "zhao.lei@example.cn", city: "杭州" }, { $set: { email: "zhao.lei@example.cn", city: "杭州" } }),
      msg("capture", "invoice sent", user, "2026-03-01T09:59:53.000001Z", "2c1b7e9a-0004-4d5e-9f00-a1b2c3d4e5f6", { total: 960, $groups: { company: 42 } }),
      msg(null, "$groupidentify", "$company_42", "2026-03-01T09:59:54.000000Z", "2c1b7e9a-0005-4d5e-9f00-a1b2c3d4e5f6",
        { $group_type: "company", $group_key: 42, $group_set: { name: "杭州茶叶有限公司" } }),
    ];
    const a = await w.send("POST", "/batch/", JSON.stringify({ api_key: KEY, batch }), RUBY_HEADERS);
    // Transport#send parses the body for `error`; a 200 without one is success.
    posthogOk(a);

    const p = await w.must(user);
    expect(w.distinctIds(p)).toEqual([anon, user].sort());
    expect(p.traits).toMatchObject({ email: "zhao.lei@example.cn", city: "杭州" });
    expect(p.traits.name).toBeUndefined();
    expect(await timeline(w, user)).toEqual([
      ["2026-03-01T09:59:50.123Z", "signed up"],
      ["2026-03-01T09:59:51.000Z", "$create_alias"],
      ["2026-03-01T09:59:52.654Z", "$identify"],
      ["2026-03-01T09:59:53.000Z", "invoice sent"],
    ]);
    const invoice = (await w.events(user)).find((e) => e.event === "invoice sent")!;
    expect(invoice.properties).toMatchObject({ total: 960, $groups: { company: 42 }, $is_server: true });
    expect(await timeline(w, "$company_42")).toEqual([["2026-03-01T09:59:54.000Z", "$groupidentify"]]);
  });
});

// ─────────────────────────────────────────────────────── posthog-php ──────────────────────────────────────────────────────

const PHP_HEADERS = { "content-type": "application/json", "content-encoding": "gzip", "user-agent": "posthog-php/3.6.0" };
const PHP_LIB = { $lib: "posthog-php", $lib_version: "3.6.0", $lib_consumer: "LibCurl" };
const PHP_FIELDS = { library: "posthog-php", library_version: "3.6.0", library_consumer: "LibCurl", groups: [] };

describe("posthog-php", () => {
  // LibCurl::performHttpRequest with compress_request: gzencode(json_encode({batch, api_key})) to /batch/, header
  // Content-Encoding: gzip. Client::message() adds library/library_version/library_consumer and `groups` (an empty
  // PHP array, so `[]`), and `date("c")` writes the PHP server's zone (Asia/Shanghai: +08:00, whole seconds).
  // capture() adds `$active_feature_flags` (`[]` without flags) and copies `$groups` into properties; identify()
  // copies `properties` into `$set` — an identify without traits sends `"$set": []`, PHP's empty array; alias()
  // moves both ids into properties and sends `distinct_id: null`. HttpClient treats anything but 200 as a failure.
  test("gzip /batch/ {batch, api_key}: +08:00 date(\"c\") times, groups: [], \"$set\": [], alias with distinct_id null", async () => {
    const w = await world("2026-03-01T10:00:00.000Z");
    const anon = "php-sess-3b9f";
    const user = "php-member-5";
    const batch = [
      {
        ...PHP_FIELDS, type: "capture", event: "cart viewed", distinct_id: anon, timestamp: "2026-03-01T17:58:00+08:00",
        properties: { $active_feature_flags: [], items: 3, ...PHP_LIB, $groups: [] }, $groups: [],
      },
      {
        ...PHP_FIELDS, type: "identify", event: "$identify", distinct_id: user, timestamp: "2026-03-01T17:58:30+08:00",
        properties: { ...PHP_LIB }, $set: [],
      },
      {
        ...PHP_FIELDS, type: "identify", event: "$identify", distinct_id: user, timestamp: "2026-03-01T17:58:31+08:00",
        properties: { name: "陈静", ...PHP_LIB }, $set: { name: "陈静" },
      },
      {
        ...PHP_FIELDS, type: "alias", event: "$create_alias", distinct_id: null, timestamp: "2026-03-01T17:59:00+08:00",
        properties: { ...PHP_LIB, distinct_id: user, alias: anon },
      },
      {
        ...PHP_FIELDS, type: "capture", event: "order placed", distinct_id: user, timestamp: "2026-03-01T17:59:30+08:00",
        properties: { $active_feature_flags: ["new-checkout"], "$feature/new-checkout": true, total: 256, ...PHP_LIB, $groups: { store: "hz-01" } },
        $groups: { store: "hz-01" },
      },
    ];
    const a = await w.send("POST", "/batch/", gzip(JSON.stringify({ batch, api_key: KEY })), PHP_HEADERS);
    posthogOk(a);

    const p = await w.must(user);
    expect(w.distinctIds(p)).toEqual([anon, user].sort());
    expect(p.traits).toMatchObject({ name: "陈静" });
    expect(await timeline(w, user)).toEqual([
      ["2026-03-01T09:58:00.000Z", "cart viewed"],
      ["2026-03-01T09:58:30.000Z", "$identify"],
      ["2026-03-01T09:58:31.000Z", "$identify"],
      ["2026-03-01T09:59:00.000Z", "$create_alias"],
      ["2026-03-01T09:59:30.000Z", "order placed"],
    ]);
    const order = (await w.events(user)).find((e) => e.event === "order placed")!;
    expect(order.properties).toMatchObject({ total: 256, "$feature/new-checkout": true, $groups: { store: "hz-01" }, $lib: "posthog-php" });
  });

  // PHP wrappers (larahog's group identify job, the Laravel bridges) send `'$group_set' => $properties ?? []`, so a
  // group without properties arrives as `"$group_set": []`. PostHog's ingestion drops a non-object $group_set with
  // an `invalid_group_set` warning; the brief for this port asks that group messages be accepted and stored, so the
  // empty array is read as the empty object it was in PHP.
  test("$groupidentify with PHP's \"$group_set\": [] and a $groups on the next capture are stored", async () => {
    const w = await world("2026-03-01T10:00:00.000Z");
    const batch = [
      {
        ...PHP_FIELDS, type: "capture", event: "$groupidentify", distinct_id: "$store_hz-01", timestamp: "2026-03-01T17:50:00+08:00",
        properties: { $group_type: "store", $group_key: "hz-01", $group_set: [], ...PHP_LIB },
      },
      {
        ...PHP_FIELDS, type: "capture", event: "shift started", distinct_id: "php-staff-8", timestamp: "2026-03-01T17:51:00+08:00",
        properties: { ...PHP_LIB, $groups: { store: "hz-01" } },
      },
    ];
    posthogOk(await w.send("POST", "/batch/", gzip(JSON.stringify({ batch, api_key: KEY })), PHP_HEADERS));
    expect(await timeline(w, "$store_hz-01")).toEqual([["2026-03-01T09:50:00.000Z", "$groupidentify"]]);
    expect(await timeline(w, "php-staff-8")).toEqual([["2026-03-01T09:51:00.000Z", "shift started"]]);
  });
});

// ───────────────────────────────────────────────────── posthog-java / .NET / rs ─────────────────────────────────────────────────────

describe("posthog-java, posthog-dotnet, posthog-rs", () => {
  // HttpSender: POST host + "/batch" (no trailing slash), `application/json; charset=utf-8`, `{api_key, batch}`.
  // PostHog.java's events carry no uuid and no $lib; identify(distinctId, props, setOnce) puts `$set`/`$set_once`
  // in properties; alias(distinctId, alias) sends `$create_alias` with both ids in properties; `Instant.toString()`
  // drops the fraction when it is zero and otherwise writes up to nanoseconds.
  test("posthog-java: /batch without slash, no uuid, Instant.toString() times, identify $set/$set_once, alias", async () => {
    const w = await world("2026-03-01T11:00:00.000Z");
    const batch = [
      { timestamp: "2026-03-01T10:59:40Z", distinct_id: "java-anon-1", event: "app started" },
      { timestamp: "2026-03-01T10:59:41.123456789Z", distinct_id: "java-user-3", event: "$identify", properties: { $set: { role: "buyer" }, $set_once: { signup_source: "erp" } } },
      { timestamp: "2026-03-01T10:59:42.5Z", distinct_id: "java-user-3", event: "$create_alias", properties: { distinct_id: "java-user-3", alias: "java-anon-1" } },
      { timestamp: "2026-03-01T10:59:43.000001Z", distinct_id: "java-user-3", event: "$set", properties: { $set: { role: "wholesale buyer" } } },
    ];
    const a = await w.send("POST", "/batch", JSON.stringify({ api_key: KEY, batch }), { "content-type": "application/json; charset=utf-8" });
    expect(a.status).toBe(200);
    const p = await w.must("java-user-3");
    expect(w.distinctIds(p)).toEqual(["java-anon-1", "java-user-3"]);
    expect(p.traits).toMatchObject({ role: "wholesale buyer", signup_source: "erp" });
    expect(await timeline(w, "java-user-3")).toEqual([
      ["2026-03-01T10:59:40.000Z", "app started"],
      ["2026-03-01T10:59:41.123Z", "$identify"],
      ["2026-03-01T10:59:42.500Z", "$create_alias"],
      ["2026-03-01T10:59:43.000Z", "$set"],
    ]);
  });

  // PostHogApiClient: CaptureBatchAsync posts `{api_key, historical_migrations: false, batch}` to /batch;
  // SendEventAsync (identify, alias) posts one event with `api_key` to /capture. Both answers are read as
  // ApiResult(Status) and the identify test asserts Status == 1. System.Text.Json writes DateTimeOffset with up
  // to seven fraction digits and "+00:00".
  test("posthog-dotnet: /batch with historical_migrations, /capture single identify; both answer {\"status\": 1}", async () => {
    const w = await world("2026-03-01T11:00:00.000Z");
    const dotnet = { $lib: "posthog-dotnet", $lib_version: "2.0.0", $geoip_disable: true };
    const batch = [
      {
        uuid: "9b2f4c1e-6a7d-4e8f-9a0b-1c2d3e4f5a6b", event: "report exported", distinct_id: "dn-user-12",
        properties: { format: "xlsx", distinct_id: "dn-user-12", ...dotnet }, timestamp: "2026-03-01T10:59:30.1234567+00:00",
      },
    ];
    posthogOk(await w.send("POST", "/batch", JSON.stringify({ api_key: KEY, historical_migrations: false, batch }), { "content-type": "application/json; charset=utf-8" }));
    const identify = {
      event: "$identify", distinct_id: "dn-user-12",
      properties: { $set: { email: "dn@example.cn" }, $set_once: { created_via: "backoffice" }, $anon_distinct_id: "dn-anon-2", ...dotnet, $os: "Linux", $framework: ".NET 8.0.1", $arch: "X64" },
      api_key: KEY, timestamp: "2026-03-01T10:59:31+00:00",
    };
    posthogOk(await w.send("POST", "/capture", JSON.stringify(identify), { "content-type": "application/json; charset=utf-8" }));

    const p = await w.must("dn-user-12");
    expect(w.distinctIds(p)).toEqual(["dn-anon-2", "dn-user-12"]);
    expect(p.traits).toMatchObject({ email: "dn@example.cn", created_via: "backoffice" });
    expect(await timeline(w, "dn-user-12")).toEqual([
      ["2026-03-01T10:59:30.123Z", "report exported"],
      ["2026-03-01T10:59:31.000Z", "$identify"],
    ]);
  });

  // endpoints.rs: single events go to /i/v0/e/ as InnerEvent `{api_key, event, distinct_id, uuid, properties,
  // timestamp}`, batches to /batch/ as `{api_key, historical_migration, batch}`; an anonymous event
  // (`Event::new_anon`) carries `$process_person_profile: false`, so its `$set` must not create traits.
  test("posthog-rs: /i/v0/e/ single event and /batch/; a personless event's $set is ignored", async () => {
    const w = await world("2026-03-01T11:00:00.000Z");
    const rs = { $lib: "posthog-rs", $lib_version: "0.5.0" };
    posthogOk(await w.send("POST", "/i/v0/e/", JSON.stringify({
      api_key: KEY, event: "job finished", distinct_id: "rs-worker-1", uuid: "01960000-0000-7000-8000-0000000000r1",
      properties: { ...rs, job: "nightly-sync", $process_person_profile: false, $set: { should_not: "exist" } }, timestamp: "2026-03-01T10:58:00.000000Z",
    }), { "content-type": "application/json" }));
    posthogOk(await w.send("POST", "/batch/", JSON.stringify({
      api_key: KEY, historical_migration: false,
      batch: [
        { api_key: KEY, event: "job started", distinct_id: "rs-worker-1", uuid: "01960000-0000-7000-8000-0000000000r2", properties: { ...rs, $is_server: true }, timestamp: "2026-03-01T10:57:00Z" },
      ],
    }), { "content-type": "application/json" }));
    const p = await w.must("rs-worker-1");
    expect(p.traits.should_not).toBeUndefined();
    expect(await timeline(w, "rs-worker-1")).toEqual([
      ["2026-03-01T10:57:00.000Z", "job started"],
      ["2026-03-01T10:58:00.000Z", "job finished"],
    ]);
  });
});

// ─────────────────────────────────────────────────────── posthog-node ──────────────────────────────────────────────────────

describe("posthog-node", () => {
  // @posthog/core buildPayload + posthog-node's gzip: `{api_key, batch, sent_at}` to /batch/. identify() with
  // `$anon_distinct_id` in properties, alias({distinctId, alias}), groupIdentify({…, distinctId}) (the event is the
  // user's, so it lands on their timeline), capture({groups}) → `properties.$groups`. sdk-clients.test.ts pins these
  // messages; here: what the project shows. A $groupidentify never touches person properties (PostHog's
  // normalizeProcessPerson deletes $set/$set_once/$unset from it), even when the caller's event properties hold
  // a `$set`.
  test("gzip /batch/: identify merges $anon_distinct_id, alias joins, groupIdentify with distinctId keeps traits alone", async () => {
    const w = await world("2026-03-01T12:00:00.000Z");
    const lib = { $lib: "posthog-node", $lib_version: "5.70.0", $geoip_disable: true };
    const batch = [
      { distinct_id: "node-anon-1", event: "pricing viewed", properties: { ...lib }, type: "capture", library: "posthog-node", library_version: "5.70.0", timestamp: "2026-03-01T11:59:50.000Z", uuid: "0195f2b0-0001-7000-8000-0000000000n1" },
      { distinct_id: "node-user-6", event: "$identify", properties: { ...lib, $set: { email: "sun.li@example.cn" }, $anon_distinct_id: "node-anon-1" }, type: "identify", library: "posthog-node", library_version: "5.70.0", timestamp: "2026-03-01T11:59:51.000Z", uuid: "0195f2b0-0002-7000-8000-0000000000n2" },
      { distinct_id: "node-user-6", event: "$create_alias", properties: { ...lib, distinct_id: "node-user-6", alias: "node-crm-6" }, type: "alias", library: "posthog-node", library_version: "5.70.0", timestamp: "2026-03-01T11:59:52.000Z", uuid: "0195f2b0-0003-7000-8000-0000000000n3" },
      {
        distinct_id: "node-user-6", event: "$groupidentify", type: "capture", library: "posthog-node", library_version: "5.70.0", timestamp: "2026-03-01T11:59:53.000Z", uuid: "0195f2b0-0004-7000-8000-0000000000n4",
        properties: { ...lib, $group_type: "company", $group_key: "acme-tea", $group_set: { name: "Acme 茶业" }, $set: { email: "group-set-must-not-apply@example.cn" } },
      },
      { distinct_id: "node-crm-6", event: "deal won", properties: { ...lib, value: 5000, $groups: { company: "acme-tea" } }, type: "capture", library: "posthog-node", library_version: "5.70.0", timestamp: "2026-03-01T11:59:54.000Z", uuid: "0195f2b0-0005-7000-8000-0000000000n5" },
    ];
    const body = gzip(JSON.stringify({ api_key: KEY, batch, sent_at: "2026-03-01T11:59:55.000Z" }));
    posthogOk(await w.send("POST", "/batch/", body, { "content-type": "application/json", "content-encoding": "gzip", "user-agent": "posthog-node/5.70.0" }));

    const p = await w.must("node-user-6");
    expect(w.distinctIds(p)).toEqual(["node-anon-1", "node-crm-6", "node-user-6"]);
    expect(p.traits).toMatchObject({ email: "sun.li@example.cn" });
    expect(p.traits.name).toBeUndefined();
    // sent_at is 5 s before our clock: every event moves 5 s later (SPEC §3's formula)
    expect(await timeline(w, "node-user-6")).toEqual([
      ["2026-03-01T11:59:55.000Z", "pricing viewed"],
      ["2026-03-01T11:59:56.000Z", "$identify"],
      ["2026-03-01T11:59:57.000Z", "$create_alias"],
      ["2026-03-01T11:59:58.000Z", "$groupidentify"],
      ["2026-03-01T11:59:59.000Z", "deal won"],
    ]);
    expect(await w.person("$company_acme-tea")).toBeNull();
  });
});

// ───────────────────────────────────────────── every server SDK's retry of a refused write ─────────────────────────────────────────────

/** A RetryCase is one server SDK's delivery of one event; its retries re-send the same messages. */
interface RetryCase {
  readonly sdk: string;
  /** the request of attempt n (python re-stamps `sentAt` on every post; the others re-send the same bytes) */
  readonly request: (attempt: number) => { path: string; body: Body; headers: Record<string, string> };
  readonly ok: (a: Answer) => void;
  readonly distinctId: string;
  readonly event: string;
}

const HAPPENED = "2026-03-02T07:59:50.000Z";
const FIRST_RECEIVED = "2026-03-02T08:00:00.000Z";
const statusBelow300 = (a: Answer) => expect(a.status >= 200 && a.status < 300).toBe(true);

const retryCases: RetryCase[] = [
  {
    // consumer.py is_retryable: not (400 ≤ status < 500 and status ∉ {408, 429}); Retry-After honoured.
    sdk: "posthog-python (Consumer._send)",
    request: (attempt) => ({
      path: "/batch/",
      body: pyBody([pyMsg("subscription renewed", "py-retry", "2026-03-02T07:59:50.000000+00:00", { uuid: "7a1e0c3b-0001-4f2a-9b8c-7d6e5f4a3b2c" })], `2026-03-02T08:00:${String(attempt * 10).padStart(2, "0")}.000000+00:00`),
      headers: PY_HEADERS,
    }),
    ok: posthogOk,
    distinctId: "py-retry",
    event: "subscription renewed",
  },
  {
    // posthog.go isRetryableStatus: ≥ 500, 408, 429; Retry-After seconds raise the backoff.
    sdk: "posthog-go (client.send)",
    request: () => ({
      path: "/batch/?compression=gzip",
      body: gzip(goBody([{ type: "capture", uuid: "0195f1a0-00r1-7000-8000-00000000g0r1", library: "posthog-go", library_version: "1.6.10", timestamp: "2026-03-02T07:59:50.000000000Z", distinct_id: "go-retry", event: "webhook delivered", properties: GO_LIB }])),
      headers: { ...GO_HEADERS, "content-encoding": "gzip" },
    }),
    ok: statusBelow300,
    distinctId: "go-retry",
    event: "webhook delivered",
  },
  {
    // transport.rb should_retry_request?: ≥ 500 or 429.
    sdk: "posthog-ruby (Transport#send)",
    request: () => ({
      path: "/batch/",
      body: JSON.stringify({ api_key: KEY, batch: [{ timestamp: "2026-03-02T07:59:50.000000Z", distinct_id: "rb-retry", properties: RUBY_LIB, uuid: "2c1b7e9a-00r1-4d5e-9f00-a1b2c3d4e5f6", type: "capture", event: "export queued" }] }),
      headers: RUBY_HEADERS,
    }),
    ok: posthogOk,
    distinctId: "rb-retry",
    event: "export queued",
  },
  {
    // HttpClient::sendRequest: 500–600 and 429 back off and retry; 200 is the only success.
    sdk: "posthog-php (HttpClient::sendRequest)",
    request: () => ({
      path: "/batch/",
      body: gzip(JSON.stringify({ batch: [{ ...PHP_FIELDS, type: "capture", event: "payment captured", distinct_id: "php-retry", timestamp: "2026-03-02T15:59:50+08:00", properties: { ...PHP_LIB, $active_feature_flags: [] }, uuid: "3d2c1b0a-00r1-4e5f-8a9b-0c1d2e3f4a5b" }], api_key: KEY })),
      headers: PHP_HEADERS,
    }),
    ok: posthogOk,
    distinctId: "php-retry",
    event: "payment captured",
  },
  {
    // retry.rs should_retry_v0: 408/500/502/503/504 (and 429 only with Retry-After).
    sdk: "posthog-rs (v0_after_response)",
    request: () => ({
      path: "/batch/",
      body: JSON.stringify({ api_key: KEY, historical_migration: false, batch: [{ api_key: KEY, event: "backup done", distinct_id: "rs-retry", uuid: "01960000-0000-7000-8000-00000000rr01", properties: { $lib: "posthog-rs" }, timestamp: HAPPENED }] }),
      headers: { "content-type": "application/json" },
    }),
    ok: posthogOk,
    distinctId: "rs-retry",
    event: "backup done",
  },
];

describe("a refused write: 503 + Retry-After, then the server SDK's retry is stored exactly once", () => {
  // SPEC §3: "Under overload or a full disk answer 503 with Retry-After (all common SDKs retry 5xx)" and "200 is sent
  // only after the events are committed". Every server SDK above retries a 503 (posthog-java does not retry at all,
  // and posthog-dotnet's batch path has no retry of its own); Go and Python read Retry-After as whole seconds.
  // The retry carries the same uuid, and a copy whose 200 was lost comes again: acknowledged, stored once.
  test.each(retryCases.map((c) => [c.sdk, c] as const))("%s", async (_sdk, c) => {
    const w = await world(FIRST_RECEIVED);
    const send = (attempt: number) => {
      const r = c.request(attempt);
      return w.send("POST", r.path, r.body, r.headers);
    };
    w.refuseWrites();
    let refused: Answer;
    try {
      refused = await send(0);
    } finally {
      w.allowWrites();
    }
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after") ?? "").toMatch(/^[1-9]\d*$/);
    // python's _process_response reads `detail` or falls back to the text; ruby reads `error`: a JSON error.
    expect(typeof refused.body.error).toBe("string");

    w.advance(10_000);
    c.ok(await send(1));
    w.advance(10_000);
    c.ok(await send(2));
    expect((await w.times(c.distinctId)).map(([, e]) => e)).toEqual([c.event]);
    expect(await w.total(c.event, "2026-03-01", "2026-03-31")).toBe(1);
  });
});

// ───────────────────────────────────────────────────── capture v1 ─────────────────────────────────────────────────────

// Capture v1 (`capture_mode="v1"` in posthog-python, `CaptureModeAnalyticsV1` in posthog-go, posthog-rs's v1
// client): capture-rs `v1/context.rs` (Bearer token, the PostHog-* headers, the skew from
// PostHog-Request-Timestamp), `v1/analytics/types.rs` (the batch and event shapes, options coerced and injected
// as `$`-properties, `$lib`/`$lib_version` from PostHog-Sdk-Info, results ok/drop/warning/retry per uuid) and
// posthog-go `capture_v1.go` (`eventPayload`: `options` always an object, identify's traits under
// `properties.$set`, alias's `alias` property, no `$lib` in properties).
describe("capture v1: POST /i/v1/analytics/events", () => {
  const v1Headers = (requestTime: string, extra: Record<string, string> = {}) => ({
    authorization: `Bearer ${KEY}`,
    "content-type": "application/json",
    "user-agent": "posthog-go (1.6.0)",
    "posthog-sdk-info": "posthog-go/1.6.0",
    "posthog-attempt": "1",
    "posthog-request-id": "0b9f4c1e-2a6d-4e8b-9c3f-5d7a1e2b3c4d",
    "posthog-request-timestamp": requestTime,
    ...extra,
  });
  const ev = (event: string, uuid: string, distinctId: string, timestamp: string, properties: Props = {}, more: Props = {}) =>
    ({ event, uuid, distinct_id: distinctId, timestamp, options: {}, properties, ...more });

  test("identify, alias and capture land on one person; $lib from PostHog-Sdk-Info; each uuid answered ok", async () => {
    const w = await world("2026-03-02T08:00:00.000Z");
    const batch = [
      ev("$pageview", "0195a1b2-0001-7000-8000-000000000001", "go-anon-1", "2026-03-02T07:59:50Z", { $current_url: "https://shop.example.cn/", $lib: "sent-by-hand" }, { session_id: "s-1", window_id: "w-1" }),
      ev("$identify", "0195a1b2-0002-7000-8000-000000000002", "go-user-1", "2026-03-02T07:59:51Z", { $set: { email: "wang@example.cn" }, $anon_distinct_id: "go-anon-1" }),
      ev("$create_alias", "0195a1b2-0003-7000-8000-000000000003", "go-user-1", "2026-03-02T07:59:52Z", { alias: "crm-7781" }),
      ev("order paid", "0195a1b2-0004-7000-8000-000000000004", "go-user-1", "2026-03-02T07:59:53.250Z", { amount: 88 }),
    ];
    const body = JSON.stringify({ created_at: "2026-03-02T08:00:00Z", batch });
    const a = await w.send("POST", "/i/v1/analytics/events", gzip(body), v1Headers("2026-03-02T08:00:00Z", { "content-encoding": "gzip" }));
    expect(a.status).toBe(200);
    expect(a.body).toEqual({ results: Object.fromEntries(batch.map((e) => [e.uuid, { result: "ok" }])) });

    const p = await w.must("go-user-1");
    expect(w.distinctIds(p)).toEqual(["crm-7781", "go-anon-1", "go-user-1"]);
    expect(p.traits.email).toBe("wang@example.cn");
    const events = await w.events("go-user-1");
    expect(events.map((e) => [e.time, e.event])).toEqual([
      ["2026-03-02T07:59:50.000Z", "$pageview"],
      ["2026-03-02T07:59:51.000Z", "$identify"],
      ["2026-03-02T07:59:52.000Z", "$create_alias"],
      ["2026-03-02T07:59:53.250Z", "order paid"],
    ]);
    // session and window ids become properties; the header names the library, over the properties' own $lib
    expect(events[0]!.properties).toMatchObject({ $session_id: "s-1", $window_id: "w-1", $lib: "posthog-go", $lib_version: "1.6.0", $current_url: "https://shop.example.cn/" });

    // The SDK re-sends the batch (a timeout before it read the answer): every uuid is ok again, stored once.
    const again = await w.send("POST", "/i/v1/analytics/events/", body, v1Headers("2026-03-02T08:00:05Z", { "posthog-attempt": "2" }));
    expect(again.body).toEqual(a.body);
    expect(await w.total("order paid", "2026-03-01", "2026-03-31")).toBe(1);
  });

  test("the skew comes from PostHog-Request-Timestamp unless options.disable_skew_correction; a bad event is dropped by uuid, the rest kept", async () => {
    const w = await world("2026-03-02T08:00:00.000Z");
    // The client's clock is an hour slow: an event it stamped 06:59:30 happened at 07:59:30 server time.
    const batch = [
      ev("skewed", "0195a1b2-0101-7000-8000-000000000001", "py-1", "2026-03-02T06:59:30Z"),
      ev("imported", "0195a1b2-0102-7000-8000-000000000002", "py-1", "2026-02-20T10:00:00Z", {}, { options: { disable_skew_correction: "true" } }),
      ev("", "0195a1b2-0103-7000-8000-000000000003", "py-1", "2026-03-02T06:59:31Z"),
      ev("bad options", "0195a1b2-0104-7000-8000-000000000004", "py-1", "2026-03-02T06:59:32Z", {}, { options: { process_person_profile: "maybe" } }),
    ];
    const a = await w.send("POST", "/i/v1/analytics/events", JSON.stringify({ created_at: "2026-03-02T07:00:00Z", historical_migration: false, batch }),
      v1Headers("2026-03-02T07:00:00Z", { "posthog-sdk-info": "posthog-python/7.0.0" }));
    expect(a.status).toBe(200);
    const results = (a.body as { results: Record<string, { result: string; details?: string }> }).results;
    expect(results[batch[0]!.uuid]).toEqual({ result: "ok" });
    expect(results[batch[1]!.uuid]).toEqual({ result: "ok" });
    expect(results[batch[2]!.uuid]!.result).toBe("drop");
    expect(results[batch[2]!.uuid]!.details).toContain("event");
    expect(results[batch[3]!.uuid]).toEqual({ result: "drop", details: "options.process_person_profile: expected a boolean" });
    expect(await w.times("py-1")).toEqual([
      ["2026-02-20T10:00:00.000Z", "imported"],
      ["2026-03-02T07:59:30.000Z", "skewed"],
    ]);
  });

  test("process_person_profile false keeps the person's traits untouched; zstd bodies are read", async () => {
    const w = await world("2026-03-02T08:00:00.000Z");
    const batch = [
      ev("$identify", "0195a1b2-0201-7000-8000-000000000001", "rs-user", "2026-03-02T07:59:00Z", { $set: { plan: "pro" } }),
      ev("viewed", "0195a1b2-0202-7000-8000-000000000002", "rs-user", "2026-03-02T07:59:10Z", { $set: { plan: "free" } }, { options: { process_person_profile: false } }),
    ];
    const body = new Uint8Array(zstdCompressSync(Buffer.from(JSON.stringify({ created_at: "2026-03-02T08:00:00Z", batch }))));
    const a = await w.send("POST", "/i/v1/analytics/events", body, v1Headers("2026-03-02T08:00:00Z", { "content-encoding": "zstd", "posthog-sdk-info": "posthog-rs/0.5.0" }));
    expect(a.status).toBe(200);
    expect((await w.must("rs-user")).traits.plan).toBe("pro");
    expect((await w.times("rs-user")).map(([, e]) => e)).toEqual(["$identify", "viewed"]);
  });

  test("whole-request errors answer {error, error_description}: no or unknown token 401, not a batch 400", async () => {
    const w = await world("2026-03-02T08:00:00.000Z");
    const body = JSON.stringify({ created_at: "2026-03-02T08:00:00Z", batch: [ev("x", "0195a1b2-0301-7000-8000-000000000001", "u", "2026-03-02T07:00:00Z")] });
    const { authorization: _, ...noAuth } = v1Headers("2026-03-02T08:00:00Z");
    const none = await w.send("POST", "/i/v1/analytics/events", body, noAuth);
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ error: "invalid_api_token" });
    const unknown = await w.send("POST", "/i/v1/analytics/events", body, v1Headers("2026-03-02T08:00:00Z", { authorization: "Bearer phc_nobody" }));
    expect([unknown.status, unknown.body]).toEqual([401, { error: "invalid_api_token", error_description: "unknown write key" }]);
    const notBatch = await w.send("POST", "/i/v1/analytics/events", JSON.stringify({ event: "x" }), v1Headers("2026-03-02T08:00:00Z"));
    expect(notBatch.status).toBe(400);
    expect(notBatch.body).toMatchObject({ error: "invalid_request" });
    expect(await w.total("x", "2026-03-01", "2026-03-31")).toBe(0);
  });
});

// posthog-node `_captureAi` (packages/node `ai-capture/routing.ts`) and posthog-python's AI lane post `$ai_*` events to
// `/i/v0/ai/batch/` in the /batch shape: `{api_key, batch, sent_at}` (posthog-node's test "posts to the AI endpoint
// with the V0 body shape"), gzip by default in Node.
test("the AI lane: /i/v0/ai/batch/ takes the /batch body; the event is stored with its $ai_ properties", async () => {
  const w = await world("2026-03-03T10:00:00.000Z");
  const body = JSON.stringify({
    api_key: KEY,
    batch: [{ event: "$ai_generation", distinct_id: "ai-user-1", uuid: "0195a1b2-0401-7000-8000-000000000001", timestamp: "2026-03-03T09:59:59.000Z", type: "capture", library: "posthog-node", library_version: "5.9.0", properties: { $ai_model: "gpt-4o-mini", $ai_input_tokens: 120, $ai_total_cost_usd: 0.0004, $lib: "posthog-node" } }],
    sent_at: "2026-03-03T10:00:00.000Z",
  });
  posthogOk(await w.send("POST", "/i/v0/ai/batch/", gzip(body), { "content-type": "application/json", "content-encoding": "gzip", "user-agent": "posthog-node/5.9.0" }));
  const [e] = await w.events("ai-user-1");
  expect([e!.time, e!.event, e!.properties.$ai_model, e!.properties.$ai_input_tokens]).toEqual(["2026-03-03T09:59:59.000Z", "$ai_generation", "gpt-4o-mini", 120]);
});
