/** Row types of the identity tables (migrations 0002 and 0040) for Kysely, composed in src/db/schema.ts. */

export interface PersonsTable {
  id: number;
  created_at: number;
  updated_at: number;
  merged_into: number | null;
  traits: string;
  pii: string | null;
  trait_meta: string;
}

export interface IdentitiesTable {
  id: number;
  ns: string;
  value_hash: string;
  value: string;
  person_id: number;
  first_seen: number;
  flags: number;
  origin_person: number;
  source: number;
  link_to: number;
  link_kind: string | null;
}

export interface IdentityConflictsTable {
  id: number;
  a: number;
  b: number;
  reason: string;
  kind: string;
  source: number;
  ts: number;
  created_at: number;
}

// A type alias, not an interface: Kysely's withTables needs the index signature an alias has implicitly.
export type IdentityTables = {
  persons: PersonsTable;
  identities: IdentitiesTable;
  identity_conflicts: IdentityConflictsTable;
};
