/**
 * The ingestion HTTP surface (SPEC §3): Segment-compatible `/v1/*` (long and short forms, batch, import),
 * PostHog `/capture`, `/batch`, `/e`, `/i/v0/e`, `/track`, `/engage`, pixels, analytics.js settings, `/sdk.js` and `/sdk/wx.js`.
 * Mount at the root: `app.route("/", ingestRoutes(deps))`. CORS is open (origin echoed) on these paths
 * only, because browsers post from our customers' sites.
 *
 * Answers: Segment routes `200 {"success":true}` (+ `rejected`), PostHog `200 {"status":1}` (+ `rejected`),
 * pixels always a 1×1 GIF with problems in `X-Tessera-Error` (GoatCounter's way: a pixel cannot show an error),
 * unknown key `401`, bad request `400`/`413`/`415` naming the field or limit, store overload `503` + `Retry-After`.
 * `200` is sent only after the sink resolved, i.e. after the events were committed.
 */
import { Hono, type Context, type MiddlewareHandler } from "hono";
import { getConnInfo } from "hono/bun";
import { cors } from "hono/cors";
import { endpoint } from "../http/endpoint.ts";
import { headerWriteKey, queryWriteKey } from "./auth.ts";
import { inflate, parseJson, readBody, utf8, type BodyLimit } from "./decode.ts";
import { IngestError } from "./errors.ts";
import { isObject, type Json } from "./json.ts";
import { MAX_POSTHOG_REQUEST_BYTES, MAX_SEGMENT_REQUEST_BYTES } from "./limits.ts";
import { isMessageType, MESSAGE_TYPES, type Identifier, type Message, type MessageType, type Wire } from "./message.ts";
import { runPipeline, type PipelineResult } from "./pipeline.ts";
import { pixelItem } from "./pixel.wire.ts";
import { decodePosthogBody, payloadFromData } from "./posthog.decode.ts";
import { captureV1Item, extractPosthog, posthogMessage, sdkInfo } from "./posthog.wire.ts";
import { buildSdk, buildWxSdk } from "./sdk.bundle.ts";
import { extractSegment, segmentMessage, type MessageMeta } from "./segment.wire.ts";
import { extractSensorsBody, fieldsOf, fromFields, isWebRequest, SENSORS_LIMIT, sensorsMessage } from "./sensors.wire.ts";
import { isDiskRefusal, retryAfterOf, type Sink } from "./sink.ts";
import type { IngestSource } from "./source.ts";
import { IngestStats } from "./stats.ts";
import type { StepContext } from "./steps/step.ts";

/** IngestDeps are what the routes need from the rest of the process. */
export interface IngestDeps {
  /** Looks a write key up; null for unknown or disabled sources. Called once per request: cache in the sources room. */
  readonly findSource: (writeKey: string) => IngestSource | null | Promise<IngestSource | null>;
  /** The store's writer (see sink.ts for the contract). */
  readonly sink: Sink;
  /** The identity room's suppression check; defaults to "nobody is suppressed". */
  readonly isSuppressed?: (ids: readonly Identifier[]) => boolean;
  /** Clock for receivedAt (tests pin it). */
  readonly now?: () => number;
  /** Counters for the source page; a private, never-flushed instance when omitted. */
  readonly stats?: IngestStats;
  /** Take the client address from the first X-Forwarded-For hop (only behind a proxy you control). */
  readonly trustProxy?: boolean;
  /** Called with unexpected failures (bugs, store errors) before answering 5xx. */
  readonly onError?: (err: unknown, where: string) => void;
}

const SEGMENT_LIMIT: BodyLimit = { bytes: MAX_SEGMENT_REQUEST_BYTES, where: "on /v1 routes" };
const POSTHOG_LIMIT: BodyLimit = { bytes: MAX_POSTHOG_REQUEST_BYTES, where: "on PostHog routes" };

