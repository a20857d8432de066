/** Protects how a pack's upkeep is put in words: a saved list is never recomputed, a paused pack only by hand. */
import { expect, test } from "bun:test";
import type { Audience } from "../../types.ts";
import { nextRunText, packBadge } from "./pack-schedule.ts";

const t = (k: string) => k;
const when = (ms: number) => `at ${ms}`;
const pack = (over: Partial<Audience>): Audience => ({
  id: 7, name: "p", description: null, definition: { kind: "tag", tag: "vip", present: true }, schedule: null, timezone: null,
  status: "active", size: 3, lastAsOf: null, lastComputedAt: null, lastDurationMs: null, lastError: null, nextRunAt: null,
  createdBy: null, createdAt: 0, updatedAt: 0, ...over,
});

test("saved lists, paused packs, scheduled and nightly packs", () => {
  const saved = pack({ status: "paused", definition: { kind: "audience", audience: "7", member: true } });
  expect([nextRunText(saved, t, when), packBadge(saved, t)]).toEqual(["audience.staticNext", "audience.static"]);
  expect([nextRunText(pack({ status: "paused", nextRunAt: 5 }), t, when), packBadge(pack({ status: "paused" }), t)]).toEqual(["audience.pausedNext", "audience.paused"]);
  expect([nextRunText(pack({ nextRunAt: 5 }), t, when), packBadge(pack({}), t)]).toEqual(["at 5", null]);
  expect(nextRunText(pack({}), t, when)).toBe("audience.manual");
  // Reading another pack's members is a rule, not a saved list.
  expect(packBadge(pack({ definition: { kind: "audience", audience: "3", member: true } }), t)).toBeNull();
});
