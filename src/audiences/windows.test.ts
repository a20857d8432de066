/**
 * Protects the time semantics users see as "last 7 days" or "birthday this week": window edges in the
 * project time zone (a DST-free zone and a DST zone), calendar months, the nightly asOf convention,
 * the date operators of `attr` leaves, and the per-event local-day numbering used by distinct_days.
 */
import { describe, expect, test } from "bun:test";
import { compileAttr } from "./attr.ts";
import type { AttrNode, Window } from "./definition.ts";
import { resolveWindow } from "./windows.ts";
import { LocalDays, parseDateInput, t1AsOf, valueToInstant } from "./zone.ts";

const SH = "Asia/Shanghai";
const NY = "America/New_York";
const at = (iso: string) => Date.parse(iso);

describe("resolveWindow", () => {
  // Nightly run on 15 March: asOf is the last millisecond of 14 March, Shanghai time.
  const asOf = t1AsOf(at("2024-03-15T10:00:00+08:00"), SH);

  test("the nightly asOf is the end of yesterday", () => {
    expect(asOf).toBe(at("2024-03-15T00:00:00+08:00") - 1);
  });

  test.each<[string, Window, string | null, string]>([
    ["last 7 days = the 7 full days before today", { kind: "last", n: 7, unit: "day" }, "2024-03-08T00:00:00+08:00", "2024-03-15T00:00:00+08:00"],
    ["last 1 week = last 7 days", { kind: "last", n: 1, unit: "week" }, "2024-03-08T00:00:00+08:00", "2024-03-15T00:00:00+08:00"],
    ["last 1 month is a calendar month", { kind: "last", n: 1, unit: "month" }, "2024-02-15T00:00:00+08:00", "2024-03-15T00:00:00+08:00"],
    ["last 36 hours is elapsed time", { kind: "last", n: 36, unit: "hour" }, "2024-03-13T12:00:00+08:00", "2024-03-15T00:00:00+08:00"],
    ["between 14 and 7 days ago", { kind: "between_ago", from: { n: 14, unit: "day" }, to: { n: 7, unit: "day" } }, "2024-03-01T00:00:00+08:00", "2024-03-08T00:00:00+08:00"],
    ["absolute dates cover whole local days", { kind: "absolute", from: "2024-03-01", to: "2024-03-02" }, "2024-03-01T00:00:00+08:00", "2024-03-03T00:00:00+08:00"],
    ["an absolute datetime end is inclusive", { kind: "absolute", from: "2024-03-01T08:00:00Z", to: "2024-03-02T08:00:00Z" }, "2024-03-01T08:00:00Z", "2024-03-02T08:00:00.001Z"],
    ["absolute windows are clipped to asOf", { kind: "absolute", from: "2024-03-10" }, "2024-03-10T00:00:00+08:00", "2024-03-15T00:00:00+08:00"],
    ["ever is everything up to asOf", { kind: "ever" }, null, "2024-03-15T00:00:00+08:00"],
  ])("%s", (_name, w, from, to) => {
    const r = resolveWindow(w, asOf, SH);
    expect(r.from).toBe(from === null ? Number.NEGATIVE_INFINITY : at(from));
    expect(r.to).toBe(at(to));
  });

  test("days are local calendar days across a DST change; hours are not", () => {
    // New York springs forward on 10 March 2024; the week before the 13th holds a 23-hour day,
    // so 168 elapsed hours reach one hour further back than 7 calendar days.
    const ny = t1AsOf(at("2024-03-13T12:00:00-04:00"), NY);
    expect(resolveWindow({ kind: "last", n: 7, unit: "day" }, ny, NY).from).toBe(at("2024-03-06T00:00:00-05:00"));
    expect(resolveWindow({ kind: "last", n: 168, unit: "hour" }, ny, NY).from).toBe(at("2024-03-05T23:00:00-05:00"));
  });

  test("a month back from 31 March is the last day of February", () => {
    const r = resolveWindow({ kind: "last", n: 1, unit: "month" }, at("2024-03-31T12:00:00+08:00"), SH);
    expect(r.from).toBe(at("2024-02-29T12:00:00+08:00") + 1);
  });
});

