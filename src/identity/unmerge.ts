/**
 * Unmerge: an admin removes a wrong link (or detaches identifiers from a person) and the person's component
 * is recomputed from the live edges only — the edge log is why this is possible at all (Segment, Mixpanel
 * and AWS cannot unmerge; PostHog only splits whole persons). Every other person is untouched.
 *
 * Decisions:
 * - The part holding the person's own first identity keeps the person id.
 * - A split-off part whose identities came from a person that was merged into this one gets that person back
 *   (its id, and the traits it had when merged, under the traits changed since through its identities); any
 *   other part becomes a new person. So "unmerge restores both".
 * - Traits follow the identity that last changed them (traits.ts splitTraits).
 * - A removed pair is remembered: the same two identifiers are not linked again automatically (a conflict
 *   "unmerged" is recorded instead), so an admin's decision sticks. Other identifiers of the two parts that
 *   meet later do link again — the graph follows the evidence; a value that keeps linking strangers belongs
 *   on the blocklist (identity settings).
 * - The inverse exists too: an admin may apply a link the guards refused (`linkConflict`), as PostHog's
 *   `$merge_dangerously` does from code. It is an `admin` edge like any other, so Unlink takes it back.
 */
import type { Tx } from "../store/writer.ts";
import { transact, type IdentityGraph } from "./identity-graph.ts";
import { overlayTraits, splitTraits } from "./traits.ts";

/** EdgeView is one edge as the API shows it; ids are "a<identity>" (an attachment) or "e<row>" (the log). */
export interface EdgeView {
  readonly id: string;
  readonly a: number;
  readonly b: number;
  readonly kind: string;
  readonly source: number;
  readonly ts: number;
  readonly removedAt: number | null;
  readonly removedBy: string | null;
}

/** SplitResult lists the persons a component ended up as (the first keeps the original id). */
export interface SplitResult {
  readonly person: number;
  readonly persons: { readonly id: number; readonly identities: number[]; readonly restored: boolean }[];
}

const json = (ids: readonly number[]) => JSON.stringify(ids);

/** personEdges lists the edges among a person's identities; `removed` adds the ones admins removed. */
export function personEdges(g: IdentityGraph, person: number, removed = false): EdgeView[] {
  const members = g.index.members(person);
  const inside = new Set(members);
  const out: EdgeView[] = [];
  const attach = g.db.query<{ id: number; link_to: number; link_kind: string; source: number; first_seen: number }, [string]>(
    `SELECT id, link_to, link_kind, source, first_seen FROM identities
     WHERE id IN (SELECT value FROM json_each(?)) AND link_to != 0 ORDER BY id`,
  ).all(json(members));
  for (const r of attach) {
    if (!inside.has(r.link_to)) continue;
    out.push({ id: `a${r.id}`, a: r.link_to, b: r.id, kind: r.link_kind, source: r.source, ts: r.first_seen, removedAt: null, removedBy: null });
  }
  const logged = g.db.query<{ id: number; a: number; b: number; kind: string; source: number; ts: number; removed_at: number | null; removed_by: string | null }, [string]>(
    `SELECT id, a, b, kind, source, ts, removed_at, removed_by FROM identity_edges
     WHERE b IN (SELECT value FROM json_each(?)) ORDER BY id`,
  ).all(json(members));
  for (const r of logged) {
    if (r.removed_at !== null && !removed) continue;
    if (r.removed_at === null && !inside.has(r.a)) continue;
    out.push({ id: `e${r.id}`, a: r.a, b: r.b, kind: r.kind, source: r.source, ts: r.ts, removedAt: r.removed_at, removedBy: r.removed_by });
  }
  return out;
}

/** UnmergeError is an admin request that cannot be applied (unknown or already removed edge, …). */
export class UnmergeError extends Error {
  override name = "UnmergeError";
}

/**
 * linkConflict applies a refused link on an admin's word: the two sides' persons become one (the older
 * survives, as in every merge), the link is logged as an `admin` edge, and the conflict leaves the list.
 * Null when there is no such conflict.
 */
export function linkConflict(g: IdentityGraph, conflictId: number, now: number): { person: number } | null {
  const c = g.db.query<{ a: number; b: number }, [number]>("SELECT a, b FROM identity_conflicts WHERE id = ?").get(conflictId);
  if (!c) return null;
  const pa = g.index.personOf(c.a);
  const pb = g.index.personOf(c.b);
  if (pa === 0 || pb === 0) throw new UnmergeError(`conflict ${conflictId}: one side was deleted`);
  return transact(g.db, now, (tx) => {
    let person = pa;
    if (pa !== pb) {
      person = g.merge(tx, pa, pb);
      g.edge(tx, c.a, c.b, "admin", { ts: now, source: 0 });
    }
    g.db.query("DELETE FROM identity_conflicts WHERE id = ?").run(conflictId);
    return { person };
  });
}

/** removeEdge removes one live edge and splits its person if the two sides are no longer connected. */
export function removeEdge(g: IdentityGraph, edgeId: string, actor: string, now: number): SplitResult {
  return transact(g.db, now, (tx) => {
    const [a, b] = dropEdge(g, tx, edgeId, actor);
    return recompute(g, tx, g.index.personOf(a) || g.index.personOf(b));
  });
}

