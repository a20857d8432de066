/**
 * HTTP surface of the tag catalogue (SPEC §6), mounted at `/api/tags`: groups, tags (manual, rule —
 * the audience grammar — and computed: RFM, tiers, lifecycle), manual assignment and CSV import.
 * Reads need "read"; every change, assignment and import needs "operate".
 *
 * | route                                              | access  |
 * |----------------------------------------------------|---------|
 * | GET    /api/tags, /api/tags/:id, /api/tags/groups  | read    |
 * | GET    /api/tags/:id/holders?cursor=&limit=        | read    |
 * | POST/PATCH/DELETE /api/tags/groups[/:id]           | operate |
 * | POST /api/tags, PATCH/DELETE /api/tags/:id         | operate |
 * | POST /api/tags/:id/assign, /api/tags/:id/unassign  | operate |
 * | POST /api/tags/import (text/csv: person,tag,value) | operate |
 */
import type { Database } from "bun:sqlite";
import { Hono, type Context } from "hono";
import { z } from "zod";
import { parseCsv } from "../audiences/csv.ts";
import { Definition, describeIssues } from "../audiences/definition.ts";
import { depKey } from "../audiences/dependencies.ts";
import { checkReferences, dependents } from "../audiences/graph.ts";
import type { PersonDirectory } from "../audiences/population.ts";
import { conflict, idParam, invalid, isUniqueViolation, notFound } from "../audiences/route-helpers.ts";
import { auditRequest } from "../auth/audit-request.ts";
import type { Kdb } from "../db/kysely.ts";
import { syncDb } from "../db/sync.ts";
import { endpoint, parseOptions } from "../http/endpoint.ts";
import type { AppEnv } from "../http/env.ts";
import { ComputedSpec } from "./computed.ts";
import { tagHolders } from "./holders.ts";
import {
  assignTag, createGroup, createTag, deleteGroup, deleteTag, getTag, getTagByName, listGroups, listTags,
  unassignTag, updateGroup, updateTag, type Assignment, type Tag,
} from "./tags.repo.ts";

/** Identifier names a person in an import file: `person:<id>` or a namespaced identifier (`email:a@b.cn`). */
export interface Identifier {
  readonly type: string;
  readonly value: string;
}

/** TagRoutesDeps are the collaborators of the tag routes. */
export interface TagRoutesDeps {
  readonly db: Database;
  readonly kdb: Kdb;
  /** identity room: the (surviving) person an identifier or `person` id names, or null */
  readonly resolvePerson: (id: Identifier) => number | null;
  /** identity room: live persons in the actors shape (the audience routes' directory) */
  readonly persons: Pick<PersonDirectory, "describe">;
  readonly now: () => number;
}

