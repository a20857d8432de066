/**
 * The person and identity API (SPEC §4). Two sub-apps: `personsRoutes` mounts at /api/persons and
 * `identityRoutes` at /api/identity. Authentication is the app's; each route states the permission it needs
 * through `deps.guard` (the foundation's endpoint()): reads need "read" (analyst and up); deleting,
 * exporting, unmerging and changing guard settings need "admin". Export is admin-only because it is a
 * privacy action that dumps decrypted PII and every event.
 *
 *   GET    /api/persons?search=&cursor=&limit=   read   actors shape {persons:[{id,identifiers,traits}],next}
 *   GET    /api/persons/:id                      read   person page (+ tags/audiences from deps.personExtras)
 *   GET    /api/persons/:id/events?cursor=&limit=&event=   read   cross-channel timeline, newest first
 *   GET    /api/persons/:id/edges?removed=true   read   the links that hold the person together
 *   GET    /api/persons/:id/export               admin  everything stored, as JSON
 *   DELETE /api/persons/:id?suppress=true        admin  delete profile, identifiers, edges, events
 *   POST   /api/persons/:id/unmerge              admin  {edgeId} or {identities:[…]}
 *   GET    /api/identity/conflicts?cursor=&limit= read  links the guards refused
 *   POST   /api/identity/conflicts/:id/link      admin  apply a refused link anyway (an `admin` edge)
 *   DELETE /api/identity/edges/:id               admin  remove one link and split if it was a bridge
 *   GET    /api/identity/settings                read   guard settings;  PATCH (admin) changes them
 *   GET    /api/identity/suppressions?cursor=&limit=  admin  identifiers whose data is dropped (namespace, since)
 *   POST   /api/identity/suppressions/check      admin  {type, value} → the suppression, or null
 *   DELETE /api/identity/suppressions/:id        admin  lift one: that identifier's data is taken in again
 *
 * Exports, deletions, unmerges, forced and removed links, guard changes and lifted suppressions go to the
 * audit log.
 */
import { Hono, type Context, type MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { z } from "zod";
import type { Kdb } from "../db/kysely.ts";
import { parseOptions } from "../http/endpoint.ts";
import type { ReaderClient } from "../store/reader-client.ts";
import { channelOf } from "./identifier.ts";
import { IdentitySettingsPatch } from "./identity-settings.ts";
import type { IdentityService } from "./identity-service.ts";
import { listConflicts, personView, searchPersons, sourceLookup } from "./persons.repo.ts";
import { deletePerson, exportPerson, identifierRows, rootOf, type PrivacyDeps } from "./privacy.ts";
import type { TimelineCursor } from "./timeline.ts";
import { linkConflict, personEdges, removeEdge, splitIdentities, UnmergeError, type SplitResult } from "./unmerge.ts";

/** Access is the permission a route needs (foundation roles: analyst has read, admin has all). */
export type Access = "read" | "admin";

/** PersonsDeps is what the person API needs; the app wires auth through `guard`. */
export interface PersonsDeps {
  readonly identity: IdentityService;
  readonly kdb: Kdb;
  readonly reader: ReaderClient;
  readonly now?: () => number;
  /** guard returns the middleware enforcing a route's permission (e.g. the foundation's endpoint()). */
  readonly guard?: (spec: { summary: string; access: Access }) => MiddlewareHandler;
  /** actor names who is acting (recorded on removed edges). */
  readonly actor?: (c: Context) => string;
  /** personExtras adds what other rooms own to the person page: tags, audience memberships. */
  readonly personExtras?: (person: number) => Promise<Record<string, unknown>>;
  /** forget removes what other rooms hold about deleted persons, inside the deletion (PrivacyDeps.forget). */
  readonly forget?: PrivacyDeps["forget"];
  /** audit records a privacy or identity action in the audit log (the foundation's auditRequest). */
  readonly audit?: (c: Context, action: string, target: string, detail?: unknown) => Promise<void>;
}

const Id = z.string().regex(/^[1-9]\d{0,15}$/, "must be a person id").transform(Number);
const Limit = z.coerce.number().int().min(1).max(500);
const NumericCursor = z.string().regex(/^\d{1,16}$/, "must be a cursor from a previous page").transform(Number);

const SearchQuery = z.object({ search: z.string().max(500).default(""), cursor: NumericCursor.optional(), limit: Limit.default(50) });
const EventsQuery = z.object({ cursor: z.string().max(200).optional(), limit: Limit.default(50) });
const DeleteQuery = z.object({ suppress: z.enum(["true", "false", "1", "0"]).default("false") });
const ConflictId = z.string().regex(/^[1-9]\d{0,15}$/, "must be a conflict id").transform(Number);
const SuppressionId = z.string().regex(/^[1-9]\d{0,15}$/, "must be a suppression id").transform(Number);
const SuppressionCheck = z.object({ type: z.string().min(1).max(200), value: z.string().min(1).max(1024) }).strict();
const UnmergeBody = z.union([
  z.object({ edgeId: z.string().max(40) }).strict(),
  z.object({ identities: z.array(z.number().int().positive()).min(1).max(10_000) }).strict(),
]);

/** conflict answers 409 when an unmerge cannot be done as asked (the graph is left as it was). */
function conflict<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof UnmergeError) throw new HTTPException(409, { message: e.message });
    throw e;
  }
}

