/**
 * The audience room's read-side operations, registered in store/reader-ops.ts so a preview, a pack's
 * computation, a computed tag or a breakdown runs in the store worker on one read snapshot — long
 * evaluations never stall ingestion on the main thread — and `readerEngine` is the AudienceEngine
 * that calls them. Each op is one of engine.ts's pure functions over the store population.
 */
import { collect, personColumns } from "../query/query.ops.ts";
import type { ReaderClient } from "../store/reader-client.ts";
import type { StoreReader } from "../store/reader.ts";
import {
  computedTag, members, preview, traitBreakdown,
  type AudienceEngine, type ComputedTagArgs, type EvalArgs, type PreviewArgs, type TraitBreakdownArgs,
} from "./engine.ts";
import type { Population } from "./population.ts";
import { storePopulation } from "./store-population.ts";

/** over runs `fn` on the store population of the reader's snapshot, then collects as queries do. */
function over<A, R>(fn: (pop: Population, args: A) => R): (reader: StoreReader, args: A) => R {
  return (reader, args) => {
    const before = process.memoryUsage.rss();
    const out = fn(storePopulation(reader, personColumns(reader)), args);
    collect(before);
    return out;
  };
}

/** audienceOps are the room's entries of the read-op table. */
export const audienceOps = {
  audiencePreview: over((pop, a: PreviewArgs) => preview(pop, a)),
  audienceMembers: over((pop, a: EvalArgs) => members(pop, a)),
  audienceComputedTag: over((pop, a: ComputedTagArgs) => computedTag(pop, a)),
  audienceTraitBreakdown: over((pop, a: TraitBreakdownArgs) => traitBreakdown(pop, a)),
};

/** readerEngine answers through the store's read side (the worker in the server). */
export function readerEngine(reader: ReaderClient): AudienceEngine {
  return {
    preview: (a) => reader.call("audiencePreview", a),
    members: (a) => reader.call("audienceMembers", a),
    computedTag: (a) => reader.call("audienceComputedTag", a),
    traitBreakdown: (a) => reader.call("audienceTraitBreakdown", a),
  };
}
