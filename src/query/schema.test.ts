/**
 * The query schemas are the public contract of SPEC §5 (fixed names) and the first line of
 * defence: every kind must parse with its documented defaults, and each malformed query must fail
 * with an issue at the right path (a 400 the caller can act on) rather than reach a kernel.
 */
import { describe, expect, test } from "bun:test";
import { ActorsRequest, eventLabel, Query } from "./schema.ts";

const issues = (body: unknown) => {
  const r = Query.safeParse(body);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};
const funnel = (extra: object = {}) => ({ kind: "funnel", steps: [{ event: "a" }, { event: "b" }, { event: "c" }], ...extra });

describe("defaults", () => {
  test("a minimal funnel gets SPEC's defaults", () => {
    const q = Query.parse(funnel());
    expect(q).toMatchObject({
      dateFrom: "-7d", dateTo: "today", window: { n: 7, unit: "day" }, order: "ordered", exclusions: [],
      view: "steps", interval: "day", fromStep: 0,
    });
  });

  test.each([
    [{ kind: "trends", series: [{ event: "e" }] }, { interval: "day", compare: false, series: [{ event: "e", math: "total" }] }],
    [{ kind: "retention", startEvent: { event: "s" }, returnEvent: { event: "r" } }, { period: "day", mode: "recurring", cumulative: false }],
    [{ kind: "distribution", event: "e" }, { measure: "count" }],
    [{ kind: "lifecycle", event: "e" }, { interval: "day" }],
    [{ kind: "stickiness", event: "e" }, { interval: "day", cumulative: false }],
    [{ kind: "paths" }, { stepLimit: 5, edgeLimit: 50, sessionGapMinutes: 30 }],
  ])("%# parses with its defaults", (body, want) => {
    expect(Query.parse(body)).toMatchObject(want);
  });

  test("breakdowns default to type event, limit 25 (PostHog's), first touch", () => {
    expect(Query.parse(funnel({ breakdown: { property: "$browser" } }))).toMatchObject({
      breakdown: { property: "$browser", type: "event", limit: 25, attribution: "first_touch" },
    });
  });

  test("an event may be null, meaning any event, as \"$all\" does", () => {
    const q = Query.parse({ kind: "trends", series: [{ event: null }, { event: "$all" }] });
    expect(q.kind === "trends" && q.series.map((s) => eventLabel(s.event))).toEqual(["$all", "$all"]);
    expect(issues({ kind: "retention", startEvent: { event: null }, returnEvent: { event: "buy" } })).toEqual([]);
  });

  test("dates, time zone and week start overrides are accepted", () => {
    const body = { kind: "lifecycle", event: "e", dateFrom: "2024-01-31", dateTo: "2024-02-29T23:59:59+08:00", timezone: "Asia/Kathmandu", weekStart: "sunday" };
    expect(issues(body)).toEqual([]);
  });
});

