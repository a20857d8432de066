/**
 * Protects the event-time rule of SPEC §3 (clock-skew correction, batch sentAt, 23 h future clamp, kept
 * historical timestamps), which every analysis depends on: a wrong rule shifts funnels and retention.
 */
import { expect, test } from "bun:test";
import { ItemError } from "./errors.ts";
import { eventTime, parseTime, utcIso, type TimeInputs } from "./timestamps.ts";

const R = Date.parse("2024-05-01T12:00:00Z");
const at = (iso: string) => Date.parse(iso);
const base: TimeInputs = { explicit: null, original: null, sentAt: null, offset: null, receivedAt: R };

test.each<[string, Partial<TimeInputs>, number]>([
  ["nothing → receivedAt", {}, R],
  ["original without sentAt is kept", { original: at("2024-04-30T08:00:00Z") }, at("2024-04-30T08:00:00Z")],
  // Device clock 1 h fast: sent "13:00", event "12:59" → happened 1 min before receipt.
  ["skew corrected by sentAt", { original: at("2024-05-01T12:59:00Z"), sentAt: at("2024-05-01T13:00:00Z") }, R - 60_000],
  ["device clock 2 days slow", { original: at("2024-04-29T11:59:30Z"), sentAt: at("2024-04-29T12:00:00Z") }, R - 30_000],
  ["explicit timestamp next to originalTimestamp wins", { explicit: at("2023-01-01T00:00:00Z"), original: at("2024-05-01T11:00:00Z"), sentAt: R }, at("2023-01-01T00:00:00Z")],
  ["historical import kept", { original: at("2021-06-01T00:00:00Z") }, at("2021-06-01T00:00:00Z")],
  ["PostHog offset", { offset: 5000 }, R - 5000],
  ["22 h in the future is kept", { original: R + 22 * 3600_000 }, R + 22 * 3600_000],
  ["24 h in the future is clamped to now", { original: R + 24 * 3600_000 }, R],
  ["future after skew correction is clamped", { original: R + 48 * 3600_000, sentAt: R }, R],
])("%s", (_name, over, expected) => {
  expect(eventTime({ ...base, ...over })).toBe(expected);
});

test("a timestamp before 2000 is refused with the field name", () => {
  expect(() => eventTime({ ...base, original: 0 })).toThrow(ItemError);
  expect(() => eventTime({ ...base, original: 0 })).toThrow(/^timestamp: 1970-01-01T00:00:00.000Z is before 2000-01-01/);
  expect(() => eventTime({ ...base, original: -1e20 })).toThrow(/^timestamp: -100000000000000000000 ms is before/);
});

test.each<[unknown, number | null]>([
  ["2024-05-01T12:00:00Z", R],
  ["2024-05-01T20:00:00+08:00", R],
  [R, R],
  [String(R), R],
  [null, null],
  [undefined, null],
  ["", null],
  // as PostHog's capture reads them: ten digits are seconds, an offset of hours only, no zone = UTC
  [R / 1000, R],
  [String(R / 1000), R],
  ["2024-05-01T15:00:00+03", R],
  ["2024-05-01T15:00:00.000+0300", R],
  ["2024-05-01T12:00:00", R],
  ["2024-05-01 12:00:00", R],
  ["2024-05-01 12:00", R],
  ["2024-05-01 20:00:00+08:00", R],
])("parseTime(%p)", (input, expected) => {
  expect(parseTime(input, "timestamp")).toBe(expected);
});

test("a date-time without a zone is UTC whatever the server's TZ", () => {
  const tz = process.env.TZ;
  process.env.TZ = "Asia/Shanghai";
  try {
    expect(parseTime("2024-05-01T12:00:00", "timestamp")).toBe(R);
  } finally {
    if (tz === undefined) delete process.env.TZ;
    else process.env.TZ = tz;
  }
});

test("parseTime names the field it refuses", () => {
  expect(() => parseTime("yesterday-ish", "sentAt")).toThrow("sentAt: not an ISO-8601 date-time or epoch time");
  expect(() => parseTime({}, "originalTimestamp")).toThrow(/^originalTimestamp:/);
  expect(() => parseTime(Number.NaN, "timestamp")).toThrow(/^timestamp:/);
});

test("the fast ISO reader agrees with Date.parse on every string it accepts, and leaves the rest to it", () => {
  // Random instants written by toISOString, then the same strings with one character changed.
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const digits = "0123456789";
  let accepted = 0;
  for (let i = 0; i < 20_000; i++) {
    const iso = new Date(946_684_800_000 + Math.floor(rnd() * 4e12)).toISOString();
    expect(utcIso(iso)).toBe(Date.parse(iso));
    const at = Math.floor(rnd() * iso.length);
    const changed = iso.slice(0, at) + (rnd() < 0.8 ? digits[Math.floor(rnd() * 10)] : "x") + iso.slice(at + 1);
    const fast = utcIso(changed);
    if (!Number.isNaN(fast)) {
      accepted++;
      expect([changed, fast]).toEqual([changed, Date.parse(changed)]);
    }
  }
  expect(accepted).toBeGreaterThan(5_000);
  // Fields out of range, leap days and other spellings go to Date.parse (NaN here).
  for (const s of ["2023-02-29T00:00:00.000Z", "2024-13-01T00:00:00.000Z", "2024-04-31T00:00:00.000Z", "2024-01-01T24:00:00.000Z",
    "2024-01-01T00:60:00.000Z", "2024-01-01T00:00:60.000Z", "0099-01-01T00:00:00.000Z", "2024-01-01T00:00:00Z", "2024-01-01 00:00:00.000Z"]) {
    expect(utcIso(s)).toBeNaN();
  }
  expect(utcIso("2024-02-29T23:59:59.999Z")).toBe(Date.parse("2024-02-29T23:59:59.999Z"));
  expect(parseTime("2024-01-01T00:00:00Z", "timestamp")).toBe(Date.parse("2024-01-01T00:00:00Z"));
});
