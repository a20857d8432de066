/**
 * Operational lifecycle stage for automation (reference/automation.md §4.2), pure: new / active /
 * dormant / churned from first-seen and last qualifying activity, with configurable thresholds, and
 * the rule that turns a stage change into a `lifecycle_changed` event so win-back journeys are
 * ordinary event triggers. Transitions go both ways (unlike Mautic's monotonic stages).
 *
 * "Within N days" uses the window semantics of audiences: (asOf − N local days, asOf].
 * Precedence: new (first seen within newDays) → active (activity within activeDays) → dormant
 * (within dormantDays) → churned (older, or seen but never active). Never seen at all: no stage.
 */
import { z } from "zod";
import { shift } from "../audiences/zone.ts";

/** LifecycleThresholds are the stage boundaries in days; active must end before dormant does. */
export const LifecycleThresholds = z
  .strictObject({
    newDays: z.number().int().min(1).max(3650),
    activeDays: z.number().int().min(1).max(3650),
    dormantDays: z.number().int().min(2).max(3650),
  })
  .refine((t) => t.activeDays < t.dormantDays, {
    message: "activeDays must be smaller than dormantDays",
    path: ["dormantDays"],
  });
export type LifecycleThresholds = z.infer<typeof LifecycleThresholds>;

/** DEFAULT_LIFECYCLE is 7 days new, 30 days active, 90 days before churn (tune per vertical). */
export const DEFAULT_LIFECYCLE: LifecycleThresholds = { newDays: 7, activeDays: 30, dormantDays: 90 };

export const STAGES = ["new", "active", "dormant", "churned"] as const;
export type Stage = (typeof STAGES)[number];

/** LifecycleInput is what the stage is computed from (epoch ms, null when unknown). */
export interface LifecycleInput {
  readonly firstSeen: number | null;
  readonly lastActive: number | null;
}

/** stageClassifier fixes asOf and thresholds once, then classifies many persons. */
export function stageClassifier(
  asOf: number, tz: string, t: LifecycleThresholds,
): (p: LifecycleInput) => Stage | null {
  const since = (days: number) => shift(asOf, { n: days, unit: "day" }, -1, tz);
  const [newFrom, activeFrom, dormantFrom] = [since(t.newDays), since(t.activeDays), since(t.dormantDays)];
  const within = (ts: number | null, from: number) => ts !== null && ts > from && ts <= asOf;
  return ({ firstSeen, lastActive }) => {
    if (firstSeen === null && lastActive === null) return null;
    if (within(firstSeen, newFrom)) return "new";
    if (within(lastActive, activeFrom)) return "active";
    if (within(lastActive, dormantFrom)) return "dormant";
    return "churned";
  };
}

/** LifecycleChange is the payload of a `lifecycle_changed` event. */
export interface LifecycleChange {
  readonly from: Stage;
  readonly to: Stage;
  /** back to active from dormant or churned: the win-back signal */
  readonly reactivated: boolean;
}

/**
 * lifecycleChange decides whether a stage change emits `lifecycle_changed`: only when a previous
 * stage existed and differs. The first assignment is silent (the first nightly run must not flood
 * campaigns with one event per person), and losing the stage (person deleted) emits nothing.
 */
export function lifecycleChange(prev: Stage | null, next: Stage | null): LifecycleChange | null {
  if (prev === null || next === null || prev === next) return null;
  return { from: prev, to: next, reactivated: next === "active" && (prev === "dormant" || prev === "churned") };
}