describe("attr date operators", () => {
  const asOf = t1AsOf(at("2024-03-15T10:00:00+08:00"), SH);
  const check = (op: AttrNode["op"], value: AttrNode["value"], cases: [unknown, boolean][], when = asOf) => {
    const test = compileAttr({ kind: "attr", property: "x", op, value }, when, SH);
    for (const [v, want] of cases) expect([v, test(v)]).toEqual([v, want]);
  };

  test("date_in_last / date_more_than_ago split the past at asOf − d", () => {
    const cases: [unknown, boolean][] = [
      ["2024-03-07", false], ["2024-03-08", true], ["2024-03-14", true], ["2024-03-14T23:59:59.999+08:00", true],
      ["2024-03-15", false], ["2024-03-07T23:59:59.999+08:00", false], [null, false], ["soon", false],
    ];
    check("date_in_last", { n: 7, unit: "day" }, cases);
    check("date_more_than_ago", { n: 7, unit: "day" }, [
      ["2024-03-07", true], ["2024-03-07T23:59:59.999+08:00", true], ["2024-03-08", false], ["garbage", false],
    ]);
  });

  test("date_in_next looks forward from asOf", () => {
    check("date_in_next", { n: 2, unit: "day" }, [
      ["2024-03-14", false], ["2024-03-15", true], ["2024-03-16", true], ["2024-03-17", false],
    ]);
  });

  test("anniversary_in_next ignores the year; 1 day at the nightly asOf means today", () => {
    check("anniversary_in_next", { n: 1, unit: "day" }, [
      ["1990-03-15", true], ["1990-03-14", false], ["1990-03-16", false],
      ["1990-03-14T20:00:00Z", true], // 15 March, 04:00 in Shanghai
      [at("1990-03-15T12:00:00+08:00") / 1000, true], // epoch seconds
      [null, false],
    ]);
    check("anniversary_in_next", { n: 7, unit: "day" }, [["2001-03-21", true], ["2001-03-22", false]]);
  });

  test("anniversary_in_next counts whole local days from today also when asOf is in the middle of the day", () => {
    const noon = at("2025-12-28T12:00:00+08:00");
    check("anniversary_in_next", { n: 7, unit: "day" }, [
      ["1990-12-27", false], ["1990-12-28", true], ["1990-12-29", true], ["1991-01-03", true], ["1991-01-04", false],
    ], noon);
    check("anniversary_in_next", { n: 1, unit: "day" }, [["1990-12-28", true], ["1990-12-29", false]], noon);
  });

  test("anniversaries wrap the year and 29 February falls on 28 February in other years", () => {
    const newYear = t1AsOf(at("2024-12-31T09:00:00+08:00"), SH);
    check("anniversary_in_next", { n: 3, unit: "day" }, [
      ["1990-12-31", true], ["1990-01-02", true], ["1990-01-03", false], ["1990-12-30", false],
    ], newYear);
    const feb28 = t1AsOf(at("2023-02-28T09:00:00+08:00"), SH);
    check("anniversary_in_next", { n: 1, unit: "day" }, [["2000-02-29", true], ["2000-02-28", true]], feb28);
    const leapFeb28 = t1AsOf(at("2024-02-28T09:00:00+08:00"), SH);
    check("anniversary_in_next", { n: 1, unit: "day" }, [["2000-02-29", false]], leapFeb28);
    check("anniversary_in_next", { n: 2, unit: "day" }, [["2000-02-29", true]], leapFeb28);
  });

  test("absolute date operators treat a date as its whole local day", () => {
    check("date_before", "2024-03-10", [["2024-03-09T23:59:59+08:00", true], ["2024-03-10", false], ["2024-03-09T16:00:00Z", false]]);
    check("date_after", "2024-03-10", [["2024-03-10T23:00:00+08:00", false], ["2024-03-11", true]]);
    check("date_after", "2024-03-10T12:00:00+08:00", [["2024-03-10T12:00:00+08:00", false], ["2024-03-10T12:00:00.001+08:00", true]]);
    check("date_between", ["2024-03-01", "2024-03-10"], [["2024-03-01", true], ["2024-03-10T23:59:59+08:00", true], ["2024-03-11", false], ["2024-02-29", false]]);
  });

  test("non-date operators keep the §5 semantics", () => {
    check("eq", 5, [["5", true], [5, true], [6, false]]);
    check("is_not_set", undefined, [[undefined, true], ["", true], [0, false]]);
  });
});

describe("zone helpers", () => {
  test("parseDateInput reads dates, zoned datetimes and local datetimes", () => {
    expect(parseDateInput("2024-03-10", SH)).toEqual({ start: at("2024-03-10T00:00:00+08:00"), end: at("2024-03-11T00:00:00+08:00") });
    expect(parseDateInput("2024-03-10T08:00:00Z", SH)?.start).toBe(at("2024-03-10T08:00:00Z"));
    expect(parseDateInput("2024-03-10 08:00", SH)?.start).toBe(at("2024-03-10T08:00:00+08:00"));
    expect(parseDateInput("2024-02-30", SH)).toBeNull();
    expect(parseDateInput("yesterday", SH)).toBeNull();
  });

  test("valueToInstant reads epoch seconds and milliseconds", () => {
    expect(valueToInstant(1_700_000_000, SH)).toBe(1_700_000_000_000);
    expect(valueToInstant(1_700_000_000_000, SH)).toBe(1_700_000_000_000);
    expect(valueToInstant(true, SH)).toBeNull();
  });

  test("LocalDays agrees with Temporal around DST changes", () => {
    for (const tz of [NY, SH, "Australia/Lord_Howe"]) {
      const days = new LocalDays(tz);
      const start = at("2024-03-09T00:00:00Z");
      for (let t = start; t < start + 5 * 86_400_000; t += 7 * 60_000 + 13) {
        const d = Temporal.Instant.fromEpochMilliseconds(t).toZonedDateTimeISO(tz).toPlainDate();
        const want = d.since(Temporal.PlainDate.from("1970-01-01"), { largestUnit: "day" }).days;
        if (days.day(t) !== want) throw new Error(`${tz} ${new Date(t).toISOString()}: ${days.day(t)} ≠ ${want}`);
      }
      expect(days.day(at("2024-03-10T12:00:00Z"))).toBeGreaterThan(19_700);
    }
  });
});