const encodeCursor = (c: TimelineCursor) => Buffer.from(JSON.stringify([c.ts, c.hi, c.lo])).toString("base64url");
function decodeCursor(s: string | undefined): TimelineCursor | null {
  if (s === undefined) return null;
  try {
    const v = z.tuple([z.number(), z.number().int(), z.number().int()]).parse(JSON.parse(Buffer.from(s, "base64url").toString()));
    return { ts: v[0], hi: v[1], lo: v[2] };
  } catch {
    throw new HTTPException(400, { message: "cursor: must be the `next` value of a previous page" });
  }
}

/** parse validates one part of a request (`what`: query, body, id): not of the schema is a 400 in the caller's language. */
function parse<T extends z.ZodType>(c: Context, schema: T, data: unknown, what: string): z.output<T> {
  const r = schema.safeParse(data, parseOptions(c));
  if (!r.success) throw new HTTPException(400, { message: `${what}: ${r.error.issues.map((i) => `${i.path.join(".") || "value"} ${i.message}`).join("; ")}` });
  return r.data;
}

/** jsonBody reads and validates a JSON body: one that is not JSON, or not of the schema, is a 400. */
async function jsonBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.output<T>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new HTTPException(400, { message: "the request body must be JSON" });
  }
  return parse(c, schema, body, "body");
}

const splitJson = (s: SplitResult) => ({
  person: String(s.person),
  persons: s.persons.map((p) => ({ id: String(p.id), identities: p.identities, restored: p.restored })),
});

/** personsRoutes is the /api/persons sub-app. */
export function personsRoutes(deps: PersonsDeps) {
  const guard = deps.guard ?? (() => async (_c, next) => next());
  const now = deps.now ?? Date.now;
  const actor = deps.actor ?? (() => "admin");
  const { identity, kdb, reader } = deps;
  const audit = deps.audit ?? (async () => {});
  /** person resolves :id to its surviving person (a merged id shows the person it became). */
  const person = (c: Context) => rootOf(identity.graph, parse(c, Id, c.req.param("id"), "id"));

  return new Hono()
    .get("/", guard({ summary: "Search persons by identifier or trait value", access: "read" }), async (c) => {
      const q = parse(c, SearchQuery, c.req.query(), "query");
      const page = await searchPersons(identity, reader, q.search, q.cursor ?? null, q.limit);
      return c.json({ persons: page.items, next: page.next });
    })
    .get("/:id", guard({ summary: "A person: identifiers by channel, traits with provenance", access: "read" }), async (c) => {
      const id = person(c);
      const view = id === null ? null : await personView(identity, kdb, id);
      if (!view) return c.json({ error: "no such person" }, 404);
      const extras = deps.personExtras ? await deps.personExtras(id!) : { tags: [], audiences: [] };
      return c.json({ ...view, ...extras, requestedId: c.req.param("id") });
    })
    .get("/:id/events", guard({ summary: "A person's cross-channel timeline, newest first", access: "read" }), async (c) => {
      const id = person(c);
      if (id === null) return c.json({ error: "no such person" }, 404);
      const q = parse(c, EventsQuery, c.req.query(), "query");
      const events = c.req.queries("event") ?? null;
      const ids = identifierRows(identity.graph, id);
      const byId = new Map(ids.map((i) => [i.id, i]));
      const page = await reader.call("personEvents", { identities: ids.map((i) => i.id), before: decodeCursor(q.cursor), limit: q.limit, events });
      const { name: source, platform } = await sourceLookup(kdb);
      return c.json({
        events: page.rows.map((r) => {
          const via = byId.get(r.identity);
          return {
            time: new Date(r.ts).toISOString(), event: r.event, properties: r.props,
            identifier: via ? { type: via.type, value: via.value } : null,
            channel: platform(r.source) ?? (via ? channelOf(via.type) : null), source: source(r.source),
          };
        }),
        next: page.next ? encodeCursor(page.next) : null,
      });
    })
    .get("/:id/edges", guard({ summary: "The links between a person's identifiers", access: "read" }), (c) => {
      const id = person(c);
      if (id === null) return c.json({ error: "no such person" }, 404);
      return c.json({ edges: personEdges(identity.graph, id, c.req.query("removed") === "true") });
    })
    .get("/:id/export", guard({ summary: "Export everything stored about a person", access: "admin" }), async (c) => {
      const out = await exportPerson({ graph: identity.graph, suppressions: identity.suppressions, reader }, parse(c, Id, c.req.param("id"), "id"));
      if (!out) return c.json({ error: "no such person" }, 404);
      await audit(c, "person.exported", `person:${out.person.id}`);
      c.header("Content-Disposition", `attachment; filename="person-${out.person.id}.json"`);
      return c.json(out);
    })
    .delete("/:id", guard({ summary: "Delete a person and all their data", access: "admin" }), async (c) => {
      const id = parse(c, Id, c.req.param("id"), "id");
      const suppress = ["true", "1"].includes(parse(c, DeleteQuery, c.req.query(), "query").suppress);
      const res = await deletePerson({ graph: identity.graph, suppressions: identity.suppressions, reader, forget: deps.forget }, id, { suppress, now: now() });
      if (!res) return c.json({ error: "no such person" }, 404);
      const deleted = { ...res, person: String(res.person) };
      // Counts only: the deletion also strips the person's id from earlier audit rows (deps.forget).
      await audit(c, "person.deleted", "person (deleted)", { persons: res.persons, identities: res.identities, events: res.events, suppressed: res.suppressed });
      return c.json({ deleted });
    })
    .post("/:id/unmerge", guard({ summary: "Split a wrongly merged person", access: "admin" }), async (c) => {
      const id = person(c);
      if (id === null) return c.json({ error: "no such person" }, 404);
      const b = await jsonBody(c, UnmergeBody);
      if ("edgeId" in b && !personEdges(identity.graph, id).some((e) => e.id === b.edgeId)) {
        throw new HTTPException(409, { message: `edge ${b.edgeId} is not a live link of person ${id}` });
      }
      const split = splitJson(
        conflict(() =>
          "edgeId" in b ? removeEdge(identity.graph, b.edgeId, actor(c), now()) : splitIdentities(identity.graph, id, b.identities, actor(c), now()),
        ),
      );
      await audit(c, "person.unmerged", `person:${id}`, { persons: split.persons.length });
      return c.json(split);
    });
}

