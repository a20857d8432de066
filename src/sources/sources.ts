/**
 * Sources are where events come from (a website, an app, a connector); each has a write key that can
 * only ingest. The key is stored twice: as a keyed hash (the unique lookup ingest uses) and encrypted
 * (so the dashboard can show it again). `findSourceByWriteKey` runs on every ingest request, so it is
 * answered from memory after the first lookup; every change here clears that cache.
 */
import type { Database } from "bun:sqlite";
import { z } from "zod";
import type { Crypto } from "../crypto/crypto.ts";
import { randomToken } from "../crypto/crypto.ts";
import type { Kdb } from "../db/kysely.ts";
import { parseSourceSettings, SourceSettings } from "../ingest/source.ts";
import type { Logger } from "../log.ts";

/** WRITE_KEY_PREFIX marks generated write keys; keys from TESSERA_WRITE_KEY may look different. */
export const WRITE_KEY_PREFIX = "wk_";

/** SourceKind is how a source sends data; connectors add their own kinds later. */
export const SourceKind = z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, "lower-case letters, digits and _");

/** Source is a source as the API lists it, write key included (write keys are public in web pages anyway). */
export const SourceSchema = z.object({
  id: z.number(),
  name: z.string(),
  kind: z.string(),
  writeKey: z.string(),
  createdAt: z.number(),
  disabled: z.boolean(),
  /** How ingestion treats this source's data (IP addresses, bots, consent), defaults filled in. */
  settings: SourceSettings,
});
export type Source = z.infer<typeof SourceSchema>;

/** SourceRef is what ingest needs to know about the sender of a request. */
export interface SourceRef {
  id: number;
  name: string;
  kind: string;
  /** The source's ingest settings as stored (JSON); the ingest room parses them with defaults. */
  settings: string;
}

type Row = { id: number; name: string; kind: string; write_key_enc: string; created_at: number; disabled_at: number | null; settings: string };
const COLUMNS = ["id", "name", "kind", "write_key_enc", "created_at", "disabled_at", "settings"] as const;

function toSource(crypto: Crypto, r: Row): Source {
  return {
    id: r.id, name: r.name, kind: r.kind, writeKey: crypto.decrypt(r.write_key_enc), createdAt: r.created_at, disabled: r.disabled_at !== null,
    settings: parseSourceSettings(r.settings),
  };
}

// One cache per writer connection, keyed by the raw write key: a hit costs no HMAC and no query.
const caches = new WeakMap<Database, Map<string, SourceRef | null>>();
// Unknown keys are cached too (a misconfigured SDK retries forever), but bounded against random keys.
const MAX_CACHED = 10_000;

/** invalidateSourceCache forgets every cached lookup; called by every write below. */
export function invalidateSourceCache(db: Database): void {
  caches.get(db)?.clear();
}

/** findSourceByWriteKey resolves a write key to its enabled source, or null (→ 401 at ingest). */
export function findSourceByWriteKey(db: Database, crypto: Crypto, key: string): SourceRef | null {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const row = db
    .query<{ id: number; name: string; kind: string; settings: string }, [string]>(
      "SELECT id, name, kind, settings FROM sources WHERE write_key_hash = ? AND disabled_at IS NULL",
    )
    .get(crypto.keyedHash(key));
  const ref = row ? { id: row.id, name: row.name, kind: row.kind, settings: row.settings } : null;
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, ref);
  return ref;
}

/** listSources lists every source, oldest first. */
export async function listSources(kdb: Kdb, crypto: Crypto): Promise<Source[]> {
  const rows = await kdb.selectFrom("sources").select(COLUMNS).orderBy("id").execute();
  return rows.map((r) => toSource(crypto, r));
}

/** getSource returns one source or null. */
export async function getSource(kdb: Kdb, crypto: Crypto, id: number): Promise<Source | null> {
  const r = await kdb.selectFrom("sources").select(COLUMNS).where("id", "=", id).executeTakeFirst();
  return r ? toSource(crypto, r) : null;
}

/** SourceNameTaken is thrown when a name (or a write key) is already used by another source. */
export class SourceConflict extends Error {
  override name = "SourceConflict";
}

function isUniqueViolation(e: unknown): boolean {
  return e instanceof Error && /UNIQUE constraint failed/.test(e.message);
}

/** createSource creates a source with a fresh write key (or the given one). */
export async function createSource(
  db: Database,
  kdb: Kdb,
  crypto: Crypto,
  s: { name: string; kind?: string; writeKey?: string },
  now: number,
): Promise<Source> {
  const key = s.writeKey ?? randomToken(WRITE_KEY_PREFIX, 32);
  try {
    const row = await kdb
      .insertInto("sources")
      .values({ name: s.name, kind: s.kind ?? "http", write_key_hash: crypto.keyedHash(key), write_key_enc: crypto.encrypt(key), created_at: now, disabled_at: null })
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    return toSource(crypto, row);
  } catch (e) {
    if (isUniqueViolation(e)) {
      throw new SourceConflict(/write_key/.test((e as Error).message) ? "another source has this write key" : `a source named "${s.name}" already exists`);
    }
    throw e;
  } finally {
    invalidateSourceCache(db);
  }
}

