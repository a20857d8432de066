/**
 * IdentityService assembles the identity room on the writer connection: the in-memory graph loaded from the
 * database, the resolver the store writer calls, the suppression check the ingest pipeline calls at the
 * door, and the guard settings.
 *
 * @example
 * ```ts
 * const identity = IdentityService.open(db, crypto);
 * const store = await StoreService.open<IdentityInput>(db, { file, resolve: identity.resolve });
 * if (identity.isSuppressed(message)) drop("suppressed");
 * ```
 */
import type { Database } from "bun:sqlite";
import type { IdentityResolver } from "../store/writer.ts";
import { Fingerprinter } from "./fingerprint.ts";
import { normaliseNamespace, normaliseValue, WEAK_NAMESPACES } from "./identifier.ts";
import { IdentityGraph } from "./identity-graph.ts";
import { extractIdentifiers, type IdentityInput } from "./identity-input.ts";
import {
  compileGuards, readIdentitySettings, writeIdentitySettings, type IdentitySettings, type IdentitySettingsPatch,
} from "./identity-settings.ts";
import { isPiiNamespace, type PiiCrypto } from "./pii.ts";
import { Resolver } from "./resolver.ts";
import { Suppressions, type Suppression } from "./suppression.ts";

export class IdentityService {
  readonly graph: IdentityGraph;
  readonly suppressions: Suppressions;
  readonly #resolver: Resolver;
  /** resolve is the store writer's IdentityResolver (runs inside the group commit, per event). */
  readonly resolve: IdentityResolver<IdentityInput>;

  private constructor(graph: IdentityGraph, suppressions: Suppressions, resolver: Resolver) {
    this.graph = graph;
    this.suppressions = suppressions;
    this.#resolver = resolver;
    this.resolve = resolver.resolve;
  }

  /** open loads the identity graph from `db` (the writer connection) and prepares the resolver. */
  static open(db: Database, crypto: PiiCrypto): IdentityService {
    const fp = new Fingerprinter(crypto);
    const graph = new IdentityGraph(db, crypto, fp);
    const suppressions = new Suppressions(db, fp);
    return new IdentityService(graph, suppressions, new Resolver(graph, suppressions, compileGuards(readIdentitySettings(db))));
  }

  /**
   * isSuppressed tells the ingest pipeline to drop a message at the door: one of its identifiers (including
   * e-mail/phone traits) belongs to a person deleted with suppression — a device id (WEAK_NAMESPACES) only
   * when the message is sent with it, as the resolver decides. Free while nothing is suppressed.
   */
  isSuppressed(input: IdentityInput): boolean {
    if (this.suppressions.size === 0) return false;
    const { list } = extractIdentifiers(input, this.#resolver.guards);
    return list.some((c, k) => !c.junk && (k === 0 || !WEAK_NAMESPACES.has(c.ns)) && this.suppressions.hasValue(c.ns, c.value));
  }

  /**
   * lookup finds an identifier (value normalised for its namespace) and its current person. Unlike the
   * per-event path, which trusts the 96-bit keyed fingerprint (fingerprint.ts), an answer shown to a person
   * is verified against the stored value.
   */
  lookup(ns: string, value: string): { identity: number; person: number } | null {
    const v = normaliseValue(ns, value, this.#resolver.guards.defaultCountryCode);
    if (v === null) return null;
    const p = this.graph.probe(ns, v);
    if (p.id === 0) return null;
    const row = this.graph.db.query<{ ns: string; value: string }, [number]>("SELECT ns, value FROM identities WHERE id = ?").get(p.id);
    const stored = row && (isPiiNamespace(row.ns) ? this.graph.crypto.decrypt(row.value) : row.value);
    if (!row || row.ns !== ns || stored !== v) return null;
    return { identity: p.id, person: this.graph.index.personOf(p.id) };
  }

  /**
   * suppression answers whether data for an identifier is dropped at the door, reading `type` and `value` as
   * ingestion does (namespace aliases, lower-cased e-mail, E.164 phone); undefined when they are not an identifier.
   */
  suppression(type: string, value: string): Suppression | null | undefined {
    const ns = normaliseNamespace(type);
    const v = ns === null ? null : normaliseValue(ns, value, this.#resolver.guards.defaultCountryCode);
    return ns === null || v === null ? undefined : this.suppressions.find(ns, v);
  }

  /** settings are the guard settings in force. */
  settings(): IdentitySettings {
    return readIdentitySettings(this.graph.db);
  }

  /** updateSettings validates, stores and applies new guard settings. */
  updateSettings(patch: IdentitySettingsPatch): IdentitySettings {
    const next = writeIdentitySettings(this.graph.db, patch);
    this.#resolver.configure(compileGuards(next));
    return next;
  }
}
