/**
 * Computed tags: values derived from events by a nightly job (RFM scores and classes, order
 * frequency, spending power, lifecycle stage), computed over the same `Population` contract as
 * audiences so the data layer implements one interface. One value per person row; null = untagged.
 */
import { z } from "zod";
import { Duration } from "../audiences/definition.ts";
import type { EvalContext } from "../audiences/evaluate-person.ts";
import { numericValue } from "../audiences/measure.ts";
import type { Population } from "../audiences/population.ts";
import { codeTable, scanEvents } from "../audiences/scan.ts";
import { resolveWindow } from "../audiences/windows.ts";
import { localDays } from "../audiences/zone.ts";
import { Filter } from "../query/filter.ts";
import { LifecycleThresholds, stageClassifier } from "./lifecycle.ts";
import { quantileScores, scoreRfm } from "./rfm.ts";
import { TierRule, tierOf } from "./tiers.ts";

/** OrderSource says which events are paid orders and where their amount is. */
export const OrderSource = z.strictObject({
  event: z.string().min(1).max(200),
  amountProperty: z.string().min(1).max(200),
  where: z.array(Filter).max(20).optional(),
  /** the look-back of F and M (commonly 6–24 months); R is measured to the last order inside it */
  window: Duration,
});
export type OrderSource = z.infer<typeof OrderSource>;

export const ComputedSpec = z.discriminatedUnion("fn", [
  z.strictObject({ fn: z.literal("rfm_class"), orders: OrderSource }),
  z.strictObject({ fn: z.literal("rfm_score"), part: z.enum(["r", "f", "m", "code"]), orders: OrderSource }),
  z.strictObject({ fn: z.literal("order_frequency"), orders: OrderSource, tiers: TierRule }),
  z.strictObject({ fn: z.literal("spending_power"), orders: OrderSource, tiers: TierRule }),
  z.strictObject({
    fn: z.literal("lifecycle"),
    activityEvents: z.array(z.string().min(1).max(200)).min(1).max(20),
    thresholds: LifecycleThresholds,
  }),
]);
export type ComputedSpec = z.infer<typeof ComputedSpec>;

/** OrderStats holds, for each customer row (≥ 1 order in the window), R/F/M raw values. */
interface OrderStats {
  readonly rows: Int32Array;
  readonly recencyDays: Float64Array;
  readonly frequency: Float64Array;
  readonly monetary: Float64Array;
}

/** orderStats scans the order events once; a missing or non-numeric amount adds an order worth 0. */
function orderStats(pop: Population, src: OrderSource, ctx: EvalContext): OrderStats {
  const size = pop.personIds.length;
  const range = resolveWindow({ kind: "last", ...src.window }, ctx.asOf, ctx.timezone);
  const count = new Int32Array(size);
  const money = new Float64Array(size);
  const last = new Float64Array(size).fill(Number.NEGATIVE_INFINITY);
  const numbers = new WeakMap<readonly unknown[], Float64Array>();
  for (const { chunk, masks } of scanEvents(pop, src.event, range, [src.where], [src.amountProperty])) {
    const col = chunk.props.get(src.amountProperty);
    const num = col ? codeTable(col, numbers, (v) => numericValue(v) ?? 0, Float64Array) : null;
    const mask = masks[0]!;
    for (let i = 0; i < chunk.n; i++) {
      if (!mask[i]) continue;
      const r = chunk.row[i]!;
      count[r]!++;
      if (num && col) money[r]! += num[col.codes[i]!]!;
      if (chunk.ts[i]! > last[r]!) last[r] = chunk.ts[i]!;
    }
  }
  const rows = Int32Array.from(count.keys()).filter((r) => count[r]! > 0);
  const days = localDays(ctx.timezone);
  const today = days.day(ctx.asOf);
  return {
    rows,
    recencyDays: Float64Array.from(rows, (r) => today - days.day(last[r]!)),
    frequency: Float64Array.from(rows, (r) => count[r]!),
    monetary: Float64Array.from(rows, (r) => money[r]!),
  };
}

/** activitySpan scans activity events up to asOf: first and last per row (NaN = never). */
function activitySpan(pop: Population, events: readonly string[], ctx: EvalContext) {
  const size = pop.personIds.length;
  const first = new Float64Array(size).fill(Number.NaN);
  const last = new Float64Array(size).fill(Number.NaN);
  const range = resolveWindow({ kind: "ever" }, ctx.asOf, ctx.timezone);
  for (const event of new Set(events)) {
    for (const { chunk, masks } of scanEvents(pop, event, range, [undefined], [])) {
      const mask = masks[0]!;
      for (let i = 0; i < chunk.n; i++) {
        if (!mask[i]) continue;
        const r = chunk.row[i]!;
        const t = chunk.ts[i]!;
        if (!(first[r]! <= t)) first[r] = t;
        if (!(last[r]! >= t)) last[r] = t;
      }
    }
  }
  return { first, last };
}

/** computeTagValues returns one value per population row (null: the person does not get the tag). */
export function computeTagValues(
  spec: ComputedSpec, pop: Population, ctx: EvalContext,
): (string | null)[] {
  const out: (string | null)[] = new Array(pop.personIds.length).fill(null);
  if (spec.fn === "lifecycle") {
    const { first, last } = activitySpan(pop, spec.activityEvents, ctx);
    const classify = stageClassifier(ctx.asOf, ctx.timezone, spec.thresholds);
    const orNull = (x: number) => (Number.isNaN(x) ? null : x);
    for (let r = 0; r < out.length; r++) out[r] = classify({ firstSeen: orNull(first[r]!), lastActive: orNull(last[r]!) });
    return out;
  }
  const s = orderStats(pop, spec.orders, ctx);
  if (spec.fn === "order_frequency" || spec.fn === "spending_power") {
    const values = spec.fn === "order_frequency" ? s.frequency : s.monetary;
    const scores = quantileScores(values, "higher");
    s.rows.forEach((r, i) => { out[r] = tierOf(spec.tiers, scores[i]!, values[i]!); });
    return out;
  }
  const results = scoreRfm(Array.from(s.rows, (_, i) => ({
    recencyDays: s.recencyDays[i]!, frequency: s.frequency[i]!, monetary: s.monetary[i]!,
  })));
  s.rows.forEach((r, i) => {
    const x = results[i]!;
    out[r] = spec.fn === "rfm_class" ? x.rfmClass : String(spec.part === "code" ? x.code : x[spec.part]);
  });
  return out;
}
