/**
 * Suppression (SPEC §3 Consent, §4 Privacy): after a privacy request, data for the person's identifiers is
 * dropped at the door. The table keeps only (namespace, keyed hash); the check is a 64-bit set lookup per
 * identifier, exact-verified against the stored hash on a hit, and free while nothing is suppressed.
 */
import type { Database } from "bun:sqlite";
import { HashSet64 } from "../store/hash-set64.ts";
import { parseHash, type Fingerprinter } from "./fingerprint.ts";

/** Suppression is one suppressed identifier as an admin sees it: its namespace and since when (never the value). */
export interface Suppression {
  readonly id: number;
  readonly namespace: string;
  readonly createdAt: number;
}

export class Suppressions {
  readonly #db: Database;
  readonly #fp: Fingerprinter;
  #set = new HashSet64(1 << 8);
  readonly #exact = new Set<string>();

  constructor(db: Database, fp: Fingerprinter) {
    this.#db = db;
    this.#fp = fp;
    this.reload();
  }

  /** size is the number of suppressed identifiers. */
  get size(): number {
    return this.#exact.size;
  }

  /** has checks one identifier whose fingerprint halves are known (the resolver has them already). */
  has(ns: string, value: string, hi: number, lo: number): boolean {
    if (this.#exact.size === 0 || !this.#set.has(hi, lo)) return false;
    return this.#exact.has(`${ns}\u0000${this.#fp.hashOf(ns, value)}`);
  }

  /** hasValue checks one identifier by value. */
  hasValue(ns: string, value: string): boolean {
    if (this.#exact.size === 0) return false;
    this.#fp.compute(ns, value);
    return this.has(ns, value, this.#fp.hi, this.#fp.lo);
  }

  /** add suppresses an identifier given its stored value_hash (inside the caller's transaction). */
  add(ns: string, hash: string, now: number): void {
    this.#db.query("INSERT INTO identity_suppressions (ns, value_hash, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
      .run(ns, hash, now);
  }

  /** reload re-reads the table after a committed change (the 64-bit set has no removal: it is rebuilt). */
  reload(): void {
    this.#set = new HashSet64(1 << 8);
    this.#exact.clear();
    for (const r of this.#db.query<{ ns: string; h: string }, []>("SELECT ns, value_hash AS h FROM identity_suppressions").iterate()) {
      this.#remember(r.ns, r.h);
    }
  }

  /** list pages the suppressions, newest first (`before` is the last id of the previous page). */
  list(before: number | null, limit: number): { items: Suppression[]; next: number | null } {
    const rows = this.#db
      .query<Suppression, [number, number]>(
        "SELECT id, ns AS namespace, created_at AS createdAt FROM identity_suppressions WHERE id < ? ORDER BY id DESC LIMIT ?",
      )
      .all(before ?? Number.MAX_SAFE_INTEGER, limit + 1);
    const items = rows.slice(0, limit);
    return { items, next: rows.length > limit ? items.at(-1)!.id : null };
  }

  /** find answers whether one identifier (already normalised for its namespace) is suppressed. */
  find(ns: string, value: string): Suppression | null {
    return (
      this.#db
        .query<Suppression, [string, string]>(
          "SELECT id, ns AS namespace, created_at AS createdAt FROM identity_suppressions WHERE ns = ? AND value_hash = ?",
        )
        .get(ns, this.#fp.hashOf(ns, value)) ?? null
    );
  }

  /** lift ends one suppression: data for that identifier is taken in again. Returns what was lifted. */
  lift(id: number): Suppression | null {
    const row = this.#db
      .query<Suppression, [number]>("DELETE FROM identity_suppressions WHERE id = ? RETURNING id, ns AS namespace, created_at AS createdAt")
      .get(id);
    if (row) this.reload();
    return row ?? null;
  }

  #remember(ns: string, hash: string): void {
    const [hi, lo] = parseHash(hash);
    this.#set.add(hi, lo);
    this.#exact.add(`${ns}\u0000${hash}`);
  }
}
