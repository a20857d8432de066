/**
 * Repository functions for audience packs (Kysely, database first). Membership is stored as one BLOB
 * per pack (membership.ts) plus a person → packs index written from diffs, so recomputing a 1M pack
 * writes only the persons who entered or exited.
 */
import type { Database } from "bun:sqlite";
import type { Kysely, Selectable } from "kysely";
import type { SyncDb } from "../db/sync.ts";
import type { AudiencesTable, AudienceTables } from "./audiences.table.ts";
import type { Node } from "./definition.ts";
import { forBatches } from "./batches.ts";
import { survivorsOf } from "../identity/persons.repo.ts";
import { decodeMembers, diffMembers, encodeMembers, isMember, type MembershipDiff } from "./membership.ts";

/** AudiencesDb is any Kysely instance that knows the audience tables. */
export type AudiencesDb = Kysely<AudienceTables>;

/** Audience is a pack as the API shows it (definition parsed). */
export interface Audience {
  readonly id: number;
  readonly name: string;
  readonly description: string | null;
  readonly definition: Node;
  readonly schedule: string | null;
  readonly timezone: string | null;
  readonly status: "active" | "paused";
  readonly size: number | null;
  readonly lastAsOf: number | null;
  readonly lastComputedAt: number | null;
  readonly lastDurationMs: number | null;
  readonly lastError: string | null;
  readonly nextRunAt: number | null;
  readonly createdBy: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

function toAudience(r: Selectable<AudiencesTable>): Audience {
  return {
    id: r.id, name: r.name, description: r.description, definition: JSON.parse(r.definition) as Node,
    schedule: r.schedule, timezone: r.timezone, status: r.status, size: r.size, lastAsOf: r.last_as_of,
    lastComputedAt: r.last_computed_at, lastDurationMs: r.last_duration_ms, lastError: r.last_error,
    nextRunAt: r.next_run_at, createdBy: r.created_by, createdAt: r.created_at, updatedAt: r.updated_at,
  };
}

/** AudienceInput is what a user sets on a pack. */
export interface AudienceInput {
  readonly name: string;
  readonly description?: string | null;
  readonly definition: Node;
  readonly schedule?: string | null;
  readonly timezone?: string | null;
  readonly status?: "active" | "paused";
}

/** createAudience inserts a pack; the caller has validated the definition and its references. */
export async function createAudience(
  k: AudiencesDb, input: AudienceInput & { createdBy?: string | null; nextRunAt?: number | null }, now: number,
): Promise<Audience> {
  const row = await k
    .insertInto("audiences")
    .values({
      name: input.name, description: input.description ?? null, definition: JSON.stringify(input.definition),
      schedule: input.schedule ?? null, timezone: input.timezone ?? null, status: input.status ?? "active",
      size: null, last_as_of: null, last_computed_at: null, last_duration_ms: null, last_error: null,
      next_run_at: input.nextRunAt ?? null, created_by: input.createdBy ?? null, created_at: now, updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toAudience(row);
}

/** getAudience returns one pack or null. */
export async function getAudience(k: AudiencesDb, id: number): Promise<Audience | null> {
  const row = await k.selectFrom("audiences").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? toAudience(row) : null;
}

/** listAudiences returns every pack, newest first. */
export async function listAudiences(k: AudiencesDb): Promise<Audience[]> {
  const rows = await k.selectFrom("audiences").selectAll().orderBy("id", "desc").execute();
  return rows.map(toAudience);
}

/** updateAudience changes the given fields; null when the pack does not exist. */
export async function updateAudience(
  k: AudiencesDb, id: number, patch: Partial<AudienceInput> & { nextRunAt?: number | null }, now: number,
): Promise<Audience | null> {
  const row = await k
    .updateTable("audiences")
    .set({
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.description !== undefined && { description: patch.description }),
      ...(patch.definition !== undefined && { definition: JSON.stringify(patch.definition) }),
      ...(patch.schedule !== undefined && { schedule: patch.schedule }),
      ...(patch.timezone !== undefined && { timezone: patch.timezone }),
      ...(patch.status !== undefined && { status: patch.status }),
      ...(patch.nextRunAt !== undefined && { next_run_at: patch.nextRunAt }),
      updated_at: now,
    })
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirst();
  return row ? toAudience(row) : null;
}

/** deleteAudience removes a pack with its membership, history and pending changes. */
export async function deleteAudience(k: AudiencesDb, id: number): Promise<boolean> {
  const r = await k.deleteFrom("audiences").where("id", "=", id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Snapshot is a pack's current membership. */
export interface Snapshot {
  readonly asOf: number;
  readonly size: number;
  readonly computedAt: number;
  readonly members: Int32Array;
}

/**
 * readSnapshot loads the current membership of a pack (null before the first computation).
 * Synchronous: the set evaluator asks it inside the store worker's read snapshot.
 */
export function readSnapshot(s: SyncDb<AudienceTables>, audienceId: number): Snapshot | null {
  const row = s.first(s.k.selectFrom("audience_snapshots").selectAll().where("audience_id", "=", audienceId));
  if (!row) return null;
  return { asOf: row.as_of, size: row.size, computedAt: row.computed_at, members: decodeMembers(row.members) };
}

/** Computation is the result of evaluating a pack once. */
export interface Computation {
  readonly audienceId: number;
  readonly runId: number | null;
  readonly asOf: number;
  /** ascending person ids */
  readonly members: Int32Array;
  readonly computedAt: number;
  readonly durationMs: number;
}

/** ComputationOutcome says how membership moved. */
export interface ComputationOutcome {
  readonly size: number;
  readonly entered: number;
  readonly exited: number;
  /** id of the audience_changes row to emit, null when nothing moved or on the first computation */
  readonly changeId: number | null;
}

/**
 * personMoves turns the snapshot's row diff into who entered and exited as persons: a member merged into
 * another person since the last computation continues as that survivor: no exit while the survivor is a
 * member, no entry for a survivor that brings one along. (Deleted persons are already out of the snapshot.)
 */
function personMoves(db: Database, rows: MembershipDiff, members: Int32Array): MembershipDiff {
  const survivors = survivorsOf(db, Array.from(rows.exited));
  const absorbed = new Set<number>();
  const exited = new Set<number>();
  for (const [p, survivor] of survivors) {
    if (survivor !== p) absorbed.add(survivor);
    if (!isMember(members, survivor)) exited.add(survivor);
  }
  return {
    entered: rows.entered.filter((p) => !absorbed.has(p)),
    exited: Int32Array.from(exited).sort(),
  };
}

/**
 * saveComputation replaces a pack's membership in one transaction: diff against the previous
 * snapshot, write the new snapshot, apply the diff to the person index, append size history and the
 * change to emit. The first computation establishes membership without a change to emit (a new pack
 * must not fire "entered" for everyone already in it). `within` lets a caller add its own writes
 * (the materialisation step mark) to the same transaction. Synchronous, so the store's group commit
 * can never land inside it (src/db/sync.ts).
 */
export function saveComputation(s: SyncDb<AudienceTables>, c: Computation, within?: () => void): ComputationOutcome {
  const { k } = s;
  return s.transaction(() => {
    const prevRow = s.first(k.selectFrom("audience_snapshots").select("members").where("audience_id", "=", c.audienceId));
    const first = prevRow === undefined;
    const diff = diffMembers(first ? new Int32Array(0) : decodeMembers(prevRow.members), c.members);
    const moved = first ? diff : personMoves(s.db, diff, c.members);
    s.run(k
      .insertInto("audience_snapshots")
      .values({
        audience_id: c.audienceId, run_id: c.runId, as_of: c.asOf, size: c.members.length,
        members: encodeMembers(c.members), computed_at: c.computedAt,
      })
      .onConflict((oc) => oc.column("audience_id").doUpdateSet((eb) => ({
        run_id: eb.ref("excluded.run_id"), as_of: eb.ref("excluded.as_of"), size: eb.ref("excluded.size"),
        members: eb.ref("excluded.members"), computed_at: eb.ref("excluded.computed_at"),
      }))));
    forBatches(diff.exited, (b) =>
      s.run(k.deleteFrom("audience_members").where("audience_id", "=", c.audienceId).where("person_id", "in", [...b])));
    forBatches(diff.entered, (b) =>
      s.run(k.insertInto("audience_members")
        .values(Array.from(b, (person_id) => ({ audience_id: c.audienceId, person_id, since: c.asOf })))));
    let changeId: number | null = null;
    if (!first && moved.entered.length + moved.exited.length > 0) {
      const ch = s.first(k
        .insertInto("audience_changes")
        .values({
          audience_id: c.audienceId, run_id: c.runId, as_of: c.asOf, entered: encodeMembers(moved.entered),
          exited: encodeMembers(moved.exited), entered_count: moved.entered.length, exited_count: moved.exited.length,
          created_at: c.computedAt, emitted_at: null,
        })
        .returning("id"))!;
      changeId = ch.id;
    }
    s.run(k
      .insertInto("audience_sizes")
      .values({
        audience_id: c.audienceId, run_id: c.runId, as_of: c.asOf, size: c.members.length,
        entered: moved.entered.length, exited: moved.exited.length, computed_at: c.computedAt, duration_ms: c.durationMs,
      }));
    s.run(k
      .updateTable("audiences")
      .set({
        size: c.members.length, last_as_of: c.asOf, last_computed_at: c.computedAt,
        last_duration_ms: c.durationMs, last_error: null,
      })
      .where("id", "=", c.audienceId));
    within?.();
    return { size: c.members.length, entered: moved.entered.length, exited: moved.exited.length, changeId };
  });
}

/** recordFailure keeps the last error on the pack so the list can show stale packs. */
export async function recordFailure(k: AudiencesDb, audienceId: number, error: string): Promise<void> {
  await k.updateTable("audiences").set({ last_error: error.slice(0, 2000) }).where("id", "=", audienceId).execute();
}

/** SizePoint is one entry of a pack's size history. */
export interface SizePoint {
  readonly asOf: number;
  readonly computedAt: number;
  readonly size: number;
  readonly entered: number;
  readonly exited: number;
  readonly durationMs: number;
}

/** listSizes returns the latest `limit` computations of a pack, oldest first (for sparklines). */
export async function listSizes(k: AudiencesDb, audienceId: number, limit = 90): Promise<SizePoint[]> {
  const rows = await k
    .selectFrom("audience_sizes")
    .select(["as_of", "computed_at", "size", "entered", "exited", "duration_ms"])
    .where("audience_id", "=", audienceId)
    .orderBy("computed_at", "desc")
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
  return rows.reverse().map((r) => ({
    asOf: r.as_of, computedAt: r.computed_at, size: r.size, entered: r.entered, exited: r.exited, durationMs: r.duration_ms,
  }));
}

/** PendingChange is a membership change whose events are not emitted yet. */
export interface PendingChange {
  readonly id: number;
  readonly audienceId: number;
  readonly asOf: number;
  readonly createdAt: number;
  readonly entered: Int32Array;
  readonly exited: Int32Array;
}

/** pendingChanges lists changes awaiting emission, oldest first. */
export async function pendingChanges(k: AudiencesDb, audienceId?: number): Promise<PendingChange[]> {
  let q = k.selectFrom("audience_changes").selectAll().where("emitted_at", "is", null);
  if (audienceId !== undefined) q = q.where("audience_id", "=", audienceId);
  const rows = await q.orderBy("id").execute();
  return rows.map((r) => ({
    id: r.id, audienceId: r.audience_id, asOf: r.as_of, createdAt: r.created_at, entered: decodeMembers(r.entered), exited: decodeMembers(r.exited),
  }));
}

/** markEmitted stamps a change once its events are committed to the store. */
export async function markEmitted(k: AudiencesDb, changeId: number, now: number): Promise<void> {
  await k.updateTable("audience_changes").set({ emitted_at: now }).where("id", "=", changeId).execute();
}

/** personAudiences lists the packs a person is in, with the as_of they entered. */
export async function personAudiences(k: AudiencesDb, personId: number): Promise<{ audienceId: number; since: number }[]> {
  const rows = await k
    .selectFrom("audience_members")
    .select(["audience_id", "since"])
    .where("person_id", "=", personId)
    .orderBy("audience_id")
    .execute();
  return rows.map((r) => ({ audienceId: r.audience_id, since: r.since }));
}
