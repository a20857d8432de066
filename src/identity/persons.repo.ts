/**
 * Read-side queries of the person API: search, the actors shape (SPEC §5.0), the person page, conflicts.
 * Search by identifier is exact and goes through the in-memory index (one keyed hash per namespace, no
 * table scan, and it finds encrypted e-mail/phone too); search by trait value is a case-insensitive
 * substring match over the clear traits, newest persons first.
 */
import type { Database } from "bun:sqlite";
import type { Kdb } from "../db/kysely.ts";
import type { ReaderClient } from "../store/reader-client.ts";
import { channelOfIdentifier, channelOfSource } from "./identifier.ts";
import type { IdentitiesTable } from "./identity.table.ts";
import type { IdentityService } from "./identity-service.ts";
import { isPiiNamespace } from "./pii.ts";
import { identifierRows, mergedInto } from "./privacy.ts";

/** PersonSummary is one person in the actors shape of SPEC §5.0 (fixed). */
export interface PersonSummary {
  id: string;
  identifiers: { type: string; value: string }[];
  traits: Record<string, unknown>;
}

/** Page is a list with the cursor of the next page (null at the end). */
export interface Page<T> {
  items: T[];
  next: string | null;
}


/** summary builds a person's actors-shape entry (PII opened). */
export function summary(identity: IdentityService, person: number): PersonSummary {
  return {
    id: String(person),
    identifiers: identifierRows(identity.graph, person).map((i) => ({ type: i.type, value: i.value })),
    traits: identity.graph.traits(person, true).values,
  };
}

/** TraitSearchArgs: persons whose scalar trait values contain `text` (any case; "" = everyone), newest first. */
export interface TraitSearchArgs {
  readonly text: string;
  readonly before: number | null;
  readonly limit: number;
}

/**
 * traitSearch is the trait half of a search. It runs on the read side (the store worker in the server): a
 * text nobody's traits contain scans every person, ~0.55 s at 1M persons, which on the writer's thread
 * would hold up ingestion for as long.
 */
export function traitSearch(db: Database, a: TraitSearchArgs): number[] {
  const before = a.before ?? Number.MAX_SAFE_INTEGER;
  const rows =
    a.text === ""
      ? db.query<{ id: number }, [number, number]>("SELECT id FROM persons WHERE merged_into IS NULL AND id < ? ORDER BY id DESC LIMIT ?").all(before, a.limit)
      : db
          .query<{ id: number }, [number, string, number]>(
            `SELECT id FROM persons WHERE merged_into IS NULL AND id < ? AND EXISTS (SELECT 1 FROM json_each(persons.traits) j
               WHERE j.type IN ('text', 'integer', 'real') AND j.value LIKE ? ESCAPE '\\') ORDER BY id DESC LIMIT ?`,
          )
          .all(before, `%${a.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`, a.limit);
  return rows.map((r) => r.id);
}

/**
 * survivorsOf says who stands now for persons stored earlier (an audience snapshot, a tag's rows): the
 * survivor each was merged into, following later merges, or itself (also when it has no row: a deleted
 * person's rows elsewhere are forgotten with it). One query per merge generation.
 */
export function survivorsOf(db: Database, ids: readonly number[]): Map<number, number> {
  const out = new Map<number, number>();
  const at = new Map<number, number>(ids.map((id) => [id, id]));
  const q = db.query<{ id: number; merged_into: number }, [string]>(
    "SELECT id, merged_into FROM persons WHERE merged_into IS NOT NULL AND id IN (SELECT value FROM json_each(?))",
  );
  while (at.size > 0) {
    const next = new Map(q.all(JSON.stringify([...new Set(at.values())])).map((r) => [r.id, r.merged_into]));
    for (const [id, cur] of at) {
      const to = next.get(cur);
      if (to === undefined) {
        out.set(id, cur);
        at.delete(id);
      } else at.set(id, to);
    }
  }
  return out;
}

/** searchPersons finds persons by exact identifier value (any namespace) or trait value substring. */
export async function searchPersons(
  identity: IdentityService, reader: ReaderClient, text: string, before: number | null, limit: number,
): Promise<Page<PersonSummary>> {
  const q = text.trim();
  const exact = new Set<number>();
  if (q !== "") {
    for (const ns of identity.graph.index.namespaces) {
      const hit = identity.lookup(ns, q);
      if (hit && (before === null || hit.person < before)) exact.add(hit.person);
    }
  }
  const traits = await reader.call("personsByTrait", { text: q, before, limit: limit + 1 });
  const ids = [...new Set([...exact, ...traits])].sort((a, b) => b - a);
  const page = ids.slice(0, limit);
  return {
    items: page.map((p) => summary(identity, p)),
    next: ids.length > limit ? String(page.at(-1)) : null,
  };
}

