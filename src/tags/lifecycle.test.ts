/**
 * Protects lifecycle stages and the `lifecycle_changed` emission rule: boundaries use the audience
 * window semantics (asOf − N local days is outside, one millisecond later inside), precedence
 * new → active → dormant → churned, and only real transitions emit (never the first assignment).
 */
import { describe, expect, test } from "bun:test";
import { t1AsOf } from "../audiences/zone.ts";
import { DEFAULT_LIFECYCLE, LifecycleThresholds, lifecycleChange, stageClassifier, type Stage } from "./lifecycle.ts";

const TZ = "Asia/Shanghai";
const DAY = 86_400_000;
const asOf = t1AsOf(Date.parse("2024-03-15T03:00:00+08:00"), TZ);
const ago = (days: number, ms = 0) => asOf - days * DAY + ms;
const classify = stageClassifier(asOf, TZ, DEFAULT_LIFECYCLE);

describe("stage", () => {
  test.each<[string, number | null, number | null, Stage | null]>([
    ["first seen 3 days ago", ago(3), ago(3), "new"],
    ["first seen on the first ms of the 7-day window", ago(7, 1), ago(40), "new"],
    ["first seen exactly 7 days before asOf is no longer new", ago(7), ago(7), "active"],
    ["active 30 days ago, first ms", ago(200), ago(30, 1), "active"],
    ["last active exactly 30 days before asOf", ago(200), ago(30), "dormant"],
    ["last active 89 days ago", ago(200), ago(89), "dormant"],
    ["last active exactly 90 days before asOf", ago(200), ago(90), "churned"],
    ["seen long ago, never active", ago(200), null, "churned"],
    ["never seen", null, null, null],
    ["activity after asOf does not count", ago(200), asOf + DAY, "churned"],
  ])("%s", (_name, firstSeen, lastActive, want) => {
    expect(classify({ firstSeen, lastActive })).toBe(want);
  });

  test("thresholds are validated with the path of the wrong field", () => {
    const r = LifecycleThresholds.safeParse({ newDays: 7, activeDays: 90, dormantDays: 30 });
    expect(r.error?.issues[0]?.path).toEqual(["dormantDays"]);
    const custom = stageClassifier(asOf, TZ, LifecycleThresholds.parse({ newDays: 1, activeDays: 3, dormantDays: 10 }));
    expect(custom({ firstSeen: ago(5), lastActive: ago(5) })).toBe("dormant");
  });
});

describe("lifecycle_changed emission", () => {
  test.each<[Stage | null, Stage | null, ReturnType<typeof lifecycleChange>]>([
    [null, "new", null],
    ["active", "active", null],
    ["active", null, null],
    ["new", "active", { from: "new", to: "active", reactivated: false }],
    ["active", "dormant", { from: "active", to: "dormant", reactivated: false }],
    ["dormant", "active", { from: "dormant", to: "active", reactivated: true }],
    ["churned", "active", { from: "churned", to: "active", reactivated: true }],
    ["dormant", "churned", { from: "dormant", to: "churned", reactivated: false }],
  ])("%p → %p", (prev, next, want) => {
    expect(lifecycleChange(prev, next)).toEqual(want);
  });
});
