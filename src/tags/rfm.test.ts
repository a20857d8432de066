/**
 * Protects RFM scoring: quantile buckets of ~20%, ties never split (and where they land), the
 * direction of recency, the 8-class Chinese model against the mean score, and the tier rules used
 * for "high spending power" / "high order frequency" tags. All expectations are computed by hand.
 */
import { describe, expect, test } from "bun:test";
import { quantileScores, RFM_CLASSES, scoreRfm } from "./rfm.ts";
import { DEFAULT_TIERS, TierRule, tierOf } from "./tiers.ts";

describe("quantileScores", () => {
  test("ten distinct values fill five buckets of two", () => {
    const xs = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    expect([...quantileScores(xs, "higher")]).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    expect([...quantileScores(xs, "lower")]).toEqual([5, 5, 4, 4, 3, 3, 2, 2, 1, 1]);
  });

  test("ties share the score of their lowest position: 60% single buyers all score 1", () => {
    expect([...quantileScores([1, 1, 1, 1, 1, 1, 2, 3, 5, 8], "higher")]).toEqual([1, 1, 1, 1, 1, 1, 4, 4, 5, 5]);
    // Recency (lower is better): the two who bought today share position 5 and 6 of 6 → score 4.
    expect([...quantileScores([0, 0, 5, 5, 5, 30], "lower")]).toEqual([4, 4, 1, 1, 1, 1]);
  });

  test("order of input does not matter, and non-finite values are refused", () => {
    expect([...quantileScores([100, 10, 50], "higher")]).toEqual([4, 1, 2]);
    expect(() => quantileScores([1, Number.NaN], "higher")).toThrow("not a finite number");
  });
});

test("the 8 classes: each score is compared with its mean (strictly above = high)", () => {
  const combos = [
    [1, 10, 1000, "重要价值客户"], [100, 10, 1000, "重要保持客户"], [1, 1, 1000, "重要发展客户"], [100, 1, 1000, "重要挽留客户"],
    [1, 10, 10, "一般价值客户"], [100, 10, 10, "一般保持客户"], [1, 1, 10, "一般发展客户"], [100, 1, 10, "一般挽留客户"],
  ] as const;
  const out = scoreRfm(combos.map(([recencyDays, frequency, monetary]) => ({ recencyDays, frequency, monetary })));
  // Each dimension splits 50/50: the better half scores 1 + ⌊5·4/8⌋ = 3, the other 1; mean 2.
  expect(out.map((x) => x.rfmClass)).toEqual(combos.map((c) => c[3]));
  expect(out[0]).toEqual({ r: 3, f: 3, m: 3, code: "333", rfmClass: "重要价值客户" });
  expect(out[7]!.code).toBe("111");
  expect(new Set(out.map((x) => x.rfmClass)).size).toBe(RFM_CLASSES.length);
});

test("a dimension where everyone is equal is low for everyone", () => {
  const out = scoreRfm([{ recencyDays: 3, frequency: 1, monetary: 10 }, { recencyDays: 3, frequency: 1, monetary: 20 }]);
  expect(out.map((x) => x.rfmClass)).toEqual(["一般挽留客户", "重要挽留客户"]);
});

describe("tiers", () => {
  test.each([[5, "high"], [4, "high"], [3, "medium"], [2, "medium"], [1, "low"]] as const)("default score rule: %d → %s", (score, want) => {
    expect(tierOf(DEFAULT_TIERS, score, 0)).toBe(want);
  });

  test("value rule uses the raw value with inclusive thresholds", () => {
    const rule = TierRule.parse({ basis: "value", high: 5000, medium: 1000 });
    expect([999.99, 1000, 4999, 5000].map((v) => tierOf(rule, 1, v))).toEqual(["low", "medium", "medium", "high"]);
  });

  test("medium must be below high", () => {
    const r = TierRule.safeParse({ basis: "score", high: 3, medium: 3 });
    expect(r.error?.issues[0]?.path).toEqual(["medium"]);
  });
});
