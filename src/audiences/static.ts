/**
 * Static packs: a saved list of persons — an analysis' actors "saved as an audience" — rather than a
 * rule. A static pack is an ordinary pack whose definition reads "members of this pack": evaluating
 * it yields exactly the members it has, so a recomputation (manual or nightly) keeps them, and every
 * consumer of packs (membership, export, analysis, other packs' `audience` leaves, campaigns) works
 * unchanged. It is created paused so the nightly run does not spend time on it; the graph takes the
 * self-reference as no cycle (graph.ts).
 */
import type { SyncDb } from "../db/sync.ts";
import { type Audience, createAudience, getAudience, saveComputation, updateAudience } from "./audiences.repo.ts";
import type { AudienceTables } from "./audiences.table.ts";
import { staticDefinition } from "./static-pack.ts";

/** StaticInput is a static pack to create: its name and its members (any order, duplicates allowed). */
export interface StaticInput {
  readonly name: string;
  readonly description?: string | null;
  readonly createdBy?: string | null;
  readonly members: Int32Array;
}

/** createStaticAudience creates a static pack holding `members` as of `now`. */
export async function createStaticAudience(s: SyncDb<AudienceTables>, input: StaticInput, now: number): Promise<Audience> {
  const { k } = s;
  // The definition names the pack's own id, known only after the insert.
  const created = await createAudience(k, {
    name: input.name, description: input.description ?? null, createdBy: input.createdBy ?? null,
    definition: staticDefinition(0), status: "paused",
  }, now);
  try {
    await updateAudience(k, created.id, { definition: staticDefinition(created.id) }, now);
    const members = Int32Array.from(new Set(input.members)).sort();
    saveComputation(s, { audienceId: created.id, runId: null, asOf: now, members, computedAt: now, durationMs: 0 });
  } catch (e) {
    await k.deleteFrom("audiences").where("id", "=", created.id).execute();
    throw e;
  }
  return (await getAudience(k, created.id))!;
}
