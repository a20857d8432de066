/**
 * HTTP surface of the tag catalogue (SPEC §6), mounted under `/api`: groups, tags (manual, rule —
 * the audience grammar — and computed: RFM, tiers, lifecycle), manual assignment and CSV import.
 * Requests arrive authenticated; `guard` admits analysts to reads and operators to writes.
 *
 * | route                                          | role     |
 * |------------------------------------------------|----------|
 * | GET    /tags, /tags/:id, /tags/groups          | analyst  |
 * | POST/PATCH/DELETE /tags/groups[/:id]           | operator |
 * | POST /tags, PATCH/DELETE /tags/:id             | operator |
 * | POST /tags/:id/assign, /tags/:id/unassign      | operator |
 * | POST /tags/import (text/csv: person,tag,value)  | operator |
 */
import type { Database } from "bun:sqlite";
import { Hono, type Context } from "hono";
import { syncDb } from "../db/sync.ts";
import { z } from "zod";
import { parseCsv } from "../audiences/csv.ts";
import { Definition, describeIssues } from "../audiences/definition.ts";
import { depKey } from "../audiences/dependencies.ts";
import { checkReferences, dependents } from "../audiences/graph.ts";
import { invalid, isUniqueViolation, readBody, type Guard } from "../audiences/route-helpers.ts";
import type { AudienceTagDb } from "../audiences/schema.ts";
import { ComputedSpec } from "./computed.ts";
import {
  assignTag, createGroup, createTag, deleteGroup, deleteTag, getTag, getTagByName, listGroups, listTags,
  unassignTag, updateGroup, updateTag, type Assignment, type Tag,
} from "./tags.repo.ts";

/** Identifier is a namespaced person identifier (`email:a@b.cn` in an import file). */
export interface Identifier {
  readonly type: string;
  readonly value: string;
}

/** TagRoutesDeps are the collaborators of the tag routes. */
export interface TagRoutesDeps {
  readonly db: Database;
  readonly kdb: AudienceTagDb;
  readonly guard: Guard;
  /** identity room: the person holding an identifier, or null */
  readonly resolvePerson: (id: Identifier) => Promise<number | null>;
  readonly clock?: () => number;
}

