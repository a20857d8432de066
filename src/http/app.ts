/**
 * The whole HTTP surface of Tessera on one screen: global middleware in the order it runs, then one
 * mount per room. Each room exports `xRoutes(deps)` returning a chained Hono app whose routes declare
 * themselves with endpoint() (permission, schemas, OpenAPI). Chained so `typeof app` carries every route.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { z } from "zod";
import { readerEngine } from "../audiences/audience.ops.ts";
import { audienceRoutes, type AudienceRoutesDeps } from "../audiences/audiences.routes.ts";
import { forgetPersons } from "../audiences/forget.ts";
import { personDirectory, personExtras, resolvePerson } from "../audiences/persons.ts";
import { systemEventSink } from "../audiences/system-events.ts";
import { forgetAuditTargets } from "../auth/audit.ts";
import { auditRequest } from "../auth/audit-request.ts";
import { auditRoutes } from "../auth/audit.routes.ts";
import { actorOf } from "../auth/principal.ts";
import { identityRoutes, personsRoutes, type PersonsDeps } from "../identity/persons.routes.ts";
import { ingestRoutes } from "../ingest/ingest.routes.ts";
import { authenticate } from "../auth/authenticate.ts";
import { authRoutes, setupRoutes } from "../auth/auth.routes.ts";
import { tokenRoutes } from "../auth/tokens.routes.ts";
import { passwordRoutes, userRoutes } from "../auth/users.routes.ts";
import { activityRoutes } from "../insights/activity.routes.ts";
import { dashboardRoutes, insightRoutes } from "../insights/insights.routes.ts";
import { jobRoutes } from "../jobs/jobs.routes.ts";
import { eventRoutes, queryRoutes } from "../query/query.routes.ts";
import { getSettings } from "../settings/settings.ts";
import { settingsRoutes } from "../settings/settings.routes.ts";
import { tagRoutes } from "../tags/tags.routes.ts";
import { sourceRoutes } from "../sources/sources.routes.ts";
import { storageRoutes } from "../store/storage.routes.ts";
import { clientIp } from "./client-ip.ts";
import type { AppDeps } from "./deps.ts";
import { endpoint } from "./endpoint.ts";
import type { AppEnv } from "./env.ts";
import { notFound, onError } from "./errors.ts";
import { buildOpenApi, type MountedRoute } from "./openapi.ts";
import { dashboard } from "./static.ts";

/** API_BODY_LIMIT bounds management API bodies; ingestion routes set their own limits (SPEC §3). */
export const API_BODY_LIMIT = 1024 * 1024;

/** INGEST_PREFIXES are the public, CORS-open ingestion paths (SPEC §3); everything else needs auth. */
export const INGEST_PREFIXES = [
  "/v1", "/capture", "/batch", "/e", "/i/v0/e", "/i/v0/ai/batch", "/i/v1/analytics/events", "/track", "/engage", "/t.gif", "/pixel", "/sdk.js", "/sdk.json", "/sdk",
  // Sensors Data SDKs (server_url https://<host>/sa?project=<write key>).
  "/sa", "/sa.gif",
  // What PostHog SDKs ask besides capture, answered minimally so they stay quiet.
  "/flags", "/decide", "/array",
  // What RudderStack's JavaScript SDK asks its control plane, and its sendBeacon route.
  "/sourceConfig", "/beacon",
  // Jitsu's SDK: the only ingestion under /api, skipped by the management API's auth middleware.
  "/api/s",
] as const;

/** VERSION is reported by the OpenAPI document. */
export const VERSION = "0.1.0";

