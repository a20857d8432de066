/**
 * IdentityGraph owns the identity tables on the writer connection and the in-memory index that mirrors
 * them. Every change goes through here, inside a transaction (the writer's group commit, or `transact` for
 * admin operations), and registers how to undo its in-memory part if that transaction rolls back, so the
 * index can never disagree with the database. Inserts use prepared statements: this runs per event.
 *
 * In the group commit, new persons and identities are written together just before it commits (Tx
 * `beforeCommit`), in statements of 64 rows, with a new person's first traits in its row: a row per
 * statement, between the other statements of each event, cost ~1.5 µs more per new person (a script with
 * the real schema: 4.4–4.9 against 3.0–3.5 µs for a person, its user_id, and for 30% an anonymous_id and
 * traits). Until then the rows are pending here, and whatever would read or update one writes them first.
 */
import type { Database, Statement } from "bun:sqlite";
import { Words } from "../lib/off-heap.ts";
import { hash64, HashSet64 } from "../store/hash-set64.ts";
import type { Tx } from "../store/writer.ts";
import type { Fingerprinter } from "./fingerprint.ts";
import { IdentityIndex, JUNK } from "./identity-index.ts";
import type { EdgeKind } from "./identity-input.ts";
import { decodeTraits, encodeTraits, isPiiNamespace, piiSealer, type PersonColumns, type PiiCrypto } from "./pii.ts";
import {
  applyTraitOps, emptyTraits, mergeTraits, settles, type Provenance, type Sealer, type TraitOps, type TraitState,
} from "./traits.ts";

/** Probe is one identifier looked up in the index (id 0 = not known yet); `lookup` fills it. */
export interface Probe {
  readonly ns: string;
  readonly value: string;
  nsId: number;
  hi: number;
  lo: number;
  chk: number;
  /** value_hash, computed only for identifiers about to be created. */
  hash: string;
  id: number;
}

/** Link is the attachment edge of a new identity: the identity it arrived with and why. */
export interface Link {
  readonly to: number;
  readonly kind: EdgeKind;
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
  readonly sealer: Sealer;
  /** Pairs (min id, max id) already reported as conflicts: each is recorded once. */
  readonly conflicts: HashSet64;
  /** Pairs an admin unlinked: they are not linked again automatically. */
  readonly removed: HashSet64;
  nextIdentity: number;
  nextPerson: number;
  nextChange: number;
  /**
   * Per person, a 64-bit hash of the last trait operations that left the person settled (traits.ts
   * `settles`): the same operations again are skipped without reading the row. Any write of the person's
   * traits clears it. 8 bytes per person, off the JS heap (Words, off-heap.ts).
   */
  readonly #settled = new Words(0);
  /** The first person of the group commit not written yet (0: none); the rest up to nextPerson follow. */
  #pendingFrom = 0;
  #pendingNow = 0;
  /** Traits of pending persons, as their rows will hold them. */
  readonly #pendingTraits = new Map<number, PersonColumns>();
  /** Pending identity rows, IDENTITY_COLUMNS values each. */
  readonly #pendingIdentities: (string | number | null)[] = [];
  #flushQueued = false;
  readonly #s: Record<"insIdentity" | "insPerson" | "insEdge" | "insChange" | "repoint" | "mergedInto" | "getTraits"
    | "setTraits" | "insConflict" | "insIdentities" | "insPersons", Statement>;

