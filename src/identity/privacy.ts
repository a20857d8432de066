/**
 * Privacy requests (SPEC §4): delete a person — profile, the persons merged into it, identifiers, edges,
 * conflicts, change-log rows and every stored event in the tail and in segments — optionally suppressing
 * future data for its identifiers; and export everything stored about a person as JSON.
 *
 * Deletion order: one writer transaction removes the identity rows and the tail events and bumps the store's
 * deletion epoch (an in-flight compaction plan built from the old tail is refused); then the read side
 * rebuilds the segments that hold the person's identities and the writer swaps them in, retrying if a
 * concurrent merge got there first. Events arriving meanwhile with the same identifiers make a new person,
 * unless suppressed. Ids are never reused (identity_state), so no later event can inherit the deleted person.
 */
import type { Database } from "bun:sqlite";
import { applyCompaction } from "../store/compaction.ts";
import { purgeTail } from "../store/purge.ts";
import type { ReaderClient } from "../store/reader-client.ts";
import { parseHash } from "./fingerprint.ts";
import { transact, type IdentityGraph } from "./identity-graph.ts";
import { JUNK } from "./identity-index.ts";
import { twinOf } from "./identifier.ts";
import { isPiiNamespace } from "./pii.ts";
import type { Suppressions } from "./suppression.ts";
import type { TimelineCursor, TimelinePage, TimelineRow } from "./timeline.ts";
import { personEdges, type EdgeView } from "./unmerge.ts";

/** PrivacyDeps are what deletion and export touch. */
export interface PrivacyDeps {
  readonly graph: IdentityGraph;
  readonly suppressions: Suppressions;
  readonly reader: ReaderClient;
  /**
   * forget removes what other rooms hold about the deleted persons (tags, audience memberships),
   * inside the deletion's transaction on the writer connection, so no row naming them survives.
   */
  readonly forget?: (db: Database, persons: readonly number[]) => void;
}

/** DeleteResult counts what a deletion removed. */
export interface DeleteResult {
  readonly person: number;
  readonly persons: number;
  readonly identities: number;
  readonly events: number;
  readonly segmentsRewritten: number;
  readonly suppressed: number;
}

/** rootOf follows merged_into to the surviving person; null when the person does not exist. */
export function rootOf(g: { readonly db: Database }, person: number): number | null {
  const q = g.db.query<{ merged_into: number | null }, [number]>("SELECT merged_into FROM persons WHERE id = ?");
  let at = person;
  for (let hops = 0; hops < 64; hops++) {
    const row = q.get(at);
    if (!row) return null;
    if (row.merged_into === null) return at;
    at = row.merged_into;
  }
  return null;
}

/** mergedInto lists every person merged, directly or through others, into `person`. */
export function mergedInto(g: IdentityGraph, person: number): number[] {
  return g.db.query<{ id: number }, [number]>(
    `WITH RECURSIVE m(id) AS (SELECT id FROM persons WHERE merged_into = ?1
       UNION SELECT p.id FROM persons p JOIN m ON p.merged_into = m.id)
     SELECT id FROM m ORDER BY id`,
  ).all(person).map((r) => r.id);
}