/** SourceNames maps source ids to their names (unknown ids show as "#<id>"). */
export async function sourceNames(kdb: Kdb): Promise<(id: number) => string> {
  return (await sourceLookup(kdb)).name;
}

/** sourceLookup names each source and says which platform channel its kind stands for (channelOfSource), or null. */
export async function sourceLookup(kdb: Kdb): Promise<{ name: (id: number) => string; platform: (id: number) => string | null }> {
  const rows = new Map((await kdb.selectFrom("sources").select(["id", "name", "kind"]).execute()).map((r) => [r.id, r]));
  return {
    name: (id) => rows.get(id)?.name ?? `#${id}`,
    platform: (id) => {
      const kind = rows.get(id)?.kind;
      return kind === undefined ? null : channelOfSource(kind);
    },
  };
}

/** PersonView is the person page: identifiers by channel, traits with provenance, merge history. */
export interface PersonView {
  id: string;
  /** firstSeen is when the person was first seen acting: their earliest identifier's first event (imports and backfills included). */
  firstSeen: string;
  /** createdAt and updatedAt are when the profile row was written and last changed. */
  createdAt: string;
  updatedAt: string;
  mergedFrom: string[];
  identifiers: { id: number; type: string; value: string; channel: string; firstSeen: string; source: string }[];
  channels: Record<string, { type: string; value: string }[]>;
  traits: Record<string, unknown>;
  traitMeta: Record<string, { at: string; source: string; op: string; via: { type: string; value: string } | null }>;
}

/** personView reads the person page of a surviving person. */
export async function personView(identity: IdentityService, kdb: Kdb, person: number): Promise<PersonView | null> {
  const row = await kdb.selectFrom("persons").select(["created_at", "updated_at"]).where("id", "=", person).executeTakeFirst();
  if (!row) return null;
  const { name: source, platform } = await sourceLookup(kdb);
  const ids = identifierRows(identity.graph, person).map((i) => ({ ...i, channel: channelOfIdentifier(i.type, platform(i.source)) }));
  const byId = new Map(ids.map((i) => [i.id, i]));
  const channels: PersonView["channels"] = {};
  for (const i of ids) (channels[i.channel] ??= []).push({ type: i.type, value: i.value });
  const traits = identity.graph.traits(person, true);
  const iso = (t: number) => new Date(t).toISOString();
  return {
    id: String(person),
    firstSeen: iso(Math.min(row.created_at, ...ids.map((i) => i.firstSeen))),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    mergedFrom: mergedInto(identity.graph, person).map(String),
    identifiers: ids.map((i) => ({ id: i.id, type: i.type, value: i.value, channel: i.channel, firstSeen: iso(i.firstSeen), source: source(i.source) })),
    channels,
    traits: traits.values,
    traitMeta: Object.fromEntries(Object.entries(traits.meta).map(([k, m]) => {
      const via = byId.get(m.i);
      return [k, { at: iso(m.t), source: source(m.s), op: m.op, via: via ? { type: via.type, value: via.value } : null }];
    })),
  };
}

/** ConflictView is one refused link, both sides named. */
export interface ConflictView {
  id: number;
  reason: string;
  kind: string;
  source: string;
  at: string;
  recordedAt: string;
  a: IdentityRef | null;
  b: IdentityRef | null;
}

/** IdentityRef names an identity and the person it belongs to now. */
export interface IdentityRef {
  identity: number;
  type: string;
  value: string;
  person: string;
}

/** listConflicts pages the conflicts, newest first. */
export async function listConflicts(identity: IdentityService, kdb: Kdb, before: number | null, limit: number): Promise<Page<ConflictView>> {
  let q = kdb.selectFrom("identity_conflicts").selectAll();
  if (before !== null) q = q.where("id", "<", before);
  const rows = await q.orderBy("id", "desc").limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  const idents = await kdb.selectFrom("identities").select(["id", "ns", "value"])
    .where("id", "in", [0, ...page.flatMap((r) => [r.a, r.b])]).execute();
  const byId = new Map(idents.map((i) => [i.id, i]));
  const ref = (id: number): IdentityRef | null => {
    const i: Pick<IdentitiesTable, "id" | "ns" | "value"> | undefined = byId.get(id);
    if (!i) return null;
    const value = isPiiNamespace(i.ns) ? identity.graph.crypto.decrypt(i.value) : i.value;
    return { identity: id, type: i.ns, value, person: String(identity.graph.index.personOf(id)) };
  };
  const source = await sourceNames(kdb);
  const iso = (t: number) => new Date(t).toISOString();
  return {
    items: page.map((r) => ({
      id: r.id, reason: r.reason, kind: r.kind, source: source(r.source), at: iso(r.ts), recordedAt: iso(r.created_at), a: ref(r.a), b: ref(r.b),
    })),
    next: rows.length > limit ? String(page.at(-1)!.id) : null,
  };
}
