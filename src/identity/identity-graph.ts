/**
 * IdentityGraph owns the identity tables on the writer connection and the in-memory index that mirrors
 * them. Every change goes through here, inside a transaction (the writer's group commit, or `transact` for
 * admin operations), and registers how to undo its in-memory part if that transaction rolls back, so the
 * index can never disagree with the database. Inserts use prepared statements: this runs per event.
 */
import type { Database, Statement } from "bun:sqlite";
import { HashSet64 } from "../store/hash-set64.ts";
import type { Tx } from "../store/writer.ts";
import type { Fingerprinter } from "./fingerprint.ts";
import { IdentityIndex, JUNK } from "./identity-index.ts";
import type { EdgeKind } from "./identity-input.ts";
import { decodeTraits, encodeTraits, isPiiNamespace, type PiiCrypto } from "./pii.ts";
import { applyTraitOps, emptyTraits, mergeTraits, type Provenance, type TraitOps, type TraitState } from "./traits.ts";

/** Probe is one identifier looked up in the index (id 0 = not known yet). */
export interface Probe {
  readonly ns: string;
  readonly nsId: number;
  readonly value: string;
  readonly hi: number;
  readonly lo: number;
  readonly chk: number;
  /** value_hash, computed only for identifiers about to be created. */
  readonly hash: string;
  id: number;
}

/** EventRef is what a change records about the event that caused it. */
export interface EventRef {
  readonly ts: number;
  readonly source: number;
}

const pairHi = (a: number, b: number) => Math.min(a, b);
const pairLo = (a: number, b: number) => Math.max(a, b);

export class IdentityGraph {
  readonly db: Database;
  readonly index: IdentityIndex;
  readonly crypto: PiiCrypto;
  readonly fp: Fingerprinter;
  /** Pairs (min id, max id) already reported as conflicts: each is recorded once. */
  readonly conflicts: HashSet64;
  /** Pairs an admin unlinked: they are not linked again automatically. */
  readonly removed: HashSet64;
  nextIdentity: number;
  nextPerson: number;
  nextChange: number;
  readonly #s: Record<"insIdentity" | "insPerson" | "insEdge" | "insChange" | "repoint" | "mergedInto" | "getTraits"
    | "setTraits" | "insConflict", Statement>;

  constructor(db: Database, crypto: PiiCrypto, fp: Fingerprinter, index: IdentityIndex = IdentityIndex.load(db)) {
    this.db = db;
    this.crypto = crypto;
    this.fp = fp;
    this.index = index;
    const state = new Map(
      db.query<{ key: string; value: number }, []>("SELECT key, value FROM identity_state").all().map((r) => [r.key, r.value]),
    );
    const max = (sql: string) => db.query<{ m: number | null }, []>(sql).get()!.m ?? 0;
    this.nextIdentity = Math.max(max("SELECT max(id) AS m FROM identities") + 1, state.get("next_identity") ?? 1);
    this.nextPerson = Math.max(max("SELECT max(id) AS m FROM persons") + 1, state.get("next_person") ?? 1);
    this.nextChange = Math.max(max("SELECT max(seq) AS m FROM identity_changes") + 1, state.get("next_change") ?? 1);
    this.conflicts = new HashSet64(1 << 10);
    for (const r of db.query<{ a: number; b: number }, []>("SELECT a, b FROM identity_conflicts").iterate()) {
      this.conflicts.add(pairHi(r.a, r.b), pairLo(r.a, r.b));
    }
    this.removed = new HashSet64(1 << 6);
    for (const r of db.query<{ a: number; b: number }, []>("SELECT a, b FROM identity_edges WHERE removed_at IS NOT NULL").iterate()) {
      this.removed.add(r.a, r.b);
    }
    this.#s = {
      insIdentity: db.prepare(
        "INSERT INTO identities (id, ns, value_hash, value, person_id, first_seen, flags, origin_person, source) VALUES (?,?,?,?,?,?,?,?,?)",
      ),
      insPerson: db.prepare("INSERT INTO persons (id, created_at, updated_at) VALUES (?, ?, ?)"),
      insEdge: db.prepare("INSERT INTO identity_edges (a, b, kind, source, ts, created_at) VALUES (?, ?, ?, ?, ?, ?)"),
      insChange: db.prepare("INSERT INTO identity_changes (seq, identity_id, person_id) VALUES (?, ?, ?)"),
      repoint: db.prepare("UPDATE identities SET person_id = ? WHERE id = ?"),
      mergedInto: db.prepare("UPDATE persons SET merged_into = ?, updated_at = ? WHERE id = ?"),
      getTraits: db.prepare("SELECT traits, pii, trait_meta FROM persons WHERE id = ?"),
      setTraits: db.prepare("UPDATE persons SET traits = ?, pii = ?, trait_meta = ?, updated_at = ? WHERE id = ?"),
      insConflict: db.prepare(
        "INSERT INTO identity_conflicts (a, b, reason, kind, source, ts, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      ),
    };
  }

  /** probe fingerprints an identifier and looks it up. */
  probe(ns: string, value: string): Probe {
    const fp = this.fp;
    fp.compute(ns, value);
    const id = this.index.find(fp.hi, fp.lo, fp.chk);
    return {
      ns, nsId: this.index.nsId(ns), value, hi: fp.hi, lo: fp.lo, chk: fp.chk,
      hash: id === 0 ? fp.hashString() : "", id,
    };
  }