/** createApp builds the Hono app over the given dependencies; it starts nothing. */
export function createApp(deps: AppDeps) {
  let mounted: () => readonly MountedRoute[] = () => [];
  const { events } = deps;
  const persons: PersonsDeps = {
    identity: events.identity,
    kdb: deps.kdb,
    reader: events.store.reader,
    now: deps.now,
    personExtras: personExtras(deps.kdb),
    forget: (db, persons) => {
      forgetPersons(db, persons);
      forgetAuditTargets(db, persons);
    },
    guard: (spec) => endpoint({ ...spec, tags: ["persons"] }),
    actor: (c) => {
      const p = c.get("principal");
      return p ? actorOf(p) : "anonymous";
    },
    audit: (c, action, target, detail) => auditRequest(deps, c, action, target, detail),
  };

  const audiences: AudienceRoutesDeps = {
    db: deps.db,
    kdb: deps.kdb,
    engine: readerEngine(events.store.reader),
    persons: personDirectory(events.identity),
    sink: systemEventSink(deps),
    timezone: async () => (await getSettings(deps.kdb, deps.config)).timezone,
    now: deps.now,
  };

  const auth = authenticate(deps);
  const app = new Hono<AppEnv>()
    // 1. Every response carries X-Request-Id; 500s name it so a log line can be found.
    .use(requestId())
    // Only the management API reads it (rate limits, sessions, the audit log): ingestion never asks, and the
    // socket lookup was ~1% of the main thread at full ingest rate.
    .use("/api/*", async (c, next) => {
      c.set("clientIp", clientIp(c));
      await next();
    })
    // 2. Secure headers. The dashboard is a same-origin bundle: no inline script, no eval, no framing.
    .use(
      secureHeaders({
        contentSecurityPolicy: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", "data:"],
          connectSrc: ["'self'"],
          fontSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
        xFrameOptions: "DENY",
        referrerPolicy: "strict-origin-when-cross-origin",
        // Routes may set their own (ingest answers Cross-Origin-Resource-Policy: cross-origin for /sdk.js and pixels).
        overwrite: false,
      }),
    )
    // 3. Management API bodies are small; refuse big ones before reading them.
    .use("/api/*", bodyLimit({ maxSize: API_BODY_LIMIT, onError: (c) => c.json({ error: `request body too large (limit ${API_BODY_LIMIT} bytes)` }, 413) }))
    // 4. Who is calling (session cookie + CSRF, or bearer token). Routes decide what they require. Jitsu's
    //    ingestion routes under /api/s are the exception: a write key is their only credential, so a
    //    dashboard session cookie sent along (a site on the same origin) must not turn them into a 403.
    .use("/api/*", (c, next) => (c.req.path.startsWith("/api/s/") ? next() : auth(c, next)))

    .get("/healthz", endpoint({ summary: "Liveness and readiness for Docker and load balancers", tags: ["system"], access: "public", response: z.object({ ok: z.boolean() }) }), (c) =>
      deps.ready() ? c.json({ ok: true }, 200) : c.json({ ok: false }, 503),
    )

    // ── Ingestion (src/ingest/): public, CORS open, authenticated by write key, own body limits ──
    // /v1/* (Segment, RudderStack), /capture /batch /e /i/v0/e /i/v0/ai/batch /i/v1/analytics/events /track /engage (PostHog), /t.gif and pixels, /sdk.js
    .route("/", ingestRoutes({
      findSource: events.findSource,
      sink: events.sink,
      isSuppressed: events.isSuppressed,
      stats: events.stats,
      now: deps.now,
      onError: (err, where) => deps.log.error("ingest failed", { where, error: err instanceof Error ? err.message : String(err) }),
    }))

    // ── Management API (session or bearer token; permission per route) ──
    .route("/api/setup", setupRoutes(deps))
    .route("/api/auth", authRoutes(deps))
    .route("/api/auth/password", passwordRoutes(deps))
    .route("/api/users", userRoutes(deps))
    .route("/api/tokens", tokenRoutes(deps))
    .route("/api/sources", sourceRoutes(deps))
    .route("/api/sources", activityRoutes(deps))
    .route("/api/settings", settingsRoutes(deps))
    .route("/api/jobs", jobRoutes(deps))
    .route("/api/audit", auditRoutes(deps))
    .route("/api/storage", storageRoutes(deps))

    // ── People (src/identity/) ──
    .route("/api/persons", personsRoutes(persons))
    .route("/api/identity", identityRoutes(persons))

    // ── Analytics (later rooms mount here, each route declaring access "read" or "operate") ──
    .route("/api/query", queryRoutes(deps))
    .route("/api/events", eventRoutes(deps))
    .route("/api/audiences", audienceRoutes(audiences))
    .route("/api/tags", tagRoutes({ db: deps.db, kdb: deps.kdb, resolvePerson: resolvePerson(events.identity), persons: audiences.persons, now: deps.now }))
    .route("/api/insights", insightRoutes(deps))
    .route("/api/dashboards", dashboardRoutes(deps))

    .get("/api/openapi.json", endpoint({ summary: "This API's OpenAPI document", tags: ["system"], access: "read" }), (c) =>
      c.json(buildOpenApi(mounted(), { title: "Tessera API", version: VERSION }), 200),
    )

    // ── Dashboard: static bundle + SPA fallback; must stay last ──
    .get("*", dashboard(deps.webRoot));

  mounted = () => app.routes;
  app.onError(onError(deps.log));
  app.notFound(notFound);
  return app;
}

/** App is the type of the assembled app (for typed test clients). */
export type App = ReturnType<typeof createApp>;
