/**
 * Every period-based analysis rests on these calendar rules: local bucket starts across DST (a
 * 23-hour and a 25-hour day in New York, a day whose midnight does not exist in Santiago), :30/:45
 * zones, week starts, month lengths, and how query dates resolve. A wrong offset here silently moves
 * events into the neighbouring day of every chart, so the cases are hand-computed instants.
 */
import { describe, expect, test } from "bun:test";
import { buckets, type Calendar, isDateSpec, previousRange, resolveDate, resolveRange, startOf } from "./time.ts";
import { zone } from "./zone.ts";

const Z = (s: string) => Date.parse(s.endsWith("Z") ? s : s + "Z");
const iso = (t: number) => new Date(t).toISOString().replace(".000Z", "Z");
const cal = (zoneName: string, weekStart: "monday" | "sunday" = "monday"): Calendar => ({ zone: zoneName, weekStart });
const NY = cal("America/New_York");

describe("zone offsets and wall clocks", () => {
  test.each([
    ["America/New_York", "2024-01-15T12:00Z", -5 * 60],
    ["America/New_York", "2024-07-15T12:00Z", -4 * 60],
    ["America/New_York", "2024-03-10T06:59:59Z", -5 * 60],
    ["America/New_York", "2024-03-10T07:00Z", -4 * 60],
    ["America/New_York", "2024-11-03T05:59:59Z", -4 * 60],
    ["America/New_York", "2024-11-03T06:00Z", -5 * 60],
    ["Europe/Berlin", "2024-03-31T00:59:59Z", 60],
    ["Europe/Berlin", "2024-03-31T01:00Z", 120],
    ["Asia/Kolkata", "2024-06-01T00:00Z", 330],
    ["Asia/Kathmandu", "2024-06-01T00:00Z", 345],
    ["Asia/Shanghai", "2024-06-01T00:00Z", 480],
    ["UTC", "2024-06-01T00:00Z", 0],
  ])("%s at %s is UTC%+d min", (name, at, minutes) => {
    expect(zone(name).offsetAt(Z(at))).toBe(minutes * 60_000);
  });

  test("a wall time in the spring-forward gap maps to the transition instant", () => {
    expect(iso(zone("America/New_York").instant(Z("2024-03-10T02:30")))).toBe("2024-03-10T07:00:00Z");
  });

  test("a repeated autumn wall time maps to its first occurrence", () => {
    expect(iso(zone("America/New_York").instant(Z("2024-11-03T01:30")))).toBe("2024-11-03T05:30:00Z");
  });

  test("coverage extends backwards and forwards without losing transitions", () => {
    const z = zone("Europe/Berlin");
    expect(z.offsetAt(Z("2030-07-01T00:00"))).toBe(120 * 60_000);
    expect(z.offsetAt(Z("2001-01-01T00:00"))).toBe(60 * 60_000);
    expect(z.offsetAt(Z("2024-10-27T00:59:59Z"))).toBe(120 * 60_000);
    expect(z.offsetAt(Z("2024-10-27T01:00Z"))).toBe(60 * 60_000);
  });
});

