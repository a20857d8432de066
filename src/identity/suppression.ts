/**
 * Suppression (SPEC §3 Consent, §4 Privacy): after a privacy request, data for the person's identifiers is
 * dropped at the door. The table keeps only (namespace, keyed hash); the check is a 64-bit set lookup per
 * identifier, exact-verified against the stored hash on a hit, and free while nothing is suppressed.
 */
import type { Database } from "bun:sqlite";
import { HashSet64 } from "../store/hash-set64.ts";
import { parseHash, type Fingerprinter } from "./fingerprint.ts";

export class Suppressions {
  readonly #db: Database;
  readonly #fp: Fingerprinter;
  readonly #set = new HashSet64(1 << 8);
  readonly #exact = new Set<string>();

  constructor(db: Database, fp: Fingerprinter) {
    this.#db = db;
    this.#fp = fp;
    for (const r of db.query<{ ns: string; h: string }, []>("SELECT ns, value_hash AS h FROM identity_suppressions").iterate()) {
      this.#remember(r.ns, r.h);
    }
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

  /** reload re-reads the table after a committed change. */
  reload(): void {
    for (const r of this.#db.query<{ ns: string; h: string }, []>("SELECT ns, value_hash AS h FROM identity_suppressions").iterate()) {
      this.#remember(r.ns, r.h);
    }
  }

  #remember(ns: string, hash: string): void {
    const [hi, lo] = parseHash(hash);
    this.#set.add(hi, lo);
    this.#exact.add(`${ns}\u0000${hash}`);
  }
}
