/**
 * Lifecycle follows PostHog: new (the period of the first-ever event, not of this event and not
 * of the profile row), returning, resurrecting, dormant (negative, the period after the last
 * activity), with one period read before the range. Hand cases per status, and a seeded
 * cross-check against a brute force over plain objects labelled with Intl.
 */
import { describe, expect, test } from "bun:test";
import { byPersonTime, type Ev, int, localLabel, ms, pick, rng, rowsOf } from "./fixtures.ts";
import { lifecycleActors, lifecyclePeriods, lifecycleResults } from "./lifecycle.ts";
import type { Calendar, Interval, Range } from "./time.ts";

const UTC: Calendar = { zone: "UTC", weekStart: "monday" };
const RANGE: Range = { from: ms("2020-01-09"), to: ms("2020-01-13") };

function run(events: Ev[], firstSeen: number[], opts: { cal?: Calendar; range?: Range; interval?: Interval } = {}) {
  const periods = lifecyclePeriods(opts.cal ?? UTC, opts.range ?? RANGE, opts.interval ?? "day");
  const input = { rows: rowsOf(byPersonTime(events), firstSeen.length), firstSeen: Float64Array.from(firstSeen) };
  return { periods, input, results: lifecycleResults(input, periods) };
}

describe("statuses", () => {
  const ev: Ev[] = [
    { p: 0, t: "2020-01-09T10:00", bits: 1 }, { p: 0, t: "2020-01-10T10:00", bits: 1 }, { p: 0, t: "2020-01-12T10:00", bits: 1 },
    { p: 1, t: "2020-01-08T10:00", bits: 1 },
    { p: 2, t: "2020-01-11T10:00", bits: 1 }, { p: 2, t: "2020-01-11T12:00", bits: 1 },
    { p: 3, t: "2020-01-10T10:00", bits: 2 }, { p: 3, t: "2020-01-12T10:00", bits: 1 },
  ];
  const firstSeen = [ms("2020-01-09T10:00"), ms("2019-12-01"), ms("2019-12-01"), ms("2020-01-10T10:00")];

  test("new, returning, resurrecting, dormant per day", () => {
    expect(run(ev, firstSeen).results).toEqual([
      { period: "2020-01-09", new: 1, returning: 0, resurrecting: 0, dormant: -1 }, // p0 new; p1 active on the 8th only
      { period: "2020-01-10", new: 0, returning: 1, resurrecting: 0, dormant: 0 },
      { period: "2020-01-11", new: 0, returning: 0, resurrecting: 1, dormant: -1 }, // p2 back; p0 gone
      { period: "2020-01-12", new: 0, returning: 0, resurrecting: 2, dormant: -1 }, // p0 back; p3 first did it (not new); p2 gone
    ]);
  });

  test("no rows: every period with zeros", () => {
    expect(run([], []).results.map((r) => [r.period, r.new + r.returning + r.resurrecting + r.dormant])).toEqual([
      ["2020-01-09", 0], ["2020-01-10", 0], ["2020-01-11", 0], ["2020-01-12", 0],
    ]);
  });

  test("actors of a cell", () => {
    const { periods, input } = run(ev, firstSeen);
    expect([...lifecycleActors(input, periods, { period: "2020-01-12", status: "resurrecting" })]).toEqual([0, 3]);
    expect([...lifecycleActors(input, periods, { period: "2020-01-09", status: "dormant" })]).toEqual([1]);
    expect([...lifecycleActors(input, periods, { period: "2020-01-08", status: "dormant" })]).toEqual([]);
  });

  test("weeks read the week before the range", () => {
    const weekEv: Ev[] = [{ p: 0, t: "2020-01-01T10:00", bits: 1 }, { p: 0, t: "2020-01-07T10:00", bits: 1 }];
    const { results } = run(weekEv, [ms("2019-06-01")], { interval: "week", range: { from: ms("2020-01-06"), to: ms("2020-01-20") } });
    expect(results).toEqual([
      { period: "2020-01-06", new: 0, returning: 1, resurrecting: 0, dormant: 0 },
      { period: "2020-01-13", new: 0, returning: 0, resurrecting: 0, dormant: -1 },
    ]);
  });
});

describe("randomized cross-check against a brute force", () => {
  for (let seed = 1; seed <= 60; seed++) {
    test(`seed ${seed}`, () => {
      const r = rng(seed * 7727);
      const interval = pick(r, ["day", "week", "hour"] as const);
      const cal: Calendar = { zone: pick(r, ["UTC", "America/New_York", "Asia/Kolkata"]), weekStart: pick(r, ["monday", "sunday"] as const) };
      const span = { hour: 0.5, day: 8, week: 50 }[interval] * 86_400_000;
      const range = { from: ms("2024-03-07T00:00") + Math.floor((r() * span) / 3), to: ms("2024-03-07T00:00") + span };
      const persons = 1 + int(r, 8);
      const ev = Array.from({ length: int(r, 60) }, () => ({ p: int(r, persons), t: range.from - span * 0.4 + Math.floor(r() * span * 1.5), bits: int(r, 5) ? 1 : 2 }));
      const firstSeen = Array.from({ length: persons }, (_, p) => {
        const own = ev.filter((e) => e.p === p).map((e) => e.t);
        return own.length && r() < 0.8 ? Math.min(...own) : r() < 0.5 ? NaN : range.from - 100 * 86_400_000;
      });
      const { results, periods } = run(ev, firstSeen, { cal, range, interval });
      const lab = (t: number) => localLabel(t, cal.zone, interval, cal.weekStart);
      const labels = periods.labels;
      const want = labels.slice(1).map((period, i) => {
        const row = { period, new: 0, returning: 0, resurrecting: 0, dormant: 0 };
        for (let p = 0; p < persons; p++) {
          const active = new Set(ev.filter((e) => e.p === p && e.bits & 1 && e.t >= periods.lo && e.t < periods.hi).map((e) => lab(e.t)));
          const now = active.has(period);
          const before = active.has(labels[i]!);
          if (now && Number.isFinite(firstSeen[p]!) && lab(firstSeen[p]!) === period) row.new++;
          else if (now && before) row.returning++;
          else if (now) row.resurrecting++;
          else if (before) row.dormant--;
        }
        return row;
      });
      expect(results).toEqual(want);
    });
  }
});
