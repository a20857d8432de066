/**
 * The columnar merge must produce exactly the segment a rebuild from rows would: same rows in the same
 * (event, identity, ts) order, same property values (dictionaries remapped, "5" and 5 kept apart), and a
 * directory whose ranges, hour counts and key lists describe the merged rows.
 */
import { expect, test } from "bun:test";
import { mergeSegments } from "./segment-merge.ts";
import { buildSegment, DAY_MS, segmentRows, type BuiltSegment, type TailRow } from "./segment.ts";

const DAY = 19_800;
let seed = 3;
const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
const VALUES: unknown[] = ["a", "b", 5, "5", true, null, { x: 1 }, [1, 2], 2.5];

function rows(n: number, from: number): TailRow[] {
  return Array.from({ length: n }, (_, i) => {
    const props: Record<string, unknown> = {};
    for (const key of ["k1", "k2", "k3"]) if (rnd(3) > 0) props[key] = VALUES[rnd(VALUES.length)];
    return {
      seq: from + i, ts: DAY * DAY_MS + rnd(DAY_MS), event: 1 + rnd(4), identity: 1 + rnd(30), source: 1 + rnd(2),
      msgHi: rnd(1e9), msgLo: rnd(1e9), props,
    };
  });
}

const input = (s: BuiltSegment) => ({ directory: s.directory, columns: new Map(s.columns) });
const canonical = (s: BuiltSegment) =>
  segmentRows(DAY, s.directory, new Map(s.columns)).map(({ seq: _seq, props, ...r }) =>
    JSON.stringify({ ...r, props: Object.fromEntries(Object.entries(props).sort(([a], [b]) => a.localeCompare(b))) }));

test("merging segments equals building one segment from all their rows", () => {
  for (let round = 0; round < 20; round++) {
    const parts = [rows(1 + rnd(60), 0), rows(1 + rnd(60), 1000), rows(rnd(3) === 0 ? 1 : rnd(60) + 1, 2000)];
    const merged = mergeSegments(DAY, parts.map((p) => input(buildSegment(DAY, p))));
    const rebuilt = buildSegment(DAY, parts.flat());
    // Ties on (event, identity, ts) may order differently; compare as sorted multisets and check order.
    expect(canonical(merged).sort()).toEqual(canonical(rebuilt).sort());
    const m = segmentRows(DAY, merged.directory, new Map(merged.columns));
    for (let i = 1; i < m.length; i++) {
      const a = m[i - 1]!;
      const b = m[i]!;
      expect(a.event < b.event || (a.event === b.event && (a.identity < b.identity || (a.identity === b.identity && a.ts <= b.ts)))).toBe(true);
    }
    for (const [ev, r] of Object.entries(merged.directory.events)) {
      expect(r[2].reduce((x, y) => x + y, 0)).toBe(r[1]);
      expect(r[3].sort()).toEqual((rebuilt.directory.events[ev]?.[3] ?? []).sort());
      expect(r[1]).toBe(rebuilt.directory.events[ev]![1]);
    }
    expect([merged.minTs, merged.maxTs, merged.rows]).toEqual([rebuilt.minTs, rebuilt.maxTs, rebuilt.rows]);
  }
});