const tags = ["tags"];
const TagName = z.string().regex(/^[\p{L}\p{N}_.:-]{1,100}$/u, "use 1–100 letters, digits or _ . : -");
const common = {
  name: TagName,
  label: z.string().max(200).nullable().optional(),
  description: z.string().max(2000).nullable().optional(),
  groupId: z.number().int().positive().nullable().optional(),
  emitEvent: z.string().min(1).max(200).nullable().optional().describe("event emitted when a person's value changes"),
};
const TagCreate = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("manual"), valueType: z.enum(["boolean", "string"]), ...common }),
  z.strictObject({ kind: z.literal("rule"), definition: Definition, ...common }),
  z.strictObject({ kind: z.literal("computed"), definition: ComputedSpec, ...common }),
]);
const TagPatch = z.strictObject({
  label: common.label, description: common.description, groupId: common.groupId, emitEvent: common.emitEvent,
  definition: z.unknown().optional().describe("a rule tag's definition or a computed tag's spec"),
});
const GroupBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).nullable().optional(),
  position: z.number().int().min(0).max(100_000).optional(),
});
const Value = z.string().min(1).max(1000).nullable().optional();
const AssignBody = z.strictObject({
  persons: z.array(z.strictObject({ person: z.number().int().positive(), value: Value })).min(1).max(10_000),
});
const UnassignBody = z.strictObject({ persons: z.array(z.number().int().positive()).min(1).max(10_000) });
const ListQuery = z.object({ group: z.coerce.number().int().positive().optional() });
const HoldersQuery = z.object({
  cursor: z.string().regex(/^\d{1,16}$/, "must be the `next` value of a previous page").transform(Number).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
const ImportQuery = z.object({ create: z.enum(["true", "false"]).default("false").describe("create missing manual tags") });

const MAX_IMPORT_ROWS = 200_000;

/**
 * ImportIssue is why an import line was not applied: `error` in English for scripts, `code` and `params` so the
 * dashboard says it in the user's language.
 */
interface ImportIssue {
  readonly code: "missing_column" | "unknown_person" | "unknown_tag" | "computed_tag" | "takes_no_value" | "needs_value";
  readonly params: Readonly<Record<string, string>>;
  readonly error: string;
}

/** valueIssue checks a value against the tag's type: none for boolean tags, required otherwise. */
function valueIssue(tag: Tag, value: string | null | undefined): ImportIssue | null {
  if (tag.valueType === "boolean") return value ? { code: "takes_no_value", params: { tag: tag.name }, error: `tag ${tag.name} is boolean and takes no value` } : null;
  return value ? null : { code: "needs_value", params: { tag: tag.name }, error: `tag ${tag.name} needs a value` };
}

// Namespaces that carry a parameter (SPEC §4): `wx_openid:<appid>:<openid>`.
const PARAMETERISED = new Set(["wx_openid", "wecom_external_userid", "douyin_open_id"]);

/**
 * parseWho reads an import file's person column: `person:<id>` or `type:value`. A bare value is
 * refused — a phone number must not pass for a person id.
 */
function parseWho(who: string): Identifier | null {
  const parts = who.split(":");
  const typeParts = PARAMETERISED.has(parts[0] ?? "") ? 2 : 1;
  if (parts.length <= typeParts) return null;
  const value = parts.slice(typeParts).join(":");
  return value === "" ? null : { type: parts.slice(0, typeParts).join(":"), value };
}

/** tagRoutes is the /api/tags sub-app. */
export function tagRoutes(deps: TagRoutesDeps) {
  const { kdb } = deps;
  const sql = syncDb(deps.db, kdb);
  const groupMissing = async (groupId: number | null | undefined) =>
    groupId != null && !(await kdb.selectFrom("tag_groups").select("id").where("id", "=", groupId).executeTakeFirst());
  const tagOf = async (c: Context) => (await getTag(kdb, idParam(c, "tag"))) ?? notFound("tag");
  const manualOnly = (tag: Tag) => {
    if (tag.kind !== "manual") conflict(`tag ${tag.name} is ${tag.kind}: its values are computed`);
  };

  return new Hono<AppEnv>()
    .get("/groups", endpoint({ summary: "List tag groups", tags, access: "read" }), async (c) => c.json({ groups: await listGroups(kdb) }, 200))
    .post("/groups", endpoint({ summary: "Create a tag group", tags, access: "operate", body: GroupBody, status: 201 }), async (c) => {
      const body = c.req.valid("json");
      try {
        return c.json(await createGroup(kdb, body, deps.now()), 201);
      } catch (e) {
        if (isUniqueViolation(e)) conflict(`a group named ${JSON.stringify(body.name)} exists`);
        throw e;
      }
    })
    .patch("/groups/:id", endpoint({ summary: "Change a tag group", tags, access: "operate", body: GroupBody.partial() }), async (c) => {
      const body = c.req.valid("json");
      try {
        return c.json((await updateGroup(kdb, idParam(c, "group"), body)) ?? notFound("group"), 200);
      } catch (e) {
        if (isUniqueViolation(e)) conflict(`a group named ${JSON.stringify(body.name)} exists`);
        throw e;
      }
    })
    .delete("/groups/:id", endpoint({ summary: "Delete a tag group (its tags stay, ungrouped)", tags, access: "operate", status: 204 }), async (c) =>
      (await deleteGroup(kdb, idParam(c, "group"))) ? c.body(null, 204) : notFound("group"))
    .get("/", endpoint({ summary: "The tag catalogue with coverage", tags, access: "read", query: ListQuery }), async (c) =>
      c.json({ tags: await listTags(kdb, c.req.valid("query").group) }, 200))
    .post("/", endpoint({ summary: "Create a manual, rule or computed tag", tags, access: "operate", body: TagCreate, status: 201 }), async (c) => {
      const t = c.req.valid("json");
      if (await groupMissing(t.groupId)) invalid([{ path: "groupId", message: `unknown group ${t.groupId}` }]);
      if (t.kind === "rule") {
        const issues = await checkReferences(kdb, t.definition, null);
        if (issues.length > 0) invalid(issues);
      }
      const lifecycle = t.kind === "computed" && t.definition.fn === "lifecycle";
      try {
        const created = await createTag(kdb, {
          ...t,
          valueType: t.kind === "manual" ? t.valueType : t.kind === "rule" ? "boolean" : "string",
          emitEvent: t.emitEvent !== undefined ? t.emitEvent : lifecycle ? "lifecycle_changed" : null,
        }, deps.now());
        await auditRequest(deps, c, "tag.create", created.name, { kind: created.kind });
        return c.json(created, 201);
      } catch (e) {
        if (isUniqueViolation(e)) conflict(`a tag named ${JSON.stringify(t.name)} exists`);
        throw e;
      }
    })
    .post("/import", endpoint({
      summary: "Import manual tags from CSV (person,tag[,value]; person is person:<id> or type:value)",
      description: "The body is text/csv, at most 200 000 rows. Lines that cannot be applied are reported by number; the others are imported.",
      tags, access: "operate", query: ImportQuery,
    }), async (c) => {
      const rows = parseCsv(await c.req.text());
      const header = (rows[0] ?? []).map((h) => h.trim().toLowerCase());
      const [pi, ti, vi] = ["person", "tag", "value"].map((h) => header.indexOf(h)) as [number, number, number];
      if (pi < 0 || ti < 0) invalid([{ path: "(header)", message: "the first line must name the columns person,tag[,value]" }]);
      if (rows.length - 1 > MAX_IMPORT_ROWS) return c.json({ error: `at most ${MAX_IMPORT_ROWS} rows per import` }, 413);
      const create = c.req.valid("query").create === "true";
      const errors: ({ line: number } & ImportIssue)[] = [];
      const created: string[] = [];
      const byTag = new Map<number, { tag: Tag; rows: Assignment[] }>();
      for (let i = 1; i < rows.length; i++) {
        const line = i + 1;
        const [who, name, raw] = [rows[i]![pi]?.trim() ?? "", rows[i]![ti]?.trim() ?? "", vi >= 0 ? (rows[i]![vi]?.trim() ?? "") : ""];
        const value = raw === "" ? null : raw;
        // A line without a tag is a line of another shape ("bad line"), not a person we do not know.
        if (name === "") {
          errors.push({ line, code: "missing_column", params: {}, error: "no tag on this line: write person,tag[,value]" });
          continue;
        }
        const id = parseWho(who);
        const personId = id && deps.resolvePerson(id);
        if (!personId) {
          errors.push({ line, code: "unknown_person", params: { person: who }, error: `unknown person ${JSON.stringify(who)} (write person:<id> or type:value, e.g. email:a@b.cn)` });
          continue;
        }
        let tag = await getTagByName(kdb, name);
        if (!tag && create && TagName.safeParse(name).success) {
          tag = await createTag(kdb, { name, kind: "manual", valueType: value === null ? "boolean" : "string" }, deps.now());
          created.push(name);
        }
        if (!tag) { errors.push({ line, code: "unknown_tag", params: { tag: name }, error: `unknown tag ${JSON.stringify(name)}` }); continue; }
        if (tag.kind !== "manual") { errors.push({ line, code: "computed_tag", params: { tag: tag.name }, error: `tag ${tag.name} is ${tag.kind}: its values are computed` }); continue; }
        const issue = valueIssue(tag, value);
        if (issue) { errors.push({ line, ...issue }); continue; }
        let group = byTag.get(tag.id);
        if (!group) byTag.set(tag.id, (group = { tag, rows: [] }));
        group.rows.push({ personId, value });
      }
      let imported = 0;
      for (const { tag, rows: assignments } of byTag.values()) {
        assignTag(sql, tag.id, assignments, "import", deps.now());
        imported += assignments.length;
      }
      await auditRequest(deps, c, "tag.import", null, { imported, created, errors: errors.length });
      return c.json({ imported, created, errors }, 200);
    })
    .get("/:id", endpoint({ summary: "One tag", tags, access: "read" }), async (c) => c.json(await tagOf(c), 200))
    .get("/:id/holders", endpoint({
      summary: "The persons holding a tag, with their value and since when, paged",
      description: "Persons in the actors shape, by ascending id; a person merged away counts once, as the person it became.",
      tags, access: "read", query: HoldersQuery,
    }), async (c) => {
      const tag = await tagOf(c);
      const { cursor, limit } = c.req.valid("query");
      const page = tagHolders(sql, tag.id, cursor ?? null, limit);
      const actors = new Map((await deps.persons.describe(page.items.map((h) => h.personId))).map((p) => [p.id, p]));
      const persons = page.items.flatMap((h) => {
        const actor = actors.get(String(h.personId));
        return actor ? [{ ...actor, value: h.value, since: h.since }] : [];
      });
      return c.json({ persons, next: page.next, total: page.total }, 200);
    })
    .patch("/:id", endpoint({ summary: "Change a tag's label, group, emitted event or definition", tags, access: "operate", body: TagPatch }), async (c) => {
      const tag = await tagOf(c);
      const { definition, ...rest } = c.req.valid("json");
      if (await groupMissing(rest.groupId)) invalid([{ path: "groupId", message: `unknown group ${rest.groupId}` }]);
      let parsed: unknown;
      if (definition !== undefined) {
        if (tag.kind === "manual") invalid([{ path: "definition", message: "manual tags have no definition" }]);
        const r = (tag.kind === "rule" ? Definition : ComputedSpec).safeParse(definition, parseOptions(c));
        if (!r.success) invalid(describeIssues(r.error, ["definition"]));
        if (tag.kind === "rule") {
          const issues = await checkReferences(kdb, Definition.parse(definition), depKey("tag", tag.name));
          if (issues.length > 0) invalid(issues);
        }
        parsed = r.data;
      }
      const updated = await updateTag(kdb, tag.id, { ...rest, ...(parsed !== undefined && { definition: parsed }) }, deps.now());
      await auditRequest(deps, c, "tag.update", tag.name, { fields: Object.keys(c.req.valid("json")) });
      return c.json(updated, 200);
    })
    .delete("/:id", endpoint({ summary: "Delete a tag (refused while packs or rule tags use it)", tags, access: "operate", status: 204 }), async (c) => {
      const tag = await tagOf(c);
      const users = await dependents(kdb, depKey("tag", tag.name));
      if (users.length > 0) return c.json({ error: `tag ${tag.name} is used by ${users.join(", ")}`, dependents: users }, 409);
      await deleteTag(kdb, tag.id);
      await auditRequest(deps, c, "tag.delete", tag.name, null);
      return c.body(null, 204);
    })
    .post("/:id/assign", endpoint({ summary: "Set a manual tag on persons", tags, access: "operate", body: AssignBody }), async (c) => {
      const tag = await tagOf(c);
      manualOnly(tag);
      const body = c.req.valid("json");
      // A merged person's id names the person it became; an id that names no one is refused.
      const persons = body.persons.map((p) => deps.resolvePerson({ type: "person", value: String(p.person) }));
      const issues = body.persons.flatMap((p, i) => {
        const msg = persons[i] === null ? `unknown person ${p.person}` : valueIssue(tag, p.value)?.error;
        return msg ? [{ path: `persons.${i}.${persons[i] === null ? "person" : "value"}`, message: msg }] : [];
      });
      if (issues.length > 0) invalid(issues);
      const rows = body.persons.map((p, i) => ({ personId: persons[i]!, value: p.value ?? null }));
      return c.json({ coverage: assignTag(sql, tag.id, rows, "manual", deps.now()) }, 200);
    })
    .post("/:id/unassign", endpoint({ summary: "Remove a manual tag from persons", tags, access: "operate", body: UnassignBody }), async (c) => {
      const tag = await tagOf(c);
      manualOnly(tag);
      return c.json({ coverage: unassignTag(sql, tag.id, c.req.valid("json").persons) }, 200);
    });
}
