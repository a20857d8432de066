/** Row types of migration 0031 (tag groups, tags, person tags, tag value changes). */
import type { Generated } from "kysely";

export type TagKind = "manual" | "rule" | "computed";
export type TagValueType = "boolean" | "string";

export interface TagGroupsTable {
  id: Generated<number>;
  name: string;
  description: string | null;
  position: Generated<number>;
  created_at: number;
}

export interface TagsTable {
  id: Generated<number>;
  name: string;
  label: string | null;
  description: string | null;
  group_id: number | null;
  kind: TagKind;
  value_type: TagValueType;
  definition: string | null;
  emit_event: string | null;
  coverage: Generated<number>;
  last_computed_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface PersonTagsTable {
  tag_id: number;
  person_id: number;
  value: string | null;
  source: string;
  updated_at: number;
}

export interface TagChangesTable {
  run_id: number;
  tag_id: number;
  person_id: number;
  old_value: string | null;
  new_value: string | null;
  emitted_at: number | null;
}

/** TagTables is this feature's part of the Kysely `Database` interface. */
export interface TagTables {
  tag_groups: TagGroupsTable;
  tags: TagsTable;
  person_tags: PersonTagsTable;
  tag_changes: TagChangesTable;
}
