/**
 * Deleting a person (SPEC §4 privacy) must leave no row naming them. The identity room calls
 * `forgetPersons` inside its deletion transaction (PrivacyDeps.forget) for the rows this room keeps:
 * tag values and their change log, the person → packs index, and the packs' membership BLOBs and
 * entered/exited lists, which are rewritten without the deleted ids. Raw statements, like the rest
 * of the deletion: it runs inside the identity room's synchronous transaction.
 */
import type { Database } from "bun:sqlite";
import { decodeMembers, encodeMembers } from "./membership.ts";

/** without returns `ids` minus `gone`, or null when nothing was removed. */
function without(ids: Int32Array, gone: ReadonlySet<number>): Int32Array | null {
  const kept = ids.filter((id) => !gone.has(id));
  return kept.length === ids.length ? null : kept;
}

/** forgetPersons removes every tag and audience row naming one of `persons`. */
export function forgetPersons(db: Database, persons: readonly number[]): void {
  if (persons.length === 0) return;
  const list = JSON.stringify(persons);
  const inList = "(SELECT value FROM json_each(?))";
  db.query(`DELETE FROM person_tags WHERE person_id IN ${inList}`).run(list);
  db.query(`DELETE FROM tag_changes WHERE person_id IN ${inList}`).run(list);
  db.query(`DELETE FROM audience_members WHERE person_id IN ${inList}`).run(list);
  db.query("UPDATE tags SET coverage = (SELECT count(*) FROM person_tags WHERE tag_id = tags.id)").run();
  const gone = new Set(persons);
  // Snapshots and change lists are BLOBs: decode, filter, re-encode the ones that held a deleted id.
  for (const r of db.query<{ audience_id: number; members: Uint8Array }, []>("SELECT audience_id, members FROM audience_snapshots").all()) {
    const kept = without(decodeMembers(r.members), gone);
    if (!kept) continue;
    db.query("UPDATE audience_snapshots SET members = ?, size = ? WHERE audience_id = ?").run(encodeMembers(kept), kept.length, r.audience_id);
    db.query("UPDATE audiences SET size = ? WHERE id = ?").run(kept.length, r.audience_id);
  }
  for (const r of db.query<{ id: number; entered: Uint8Array; exited: Uint8Array }, []>("SELECT id, entered, exited FROM audience_changes").all()) {
    const entered = without(decodeMembers(r.entered), gone);
    const exited = without(decodeMembers(r.exited), gone);
    if (!entered && !exited) continue;
    const e = entered ?? decodeMembers(r.entered);
    const x = exited ?? decodeMembers(r.exited);
    db.query("UPDATE audience_changes SET entered = ?, exited = ?, entered_count = ?, exited_count = ? WHERE id = ?")
      .run(encodeMembers(e), encodeMembers(x), e.length, x.length, r.id);
  }
}