const TagName = z.string().regex(/^[\p{L}\p{N}_.:-]{1,100}$/u, "use 1–100 letters, digits or _ . : -");
const common = {
  name: TagName,
  label: z.string().max(200).nullable().optional(),
  description: z.string().max(2000).nullable().optional(),
  groupId: z.number().int().positive().nullable().optional(),
  emitEvent: z.string().min(1).max(200).nullable().optional(),
};
const TagCreate = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("manual"), valueType: z.enum(["boolean", "string"]), ...common }),
  z.strictObject({ kind: z.literal("rule"), definition: Definition, ...common }),
  z.strictObject({ kind: z.literal("computed"), definition: ComputedSpec, ...common }),
]);
const TagPatch = z.strictObject({
  label: common.label, description: common.description, groupId: common.groupId, emitEvent: common.emitEvent,
  definition: z.unknown().optional(),
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

const MAX_IMPORT_ROWS = 200_000;

/** valueIssue checks a value against the tag's type: none for boolean tags, required otherwise. */
function valueIssue(tag: Tag, value: string | null | undefined): string | null {
  if (tag.valueType === "boolean") return value ? `tag ${tag.name} is boolean and takes no value` : null;
  return value ? null : `tag ${tag.name} needs a value`;
}

/** tagRoutes builds the Hono sub-app; mount it with `app.route("/api", tagRoutes(deps))`. */
export function tagRoutes(deps: TagRoutesDeps) {
  const { kdb, guard } = deps;
  const sql = syncDb(deps.db, kdb);
  const clock = deps.clock ?? Date.now;
  const idOf = (c: Context) => Number(c.req.param("id"));
  const groupMissing = async (groupId: number | null | undefined) =>
    groupId != null && !(await kdb.selectFrom("tag_groups").select("id").where("id", "=", groupId).executeTakeFirst());
  const taken = (c: Context, what: string) => c.json({ error: `${what} exists` }, 409);

  return new Hono()
    .get("/tags/groups", guard("analyst"), async (c) => c.json({ groups: await listGroups(kdb) }))
    .post("/tags/groups", guard("operator"), async (c) => {
      const body = await readBody(c, GroupBody);
      if (!body.ok) return body.response;
      try {
        return c.json(await createGroup(kdb, body.value, clock()), 201);
      } catch (e) {
        if (isUniqueViolation(e)) return taken(c, `a group named ${JSON.stringify(body.value.name)}`);
        throw e;
      }
    })
    .patch("/tags/groups/:id{[0-9]+}", guard("operator"), async (c) => {
      const body = await readBody(c, GroupBody.partial());
      if (!body.ok) return body.response;
      try {
        const g = await updateGroup(kdb, idOf(c), body.value);
        return g ? c.json(g) : c.json({ error: "group not found" }, 404);
      } catch (e) {
        if (isUniqueViolation(e)) return taken(c, `a group named ${JSON.stringify(body.value.name)}`);
        throw e;
      }
    })
    .delete("/tags/groups/:id{[0-9]+}", guard("operator"), async (c) =>
      (await deleteGroup(kdb, idOf(c))) ? c.body(null, 204) : c.json({ error: "group not found" }, 404))
    .get("/tags", guard("analyst"), async (c) => {
      const group = c.req.query("group");
      return c.json({ tags: await listTags(kdb, group && /^\d+$/.test(group) ? Number(group) : undefined) });
    })
    .post("/tags", guard("operator"), async (c) => {
      const body = await readBody(c, TagCreate);
      if (!body.ok) return body.response;
      const t = body.value;
      if (await groupMissing(t.groupId)) return invalid(c, [{ path: "groupId", message: `unknown group ${t.groupId}` }]);
      if (t.kind === "rule") {
        const issues = await checkReferences(kdb, t.definition, null);
        if (issues.length > 0) return invalid(c, issues);
      }
      const lifecycle = t.kind === "computed" && t.definition.fn === "lifecycle";
      try {
        const created = await createTag(kdb, {
          ...t,
          valueType: t.kind === "manual" ? t.valueType : t.kind === "rule" ? "boolean" : "string",
          emitEvent: t.emitEvent !== undefined ? t.emitEvent : lifecycle ? "lifecycle_changed" : null,
        }, clock());
        return c.json(created, 201);
      } catch (e) {
        if (isUniqueViolation(e)) return taken(c, `a tag named ${JSON.stringify(t.name)}`);
        throw e;
      }
    })
    .get("/tags/:id{[0-9]+}", guard("analyst"), async (c) => {
      const tag = await getTag(kdb, idOf(c));
      return tag ? c.json(tag) : c.json({ error: "tag not found" }, 404);
    })
    .patch("/tags/:id{[0-9]+}", guard("operator"), async (c) => {
      const tag = await getTag(kdb, idOf(c));
      if (!tag) return c.json({ error: "tag not found" }, 404);
      const body = await readBody(c, TagPatch);
      if (!body.ok) return body.response;
      const { definition, ...rest } = body.value;
      if (await groupMissing(rest.groupId)) return invalid(c, [{ path: "groupId", message: `unknown group ${rest.groupId}` }]);
      let parsed: unknown;
      if (definition !== undefined) {
        if (tag.kind === "manual") return invalid(c, [{ path: "definition", message: "manual tags have no definition" }]);
        const r = (tag.kind === "rule" ? Definition : ComputedSpec).safeParse(definition);
        if (!r.success) return invalid(c, describeIssues(r.error, ["definition"]));
        if (tag.kind === "rule") {
          const issues = await checkReferences(kdb, Definition.parse(definition), depKey("tag", tag.name));
          if (issues.length > 0) return invalid(c, issues);
        }
        parsed = r.data;
      }
      const updated = await updateTag(kdb, tag.id, { ...rest, ...(parsed !== undefined && { definition: parsed }) }, clock());
      return c.json(updated);
    })
    .delete("/tags/:id{[0-9]+}", guard("operator"), async (c) => {
      const tag = await getTag(kdb, idOf(c));
      if (!tag) return c.json({ error: "tag not found" }, 404);
      const users = await dependents(kdb, depKey("tag", tag.name));
      if (users.length > 0) return c.json({ error: `tag ${tag.name} is used by ${users.join(", ")}`, dependents: users }, 409);
      await deleteTag(kdb, tag.id);
      return c.body(null, 204);
    })
    .post("/tags/:id{[0-9]+}/assign", guard("operator"), async (c) => {
      const tag = await getTag(kdb, idOf(c));
      if (!tag) return c.json({ error: "tag not found" }, 404);
      if (tag.kind !== "manual") return c.json({ error: `tag ${tag.name} is ${tag.kind}: its values are computed` }, 409);
      const body = await readBody(c, AssignBody);
      if (!body.ok) return body.response;
      const issues = body.value.persons.flatMap((p, i) => {
        const msg = valueIssue(tag, p.value);
        return msg ? [{ path: `persons[${i}].value`, message: msg }] : [];
      });
      if (issues.length > 0) return invalid(c, issues);
      const rows = body.value.persons.map((p) => ({ personId: p.person, value: p.value ?? null }));
      return c.json({ coverage: await assignTag(sql, tag.id, rows, "manual", clock()) });
    })
    .post("/tags/:id{[0-9]+}/unassign", guard("operator"), async (c) => {
      const tag = await getTag(kdb, idOf(c));
      if (!tag) return c.json({ error: "tag not found" }, 404);
      if (tag.kind !== "manual") return c.json({ error: `tag ${tag.name} is ${tag.kind}: its values are computed` }, 409);
      const body = await readBody(c, UnassignBody);
      if (!body.ok) return body.response;
      return c.json({ coverage: await unassignTag(sql, tag.id, body.value.persons) });
    })
    .post("/tags/import", guard("operator"), async (c) => {
      const rows = parseCsv(await c.req.text());
      const header = (rows[0] ?? []).map((h) => h.trim().toLowerCase());
      const [pi, ti, vi] = ["person", "tag", "value"].map((h) => header.indexOf(h)) as [number, number, number];
      if (pi < 0 || ti < 0) return invalid(c, [{ path: "(header)", message: "the first line must name the columns person,tag[,value]" }]);
      if (rows.length - 1 > MAX_IMPORT_ROWS) return c.json({ error: `at most ${MAX_IMPORT_ROWS} rows per import` }, 413);
      const create = c.req.query("create") === "true";
      const errors: { line: number; error: string }[] = [];
      const created: string[] = [];
      const byTag = new Map<number, { tag: Tag; rows: Assignment[] }>();
      for (let i = 1; i < rows.length; i++) {
        const line = i + 1;
        const [who, name, raw] = [rows[i]![pi]?.trim() ?? "", rows[i]![ti]?.trim() ?? "", vi >= 0 ? (rows[i]![vi]?.trim() ?? "") : ""];
        const value = raw === "" ? null : raw;
        const personId = await resolve(deps, who);
        if (personId === null) {
          errors.push({ line, error: `unknown person ${JSON.stringify(who)} (write person:<id> or type:value, e.g. email:a@b.cn)` });
          continue;
        }
        let tag = await getTagByName(kdb, name);
        if (!tag && create && TagName.safeParse(name).success) {
          tag = await createTag(kdb, { name, kind: "manual", valueType: value === null ? "boolean" : "string" }, clock());
          created.push(name);
        }
        if (!tag) { errors.push({ line, error: `unknown tag ${JSON.stringify(name)}` }); continue; }
        if (tag.kind !== "manual") { errors.push({ line, error: `tag ${tag.name} is ${tag.kind}: its values are computed` }); continue; }
        const msg = valueIssue(tag, value);
        if (msg) { errors.push({ line, error: msg }); continue; }
        let group = byTag.get(tag.id);
        if (!group) byTag.set(tag.id, (group = { tag, rows: [] }));
        group.rows.push({ personId, value });
      }
      let imported = 0;
      for (const { tag, rows: assignments } of byTag.values()) {
        await assignTag(sql, tag.id, assignments, "import", clock());
        imported += assignments.length;
      }
      return c.json({ imported, created, errors });
    });
}

// Namespaces that carry a parameter (SPEC §4): `wx_openid:<appid>:<openid>`.
const PARAMETERISED = new Set(["wx_openid", "wecom_external_userid", "douyin_open_id"]);

/**
 * resolve reads the person column: `person:<id>` is a person id; anything else is `type:value`,
 * looked up by the identity room. A bare value is refused — a phone number must not pass for an id.
 */
async function resolve(deps: TagRoutesDeps, who: string): Promise<number | null> {
  const parts = who.split(":");
  const typeParts = PARAMETERISED.has(parts[0] ?? "") ? 2 : 1;
  if (parts.length <= typeParts) return null;
  const type = parts.slice(0, typeParts).join(":");
  const value = parts.slice(typeParts).join(":");
  if (type === "person") return /^\d+$/.test(value) ? Number(value) : null;
  return value === "" ? null : deps.resolvePerson({ type, value });
}