describe("bucket starts and labels", () => {
  test("New York days around spring forward are 24, 23, 24 hours", () => {
    const b = buckets(NY, { from: Z("2024-03-09T05:00"), to: Z("2024-03-12T04:00") }, "day");
    expect(b.labels).toEqual(["2024-03-09", "2024-03-10", "2024-03-11"]);
    expect([...b.starts].map(iso)).toEqual([
      "2024-03-09T05:00:00Z", "2024-03-10T05:00:00Z", "2024-03-11T04:00:00Z", "2024-03-12T04:00:00Z",
    ]);
    expect(b.width).toBe(0);
    expect(b.indexOf(Z("2024-03-11T03:59:59.999"))).toBe(1); // 23:59:59.999 EDT on the 10th
    expect(b.indexOf(Z("2024-03-11T04:00"))).toBe(2);
  });

  test("New York hours skip 02:00 in spring and merge the repeated 01:00 in autumn", () => {
    const spring = buckets(NY, { from: Z("2024-03-10T05:00"), to: Z("2024-03-10T08:00") }, "hour");
    expect(spring.labels).toEqual(["2024-03-10T00:00", "2024-03-10T01:00", "2024-03-10T03:00"]);
    expect(spring.indexOf(Z("2024-03-10T07:00"))).toBe(2);
    const fall = buckets(NY, { from: Z("2024-11-03T04:00"), to: Z("2024-11-03T08:00") }, "hour");
    expect(fall.labels).toEqual(["2024-11-03T00:00", "2024-11-03T01:00", "2024-11-03T02:00"]);
    expect([...fall.starts].map(iso)).toEqual([
      "2024-11-03T04:00:00Z", "2024-11-03T05:00:00Z", "2024-11-03T07:00:00Z", "2024-11-03T08:00:00Z",
    ]);
    expect(fall.indexOf(Z("2024-11-03T06:30"))).toBe(1); // 01:30 EST, the second 01:30
  });

  test("a Santiago day whose midnight is skipped starts at the transition", () => {
    const b = buckets(cal("America/Santiago"), { from: Z("2024-09-07T04:00"), to: Z("2024-09-09T03:00") }, "day");
    expect(b.labels).toEqual(["2024-09-07", "2024-09-08"]);
    expect([...b.starts].map(iso)).toEqual(["2024-09-07T04:00:00Z", "2024-09-08T04:00:00Z", "2024-09-09T03:00:00Z"]);
  });

  test("Kolkata hours start at :30 UTC and are labelled at local :00", () => {
    const b = buckets(cal("Asia/Kolkata"), { from: Z("2024-06-10T07:30"), to: Z("2024-06-10T09:30") }, "hour");
    expect(b.labels).toEqual(["2024-06-10T13:00", "2024-06-10T14:00"]);
    expect(iso(b.starts[0]!)).toBe("2024-06-10T07:30:00Z");
    expect(b.width).toBe(3_600_000);
    expect(b.indexOf(Z("2024-06-10T08:29:59.999"))).toBe(0);
    expect(b.indexOf(Z("2024-06-10T08:30"))).toBe(1);
  });

  test("Kathmandu days start at 18:15 UTC the day before", () => {
    const b = buckets(cal("Asia/Kathmandu"), { from: Z("2024-06-09T18:15"), to: Z("2024-06-11T18:15") }, "day");
    expect(b.labels).toEqual(["2024-06-10", "2024-06-11"]);
    expect(iso(b.starts[1]!)).toBe("2024-06-10T18:15:00Z");
  });

  test.each([
    ["monday", "2024-01-08"],
    ["sunday", "2024-01-07"],
  ] as const)("weeks starting %s put Wednesday 2024-01-10 in the week of %s", (ws, want) => {
    const b = buckets(cal("UTC", ws), { from: Z("2024-01-10T12:00"), to: Z("2024-01-20T00:00") }, "week");
    expect(b.labels[0]).toBe(want);
    expect(b.lo).toBe(Z("2024-01-10T12:00")); // rows before dateFrom stay out of the first week
    expect(b.indexOf(Z("2024-01-09T00:00"))).toBe(-1);
  });

  test("a Sunday belongs to the previous Monday-week and starts a Sunday-week", () => {
    const sunday = Z("2024-01-14T10:00");
    expect(iso(startOf(cal("UTC", "monday"), sunday, "week"))).toBe("2024-01-08T00:00:00Z");
    expect(iso(startOf(cal("UTC", "sunday"), sunday, "week"))).toBe("2024-01-14T00:00:00Z");
  });

  test("months follow the calendar, including a leap February, in the local zone", () => {
    const b = buckets(cal("Asia/Shanghai"), { from: Z("2024-01-31T16:00"), to: Z("2024-03-31T16:00") }, "month");
    expect(b.labels).toEqual(["2024-02-01", "2024-03-01"]);
    expect(iso(b.starts[0]!)).toBe("2024-01-31T16:00:00Z");
    expect(b.starts[1]! - b.starts[0]!).toBe(29 * 86_400_000);
  });

  test("whole-period buckets widen the row bounds to the period edges", () => {
    const b = buckets(cal("UTC"), { from: Z("2024-01-10T12:00"), to: Z("2024-01-16T00:00") }, "week", true);
    expect(iso(b.lo)).toBe("2024-01-08T00:00:00Z");
    expect(iso(b.hi)).toBe("2024-01-22T00:00:00Z");
  });

  test("an empty range and an absurd number of buckets are rejected", () => {
    expect(() => buckets(NY, { from: 10, to: 10 }, "day")).toThrow("before");
    expect(() => buckets(cal("UTC"), { from: 0, to: 3 * 365 * 86_400_000 }, "hour")).toThrow("more than");
  });
});