/** identityRoutes is the /api/identity sub-app (conflicts, edges, guard settings). */
export function identityRoutes(deps: PersonsDeps) {
  const guard = deps.guard ?? (() => async (_c, next) => next());
  const now = deps.now ?? Date.now;
  const actor = deps.actor ?? (() => "admin");
  const { identity, kdb } = deps;
  const audit = deps.audit ?? (async () => {});
  return new Hono()
    .get("/conflicts", guard({ summary: "Links the identity guards refused", access: "read" }), async (c) => {
      const q = parse(c, z.object({ cursor: NumericCursor.optional(), limit: Limit.default(50) }), c.req.query(), "query");
      const page = await listConflicts(identity, kdb, q.cursor ?? null, q.limit);
      return c.json({ conflicts: page.items, next: page.next });
    })
    .post("/conflicts/:id/link", guard({ summary: "Apply a link the guards refused: both sides become one person (Unlink undoes it)", access: "admin" }), async (c) => {
      const linked = conflict(() => linkConflict(identity.graph, parse(c, ConflictId, c.req.param("id"), "id"), now()));
      if (!linked) return c.json({ error: "no such conflict" }, 404);
      await audit(c, "identity.link.forced", `person:${linked.person}`);
      return c.json({ person: String(linked.person) });
    })
    .delete("/edges/:id", guard({ summary: "Remove a link between identifiers (unmerge)", access: "admin" }), async (c) => {
      const split = splitJson(conflict(() => removeEdge(identity.graph, c.req.param("id"), actor(c), now())));
      await audit(c, "identity.link.removed", `person:${split.person}`, { persons: split.persons.length });
      return c.json(split);
    })
    .get("/settings", guard({ summary: "Identity guard settings", access: "read" }), (c) => c.json(identity.settings()))
    .patch("/settings", guard({ summary: "Change identity guard settings", access: "admin" }), async (c) => {
      const patch = await jsonBody(c, IdentitySettingsPatch);
      const next = identity.updateSettings(patch);
      await audit(c, "identity.settings.changed", "identity", patch);
      return c.json(next);
    })
    .get("/suppressions", guard({ summary: "Identifiers whose data is dropped at the door (after a deletion with suppression)", access: "admin" }), (c) => {
      const q = parse(c, z.object({ cursor: NumericCursor.optional(), limit: Limit.default(50) }), c.req.query(), "query");
      const page = identity.suppressions.list(q.cursor ?? null, q.limit);
      return c.json({ suppressions: page.items, total: identity.suppressions.size, next: page.next });
    })
    .post("/suppressions/check", guard({ summary: "Is this identifier suppressed? ({type, value}, read as ingestion reads them)", access: "admin" }), async (c) => {
      const b = await jsonBody(c, SuppressionCheck);
      const found = identity.suppression(b.type, b.value);
      if (found === undefined) throw new HTTPException(400, { message: `body: "${b.value}" is not a valid ${b.type} identifier` });
      return c.json({ suppression: found });
    })
    .delete("/suppressions/:id", guard({ summary: "Lift a suppression: the identifier's data is taken in again", access: "admin" }), async (c) => {
      const lifted = identity.suppressions.lift(parse(c, SuppressionId, c.req.param("id"), "id"));
      if (!lifted) return c.json({ error: "no such suppression" }, 404);
      await audit(c, "identity.suppression.lifted", `suppression:${lifted.id}`, { namespace: lifted.namespace, since: lifted.createdAt });
      return c.json({ lifted });
    });
}
