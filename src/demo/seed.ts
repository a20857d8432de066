/**
 * The demo's tags and audience packs, so the Tags and Audiences pages have something to show after
 * `tessera demo`: RFM classes and lifecycle stages computed from the demo's orders, a "repeat buyer"
 * rule tag, and three packs a marketer would build first. Then one nightly T+1 run computes them all,
 * as the 03:00 job would. Created only when missing, so running the demo again adds nothing.
 */
import { audienceJobs } from "../audiences/audiences.job.ts";
import { createAudience, listAudiences } from "../audiences/audiences.repo.ts";
import { Definition } from "../audiences/definition.ts";
import type { JobContext } from "../jobs/job.ts";
import { Scheduler } from "../jobs/scheduler.ts";
import { getSettings } from "../settings/settings.ts";
import { ComputedSpec } from "../tags/computed.ts";
import { createTag, getTagByName } from "../tags/tags.repo.ts";

const ORDERS = { event: "order_completed", amountProperty: "revenue", window: { n: 12, unit: "month" } } as const;

const TAGS = [
  { name: "rfm", label: "RFM class", kind: "computed", valueType: "string", definition: ComputedSpec.parse({ fn: "rfm_class", orders: ORDERS }) },
  {
    name: "lifecycle", label: "Lifecycle stage", kind: "computed", valueType: "string", emitEvent: "lifecycle_changed",
    definition: ComputedSpec.parse({ fn: "lifecycle", activityEvents: ["product_viewed", "add_to_cart", "order_completed"], thresholds: { newDays: 7, activeDays: 14, dormantDays: 45 } }),
  },
  {
    name: "repeat_buyer", label: "Repeat buyer", kind: "rule", valueType: "boolean",
    definition: Definition.parse({ kind: "event", event: "order_completed", window: { kind: "last", n: 90, unit: "day" }, measure: { fn: "count" }, cmp: { op: "gte", value: 2 } }),
  },
] as const;

const PACKS = [
  {
    name: "High-value repeat buyers",
    description: "Two or more orders in 90 days and over ¥500 spent",
    definition: {
      kind: "and", children: [
        { kind: "tag", tag: "repeat_buyer", present: true },
        { kind: "event", event: "order_completed", window: { kind: "last", n: 90, unit: "day" }, measure: { fn: "sum", property: "revenue" }, cmp: { op: "gt", value: 500 } },
      ],
    },
  },
  {
    name: "Abandoned carts (30 days)",
    description: "Added to cart and did not order within a day, in the last 30 days",
    definition: {
      kind: "sequence", steps: [{ event: "add_to_cart" }, { event: "order_completed" }], within: { n: 1, unit: "day" },
      window: { kind: "last", n: 30, unit: "day" }, completed: false,
    },
  },
  { name: "Dormant customers", description: "Lifecycle stage dormant: win them back", definition: { kind: "tag", tag: "lifecycle", present: true, value: "dormant" } },
] as const;

/** seedDemo creates the demo's missing tags and packs, then runs the nightly computation once. */
export async function seedDemo(ctx: JobContext): Promise<void> {
  const now = ctx.now();
  for (const t of TAGS) if (!(await getTagByName(ctx.kdb, t.name))) await createTag(ctx.kdb, t, now);
  const existing = new Set((await listAudiences(ctx.kdb)).map((a) => a.name));
  for (const p of PACKS) {
    if (!existing.has(p.name)) await createAudience(ctx.kdb, { name: p.name, description: p.description, definition: Definition.parse(p.definition) }, now);
  }
  // Through the scheduler, so the Jobs page shows this run as the nightly job's last one (not "never").
  const { timezone } = await getSettings(ctx.kdb, ctx.config);
  const run = await new Scheduler(audienceJobs, ctx, timezone).run("audiences-nightly", "manual");
  if (run.lastStatus === "error") throw new Error(`computing the demo's tags and packs failed: ${run.lastError}`);
}
