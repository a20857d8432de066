/**
 * PII at rest (SPEC §4 Privacy): e-mail and phone identifiers are stored encrypted, and the traits that hold
 * them are kept in `persons.pii` as one sealed JSON object; every other trait stays in clear in
 * `persons.traits` so search can read it. Lookups never decrypt: they go through keyed hashes.
 */
import { PII_NAMESPACES } from "./identifier.ts";
import type { TraitState } from "./traits.ts";

/** PiiCrypto is the slice of src/crypto the identity room uses (AES-GCM seal, keyed hash). */
export interface PiiCrypto {
  encrypt(plain: string): string;
  decrypt(sealed: string): string;
  keyedHash(value: string): string;
}

/** PII_TRAITS are the trait keys sealed in `persons.pii`; they also link as identifiers (TRAIT_IDENTIFIERS). */
export const PII_TRAITS: ReadonlySet<string> = new Set(["email", "phone", "mobile", "phone_number", "phoneNumber"]);

/** TRAIT_IDENTIFIERS maps the trait keys that declare an identifier to its namespace. */
export const TRAIT_IDENTIFIERS: Readonly<Record<string, string>> = {
  email: "email",
  phone: "phone",
  mobile: "phone",
  phone_number: "phone",
  phoneNumber: "phone",
};

/** isPiiNamespace tells whether identity values of a namespace are sealed. */
export function isPiiNamespace(ns: string): boolean {
  return PII_NAMESPACES.has(ns);
}

/** PersonColumns are the three trait columns of a `persons` row. */
export interface PersonColumns {
  traits: string;
  pii: string | null;
  trait_meta: string;
}

/** encodeTraits splits a trait state into its columns, sealing the PII part. */
export function encodeTraits(state: TraitState, crypto: PiiCrypto): PersonColumns {
  const clear: Record<string, unknown> = {};
  const secret: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(state.values)) (PII_TRAITS.has(k) ? secret : clear)[k] = v;
  const hasSecret = Object.keys(secret).length > 0;
  return {
    traits: JSON.stringify(clear),
    pii: hasSecret ? crypto.encrypt(JSON.stringify(secret)) : null,
    trait_meta: JSON.stringify(state.meta),
  };
}

/** decodeTraits reads a trait state back from its columns. */
export function decodeTraits(row: PersonColumns, crypto: PiiCrypto): TraitState {
  const values = JSON.parse(row.traits) as Record<string, unknown>;
  if (row.pii) Object.assign(values, JSON.parse(crypto.decrypt(row.pii)) as Record<string, unknown>);
  return { values, meta: JSON.parse(row.trait_meta) as TraitState["meta"] };
}