/** deletePerson deletes a person and all their data; null when there is no such person. */
export async function deletePerson(
  deps: PrivacyDeps, person: number, opts: { suppress: boolean; now: number },
): Promise<DeleteResult | null> {
  const g = deps.graph;
  const root = rootOf(g, person);
  if (root === null) return null;
  const persons = [root, ...mergedInto(g, root)];
  const ids = g.index.members(root);
  const rows = g.db.query<{ id: number; ns: string; h: string; flags: number; value: string }, [string]>(
    "SELECT id, ns, value_hash AS h, flags, value FROM identities WHERE id IN (SELECT value FROM json_each(?))",
  ).all(JSON.stringify(ids));
  const idsJson = JSON.stringify(ids);
  const personsJson = JSON.stringify(persons);
  let suppressed = 0;
  const tailEvents = transact(g.db, opts.now, (tx) => {
    if (opts.suppress) {
      // Junk values are shared by strangers: suppressing "null" would drop everyone's events.
      for (const r of rows) {
        if (r.flags & JUNK) continue;
        deps.suppressions.add(r.ns, r.h, tx.now);
        suppressed++;
        // The same value from the other SDK family is the same user (identifier.ts twinOf); its value is clear.
        const twin = twinOf(r.ns);
        if (twin !== null) {
          deps.suppressions.add(twin, g.fp.hashOf(twin, r.value), tx.now);
          suppressed++;
        }
      }
    }
    const db = g.db;
    const inIds = "(SELECT value FROM json_each(?1))";
    db.query(`DELETE FROM identity_edges WHERE a IN ${inIds} OR b IN ${inIds}`).run(idsJson);
    db.query(`DELETE FROM identity_conflicts WHERE a IN ${inIds} OR b IN ${inIds}`).run(idsJson);
    db.query(`DELETE FROM identity_changes WHERE identity_id IN ${inIds} OR person_id IN (SELECT value FROM json_each(?2))`)
      .run(idsJson, personsJson);
    // Identities that moved away in an unmerge still name the person they were created in.
    db.query(`UPDATE identities SET origin_person = 0 WHERE origin_person IN (SELECT value FROM json_each(?))`).run(personsJson);
    db.query(`DELETE FROM identities WHERE id IN ${inIds}`).run(idsJson);
    // Before the persons go: their rows' change-log entries leave the log with them (migration 0050).
    deps.forget?.(db, persons);
    db.query(`DELETE FROM persons WHERE id IN (SELECT value FROM json_each(?))`).run(personsJson);
    const events = purgeTail(db, ids);
    g.persistCounters();
    tx.onCommit(() => {
      for (const r of rows) {
        const [hi, lo] = parseHash(r.h);
        g.index.remove(r.id, hi, lo);
      }
      deps.suppressions.reload();
    });
    return events;
  });
  let events = tailEvents;
  let segmentsRewritten = 0;
  for (let attempt = 0; attempt < 10; attempt++) {
    const { plan, rows: dropped } = await deps.reader.call("purgePlan", { identities: ids });
    if (plan.replaces.length === 0) break;
    if (applyCompaction(g.db, plan, opts.now)) {
      events += dropped;
      segmentsRewritten += plan.replaces.length;
    }
  }
  return { person: root, persons: persons.length, identities: ids.length, events, segmentsRewritten, suppressed };
}

/** PersonExport is everything stored about a person (SPEC §4 "export a person's data as JSON"). */
export interface PersonExport {
  readonly person: { id: number; createdAt: number; updatedAt: number; mergedFrom: number[] };
  readonly identifiers: { id: number; type: string; value: string; firstSeen: number; source: number }[];
  readonly traits: Record<string, unknown>;
  readonly traitMeta: Record<string, unknown>;
  readonly edges: EdgeView[];
  readonly conflicts: { a: number; b: number; reason: string; kind: string; source: number; ts: number }[];
  readonly events: TimelineRow[];
}

/** identifierRows reads a person's identifiers with their values opened. */
export function identifierRows(g: IdentityGraph, person: number): PersonExport["identifiers"] {
  return g.db.query<{ id: number; ns: string; value: string; first_seen: number; source: number }, [string]>(
    "SELECT id, ns, value, first_seen, source FROM identities WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
  ).all(JSON.stringify(g.index.members(person))).map((r) => ({
    id: r.id, type: r.ns, value: isPiiNamespace(r.ns) ? g.crypto.decrypt(r.value) : r.value, firstSeen: r.first_seen, source: r.source,
  }));
}

/** exportPerson gathers a person's data; null when there is no such person. */
export async function exportPerson(deps: PrivacyDeps, person: number): Promise<PersonExport | null> {
  const g = deps.graph;
  const root = rootOf(g, person);
  if (root === null) return null;
  const row = g.db.query<{ created_at: number; updated_at: number }, [number]>("SELECT created_at, updated_at FROM persons WHERE id = ?").get(root)!;
  const ids = g.index.members(root);
  const idsJson = JSON.stringify(ids);
  const traits = g.traits(root, true);
  const events: TimelineRow[] = [];
  let before: TimelineCursor | null = null;
  do {
    const page: TimelinePage = await deps.reader.call("personEvents", { identities: ids, before, limit: 5000, events: null });
    events.push(...page.rows);
    before = page.next;
  } while (before);
  return {
    person: { id: root, createdAt: row.created_at, updatedAt: row.updated_at, mergedFrom: mergedInto(g, root) },
    identifiers: identifierRows(g, root),
    traits: traits.values,
    traitMeta: traits.meta,
    edges: personEdges(g, root, true),
    conflicts: g.db.query<PersonExport["conflicts"][number], [string]>(
      `SELECT a, b, reason, kind, source, ts FROM identity_conflicts
       WHERE a IN (SELECT value FROM json_each(?1)) OR b IN (SELECT value FROM json_each(?1)) ORDER BY id`,
    ).all(idsJson),
    events,
  };
}
