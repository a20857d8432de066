/**
 * Test helpers of the identity room: the real crypto under a fixed test key, and a migrated database with
 * an identity service on it.
 */
import type { Database } from "bun:sqlite";
import { freshDb } from "../../test/helpers.ts";
import { createCrypto } from "../crypto/crypto.ts";
import type { StoreEvent } from "../store/writer.ts";
import { parseHash } from "./fingerprint.ts";
import type { IdentityInput } from "./identity-input.ts";
import type { PiiCrypto } from "./pii.ts";
import { IdentityService } from "./identity-service.ts";

/** testCrypto is src/crypto under a fixed test key. */
export function testCrypto(key: Uint8Array = new Uint8Array(32).fill(7)): PiiCrypto {
  return createCrypto(key);
}

/** identityDb is a fresh migrated database with an identity service over it. */
export function identityDb(db: Database = freshDb()): { db: Database; identity: IdentityService } {
  return { db, identity: IdentityService.open(db, testCrypto()) };
}

let messageSeq = 0;

/** storeEvent wraps an IdentityInput as the store hands it to the resolver. */
export function storeEvent(identity: IdentityInput, over: Partial<StoreEvent<IdentityInput>> = {}): StoreEvent<IdentityInput> {
  return {
    source: 1, messageId: `m${++messageSeq}`, event: identity.type === "track" ? "click" : `$${identity.type}`,
    ts: Date.UTC(2024, 4, 1, 12), receivedAt: Date.UTC(2024, 4, 1, 12), props: {}, identity, ...over,
  };
}

/** indexMismatches compares the in-memory index with the identities table; [] when they agree. */
export function indexMismatches(identity: IdentityService): string[] {
  const { db, index } = identity.graph;
  const out: string[] = [];
  const rows = db.query<{ id: number; h: string; p: number }, []>("SELECT id, value_hash AS h, person_id AS p FROM identities").all();
  if (rows.length !== index.size) out.push(`index holds ${index.size} identities, the table ${rows.length}`);
  const byPerson = new Map<number, number[]>();
  for (const r of rows) {
    const [hi, lo, chk] = parseHash(r.h);
    if (index.find(hi, lo, chk) !== r.id) out.push(`identity ${r.id} is not found by its fingerprint`);
    if (index.personOf(r.id) !== r.p) out.push(`identity ${r.id}: index says person ${index.personOf(r.id)}, table ${r.p}`);
    byPerson.set(r.p, [...(byPerson.get(r.p) ?? []), r.id]);
  }
  for (const [p, ids] of byPerson) {
    const members = index.members(p).sort((a, b) => a - b);
    if (JSON.stringify(members) !== JSON.stringify(ids.sort((a, b) => a - b))) out.push(`person ${p}: members ${members} vs ${ids}`);
  }
  return out;
}
