/**
 * Stickiness counts persons by how many intervals they were active in: every bar from 1 to the
 * number of intervals is present, intervals are local and whole, and cumulative means "k or more".
 * Hand cases plus a seeded cross-check against a brute force labelled with Intl.
 */
import { describe, expect, test } from "bun:test";
import { byPersonTime, type Ev, int, localLabel, ms, pick, rng, rowsOf } from "./fixtures.ts";
import { stickinessActors, stickinessResults } from "./stickiness.ts";
import { buckets, type Calendar, type Interval, type Range } from "./time.ts";

const UTC: Calendar = { zone: "UTC", weekStart: "monday" };
const RANGE: Range = { from: ms("2020-01-09"), to: ms("2020-01-12") };

const ev: Ev[] = [
  { p: 0, t: "2020-01-09T10:00", bits: 1 }, { p: 0, t: "2020-01-09T11:00", bits: 1 }, { p: 0, t: "2020-01-11T10:00", bits: 1 },
  { p: 1, t: "2020-01-10T10:00", bits: 1 }, { p: 1, t: "2020-01-10T11:00", bits: 2 },
  { p: 2, t: "2020-01-10T10:00", bits: 2 }, { p: 3, t: "2020-01-12T00:00", bits: 1 },
];

describe("stickiness", () => {
  const periods = buckets(UTC, RANGE, "day", true);
  const rows = rowsOf(byPersonTime(ev));

  test("persons by number of active days, zero bars included", () => {
    expect(stickinessResults(rows, periods, false)).toEqual([{ intervals: 1, persons: 1 }, { intervals: 2, persons: 1 }, { intervals: 3, persons: 0 }]);
  });

  test("no rows: every bar at zero", () => {
    expect(stickinessResults(rowsOf([]), periods, false)).toEqual([{ intervals: 1, persons: 0 }, { intervals: 2, persons: 0 }, { intervals: 3, persons: 0 }]);
  });

  test("cumulative is k or more", () => {
    expect(stickinessResults(rows, periods, true)).toEqual([{ intervals: 1, persons: 2 }, { intervals: 2, persons: 1 }, { intervals: 3, persons: 0 }]);
  });

  test("actors of a bar", () => {
    expect([...stickinessActors(rows, periods, false, 2)]).toEqual([0]);
    expect([...stickinessActors(rows, periods, true, 1)]).toEqual([0, 1]);
  });

  test("intervals are local days", () => {
    const cal = { zone: "Asia/Shanghai", weekStart: "monday" } as const;
    const p = buckets(cal, { from: ms("2020-01-08T16:00"), to: ms("2020-01-10T16:00") }, "day", true);
    const r = rowsOf([{ p: 0, t: "2020-01-09T15:00", bits: 1 }, { p: 0, t: "2020-01-09T17:00", bits: 1 }]); // 23:00 and 01:00 local
    expect(stickinessResults(r, p, false)).toEqual([{ intervals: 1, persons: 0 }, { intervals: 2, persons: 1 }]);
  });
});

describe("randomized cross-check against a brute force", () => {
  for (let seed = 1; seed <= 40; seed++) {
    test(`seed ${seed}`, () => {
      const r = rng(seed * 5381);
      const interval: Interval = pick(r, ["day", "week", "hour"] as const);
      const cal: Calendar = { zone: pick(r, ["UTC", "Europe/Berlin", "Asia/Kathmandu"]), weekStart: pick(r, ["monday", "sunday"] as const) };
      const span = { hour: 0.4, day: 6, week: 40 }[interval] * 86_400_000;
      const range = { from: ms("2024-03-28T00:00") + Math.floor((r() * span) / 3), to: ms("2024-03-28T00:00") + span };
      const events = Array.from({ length: int(r, 50) }, () => ({ p: int(r, 6), t: range.from - span * 0.2 + Math.floor(r() * span * 1.4), bits: int(r, 4) ? 1 : 2 }));
      const periods = buckets(cal, range, interval, true);
      const cumulative = r() < 0.5;
      const got = stickinessResults(rowsOf(byPersonTime(events)), periods, cumulative);
      const counts = new Map<number, number>();
      for (let p = 0; p < 6; p++) {
        const k = new Set(events.filter((e) => e.p === p && e.bits & 1 && e.t >= periods.lo && e.t < periods.hi).map((e) => localLabel(e.t, cal.zone, interval, cal.weekStart))).size;
        if (k) counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      const want = periods.labels.map((_, i) => ({
        intervals: i + 1,
        persons: [...counts].filter(([k]) => (cumulative ? k >= i + 1 : k === i + 1)).reduce((s, [, v]) => s + v, 0),
      }));
      expect(got).toEqual(want);
    });
  }
});