describe("rejections", () => {
  test.each([
    [{ kind: "nope" }, "kind: Invalid discriminator value"],
    [funnel({ steps: [{ event: "a" }] }), "steps: Too small"],
    [funnel({ steps: Array.from({ length: 21 }, () => ({ event: "a" })) }), "steps: Too big"],
    [funnel({ exclusions: [{ event: "x", fromStep: 1, toStep: 1 }] }), "exclusions.0: need 0 ≤ fromStep < toStep ≤ 2"],
    [funnel({ exclusions: [{ event: "x", fromStep: 0, toStep: 3 }] }), "exclusions.0: need 0 ≤ fromStep < toStep ≤ 2"],
    [funnel({ order: "unordered", exclusions: [{ event: "x", fromStep: 0, toStep: 1 }] }), "exclusions.0: unordered funnels exclude over the whole funnel"],
    [funnel({ breakdown: { property: "b", attribution: "step" } }), "breakdown.step: attribution step needs a step in 0..2"],
    [funnel({ order: "unordered", breakdown: { property: "b", attribution: "step", step: 1 } }), "breakdown.step: unordered funnels attribute only to step 0"],
    [funnel({ fromStep: 2, toStep: 1 }), "toStep: need 0 ≤ fromStep < toStep ≤ 2"],
    [funnel({ window: { n: 0, unit: "day" } }), "window.n: Too small"],
    [funnel({ dateFrom: "2024-02-30" }), "dateFrom: expected YYYY-MM-DD"],
    [funnel({ timezone: "Mars/Olympus" }), "timezone: unknown IANA time zone"],
    [{ kind: "trends", series: [{ event: "e", math: "sum" }] }, "series.0.property: math sum needs a numeric property"],
    [{ kind: "trends", series: [{ event: "e" }], formula: "A/B" }, "formula: formula uses B but there are 1 series"],
    [{ kind: "trends", series: [{ event: "e" }], formula: "A +" }, "formula: unexpected end"],
    [{ kind: "distribution", event: "e", measure: "sum" }, "property: measure sum needs a numeric property"],
    [{ kind: "distribution", event: "e", buckets: [1, 3, 3] }, "buckets.2: bucket edges must be strictly increasing"],
    [{ kind: "trends", series: [{ event: "e", where: { property: "x", op: "regex", value: "(" } }] }, "series.0.where.value: invalid regular expression"],
  ])("%# is rejected with %s", (body, want) => {
    expect(issues(body).join("\n")).toContain(want);
  });
});

describe("actors requests", () => {
  test("a funnel query plus a 1-based step or dropOffAfter, or a time-to-convert bin in seconds", () => {
    expect(ActorsRequest.parse({ ...funnel(), step: 3 })).toMatchObject({ step: 3, limit: 100 });
    expect(ActorsRequest.parse({ ...funnel(), dropOffAfter: 2, saveAs: { name: "dropped" } })).toMatchObject({ dropOffAfter: 2 });
    expect(ActorsRequest.parse({ ...funnel(), view: "time_to_convert", bin: { from: 60, to: 150 } })).toMatchObject({ bin: { from: 60, to: 150 } });
  });

  test.each([
    [{ ...funnel() }, "give one of step, dropOffAfter or bin"],
    [{ ...funnel(), step: 1, dropOffAfter: 1 }, "give one of step, dropOffAfter or bin"],
    [{ ...funnel(), view: "time_to_convert", step: 1, bin: { from: 0, to: 60 } }, "give one of step, dropOffAfter or bin"],
    [{ ...funnel(), bin: { from: 0, to: 60 } }, "a bin selects in the time_to_convert view only"],
    [{ ...funnel(), view: "time_to_convert", bin: { from: 60, to: 60 } }, "need bin.from < bin.to"],
    [{ ...funnel(), step: 4 }, "the funnel has 3 steps"],
    [{ ...funnel(), dropOffAfter: 3 }, "dropOffAfter must be below 3"],
    [{ kind: "trends", series: [{ event: "e" }], point: { series: "B" } }, "no such series"],
  ])("%# is rejected with %s", (body, want) => {
    const r = ActorsRequest.safeParse(body);
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.message).join("\n")).toContain(want);
  });

  test.each([
    { kind: "trends", series: [{ event: "e" }], point: { period: "2024-01-01", breakdownValue: "Chrome" } },
    { kind: "retention", startEvent: { event: "s" }, returnEvent: { event: "r" }, cell: { cohort: "2024-01-01", lag: 2 } },
    { kind: "distribution", event: "e", bucket: { from: null } },
    { kind: "lifecycle", event: "e", cell: { period: "2024-01-01", status: "dormant" } },
    { kind: "stickiness", event: "e", bucket: { intervals: 3 } },
    { kind: "paths", edge: { source: "1_a", target: "2_b" }, cursor: "abc" },
  ])("every kind has a selector (%#)", (body) => {
    expect(ActorsRequest.safeParse(body).success).toBe(true);
  });
});