  /** createPerson allocates an empty person. */
  createPerson(tx: Tx): number {
    const id = this.nextPerson++;
    this.#s.insPerson.run(id, tx.now, tx.now);
    tx.onRollback(() => (this.nextPerson = id));
    return id;
  }

  /** createIdentity stores a new identity in `person` (PII values sealed) and indexes it. */
  createIdentity(tx: Tx, p: Probe, person: number, ev: EventRef, flags = 0): number {
    const id = this.nextIdentity++;
    const value = isPiiNamespace(p.ns) ? this.crypto.encrypt(p.value) : p.value;
    this.#s.insIdentity.run(id, p.ns, p.hash, value, person, Math.round(ev.ts), flags, person, ev.source);
    this.index.add(id, p.hi, p.lo, p.chk, p.nsId, person, flags);
    tx.onRollback(() => {
      this.index.remove(id, p.hi);
      this.nextIdentity = id;
    });
    p.id = id;
    return id;
  }

  /** createJunk stores a blocked value as an identity of its own person, for the events that carry only it. */
  createJunk(tx: Tx, p: Probe, ev: EventRef): number {
    return this.createIdentity(tx, p, this.createPerson(tx), ev, JUNK);
  }

  /** repoint moves identities to a person in the database and logs the change for the store readers. */
  repoint(ids: readonly number[], person: number, tx: Tx): void {
    for (const id of ids) {
      this.#s.repoint.run(person, id);
      const seq = this.nextChange++;
      this.#s.insChange.run(seq, id, person);
      tx.onRollback(() => (this.nextChange = seq));
    }
  }

  /** merge joins two persons: the older (smaller id) survives, the other gets `merged_into`. */
  merge(tx: Tx, a: number, b: number): number {
    const survivor = Math.min(a, b);
    const loser = Math.max(a, b);
    const undo = this.index.merge(survivor, loser);
    tx.onRollback(() => this.index.undoMerge(undo));
    this.repoint(undo.moved, survivor, tx);
    this.#s.mergedInto.run(survivor, tx.now, loser);
    // The loser's row keeps its traits as they were: an unmerge restores them (unmerge.ts).
    const lost = this.traits(loser);
    if (Object.keys(lost.meta).length > 0 || Object.keys(lost.values).length > 0) {
      this.saveTraits(survivor, mergeTraits(this.traits(survivor), lost), tx.now);
    }
    return survivor;
  }

  /** edge appends an applied link to the edge log. */
  edge(tx: Tx, a: number, b: number, kind: EdgeKind, ev: EventRef): void {
    this.#s.insEdge.run(pairHi(a, b), pairLo(a, b), kind, ev.source, Math.round(ev.ts), tx.now);
  }

  /** conflict records a refused link once per pair. */
  conflict(tx: Tx, a: number, b: number, reason: string, kind: EdgeKind, ev: EventRef): void {
    const hi = pairHi(a, b);
    const lo = pairLo(a, b);
    if (!this.conflicts.add(hi, lo)) return;
    tx.onRollback(() => this.conflicts.delete(hi, lo));
    this.#s.insConflict.run(hi, lo, reason, kind, ev.source, Math.round(ev.ts), tx.now);
  }

  /** isRemoved tells whether an admin unlinked this pair. */
  isRemoved(a: number, b: number): boolean {
    return this.removed.has(pairHi(a, b), pairLo(a, b));
  }

  /** traits reads a person's traits (decrypting the PII part). */
  traits(person: number): TraitState {
    const row = this.#s.getTraits.get(person) as { traits: string; pii: string | null; trait_meta: string } | null;
    if (!row || (row.traits === "{}" && row.pii === null && row.trait_meta === "{}")) return emptyTraits();
    return decodeTraits(row, this.crypto);
  }

  /** saveTraits writes a person's traits (sealing the PII part). */
  saveTraits(person: number, state: TraitState, now: number): void {
    const c = encodeTraits(state, this.crypto);
    this.#s.setTraits.run(c.traits, c.pii, c.trait_meta, now, person);
  }

  /** applyTraits runs a message's trait operations on a person; unchanged traits cost no write. */
  applyTraits(tx: Tx, person: number, ops: TraitOps, p: Provenance): void {
    const empty = !ops.set && !ops.setOnce && !(ops.unset && ops.unset.length > 0);
    if (empty) return;
    const state = this.traits(person);
    if (applyTraitOps(state, ops, p)) this.saveTraits(person, state, tx.now);
  }

  /** persistCounters stores the id counters so a restart after a deletion never reuses an id. */
  persistCounters(): void {
    const put = this.db.query("INSERT INTO identity_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    put.run("next_identity", this.nextIdentity);
    put.run("next_person", this.nextPerson);
    put.run("next_change", this.nextChange);
  }
}

/**
 * transact runs an admin operation in one transaction with the writer's Tx contract: undo hooks run if it
 * fails, commit hooks after it committed. Synchronous, so it never interleaves with a group commit.
 */
export function transact<T>(db: Database, now: number, fn: (tx: Tx) => T): T {
  const undo: (() => void)[] = [];
  const apply: (() => void)[] = [];
  const tx: Tx = { db, now, onRollback: (f) => undo.push(f), onCommit: (f) => apply.push(f) };
  let out: T;
  try {
    out = db.transaction(() => fn(tx))();
  } catch (err) {
    for (const f of undo.reverse()) f();
    throw err;
  }
  for (const f of apply) f();
  return out;
}