/** updateSource renames, disables/enables or rotates the write key of a source; null when absent. */
export async function updateSource(
  db: Database,
  kdb: Kdb,
  crypto: Crypto,
  id: number,
  patch: { name?: string; kind?: string; disabled?: boolean; rotateWriteKey?: boolean; settings?: Partial<SourceSettings> },
  now: number,
): Promise<Source | null> {
  const set: { name?: string; kind?: string; disabled_at?: number | null; write_key_hash?: string; write_key_enc?: string; settings?: string } = {};
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.kind !== undefined) set.kind = patch.kind;
  if (patch.settings !== undefined) {
    const row = await kdb.selectFrom("sources").select("settings").where("id", "=", id).executeTakeFirst();
    if (!row) return null;
    set.settings = JSON.stringify({ ...parseSourceSettings(row.settings), ...patch.settings });
  }
  if (patch.disabled !== undefined) set.disabled_at = patch.disabled ? now : null;
  if (patch.rotateWriteKey) {
    const key = randomToken(WRITE_KEY_PREFIX, 32);
    set.write_key_hash = crypto.keyedHash(key);
    set.write_key_enc = crypto.encrypt(key);
  }
  try {
    if (Object.keys(set).length > 0) await kdb.updateTable("sources").set(set).where("id", "=", id).execute();
    return await getSource(kdb, crypto, id);
  } catch (e) {
    if (isUniqueViolation(e)) throw new SourceConflict(`a source named "${patch.name}" already exists`);
    throw e;
  } finally {
    invalidateSourceCache(db);
  }
}

/** deleteSource removes a source; its key stops working at once. Events it sent stay. */
export async function deleteSource(db: Database, kdb: Kdb, id: number): Promise<boolean> {
  const r = await kdb.deleteFrom("sources").where("id", "=", id).executeTakeFirst();
  invalidateSourceCache(db);
  return Number(r.numDeletedRows) > 0;
}

/**
 * ensureDefaultSource makes TESSERA_WRITE_KEY true at start: a source named `default` with that key
 * exists and is enabled. A key already held by another source is left alone (and logged).
 */
export async function ensureDefaultSource(db: Database, kdb: Kdb, crypto: Crypto, key: string, now: number, log: Logger): Promise<void> {
  const hash = crypto.keyedHash(key);
  const holder = await kdb.selectFrom("sources").select(["id", "name", "disabled_at"]).where("write_key_hash", "=", hash).executeTakeFirst();
  if (holder) {
    if (holder.name !== "default") log.warn("TESSERA_WRITE_KEY already belongs to another source; leaving it there", { source: holder.name });
    else if (holder.disabled_at !== null) await kdb.updateTable("sources").set({ disabled_at: null }).where("id", "=", holder.id).execute();
  } else {
    const byName = await kdb.selectFrom("sources").select("id").where("name", "=", "default").executeTakeFirst();
    if (byName) {
      await kdb.updateTable("sources").set({ write_key_hash: hash, write_key_enc: crypto.encrypt(key), disabled_at: null }).where("id", "=", byName.id).execute();
      log.info("set the write key of source default from TESSERA_WRITE_KEY");
    } else {
      await createSource(db, kdb, crypto, { name: "default", writeKey: key }, now);
      log.info("created source default with TESSERA_WRITE_KEY");
    }
  }
  invalidateSourceCache(db);
}

/** SYSTEM_SOURCE names the source Tessera's own events (audience_entered, lifecycle_changed, …) are stored under. */
export const SYSTEM_SOURCE = { name: "tessera", kind: "system" } as const;

/**
 * ensureSystemSource returns the id of the system source, creating it on first use. Its write key is
 * disabled at birth: nothing outside the process can send events in Tessera's name.
 */
export async function ensureSystemSource(db: Database, kdb: Kdb, crypto: Crypto, now: number): Promise<number> {
  const find = () => kdb.selectFrom("sources").select("id").where("name", "=", SYSTEM_SOURCE.name).where("kind", "=", SYSTEM_SOURCE.kind).executeTakeFirst();
  const found = await find();
  if (found) return found.id;
  const created = await createSource(db, kdb, crypto, SYSTEM_SOURCE, now);
  await kdb.updateTable("sources").set({ disabled_at: now }).where("id", "=", created.id).execute();
  invalidateSourceCache(db);
  return created.id;
}