describe("query dates", () => {
  const now = Z("2024-01-10T12:01");
  test.each([
    ["-7d", "from", "UTC", "2024-01-03T00:00:00Z"],
    ["today", "to", "UTC", "2024-01-11T00:00:00Z"],
    ["today", "from", "UTC", "2024-01-10T00:00:00Z"],
    ["yesterday", "to", "UTC", "2024-01-10T00:00:00Z"],
    ["-1d", "to", "UTC", "2024-01-10T00:00:00Z"],
    ["-12h", "from", "UTC", "2024-01-10T00:00:00Z"],
    ["-12h", "to", "UTC", "2024-01-10T01:00:00Z"],
    ["-2w", "from", "UTC", "2023-12-27T00:00:00Z"],
    ["-1m", "from", "UTC", "2023-12-10T00:00:00Z"],
    ["-1y", "from", "UTC", "2023-01-10T00:00:00Z"],
    ["now", "to", "UTC", "2024-01-10T12:01:00.001Z"],
    ["2024-01-31", "from", "Asia/Shanghai", "2024-01-30T16:00:00Z"],
    ["2024-01-31", "to", "Asia/Shanghai", "2024-01-31T16:00:00Z"],
    ["2024-03-10", "to", "America/New_York", "2024-03-11T04:00:00Z"],
    ["2024-01-31T10:00", "from", "Asia/Shanghai", "2024-01-31T02:00:00Z"],
    ["2024-01-31T10:00:00Z", "from", "Asia/Shanghai", "2024-01-31T10:00:00Z"],
    ["2024-01-31T10:00:00+05:30", "from", "UTC", "2024-01-31T04:30:00Z"],
    ["2024-01-31T10:00:00.250Z", "to", "UTC", "2024-01-31T10:00:00.251Z"],
  ] as const)("%s as %s in %s is %s", (spec, edge, zoneName, want) => {
    expect(new Date(resolveDate(spec, cal(zoneName), now, edge)).toISOString().replace(".000Z", "Z")).toBe(want);
  });

  test("-1m from the 31st clamps to the end of the shorter month", () => {
    expect(iso(resolveDate("-1m", cal("UTC"), Z("2024-03-31T08:00"), "from"))).toBe("2024-02-29T00:00:00Z");
  });

  test.each([
    ["2024-02-30", false], ["2024-13-01", false], ["2024-01-31", true], ["-7x", false], ["-30d", true],
    ["2024-01-31T25:00", false], ["2024-01-31T23:59:59.999+08:00", true], ["tomorrow", false], ["", false],
  ])("isDateSpec(%p) = %p", (spec, ok) => {
    expect(isDateSpec(spec)).toBe(ok);
  });

  test("a range whose end is not after its start is rejected", () => {
    expect(() => resolveRange({ dateFrom: "2024-02-01", dateTo: "2024-01-31" }, cal("UTC"), now)).toThrow("not before");
  });
});

describe("previous period for compare", () => {
  test("seven New York days before a DST change start at local midnight", () => {
    const r = { from: Z("2024-03-11T04:00"), to: Z("2024-03-18T04:00") }; // Mar 11..17 EDT
    const p = previousRange(NY, r, "day");
    expect(iso(p.from)).toBe("2024-03-04T05:00:00Z");
    expect(iso(p.to)).toBe("2024-03-11T04:00:00Z");
    expect(buckets(NY, p, "day").labels).toEqual([
      "2024-03-04", "2024-03-05", "2024-03-06", "2024-03-07", "2024-03-08", "2024-03-09", "2024-03-10",
    ]);
  });

  test("hours move back in absolute time, months by calendar months", () => {
    const h = previousRange(cal("UTC"), { from: Z("2024-01-10T00:00"), to: Z("2024-01-10T12:00") }, "hour");
    expect(iso(h.from)).toBe("2024-01-09T12:00:00Z");
    const m = previousRange(cal("UTC"), { from: Z("2024-03-01T00:00"), to: Z("2024-05-01T00:00") }, "month");
    expect([iso(m.from), iso(m.to)]).toEqual(["2024-01-01T00:00:00Z", "2024-03-01T00:00:00Z"]);
  });
});
