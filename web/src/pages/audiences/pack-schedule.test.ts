/**
 * Protects how a pack's upkeep is put in words: a snapshot saved from an analysis is never recomputed and
 * says where and when it was saved, a paused pack is computed only by hand, a nightly pack says T+1, a
 * scheduled one says its cron pattern in words.
 */
import { expect, test } from "bun:test";
import type { Audience } from "../../types.ts";
import { computationText, nextRunText, packBadge, savedFrom } from "./pack-schedule.ts";

const t = (k: string, p?: Record<string, string | number>) => (p ? `${k} ${JSON.stringify(p)}` : k);
const when = (ms: number) => `at ${ms}`;
const pack = (over: Partial<Audience>): Audience => ({
  id: 7, name: "p", description: null, definition: { kind: "tag", tag: "vip", present: true }, schedule: null, timezone: null,
  status: "active", size: 3, lastAsOf: null, lastComputedAt: null, lastDurationMs: null, lastError: null, nextRunAt: null,
  createdBy: null, createdAt: 0, updatedAt: 0, ...over,
});
const snapshot = (over: Partial<Audience> = {}) => pack({ status: "paused", definition: { kind: "audience", audience: "7", member: true }, ...over });

test("snapshots, paused packs, scheduled and nightly packs: badge and next computation", () => {
  expect([nextRunText(snapshot(), t, when), packBadge(snapshot(), t)]).toEqual([null, "audience.static"]);
  expect([nextRunText(pack({ status: "paused", nextRunAt: 5 }), t, when), packBadge(pack({ status: "paused" }), t)]).toEqual(["audience.pausedNext", "audience.paused"]);
  expect([nextRunText(pack({ nextRunAt: 5 }), t, when), packBadge(pack({}), t)]).toEqual(["at 5", null]);
  expect(nextRunText(pack({}), t, when)).toBe("audience.manual");
  // Reading another pack's members is a rule, not a snapshot.
  expect(packBadge(pack({ definition: { kind: "audience", audience: "3", member: true } }), t)).toBeNull();
});

test("how a pack is computed, in words", () => {
  const funnel = snapshot({ description: "saved from a funnel actors list", lastAsOf: 1000, createdAt: 900 });
  expect(savedFrom(funnel)).toBe("funnel");
  expect(computationText(funnel, t, "en", when)).toBe(`audience.snapshotFrom ${JSON.stringify({ analysis: "nav.funnels", date: "at 1000" })}`);
  expect(computationText(snapshot({ description: "saved from a trends actors list" }), t, "en", when)).toContain("nav.events");
  // A description the user rewrote no longer names the analysis: the snapshot keeps its date.
  const renamed = snapshot({ description: "VIPs for the spring campaign", createdAt: 900 });
  expect([savedFrom(renamed), computationText(renamed, t, "en", when)]).toEqual([null, `audience.snapshotOf ${JSON.stringify({ date: "at 900" })}`]);
  expect(computationText(pack({}), t, "en", when)).toBe("audience.nightly");
  expect(computationText(pack({ schedule: "30 3 * * *" }), t, "en", when)).toBe(`cron.daily ${JSON.stringify({ time: "03:30" })}`);
  expect(computationText(pack({ schedule: "0 */6 * * 1-5" }), t, "en", when)).toBe("0 */6 * * 1-5");
});
