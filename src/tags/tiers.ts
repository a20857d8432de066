/**
 * Order-frequency and spending-power tiers (high / medium / low), pure. A tier rule reads either the
 * quantile score (1–5, so tiers follow the customer base: `high` = score ≥ 4 is the top ~40%) or the
 * raw value (orders, money) when the business has fixed thresholds such as "≥ 5000 元 a year".
 */
import { z } from "zod";

export const TierRule = z.discriminatedUnion("basis", [
  z
    .strictObject({ basis: z.literal("score"), high: z.number().int().min(2).max(5), medium: z.number().int().min(1).max(4) })
    .refine((t) => t.medium < t.high, { message: "medium must be below high", path: ["medium"] }),
  z
    .strictObject({ basis: z.literal("value"), high: z.number().positive(), medium: z.number().positive() })
    .refine((t) => t.medium < t.high, { message: "medium must be below high", path: ["medium"] }),
]);
export type TierRule = z.infer<typeof TierRule>;

/** DEFAULT_TIERS: score ≥ 4 is high (reference/automation.md §4.1: `high_spending_power := m_score >= 4`). */
export const DEFAULT_TIERS: TierRule = { basis: "score", high: 4, medium: 2 };

export type Tier = "high" | "medium" | "low";

/** tierOf places one customer by score or value, inclusive at the thresholds. */
export function tierOf(rule: TierRule, score: number, value: number): Tier {
  const x = rule.basis === "score" ? score : value;
  return x >= rule.high ? "high" : x >= rule.medium ? "medium" : "low";
}