/** SHORT_TYPES maps analytics.js's one-letter paths (`/v1/t` …) to types; `b` is its batch. */
const SHORT_TYPES: Readonly<Record<string, MessageType | "batch">> = {
  t: "track", i: "identify", p: "page", s: "screen", g: "group", a: "alias", b: "batch",
};

const GIF = Uint8Array.from(atob("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"), (ch) => ch.charCodeAt(0));

/**
 * Paths answered by this sub-app, for CORS (a `use("*")` would leak CORS onto the whole parent app). The SDK
 * paths are included because `<script integrity=… crossorigin>` on another origin needs CORS to check SRI.
 */
const CORS_PATHS = [
  "/v1/*", "/capture", "/capture/", "/batch", "/batch/", "/e", "/e/", "/i/v0/e", "/i/v0/e/", "/i/v1/analytics/events", "/i/v1/analytics/events/", "/i/v0/ai/batch", "/i/v0/ai/batch/", "/track", "/track/", "/engage", "/engage/",
  "/t.gif", "/pixel/*", "/flags", "/flags/", "/decide", "/decide/", "/array/*", "/sourceConfig", "/sourceConfig/", "/beacon/*", "/api/s/*", "/sdk.js", "/sdk.json", "/sdk/*",
  "/sa", "/sa/", "/sa.gif",
];

/** capture-rs's v1 error tags (v1/error.rs) for the statuses a request can fail with here. */
const V1_ERROR_TAGS: Record<IngestError["status"], string> = {
  400: "invalid_request",
  401: "invalid_api_token",
  413: "payload_too_large",
  415: "unsupported_encoding",
};

/** The `code` of a refusal, by status. */
const REFUSAL_CODES = { 400: "invalid_request", 401: "invalid_write_key", 413: "too_large", 415: "unsupported_encoding", 500: "internal_error", 503: "unavailable" };

/**
 * refusal is the JSON of a refused request: `error` says why (analytics-ruby and our docs read it), and `code`
 * and `message` are there because analytics-python and rudder-sdk-python read `payload['code']` and
 * `payload['message']` of any non-200: without them a KeyError escapes their give-up rule, and a 4xx that can
 * never succeed is retried to the end of their tries, holding their queue.
 */
const refusal = (status: keyof typeof REFUSAL_CODES, error: string, extra: Record<string, unknown> = {}) =>
  ({ success: false, error, code: REFUSAL_CODES[status], message: error, ...extra });

const noSuppression = () => false;

