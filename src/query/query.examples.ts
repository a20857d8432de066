/**
 * Request and response examples for the OpenAPI document of the analytics routes: one per analysis,
 * in the shapes of SPEC §5.0, so a reader of /api/openapi.json sees what each `kind` asks and answers.
 */

const timing = { ms: 41.7, cached: false };

/** queryExamples pairs a request of each kind with a response of that kind. */
export const queryExamples: { request: Record<string, unknown>; response: Record<string, unknown> }[] = [
  {
    request: {
      kind: "trends", dateFrom: "-7d", dateTo: "today", interval: "day",
      series: [{ event: "page_view", math: "total" }, { event: "page_view", math: "users" }],
      breakdown: { property: "$browser", type: "event", limit: 5 },
      where: { property: "city", type: "person", op: "eq", value: "Shanghai" },
    },
    response: {
      results: [{ series: "A", event: "page_view", breakdownValue: "Chrome", points: [{ t: "2026-10-23", value: 812 }, { t: "2026-10-24", value: 790 }], total: 1602 }],
      source: "events", timing,
    },
  },
  {
    request: {
      kind: "funnel", dateFrom: "2026-10-01", dateTo: "2026-10-30", window: { n: 7, unit: "day" }, order: "ordered",
      steps: [{ event: "product_viewed" }, { event: "add_to_cart" }, { event: "order_completed" }],
      exclusions: [{ event: "refund_requested", fromStep: 1, toStep: 2 }],
    },
    response: {
      results: [{
        breakdownValue: null,
        steps: [
          { event: "product_viewed", count: 229378, avgSecondsFromPrevious: null, medianSecondsFromPrevious: null },
          { event: "add_to_cart", count: 80965, avgSecondsFromPrevious: 3611.4, medianSecondsFromPrevious: 3598 },
          { event: "order_completed", count: 30008, avgSecondsFromPrevious: 129870.2, medianSecondsFromPrevious: 129512 },
        ],
      }],
      timing,
    },
  },
  {
    request: { kind: "funnel", dateFrom: "-30d", steps: [{ event: "signup" }, { event: "order_completed" }], view: "time_to_convert" },
    response: { results: [{ averageSeconds: 210, medianSeconds: 210, bins: [[60, 1], [210, 0], [360, 1]] }], timing },
  },
  {
    request: {
      kind: "retention", dateFrom: "2026-10-01", dateTo: "2026-10-30", period: "day", mode: "first_time",
      startEvent: { event: "$all" }, returnEvent: { event: "$all" },
    },
    response: { results: [{ breakdownValue: null, cohorts: [{ period: "2026-10-01", values: [2, 1, 0] }, { period: "2026-10-02", values: [3, 1] }] }], timing },
  },
  {
    request: { kind: "distribution", dateFrom: "-30d", event: "add_to_cart", measure: "count", buckets: [1, 3, 10] },
    response: { results: [{ from: 1, to: 3, persons: 10 }, { from: 3, to: 10, persons: 4 }, { from: 10, to: null, persons: 1 }], totalPersons: 15, timing },
  },
  {
    request: { kind: "lifecycle", dateFrom: "-14d", event: "app_open", interval: "week" },
    response: { results: [{ period: "2026-10-19", new: 120, returning: 340, resurrecting: 45, dormant: -80 }], timing },
  },
  {
    request: { kind: "stickiness", dateFrom: "-7d", event: "app_open", interval: "day" },
    response: { results: [{ intervals: 1, persons: 410 }, { intervals: 2, persons: 120 }], timing },
  },
  {
    request: { kind: "paths", dateFrom: "-7d", startEvent: { event: "$pageview" }, stepLimit: 4 },
    response: { results: [{ source: "1_$pageview", target: "2_signup", persons: 12 }], timing },
  },
];

/** actorsExample lists the persons who dropped off after step 1 of a funnel and saves them as a pack. */
export const actorsExample = {
  request: {
    kind: "funnel", dateFrom: "-30d", steps: [{ event: "add_to_cart" }, { event: "order_completed" }],
    dropOffAfter: 1, limit: 2, saveAs: { name: "Carts not ordered (October)" },
  },
  response: {
    persons: [
      { id: "1042", identifiers: [{ type: "user_id", value: "u-1042" }, { type: "email", value: "li@example.cn" }], traits: { city: "Shanghai" } },
      { id: "1057", identifiers: [{ type: "anonymous_id", value: "a-9f1c" }], traits: {} },
    ],
    next: "1057", total: 412, audience: { id: 7, name: "Carts not ordered (October)", size: 412 }, timing,
  },
};
