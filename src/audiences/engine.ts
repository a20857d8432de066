/**
 * AudienceEngine is how the main thread asks questions that need the whole population: a preview, a
 * pack's members, a computed tag's values, a pack's breakdown by a trait. The answers are computed
 * where the data is — the store worker (audience.ops.ts registers them as read ops) — from the same
 * pure functions below, which tests also run in-process over a fixture population (`populationEngine`).
 * Every argument and result is structured-cloneable (plain JSON and typed arrays).
 */
import type { ComputedSpec } from "../tags/computed.ts";
import { computeTagValues } from "../tags/computed.ts";
import { countRows, type Bitset } from "./bitset.ts";
import { traitDistribution, type Distribution } from "./analysis.ts";
import type { Node } from "./definition.ts";
import type { EvalContext } from "./evaluate-person.ts";
import { evaluateSet, personIdsOf } from "./evaluate-set.ts";
import type { Population } from "./population.ts";

/** EvalArgs names a definition and the instant and zone it is evaluated at. */
export interface EvalArgs extends EvalContext {
  readonly definition: Node;
}

/** PreviewArgs asks for the count and `sample` person ids spread over the matching persons. */
export interface PreviewArgs extends EvalArgs {
  readonly sample: number;
}

/** PreviewResult is a preview: how many match, some of them, and the evaluation time. */
export interface PreviewResult {
  readonly count: number;
  readonly sample: number[];
  readonly ms: number;
}

/** TagValues are the persons holding a computed tag and their values (parallel, ascending ids). */
export interface TagValues {
  readonly persons: Int32Array;
  readonly values: string[];
}

/** ComputedTagArgs asks for a computed tag's values as of an instant. */
export interface ComputedTagArgs extends EvalContext {
  readonly spec: ComputedSpec;
}

/** TraitBreakdownArgs asks how a saved pack's current members spread over one trait. */
export interface TraitBreakdownArgs {
  readonly audienceId: number;
  readonly property: string;
  readonly limit: number;
}

/** AudienceEngine answers population-wide questions; see the file comment. */
export interface AudienceEngine {
  preview(args: PreviewArgs): Promise<PreviewResult>;
  /** members returns the ascending ids of the persons matching a definition. */
  members(args: EvalArgs): Promise<Int32Array>;
  computedTag(args: ComputedTagArgs): Promise<TagValues>;
  traitBreakdown(args: TraitBreakdownArgs): Promise<Distribution>;
}

/** spread picks up to `n` rows evenly over the whole (ascending) set, so a sample is not just the oldest persons. */
function spread(rows: Bitset, pop: Population, n: number): number[] {
  const ids = personIdsOf(rows, pop);
  if (ids.length <= n) return [...ids];
  return Array.from({ length: n }, (_, i) => ids[Math.floor((i * ids.length) / n)]!);
}

/** preview evaluates a definition and samples the result. */
export function preview(pop: Population, a: PreviewArgs): PreviewResult {
  const t0 = performance.now();
  const rows = evaluateSet(a.definition, pop, a);
  const count = countRows(rows);
  const sample = a.sample > 0 ? spread(rows, pop, a.sample) : [];
  return { count, sample, ms: Math.round((performance.now() - t0) * 10) / 10 };
}

/** members evaluates a definition into ascending person ids. */
export function members(pop: Population, a: EvalArgs): Int32Array {
  return personIdsOf(evaluateSet(a.definition, pop, a), pop);
}

/** computedTag computes a computed tag's value for every person who gets one. */
export function computedTag(pop: Population, a: ComputedTagArgs): TagValues {
  const perRow = computeTagValues(a.spec, pop, a);
  const persons: number[] = [];
  const values: string[] = [];
  perRow.forEach((v, row) => {
    if (v === null) return;
    persons.push(pop.personIds[row]!);
    values.push(v);
  });
  return { persons: Int32Array.from(persons), values };
}

/** traitBreakdown distributes a pack's current members (as stored) over a trait. */
export function traitBreakdown(pop: Population, a: TraitBreakdownArgs): Distribution {
  return traitDistribution(pop, pop.audience(String(a.audienceId)), a.property, a.limit);
}

/** populationEngine answers in this thread over a population built per call (tests, fixtures). */
export function populationEngine(population: () => Population): AudienceEngine {
  return {
    preview: async (a) => preview(population(), a),
    members: async (a) => members(population(), a),
    computedTag: async (a) => computedTag(population(), a),
    traitBreakdown: async (a) => traitBreakdown(population(), a),
  };
}