/** ingestRoutes builds the ingestion sub-app. */
export function ingestRoutes(deps: IngestDeps) {
  const now = deps.now ?? Date.now;
  const stats = deps.stats ?? new IngestStats(now);
  const isSuppressed = deps.isSuppressed ?? noSuppression;
  const onError = deps.onError ?? ((err: unknown, where: string) => console.error(`ingest ${where}:`, err));

  const peerIp = (c: Context): string | null => {
    if (deps.trustProxy) {
      const xff = c.req.header("x-forwarded-for")?.split(",")[0]?.trim();
      if (xff) return xff;
    }
    try {
      return getConnInfo(c).remote.address ?? null;
    } catch {
      return null; // app.request() in tests has no socket
    }
  };

  const stepContext = (c: Context, source: IngestSource, browserRoute: boolean): StepContext => {
    let peer: string | null | undefined;
    return {
      source,
      // Looked up when a step asks (browser routes, `context.direct`): server SDKs' requests never do, and the
      // lookup was ~1% of the main thread at full rate.
      get peerIp() {
        return peer === undefined ? (peer = peerIp(c)) : peer;
      },
      requestUserAgent: c.req.header("user-agent") ?? null,
      browserRoute,
      isSuppressed,
    };
  };

  /** pipeline runs a request's items through the steps, counts them, and keeps samples of the refused ones. */
  const pipeline = (c: Context, src: IngestSource, items: readonly Json[], toMessage: (raw: Json) => Message, browserRoute: boolean): PipelineResult => {
    const r = runPipeline(items, toMessage, stepContext(c, src, browserRoute));
    stats.add(src.id, "received", items.length);
    for (const x of r.rejected) stats.reject(src.id, c.req.path, x.error, items[x.index]);
    return r;
  };

  const SEGMENT_KEY_HELP =
    "missing write key: send it as the HTTP Basic username, the X-Write-Key header, ?writeKey= or writeKey in the body";
  const POSTHOG_KEY_HELP = "missing api_key: send it as api_key or token in the body (or in each event's properties)";
  const SENSORS_KEY_HELP = "missing write key: set server_url to https://<tessera>/sa?project=<write key> (or ?token=<write key>)";

  const lookup = async (sent: string | null, help = SEGMENT_KEY_HELP): Promise<IngestSource> => {
    // trimmed, as capture-rs does: a key pasted with a stray newline still works
    const key = sent?.trim();
    if (!key) throw new IngestError(401, help);
    const source = await deps.findSource(key);
    if (!source) throw new IngestError(401, "unknown write key");
    return source;
  };

  /** commit hands the messages to the store; returns an error Response when the store refused them. */
  const commit = async (c: Context, source: IngestSource, r: PipelineResult): Promise<Response | null> => {
    stats.addDrops(source.id, r.drops);
    if (r.messages.length === 0) return null;
    try {
      const res = await deps.sink(r.messages);
      const dup = res ? res.duplicates : 0;
      const suppressed = res?.suppressed ?? 0;
      stats.add(source.id, "accepted", r.messages.length - dup - suppressed);
      stats.add(source.id, "duplicate", dup);
      stats.add(source.id, "suppressed", suppressed);
      return null;
    } catch (err) {
      const overloaded = err instanceof Error && err.name === "Overloaded";
      stats.add(source.id, isDiskRefusal(err) ? "disk_full" : "overloaded", r.messages.length);
      if (!overloaded) onError(err, "sink");
      // Retry-After takes whole seconds.
      c.header("Retry-After", String(Math.max(1, Math.ceil(retryAfterOf(err)))));
      // The store's own words say which limit it is (queue full, disk full, shutting down); anything else stays private.
      const why = overloaded ? err.message : "the event store is busy";
      return c.json(refusal(503, `${why}; retry later`), 503);
    }
  };

  /** fail answers a whole-request failure, counting it when the source is known. */
  const fail = (c: Context, err: unknown, source: IngestSource | null, where: string): Response => {
    if (err instanceof IngestError) {
      if (source) {
        stats.add(source.id, "received");
        stats.add(source.id, "bad_request");
        stats.reject(source.id, c.req.path, err.message);
      }
      return c.json(refusal(err.status, err.message, err.limit ? { limit: err.limit } : {}), err.status);
    }
    onError(err, where);
    return c.json(refusal(500, "internal error"), 500);
  };

  const meta = (source: IngestSource, receivedAt: number, wire: Wire): MessageMeta => ({
    sourceId: source.id,
    sourceName: source.name,
    receivedAt,
    wire,
  });

  /** segment handles every Segment-family POST; `routeType` null means a batch body. */
  const segment = async (c: Context, routeType: MessageType | null, browserRoute: boolean, wire: Wire) => {
    const receivedAt = now();
    let source: IngestSource | null = null;
    try {
      const early = headerWriteKey(c.req.raw.headers) ?? queryWriteKey(new URL(c.req.url).searchParams);
      if (early !== null) source = await lookup(early);
      const raw = await readBody(c.req.raw, SEGMENT_LIMIT);
      const bytes = inflate(raw, c.req.header("content-encoding") ?? null, SEGMENT_LIMIT);
      const x = extractSegment(parseJson(utf8(bytes)), routeType);
      source ??= await lookup(x.bodyWriteKey);
      const src = source;
      const m = meta(src, receivedAt, wire);
      const r = pipeline(c, src, x.items, (item) => segmentMessage(item, routeType, x.envelope, m), browserRoute);
      if (x.single && r.rejected.length > 0) {
        stats.addDrops(src.id, r.drops);
        const status = r.drops.too_large ? 413 : 400;
        return c.json(refusal(status, r.rejected[0]!.error, { rejected: r.rejected }), status);
      }
      if (r.messages.length === 0 && r.rejected.length === x.items.length) {
        stats.addDrops(src.id, r.drops);
        return c.json(refusal(400, "every item of the batch was rejected", { rejected: r.rejected }), 400);
      }
      const refused = await commit(c, src, r);
      if (refused) return refused;
      return c.json(r.rejected.length ? { success: true, rejected: r.rejected } : { success: true }, 200);
    } catch (err) {
      return fail(c, err, source, "segment");
    }
  };

  /**
   * posthog handles the capture endpoints (POST bodies and legacy GET ?data=). On `/engage` a body that is
   * one object without an event name is a person update (posthog.wire.ts says how it is stored).
   */
  const posthog = async (c: Context, browserRoute: boolean, engage = false) => {
    const receivedAt = now();
    let source: IngestSource | null = null;
    try {
      const q = new URL(c.req.url).searchParams;
      const early = headerWriteKey(c.req.raw.headers);
      if (early !== null) source = await lookup(early);
      let body: Json;
      if (c.req.method === "GET") {
        const data = q.get("data");
        if (data === null) throw new IngestError(400, "data: missing query parameter");
        body = payloadFromData(data, q.get("compression"), POSTHOG_LIMIT);
      } else {
        const raw = await readBody(c.req.raw, POSTHOG_LIMIT);
        body = decodePosthogBody(raw, {
          contentType: c.req.header("content-type") ?? null,
          contentEncoding: c.req.header("content-encoding") ?? null,
          compression: q.get("compression"),
          limit: POSTHOG_LIMIT,
        });
      }
      const x = extractPosthog(body, q.get("sent_at") ?? q.get("_"));
      source ??= await lookup(x.token ?? q.get("api_key") ?? q.get("token") ?? queryWriteKey(q), POSTHOG_KEY_HELP);
      const src = source;
      const m = meta(src, receivedAt, "posthog");
      const single = engage && isObject(body) && !Array.isArray(body.batch);
      const r = pipeline(c, src, x.items, (item) => posthogMessage(item, x.envelope, m, single), browserRoute);
      if (r.messages.length === 0 && r.rejected.length === x.items.length) {
        stats.addDrops(src.id, r.drops);
        return c.json({ status: 0, error: r.rejected[0]!.error, rejected: r.rejected }, 400);
      }
      const refused = await commit(c, src, r);
      if (refused) return refused;
      if (q.get("beacon") === "1") return c.body(null, 204);
      return c.json(r.rejected.length ? { status: 1, rejected: r.rejected } : { status: 1 }, 200);
    } catch (err) {
      return fail(c, err, source, "posthog");
    }
  };

  /**
   * posthogV1 is PostHog's capture v1 (posthog.wire.ts `captureV1Item` has the body). Its SDKs read a 200 as
   * `{results: {<uuid>: {result}}}`: "ok" for an event stored (or already stored), "drop" with `details` for
   * one refused, never to be sent again. Errors of the whole request answer `{error, error_description}`.
   */
  const posthogV1 = async (c: Context) => {
    const receivedAt = now();
    let source: IngestSource | null = null;
    try {
      const bearer = /^bearer\s+(.+)$/i.exec(c.req.header("authorization") ?? "")?.[1] ?? null;
      source = await lookup(bearer ?? headerWriteKey(c.req.raw.headers), "missing token: send it as Authorization: Bearer <project token>");
      const src = source;
      const raw = await readBody(c.req.raw, POSTHOG_LIMIT);
      const body = parseJson(utf8(inflate(raw, c.req.header("content-encoding") ?? null, POSTHOG_LIMIT)));
      if (!isObject(body) || !Array.isArray(body.batch)) throw new IngestError(400, "request body must be {created_at, batch: [...]}");
      const { items } = extractPosthog(body, null);
      // The client's clock is the request's header (capture-rs reads the skew from it, not from created_at).
      const sentAt = Date.parse(c.req.header("posthog-request-timestamp") ?? "");
      const envelope = { sentAt: Number.isFinite(sentAt) ? sentAt : null };
      const sdk = sdkInfo(c.req.header("posthog-sdk-info") ?? null);
      const m = meta(src, receivedAt, "posthog");
      const r = pipeline(c, src, items, (item) => posthogMessage(captureV1Item(item, sdk), envelope, m), false);
      const refused = await commit(c, src, r);
      if (refused) return refused;
      const dropped = new Map(r.rejected.map((x) => [x.index, x.error]));
      const results: [string, { result: "ok" | "drop"; details?: string }][] = [];
      items.forEach((item, i) => {
        const uuid = isObject(item) && typeof item.uuid === "string" ? item.uuid.trim() : "";
        if (!uuid) return;
        const error = dropped.get(i);
        results.push([uuid, error === undefined ? { result: "ok" } : { result: "drop", details: error }]);
      });
      // fromEntries defines own properties, so even a uuid "__proto__" is answered.
      return c.json({ results: Object.fromEntries(results) }, 200);
    } catch (err) {
      const counted = fail(c, err, source, "posthog v1");
      if (!(err instanceof IngestError)) return counted;
      return c.json({ error: V1_ERROR_TAGS[err.status], error_description: err.message }, err.status);
    }
  };

  /** pixel always answers the GIF; what went wrong goes into X-Tessera-Error. */
  const pixel = async (c: Context, typeParam: string | null) => {
    const receivedAt = now();
    const gif = (error: string | null) => {
      c.header("Cache-Control", "no-store, max-age=0");
      if (error) c.header("X-Tessera-Error", error.replace(/[^\x20-\x7e]/g, "?").slice(0, 300));
      return c.body(GIF, 200, { "Content-Type": "image/gif" });
    };
    let source: IngestSource | null = null;
    try {
      const q = new URL(c.req.url).searchParams;
      const p = pixelItem(q, typeParam === null ? null : pixelType(typeParam));
      source = await lookup(headerWriteKey(c.req.raw.headers) ?? queryWriteKey(q) ?? p.bodyWriteKey);
      const src = source;
      const m = meta(src, receivedAt, "pixel");
      const r = pipeline(c, src, [p.item], (item) => segmentMessage(item, p.type, { sentAt: null, context: null }, m), true);
      const refused = await commit(c, src, r);
      if (refused) return gif("the event store is busy");
      return gif(r.rejected[0]?.error ?? null);
    } catch (err) {
      fail(c, err, source, "pixel");
      return gif(err instanceof IngestError ? err.message : "internal error");
    }
  };

  /**
   * sensors serves the Sensors Data SDKs (sensors.wire.ts has the bodies and the mapping). The write key is
   * `?token=`, else `?project=` (`server_url: https://<tessera>/sa?project=<write key>`), else a header key or the
   * events' own token/project. Answers: `200 {}` (`rejected` listed when some events were refused; a GET gets the
   * 1×1 GIF); what every SDK counts as delivered is a 2xx (Android), anything but 5xx/403/404 (iOS), any answer at
   * all (JS, the mini program). Errors as on the other routes: 400/413 naming the field, 401, 503 + Retry-After.
   */
  const sensors = async (c: Context) => {
    const receivedAt = now();
    let source: IngestSource | null = null;
    try {
      const q = new URL(c.req.url).searchParams;
      const key = q.get("token") || q.get("project") || headerWriteKey(c.req.raw.headers) || queryWriteKey(q);
      if (key) source = await lookup(key, SENSORS_KEY_HELP);
      const x = c.req.method === "GET"
        ? fromFields(fieldsOf(q), SENSORS_LIMIT)
        : extractSensorsBody(await readBody(c.req.raw, SENSORS_LIMIT), c.req.header("content-encoding") ?? null, q, SENSORS_LIMIT);
      if (x === null) throw new IngestError(400, "data: missing query parameter (expected ?data=<base64>)");
      source ??= await lookup(x.bodyKey, SENSORS_KEY_HELP);
      const src = source;
      const m = meta(src, receivedAt, "sensors");
      const project = q.get("project");
      const r = pipeline(c, src, x.items, (item) => sensorsMessage(item, m, project), isWebRequest(x.items));
      if (r.messages.length === 0 && r.rejected.length === x.items.length) {
        stats.addDrops(src.id, r.drops);
        const status = x.items.length === 1 && r.drops.too_large ? 413 : 400;
        return c.json(refusal(status, r.rejected.length === 1 ? r.rejected[0]!.error : "every event of the batch was rejected", { rejected: r.rejected }), status);
      }
      const refused = await commit(c, src, r);
      if (refused) return refused;
      if (c.req.method === "GET") {
        c.header("Cache-Control", "no-store, max-age=0");
        if (r.rejected.length) c.header("X-Tessera-Error", r.rejected[0]!.error.replace(/[^\x20-\x7e]/g, "?").slice(0, 300));
        return c.body(GIF, 200, { "Content-Type": "image/gif" });
      }
      return c.json(r.rejected.length ? { rejected: r.rejected } : {}, 200);
    } catch (err) {
      return fail(c, err, source, "sensors");
    }
  };

  const app = new Hono();
  const corsMiddleware = cors({
    origin: (origin) => origin || "*",
    credentials: true,
    allowMethods: ["GET", "POST", "OPTIONS"],
    maxAge: 86400,
    exposeHeaders: ["X-Tessera-Error", "Retry-After"],
  });
  // Customers' pages load /sdk.js and pixels cross-origin: the app's default Cross-Origin-Resource-Policy
  // (same-origin) would block them, so ingest answers say cross-origin (the app does not overwrite it).
  const crossOrigin: MiddlewareHandler = async (c, next) => {
    await next();
    c.res.headers.set("Cross-Origin-Resource-Policy", "cross-origin");
  };
  for (const p of CORS_PATHS) app.use(p, corsMiddleware, crossOrigin);

  for (const type of MESSAGE_TYPES) app.post(`/v1/${type}`, (c) => segment(c, type, false, "segment"));
  app.post("/v1/batch", (c) => segment(c, null, false, "segment"));
  app.post("/v1/import", (c) => segment(c, null, false, "import"));
  // Jitsu's SDK (@jitsu/js) posts one Segment-shaped event per call, the key in X-Write-Key: from the
  // browser to /api/s/:type, server to server to /api/s/s2s/:type. It reads the answer as JSON.
  // Declared with endpoint(): they live under /api, whose every route says who may call it.
  // Jitsu's BatchHandler takes `{batch, writeKey, sentAt}` on /api/s/s2s/batch, as /v1/batch does.
  const jitsu = (browserRoute: boolean) => async (c: Context) => {
    const type = c.req.param("type") ?? "";
    if (type === "batch") return segment(c, null, browserRoute, "segment");
    if (!isMessageType(type)) return c.json(refusal(400, `type "${type}" in the path is not one of ${MESSAGE_TYPES.join(", ")}, batch`), 400);
    return segment(c, type, browserRoute, "segment");
  };
  const jitsuSpec = (summary: string) => endpoint({ summary, tags: ["ingest"], access: "public" });
  app.post("/api/s/s2s/:type", jitsuSpec("Jitsu server-to-server event (write key in X-Write-Key)"), jitsu(false));
  app.post("/api/s/:type", jitsuSpec("Jitsu browser event (write key in X-Write-Key)"), jitsu(true));
  // RudderStack's JavaScript SDK with `useBeacon` sends batches by navigator.sendBeacon (key in the query).
  app.post("/beacon/v1/batch", (c) => segment(c, null, true, "segment"));
  for (const [letter, type] of Object.entries(SHORT_TYPES)) {
    app.post(`/v1/${letter}`, (c) => segment(c, type === "batch" ? null : type, true, "segment"));
  }

  // /track and /engage are PostHog's legacy (Mixpanel-era) names, still served by its capture.
  // posthog-node's and posthog-python's AI events (`captureAi`, `$ai_generation`…) take their own lane, `/i/v0/ai/batch/`, in
  // the /batch body shape.
  for (const path of ["/capture", "/batch", "/track", "/i/v0/ai/batch"]) {
    app.on(["GET", "POST"], [path, `${path}/`], (c) => posthog(c, false));
  }
  app.on(["GET", "POST"], ["/engage", "/engage/"], (c) => posthog(c, false, true));
  for (const path of ["/e", "/i/v0/e"]) app.on(["GET", "POST"], [path, `${path}/`], (c) => posthog(c, true));
  app.post("/i/v1/analytics/events", posthogV1);
  app.post("/i/v1/analytics/events/", posthogV1);

  // Sensors Data SDKs: server_url https://<tessera>/sa?project=<write key>; GET for the JS image and mini program forms.
  app.on(["GET", "POST"], ["/sa", "/sa/", "/sa.gif"], sensors);

  app.get("/v1/pixel/:type", (c) => pixel(c, c.req.param("type")));
  app.get("/pixel/v1/:type", (c) => pixel(c, c.req.param("type")));
  app.get("/t.gif", (c) => pixel(c, null));

  // analytics.js loads its settings from the CDN; pointed at us, it gets the Segment.io integration aimed back here.
  app.get("/v1/projects/:writeKey/settings", async (c) => {
    const key = c.req.param("writeKey");
    if (!(await deps.findSource(key))) return c.json(refusal(401, "unknown write key"), 401);
    const url = new URL(c.req.url);
    const host = c.req.header("x-forwarded-host") ?? c.req.header("host") ?? url.host;
    const protocol = (c.req.header("x-forwarded-proto") ?? url.protocol.replace(":", "")) === "https" ? "https" : "http";
    return c.json({
      integrations: {
        "Segment.io": { apiKey: key, apiHost: `${host}/v1`, protocol, unbundledIntegrations: [], addBundledMetadata: true },
      },
      plan: { track: { __default: { enabled: true, integrations: {} } }, identify: { __default: { enabled: true } }, group: { __default: { enabled: true } } },
      edgeFunction: {},
      analyticsNextEnabled: true,
      middlewareSettings: {},
      enabledMiddleware: {},
      metrics: { sampleRate: 0 },
      legacyVideoPluginsEnabled: false,
      remotePlugins: [],
    });
  });

  // RudderStack's JavaScript SDK (v3) asks its control plane for the source's config before it sends
  // anything; with `configUrl` pointed here it gets the source, without device-mode destinations. Older v3
  // builds read `config.statsCollection.errors.enabled` without null checks: the answer names them, off.
  app.on(["GET"], ["/sourceConfig", "/sourceConfig/"], async (c) => {
    const key = queryWriteKey(new URL(c.req.url).searchParams) ?? headerWriteKey(c.req.raw.headers);
    const source = key === null ? null : await deps.findSource(key);
    if (key === null || !source) return c.json(refusal(401, "unknown write key"), 401);
    return c.json({
      isHosted: false,
      source: { id: String(source.id), name: source.name, writeKey: key, workspaceId: "tessera", enabled: true,
        config: { statsCollection: { errors: { enabled: false }, metrics: { enabled: false } } }, destinations: [],
      },
    });
  });

  // posthog-js and posthog-node ask for flags and remote config; answering "none" keeps them quiet and working.
  const noFlags = (c: Context) =>
    c.json({ featureFlags: {}, featureFlagPayloads: {}, flags: {}, errorsWhileComputingFlags: false, quotaLimited: [] });
  app.on(["GET", "POST"], ["/flags", "/flags/", "/decide", "/decide/"], noFlags);
  // posthog-js first loads /array/<token>/config.js as a script (it fills window._POSTHOG_REMOTE_CONFIG),
  // then falls back to the JSON; a missing script is a console error on every page of the customer's site.
  const remoteConfig = (token: string) => ({
    token, supportedCompression: ["gzip", "gzip-js", "base64"],
    hasFeatureFlags: false, sessionRecording: false, heatmaps: false, autocaptureExceptions: false, siteApps: [],
  });
  app.get("/array/:token/config", (c) => c.json(remoteConfig(c.req.param("token"))));
  app.get("/array/:token/config.js", (c) => {
    const token = JSON.stringify(c.req.param("token"));
    const js = `(function(){var w=window;w._POSTHOG_REMOTE_CONFIG=w._POSTHOG_REMOTE_CONFIG||{};w._POSTHOG_REMOTE_CONFIG[${token}]={config:${JSON.stringify(remoteConfig(c.req.param("token")))},siteApps:[]};})();`;
    return c.body(js, 200, { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "public, max-age=300" });
  });

  app.get("/sdk.js", async (c) => {
    const sdk = await buildSdk();
    const pinned = c.req.query("v") === sdk.hash;
    // Unversioned: revalidate after 5 minutes so a new release reaches sites quickly.
    c.header("Cache-Control", pinned ? "public, max-age=31536000, immutable" : "public, max-age=300");
    c.header("ETag", `"${sdk.hash}"`);
    if (c.req.header("if-none-match") === `"${sdk.hash}"`) return c.body(null, 304);
    return c.body(sdk.code, 200, { "Content-Type": "text/javascript; charset=utf-8" });
  });
  // What a pinned snippet needs (the Sources page offers one): the versioned path and its SRI value; `wx` is
  // the mini program SDK's versioned path and size.
  app.get("/sdk.json", async (c) => {
    const [sdk, wx] = await Promise.all([buildSdk(), buildWxSdk()]);
    c.header("Cache-Control", "no-cache");
    return c.json({
      path: `/sdk/${sdk.hash}.js`, integrity: sdk.integrity, bytes: sdk.code.length,
      wx: { path: `/sdk/wx-${wx.hash}.js`, integrity: wx.integrity, bytes: wx.code.length },
    });
  });
  // The WeChat Mini Program SDK, a CommonJS module saved into the mini program (which cannot load code from the
  // network): /sdk/wx.js is the current one (5 minutes, ETag), /sdk/wx-<hash>.js one version (immutable).
  app.get("/sdk/:file", async (c) => {
    const file = c.req.param("file");
    const js = { "Content-Type": "text/javascript; charset=utf-8" };
    if (file === "wx.js" || file.startsWith("wx-")) {
      const wx = await buildWxSdk();
      if (file === "wx.js") {
        c.header("Cache-Control", "public, max-age=300");
        c.header("ETag", `"${wx.hash}"`);
        if (c.req.header("if-none-match") === `"${wx.hash}"`) return c.body(null, 304);
        return c.body(wx.code, 200, js);
      }
      if (file !== `wx-${wx.hash}.js`) return c.redirect(`/sdk/wx-${wx.hash}.js`, 302);
      c.header("Cache-Control", "public, max-age=31536000, immutable");
      return c.body(wx.code, 200, js);
    }
    const sdk = await buildSdk();
    if (file !== `${sdk.hash}.js`) return c.redirect(`/sdk/${sdk.hash}.js`, 302);
    c.header("Cache-Control", "public, max-age=31536000, immutable");
    return c.body(sdk.code, 200, js);
  });

  return app;
}

function pixelType(t: string): MessageType {
  if (isMessageType(t)) return t;
  throw new IngestError(400, `pixel type "${t}" is not one of ${MESSAGE_TYPES.join(", ")}`);
}