/** splitIdentities detaches identities from their person by removing every live edge that ties them to the rest. */
export function splitIdentities(g: IdentityGraph, person: number, identities: readonly number[], actor: string, now: number): SplitResult {
  const moving = new Set(identities);
  for (const id of moving) {
    if (g.index.personOf(id) !== person) throw new UnmergeError(`identity ${id} does not belong to person ${person}`);
  }
  if (moving.size === 0 || moving.size >= g.index.sizeOf(person)) {
    throw new UnmergeError("choose some, but not all, of the person's identities to split off");
  }
  return transact(g.db, now, (tx) => {
    for (const e of personEdges(g, person)) {
      if (moving.has(e.a) !== moving.has(e.b)) dropEdge(g, tx, e.id, actor);
    }
    return recompute(g, tx, person);
  });
}

/** dropEdge marks an edge removed (an attachment moves into the log as removed) and returns its ends. */
function dropEdge(g: IdentityGraph, tx: Tx, edgeId: string, actor: string): [number, number] {
  const m = /^([ae])(\d+)$/.exec(edgeId);
  if (!m) throw new UnmergeError(`"${edgeId}" is not an edge id`);
  const n = Number(m[2]);
  let a: number;
  let b: number;
  if (m[1] === "a") {
    const r = g.db.query<{ link_to: number; link_kind: string; source: number; first_seen: number }, [number]>(
      "SELECT link_to, link_kind, source, first_seen FROM identities WHERE id = ?",
    ).get(n);
    if (!r || r.link_to === 0) throw new UnmergeError(`edge ${edgeId} does not exist or was already removed`);
    [a, b] = [Math.min(r.link_to, n), Math.max(r.link_to, n)];
    g.db.query("UPDATE identities SET link_to = 0, link_kind = NULL WHERE id = ?").run(n);
    g.db.query("INSERT INTO identity_edges (a, b, kind, source, ts, created_at, removed_at, removed_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
      .run(a, b, r.link_kind, r.source, r.first_seen, tx.now, tx.now, actor);
  } else {
    const r = g.db.query<{ a: number; b: number }, [number]>("SELECT a, b FROM identity_edges WHERE id = ? AND removed_at IS NULL").get(n);
    if (!r) throw new UnmergeError(`edge ${edgeId} does not exist or was already removed`);
    [a, b] = [r.a, r.b];
    g.db.query("UPDATE identity_edges SET removed_at = ?, removed_by = ? WHERE id = ?").run(tx.now, actor, n);
  }
  if (g.removed.add(a, b)) tx.onRollback(() => g.removed.delete(a, b));
  return [a, b];
}

/** recompute splits a person into the connected components of its live edges. */
function recompute(g: IdentityGraph, tx: Tx, person: number): SplitResult {
  const members = g.index.members(person);
  const parent = new Map(members.map((id) => [id, id]));
  const find = (x: number): number => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    while (parent.get(x) !== r) {
      const next = parent.get(x)!;
      parent.set(x, r);
      x = next;
    }
    return r;
  };
  for (const e of personEdges(g, person)) parent.set(find(e.a), find(e.b));
  const groups = new Map<number, number[]>();
  for (const id of members) {
    const r = find(id);
    const list = groups.get(r);
    if (list) list.push(id);
    else groups.set(r, [id]);
  }
  if (groups.size <= 1) return { person, persons: [{ id: person, identities: members, restored: false }] };

  const origin = new Map(
    g.db.query<{ id: number; origin_person: number }, [string]>(
      "SELECT id, origin_person FROM identities WHERE id IN (SELECT value FROM json_each(?))",
    ).all(json(members)).map((r) => [r.id, r.origin_person]),
  );
  const parts = [...groups.values()].sort((x, y) => Math.min(...x) - Math.min(...y));
  const own = parts.find((p) => p.some((id) => origin.get(id) === person))
    ?? parts.reduce((best, p) => (p.length > best.length ? p : best));
  const result: SplitResult = { person, persons: [{ id: person, identities: own, restored: false }] };
  const assignment = new Map<number, readonly number[]>([[person, own]]);
  const state = g.traits(person);
  const used = new Set<number>([person]);
  for (const part of parts) {
    if (part === own) continue;
    const restore = mergedFrom(g, person, part.map((id) => origin.get(id) ?? 0), used);
    const id = restore ?? g.createPerson(tx);
    used.add(id);
    const moved = splitTraits(state, new Set(part));
    if (restore !== null) {
      g.db.query("UPDATE persons SET merged_into = NULL, updated_at = ? WHERE id = ?").run(tx.now, restore);
      const snapshot = g.traits(restore);
      // Provenance that points at identities staying behind is kept as time and source only.
      const part_ = new Set(part);
      for (const m of Object.values(snapshot.meta)) if (!part_.has(m.i)) m.i = 0;
      g.saveTraits(id, overlayTraits(snapshot, moved), tx.now);
    } else g.saveTraits(id, moved, tx.now);
    g.repoint(part, id, tx);
    assignment.set(id, part);
    result.persons.push({ id, identities: part, restored: restore !== null });
  }
  g.saveTraits(person, state, tx.now);
  const before = new Map<number, readonly number[]>([...assignment.keys()].map((p) => [p, p === person ? members : []]));
  g.index.assign(assignment);
  tx.onRollback(() => g.index.assign(before));
  return result;
}

/** mergedFrom picks the oldest person, merged (directly or through others) into `into`, that a part came from. */
function mergedFrom(g: IdentityGraph, into: number, origins: readonly number[], used: ReadonlySet<number>): number | null {
  const q = g.db.query<{ merged_into: number | null }, [number]>("SELECT merged_into FROM persons WHERE id = ?");
  for (const candidate of [...new Set(origins)].sort((a, b) => a - b)) {
    if (candidate === 0 || used.has(candidate)) continue;
    let at: number | null = candidate;
    for (let hops = 0; at !== null && hops < 64; hops++) {
      at = q.get(at)?.merged_into ?? null;
      if (at === into) return candidate;
    }
  }
  return null;
}