  constructor(db: Database, crypto: PiiCrypto, fp: Fingerprinter, index: IdentityIndex = IdentityIndex.load(db)) {
    this.db = db;
    this.crypto = crypto;
    this.fp = fp;
    this.index = index;
    this.sealer = piiSealer(crypto, fp);
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
      insIdentity: db.prepare(`INSERT INTO identities ${IDENTITY_COLUMNS} VALUES ${rows(1, 11)}`),
      insIdentities: db.prepare(`INSERT INTO identities ${IDENTITY_COLUMNS} VALUES ${rows(ROWS, 11)}`),
      insPerson: db.prepare(`INSERT INTO persons ${PERSON_COLUMNS} VALUES ${rows(1, 6)}`),
      insPersons: db.prepare(`INSERT INTO persons ${PERSON_COLUMNS} VALUES ${rows(ROWS, 6)}`),
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

  /** lookup fingerprints an identifier and finds it, filling `p` in place (no allocation per event). */
  lookup<P extends Probe>(p: P): P {
    const fp = this.fp;
    fp.compute(p.ns, p.value);
    p.hi = fp.hi;
    p.lo = fp.lo;
    p.chk = fp.chk;
    p.nsId = this.index.nsId(p.ns);
    p.id = this.index.find(fp.hi, fp.lo, fp.chk);
    if (p.id === 0) p.hash = fp.hashString();
    return p;
  }

  /** probe looks up one identifier by namespace and value. */
  probe(ns: string, value: string): Probe {
    return this.lookup({ ns, value, nsId: 0, hi: 0, lo: 0, chk: 0, hash: "", id: 0 });
  }

  /** createPerson allocates an empty person. */
  createPerson(tx: Tx): number {
    const id = this.nextPerson++;
    if (this.#defer(tx)) {
      if (this.#pendingFrom === 0) {
        this.#pendingFrom = id;
        this.#pendingNow = tx.now;
      }
    } else this.#s.insPerson.run(id, tx.now, tx.now, "{}", null, "{}");
    tx.onRollback(() => (this.nextPerson = id));
    return id;
  }

  /**
   * createIdentity stores a new identity in `person` (PII values sealed) and indexes it; `link` is the edge
   * that attaches it (to the identifier it arrived with), kept in its row.
   */
  createIdentity(tx: Tx, p: Probe, person: number, ev: EventRef, link: Link | null = null, flags = 0): number {
    const id = this.nextIdentity++;
    const value = isPiiNamespace(p.ns) ? this.crypto.encrypt(p.value) : p.value;
    const ts = Math.round(ev.ts);
    const to = link?.to ?? 0;
    const kind = link?.kind ?? null;
    if (this.#defer(tx)) this.#pendingIdentities.push(id, p.ns, p.hash, value, person, ts, flags, person, ev.source, to, kind);
    else this.#s.insIdentity.run(id, p.ns, p.hash, value, person, ts, flags, person, ev.source, to, kind);
    this.index.add(id, p.hi, p.lo, p.chk, p.nsId, person);
    tx.onRollback(() => {
      this.index.remove(id, p.hi, p.lo);
      this.nextIdentity = id;
    });
    p.id = id;
    return id;
  }

  /** createJunk stores a blocked value as an identity of its own person, for the events that carry only it. */
  createJunk(tx: Tx, p: Probe, ev: EventRef): number {
    return this.createIdentity(tx, p, this.createPerson(tx), ev, null, JUNK);
  }

  /** repoint moves identities to a person in the database and logs the change for the store readers. */
  repoint(ids: readonly number[], person: number, tx: Tx): void {
    this.flush();
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
    this.flush(); // the loser is often a person this commit created
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

  /** edge appends a link between two existing identities (a merge) to the edge log. */
  edge(tx: Tx, a: number, b: number, kind: EdgeKind, ev: EventRef): void {
    this.#s.insEdge.run(pairHi(a, b), pairLo(a, b), kind, ev.source, Math.round(ev.ts), tx.now);
  }

  /** conflict records a refused link once per pair: `a` is the event's own identifier, `b` the one refused. */
  conflict(tx: Tx, a: number, b: number, reason: string, kind: EdgeKind, ev: EventRef): void {
    const hi = pairHi(a, b);
    const lo = pairLo(a, b);
    if (!this.conflicts.add(hi, lo)) return;
    tx.onRollback(() => this.conflicts.delete(hi, lo));
    this.#s.insConflict.run(a, b, reason, kind, ev.source, Math.round(ev.ts), tx.now);
  }

  /** isRemoved tells whether an admin unlinked this pair. */
  isRemoved(a: number, b: number): boolean {
    return this.removed.has(pairHi(a, b), pairLo(a, b));
  }

  /** traits reads a person's traits with PII values still sealed (`open` decrypts them, for the API). */
  traits(person: number, open = false): TraitState {
    // A new person's traits are what this commit gave it (a new user's first identify reads no row).
    const row = this.#isPending(person) ? this.#pendingTraits.get(person) : (this.#s.getTraits.get(person) as PersonColumns | null);
    if (!row || (row.traits === "{}" && row.pii === null && row.trait_meta === "{}")) return emptyTraits();
    return decodeTraits(row, open ? this.crypto : undefined);
  }

  /** saveTraits writes a person's traits (PII values as sealed by the Sealer). */
  saveTraits(person: number, state: TraitState, now: number): void {
    if (2 * person < this.#settled.length) this.#settled.clear(2 * person, 2 * person + 2);
    const c = encodeTraits(state);
    if (this.#isPending(person)) this.#pendingTraits.set(person, c);
    else this.#s.setTraits.run(c.traits, c.pii, c.trait_meta, now, person);
  }

  /**
   * flush writes the pending persons and identities (class comment). The group commit calls it before it
   * commits; so does anything about to read or update those rows.
   */
  flush(): void {
    if (this.#pendingFrom !== 0) {
      const values: (string | number | null)[] = [];
      for (let id = this.#pendingFrom; id < this.nextPerson; id++) {
        const t = this.#pendingTraits.get(id);
        values.push(id, this.#pendingNow, this.#pendingNow, t?.traits ?? "{}", t?.pii ?? null, t?.trait_meta ?? "{}");
      }
      insertRows(this.#s.insPersons, this.#s.insPerson, values, 6);
      this.#pendingFrom = 0;
      this.#pendingTraits.clear();
    }
    if (this.#pendingIdentities.length > 0) {
      insertRows(this.#s.insIdentities, this.#s.insIdentity, this.#pendingIdentities, 11);
      this.#pendingIdentities.length = 0;
    }
  }

  /** defer tells whether rows of this transaction wait for its end, and arranges that they are written. */
  #defer(tx: Tx): boolean {
    if (!tx.beforeCommit) return false;
    if (!this.#flushQueued) {
      this.#flushQueued = true;
      tx.beforeCommit(this.#flushAtEnd);
      tx.onRollback(this.#dropPending);
    }
    return true;
  }

  readonly #flushAtEnd = () => {
    this.flush();
    this.#flushQueued = false;
  };

  /** A rolled-back transaction leaves nothing pending (the counters are restored by each row's own undo). */
  readonly #dropPending = () => {
    this.#pendingFrom = 0;
    this.#pendingTraits.clear();
    this.#pendingIdentities.length = 0;
    this.#flushQueued = false;
  };

  #isPending(person: number): boolean {
    return this.#pendingFrom !== 0 && person >= this.#pendingFrom;
  }

  /** applyTraits runs a message's trait operations on a person; unchanged traits cost no write. */
  applyTraits(tx: Tx, person: number, ops: TraitOps, p: Provenance): void {
    // Most events carry no trait operations (ingest sends empty objects): skip the row read entirely.
    if (isEmptyObject(ops.set) && isEmptyObject(ops.setOnce) && !(ops.unset && ops.unset.length > 0)) return;
    const [h, lo] = hash64(JSON.stringify([ops.set, ops.setOnce, ops.unset]));
    const hi = h || 1; // (0, 0) marks "nothing settled"
    const settled = this.#settled;
    if (2 * person < settled.length && settled.get(2 * person) === hi && settled.get(2 * person + 1) === lo) return;
    const state = this.traits(person);
    if (applyTraitOps(state, ops, p, this.sealer)) this.saveTraits(person, state, tx.now);
    if (!settles(state, ops, this.sealer)) return;
    if (2 * person + 1 >= settled.length) settled.resize(2 * Math.ceil(Math.max(person + 1, this.nextPerson) * 1.5));
    settled.set(2 * person, hi);
    settled.set(2 * person + 1, lo);
    // A rolled-back write leaves the row as it was: forget what this transaction settled.
    tx.onRollback(() => settled.clear(0, settled.length));
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

const IDENTITY_COLUMNS = "(id, ns, value_hash, value, person_id, first_seen, flags, origin_person, source, link_to, link_kind)";
const PERSON_COLUMNS = "(id, created_at, updated_at, traits, pii, trait_meta)";
/** Rows per multi-row insert: 64 × 11 values stay far below SQLite's 32,766 bound variables. */
const ROWS = 64;
const rows = (n: number, width: number) => Array(n).fill(`(${Array(width).fill("?").join(",")})`).join(",");

/** insertRows writes `values` (`width` per row) with the ROWS-row statement, the remainder a row at a time. */
function insertRows(many: Statement, one: Statement, values: readonly (string | number | null)[], width: number): void {
  const chunk = ROWS * width;
  let k = 0;
  for (; k + chunk <= values.length; k += chunk) many.run(...values.slice(k, k + chunk));
  for (; k < values.length; k += width) one.run(...values.slice(k, k + width));
}

function isEmptyObject(o: Readonly<Record<string, unknown>> | undefined): boolean {
  for (const _ in o) return false;
  return true;
}
