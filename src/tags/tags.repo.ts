/**
 * Repository functions for the tag catalogue and person tags (Kysely, database first). Tags are
 * referenced by name from definitions; person tags hold one value per (tag, person) — NULL for
 * boolean tags — and the source that set it.
 */
import type { Kysely, Selectable } from "kysely";
import { forBatches } from "../audiences/batches.ts";
import type { SyncDb } from "../db/sync.ts";
import type { IdentityTables } from "../identity/identity.table.ts";
import { survivorsOf } from "../identity/persons.repo.ts";
import { rootOf } from "../identity/privacy.ts";
import type { TagGroupsTable, TagKind, TagsTable, TagTables, TagValueType } from "./tags.table.ts";

/** TagsDb is any Kysely instance that knows the tag tables. */
export type TagsDb = Kysely<TagTables>;
type Db = TagsDb;

/** TagGroup is a folder of the catalogue. */
export interface TagGroup {
  readonly id: number;
  readonly name: string;
  readonly description: string | null;
  readonly position: number;
  readonly createdAt: number;
}

/** Tag is one catalogue entry; `definition` is a Node (rule) or a ComputedSpec (computed) as JSON. */
export interface Tag {
  readonly id: number;
  readonly name: string;
  readonly label: string | null;
  readonly description: string | null;
  readonly groupId: number | null;
  readonly kind: TagKind;
  readonly valueType: TagValueType;
  readonly definition: unknown;
  readonly emitEvent: string | null;
  readonly coverage: number;
  readonly lastComputedAt: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

const toGroup = (r: Selectable<TagGroupsTable>): TagGroup => ({
  id: r.id, name: r.name, description: r.description, position: r.position, createdAt: r.created_at,
});

const toTag = (r: Selectable<TagsTable>): Tag => ({
  id: r.id, name: r.name, label: r.label, description: r.description, groupId: r.group_id, kind: r.kind,
  valueType: r.value_type, definition: r.definition === null ? null : (JSON.parse(r.definition) as unknown),
  emitEvent: r.emit_event, coverage: r.coverage, lastComputedAt: r.last_computed_at,
  createdAt: r.created_at, updatedAt: r.updated_at,
});

/** GroupInput is what a user sets on a group. */
export interface GroupInput {
  readonly name: string;
  readonly description?: string | null;
  readonly position?: number;
}

export async function createGroup(k: TagsDb, g: GroupInput, now: number): Promise<TagGroup> {
  const row = await k.insertInto("tag_groups")
    .values({ name: g.name, description: g.description ?? null, position: g.position ?? 0, created_at: now })
    .returningAll().executeTakeFirstOrThrow();
  return toGroup(row);
}

export async function listGroups(k: TagsDb): Promise<TagGroup[]> {
  return (await k.selectFrom("tag_groups").selectAll().orderBy("position").orderBy("id").execute()).map(toGroup);
}

export async function updateGroup(k: TagsDb, id: number, g: Partial<GroupInput>): Promise<TagGroup | null> {
  if (g.name === undefined && g.description === undefined && g.position === undefined) {
    const same = await k.selectFrom("tag_groups").selectAll().where("id", "=", id).executeTakeFirst();
    return same ? toGroup(same) : null;
  }
  const row = await k.updateTable("tag_groups")
    .set({
      ...(g.name !== undefined && { name: g.name }),
      ...(g.description !== undefined && { description: g.description }),
      ...(g.position !== undefined && { position: g.position }),
    })
    .where("id", "=", id).returningAll().executeTakeFirst();
  return row ? toGroup(row) : null;
}

/** deleteGroup removes a group; its tags stay, ungrouped. */
export async function deleteGroup(k: TagsDb, id: number): Promise<boolean> {
  return Number((await k.deleteFrom("tag_groups").where("id", "=", id).executeTakeFirst()).numDeletedRows) > 0;
}

/** TagInput is what a user sets on a tag (the caller validated `definition` against `kind`). */
export interface TagInput {
  readonly name: string;
  readonly label?: string | null;
  readonly description?: string | null;
  readonly groupId?: number | null;
  readonly kind: TagKind;
  readonly valueType: TagValueType;
  readonly definition?: unknown;
  readonly emitEvent?: string | null;
}

export async function createTag(k: TagsDb, t: TagInput, now: number): Promise<Tag> {
  const row = await k.insertInto("tags")
    .values({
      name: t.name, label: t.label ?? null, description: t.description ?? null, group_id: t.groupId ?? null,
      kind: t.kind, value_type: t.valueType,
      definition: t.definition === undefined || t.definition === null ? null : JSON.stringify(t.definition),
      emit_event: t.emitEvent ?? null, last_computed_at: null, created_at: now, updated_at: now,
    })
    .returningAll().executeTakeFirstOrThrow();
  return toTag(row);
}

export async function getTag(k: Db, id: number): Promise<Tag | null> {
  const row = await k.selectFrom("tags").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? toTag(row) : null;
}

export async function getTagByName(k: Db, name: string): Promise<Tag | null> {
  const row = await k.selectFrom("tags").selectAll().where("name", "=", name).executeTakeFirst();
  return row ? toTag(row) : null;
}

/** listTags returns the catalogue (optionally one group), grouped then by name. */
export async function listTags(k: TagsDb, groupId?: number): Promise<Tag[]> {
  let q = k.selectFrom("tags").selectAll();
  if (groupId !== undefined) q = q.where("group_id", "=", groupId);
  return (await q.orderBy("group_id").orderBy("name").execute()).map(toTag);
}

/** updateTag changes label, description, group, definition or emitted event (kind and name are fixed). */
export async function updateTag(
  k: TagsDb, id: number, t: Partial<Pick<TagInput, "label" | "description" | "groupId" | "definition" | "emitEvent">>, now: number,
): Promise<Tag | null> {
  const row = await k.updateTable("tags")
    .set({
      ...(t.label !== undefined && { label: t.label }),
      ...(t.description !== undefined && { description: t.description }),
      ...(t.groupId !== undefined && { group_id: t.groupId }),
      ...(t.definition !== undefined && { definition: JSON.stringify(t.definition) }),
      ...(t.emitEvent !== undefined && { emit_event: t.emitEvent }),
      updated_at: now,
    })
    .where("id", "=", id).returningAll().executeTakeFirst();
  return row ? toTag(row) : null;
}

export async function deleteTag(k: TagsDb, id: number): Promise<boolean> {
  return Number((await k.deleteFrom("tags").where("id", "=", id).executeTakeFirst()).numDeletedRows) > 0;
}

function refreshCoverage(s: SyncDb<TagTables>, tagId: number): number {
  const { n } = s.first(s.k.selectFrom("person_tags").select((eb) => eb.fn.countAll<number>().as("n")).where("tag_id", "=", tagId))!;
  s.run(s.k.updateTable("tags").set({ coverage: n }).where("id", "=", tagId));
  return n;
}

/** Assignment is one (person, value) pair; value null for boolean tags. */
export interface Assignment {
  readonly personId: number;
  readonly value: string | null;
}

function upsert(s: SyncDb<TagTables>, tagId: number, rows: readonly Assignment[], source: string, now: number): void {
  forBatches([...rows], (b) =>
    s.run(s.k.insertInto("person_tags")
      .values(b.map((a) => ({ tag_id: tagId, person_id: a.personId, value: a.value, source, updated_at: now })))
      .onConflict((oc) => oc.columns(["tag_id", "person_id"]).doUpdateSet((eb) => ({
        value: eb.ref("excluded.value"), source: eb.ref("excluded.source"), updated_at: eb.ref("excluded.updated_at"),
      })))));
}

/** assignTag sets a tag on persons (replacing their value) and returns the new coverage. */
export function assignTag(s: SyncDb<TagTables>, tagId: number, rows: readonly Assignment[], source: string, now: number): number {
  return s.transaction(() => {
    upsert(s, tagId, rows, source, now);
    return refreshCoverage(s, tagId);
  });
}

/** unassignTag removes a tag from persons and returns the new coverage. */
export function unassignTag(s: SyncDb<TagTables>, tagId: number, personIds: readonly number[]): number {
  return s.transaction(() => {
    forBatches([...personIds], (b) =>
      s.run(s.k.deleteFrom("person_tags").where("tag_id", "=", tagId).where("person_id", "in", b)));
    return refreshCoverage(s, tagId);
  });
}

/**
 * rehomeMergedTags moves manual tag values of persons merged away onto the person they became (the
 * survivor keeps its own value when it has one) and returns how many moved. Rule and computed tags
 * need no move: the nightly run recomputes them over surviving persons only.
 */
export function rehomeMergedTags(s: SyncDb<TagTables & IdentityTables>): number {
  const { k } = s;
  return s.transaction(() => {
    const rows = s.all(k.selectFrom("person_tags")
      .innerJoin("persons", "persons.id", "person_tags.person_id")
      .innerJoin("tags", "tags.id", "person_tags.tag_id")
      .select(["person_tags.tag_id", "person_tags.person_id", "person_tags.value", "person_tags.source", "person_tags.updated_at"])
      .where("persons.merged_into", "is not", null).where("tags.kind", "=", "manual"));
    for (const r of rows) {
      const root = rootOf(s, r.person_id);
      if (root !== null) {
        s.run(k.insertInto("person_tags")
          .values({ tag_id: r.tag_id, person_id: root, value: r.value, source: r.source, updated_at: r.updated_at })
          .onConflict((oc) => oc.doNothing()));
      }
      s.run(k.deleteFrom("person_tags").where("tag_id", "=", r.tag_id).where("person_id", "=", r.person_id));
    }
    for (const tagId of new Set(rows.map((r) => r.tag_id))) refreshCoverage(s, tagId);
    return rows.length;
  });
}

/** PersonTag is a tag as the person page shows it. */
export interface PersonTag {
  readonly tagId: number;
  readonly name: string;
  readonly label: string | null;
  readonly value: string | null;
  readonly source: string;
  readonly updatedAt: number;
}

export async function personTags(k: TagsDb, personId: number): Promise<PersonTag[]> {
  const rows = await k.selectFrom("person_tags").innerJoin("tags", "tags.id", "person_tags.tag_id")
    .select(["tags.id as tagId", "tags.name", "tags.label", "person_tags.value", "person_tags.source", "person_tags.updated_at as updatedAt"])
    .where("person_tags.person_id", "=", personId).orderBy("tags.name").execute();
  return rows;
}

/**
 * tagMembers returns the ascending person ids carrying the tag named `name` (with exactly `value`
 * when given). Synchronous: the set evaluator asks it inside the store worker's read snapshot.
 */
export function tagMembers(s: SyncDb<TagTables>, name: string, value?: string): Int32Array {
  let q = s.k.selectFrom("person_tags").innerJoin("tags", "tags.id", "person_tags.tag_id")
    .select("person_tags.person_id").where("tags.name", "=", name);
  if (value !== undefined) q = q.where("person_tags.value", "=", value);
  return Int32Array.from(s.all(q.orderBy("person_tags.person_id")), (r) => r.person_id);
}

/** TagValueChanges summarises a recomputation. */
export interface TagValueChanges {
  readonly added: number;
  readonly removed: number;
  readonly changed: number;
  readonly coverage: number;
}

/**
 * replaceTagValues makes a rule or computed tag hold exactly `values` (person id → value), writing
 * only the differences, and — when the tag emits an event and was computed before — records each
 * change in tag_changes for `runId`. The first computation of a tag is silent. One transaction;
 * `within` adds the caller's writes (the materialisation step mark) to it.
 */
export function replaceTagValues(
  s: SyncDb<TagTables>,
  a: { tagId: number; values: ReadonlyMap<number, string | null>; source: string; runId: number | null; now: number },
  within?: (changes: TagValueChanges) => void,
): TagValueChanges {
  const { k } = s;
  return s.transaction(() => {
    const tag = s.first(k.selectFrom("tags").select(["emit_event", "last_computed_at"]).where("id", "=", a.tagId));
    if (!tag) throw new Error(`tag ${a.tagId} does not exist`);
    const record = tag.emit_event !== null && tag.last_computed_at !== null && a.runId !== null;
    const before = new Map<number, string | null>();
    for (const r of s.all(k.selectFrom("person_tags").select(["person_id", "value"]).where("tag_id", "=", a.tagId))) {
      before.set(r.person_id, r.value);
    }
    const removedIds = [...before.keys()].filter((p) => !a.values.has(p));
    // A person merged into another since the last run continues as its survivor: the survivor without a
    // row of its own had the merged person's value, and the merged person's row leaves without a change.
    const survivors = survivorsOf(s.db, removedIds);
    const inherited = new Map<number, string | null>();
    for (const [p, survivor] of survivors) {
      if (survivor !== p && !before.has(survivor) && !inherited.has(survivor)) inherited.set(survivor, before.get(p)!);
    }
    const writes: Assignment[] = [];
    const changes: { person_id: number; old_value: string | null; new_value: string | null }[] = [];
    let added = 0;
    let changed = 0;
    for (const [personId, value] of a.values) {
      const old = before.get(personId);
      if (old === undefined) added++;
      else if (old !== value) changed++;
      else continue;
      writes.push({ personId, value });
      const had = old !== undefined || inherited.has(personId);
      const was = old !== undefined ? old : inherited.get(personId) ?? null;
      if (!had || was !== value) changes.push({ person_id: personId, old_value: was, new_value: value });
    }
    for (const p of removedIds) if (survivors.get(p) === p) changes.push({ person_id: p, old_value: before.get(p) ?? null, new_value: null });
    for (const [survivor, was] of inherited) if (!a.values.has(survivor)) changes.push({ person_id: survivor, old_value: was, new_value: null });
    upsert(s, a.tagId, writes, a.source, a.now);
    forBatches(removedIds, (b) => s.run(k.deleteFrom("person_tags").where("tag_id", "=", a.tagId).where("person_id", "in", b)));
    if (record) {
      const runId = a.runId!;
      forBatches(changes, (b) =>
        s.run(k.insertInto("tag_changes")
          .values(b.map((c) => ({ run_id: runId, tag_id: a.tagId, ...c, emitted_at: null })))
          .onConflict((oc) => oc.doNothing())));
    }
    s.run(k.updateTable("tags").set({ coverage: a.values.size, last_computed_at: a.now }).where("id", "=", a.tagId));
    const result = { added, removed: removedIds.length, changed, coverage: a.values.size };
    within?.(result);
    return result;
  });
}

/** PendingTagChange is a recorded tag value change awaiting emission. */
export interface PendingTagChange {
  readonly runId: number;
  readonly tagId: number;
  readonly personId: number;
  readonly oldValue: string | null;
  readonly newValue: string | null;
}

/** pendingTagChanges lists the unemitted changes of a tag, from every run, oldest run first. */
export async function pendingTagChanges(k: Db, tagId: number): Promise<PendingTagChange[]> {
  const rows = await k.selectFrom("tag_changes").selectAll()
    .where("tag_id", "=", tagId).where("emitted_at", "is", null).orderBy("run_id").orderBy("person_id").execute();
  return rows.map((r) => ({ runId: r.run_id, tagId: r.tag_id, personId: r.person_id, oldValue: r.old_value, newValue: r.new_value }));
}

/** markTagChangesEmitted stamps the changes of one run and tag once their events are stored. */
export async function markTagChangesEmitted(k: Db, runId: number, tagId: number, now: number): Promise<void> {
  await k.updateTable("tag_changes").set({ emitted_at: now })
    .where("run_id", "=", runId).where("tag_id", "=", tagId).where("emitted_at", "is", null).execute();
}
