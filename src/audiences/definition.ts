/**
 * The audience definition grammar of SPEC §6: one recursive JSON tree shared by audience packs, rule
 * tags and (later) campaign conditions. Field names are fixed by the spec; fields may be added.
 *
 * Limits (depth ≤ 6 nodes from root to leaf, ≤ 50 leaves) are checked on the raw input before the
 * recursive schema runs, so a hostile 10 000-level document is refused without deep recursion, and
 * every issue carries the path of the offending node.
 */
import { z } from "zod";
import { Filter, FilterLeaf, FilterOp, leaves } from "../query/filter.ts";
import { membershipProperty } from "../tags/person-properties.ts";
import { isDateInput, nominalMs, type Duration as DurationT, type TimeUnit as TimeUnitT } from "./zone.ts";

/** MAX_DEPTH is the longest allowed root-to-leaf path, counted in nodes (a lone leaf has depth 1). */
export const MAX_DEPTH = 6;
/** MAX_LEAVES bounds the work one definition can ask for (Segment's limit of 50 expressions). */
export const MAX_LEAVES = 50;

export const TimeUnit = z.enum(["second", "minute", "hour", "day", "week", "month"]);
export const Duration = z.strictObject({ n: z.number().int().min(1).max(100_000), unit: TimeUnit });
/** Gap units have fixed lengths: "A then B within T" is elapsed time, as in funnels (SPEC §5.2). */
const GapDuration = z.strictObject({
  n: z.number().int().min(1).max(100_000),
  unit: z.enum(["second", "minute", "hour", "day", "week"]),
});

const DateInput = z.string().max(40).refine(isDateInput, {
  message: "expected a date (2024-01-31) or an ISO datetime (2024-01-31T08:00:00+08:00)",
});

export const Window = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("last"), n: z.number().int().min(1).max(100_000), unit: TimeUnit }),
  z
    .strictObject({ kind: z.literal("between_ago"), from: Duration, to: Duration })
    .refine((w) => nominalMs(w.from) > nominalMs(w.to), {
      message: "between_ago.from must reach further back than between_ago.to",
      path: ["from"],
    }),
  z
    .strictObject({ kind: z.literal("absolute"), from: DateInput.optional(), to: DateInput.optional() })
    .refine((w) => w.from !== undefined || w.to !== undefined, { message: "absolute needs from, to or both" }),
  z.strictObject({ kind: z.literal("ever") }),
]);
export type Window = z.infer<typeof Window>;

/** Date operators added to the §5 filter operators for `attr` leaves. */
const RelativeDateOp = z.enum(["date_in_last", "date_more_than_ago", "date_in_next", "anniversary_in_next"]);
const AbsoluteDateOp = z.enum(["date_before", "date_after", "date_between"]);
export const AttrOp = z.enum([...FilterOp.options, ...RelativeDateOp.options, ...AbsoluteDateOp.options]);
export type AttrOp = z.infer<typeof AttrOp>;

const AttrValue = z.union([
  z.string().max(1000),
  z.number(),
  z.boolean(),
  z.null(),
  z.array(z.union([z.string().max(1000), z.number(), z.boolean(), z.null()])).max(1000),
  Duration,
]);

export const AttrNode = z
  .strictObject({
    kind: z.literal("attr"),
    property: z.string().min(1).max(200),
    op: AttrOp,
    value: AttrValue.optional(),
  })
  .superRefine((n, ctx) => {
    const bad = (message: string) => ctx.addIssue({ code: "custom", path: ["value"], message });
    const membership = membershipProperty(n.property);
    if (membership) {
      // One way to say it, so the set and single-person evaluators cannot read it differently.
      const use = membership.kind === "tag" ? '{"kind":"tag","tag":…,"present":true}' : '{"kind":"audience","audience":…,"member":true}';
      ctx.addIssue({ code: "custom", path: ["property"], message: `${n.property} is a ${membership.kind} membership: use a ${use} node` });
      return;
    }
    const isDuration = Duration.safeParse(n.value).success;
    if (RelativeDateOp.safeParse(n.op).success) {
      if (!isDuration) bad(`op ${n.op} needs a duration value such as {"n":7,"unit":"day"}`);
      return;
    }
    if (n.op === "date_before" || n.op === "date_after") {
      if (typeof n.value !== "string" || !isDateInput(n.value)) bad(`op ${n.op} needs a date or datetime string`);
      return;
    }
    if (n.op === "date_between") {
      const v = n.value;
      const ok = Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === "string" && isDateInput(x));
      if (!ok) bad("op date_between needs [from, to] as dates or datetimes");
      return;
    }
    if (isDuration) return bad(`op ${n.op} does not take a duration`);
    const leaf = FilterLeaf.safeParse({ property: n.property, type: "person", op: n.op, value: n.value });
    if (!leaf.success) for (const issue of leaf.error.issues) ctx.addIssue({ ...issue, code: "custom" });
  });

const EventName = z.string().min(1).max(200);

/** Event filters run on event properties; person conditions belong in `attr` nodes beside the event. */
const EventWhere = z
  .array(Filter)
  .max(20)
  .superRefine((fs, ctx) => {
    fs.forEach((f, i) => {
      if (leaves(f).some((l) => l.type === "person")) {
        ctx.addIssue({
          code: "custom",
          path: [i],
          message: 'where filters apply to event properties; use an "attr" node for person properties',
        });
      }
    });
  });

export const Measure = z.discriminatedUnion("fn", [
  z.strictObject({ fn: z.literal("count") }),
  z.strictObject({ fn: z.enum(["sum", "avg", "min", "max"]), property: z.string().min(1).max(200) }),
  z.strictObject({ fn: z.literal("distinct_days") }),
]);
export type Measure = z.infer<typeof Measure>;

export const Cmp = z
  .strictObject({
    op: z.enum(["gte", "gt", "lte", "lt", "eq", "between"]),
    value: z.number().refine(Number.isFinite, "must be a finite number"),
    value2: z.number().refine(Number.isFinite, "must be a finite number").optional(),
    includeZero: z.boolean().optional(),
  })
  .superRefine((c, ctx) => {
    if (c.op === "between" && (c.value2 === undefined || c.value2 < c.value)) {
      ctx.addIssue({ code: "custom", path: ["value2"], message: "op between needs value2 ≥ value" });
    }
    if (c.op !== "between" && c.value2 !== undefined) {
      ctx.addIssue({ code: "custom", path: ["value2"], message: "value2 is only used by op between" });
    }
  });
export type Cmp = z.infer<typeof Cmp>;

export const SequenceStep = z.strictObject({ event: EventName, where: EventWhere.optional() });

export type Duration = DurationT;
export type TimeUnitName = TimeUnitT;
export type AttrNode = z.infer<typeof AttrNode>;
export type SequenceStep = z.infer<typeof SequenceStep>;

export interface AndNode { kind: "and"; children: Node[] }
export interface OrNode { kind: "or"; children: Node[] }
export interface NotNode { kind: "not"; child: Node }
export interface TagNode { kind: "tag"; tag: string; present: boolean; value?: string | undefined }
export interface AudienceNode { kind: "audience"; audience: string; member: boolean }
export interface EventNode {
  kind: "event";
  event: string;
  where?: Filter[] | undefined;
  window: Window;
  measure: Measure;
  cmp: Cmp;
}
export interface DidNotNode { kind: "did_not"; event: string; where?: Filter[] | undefined; window: Window }
export interface SequenceNode {
  kind: "sequence";
  steps: [SequenceStep, SequenceStep];
  within: { n: number; unit: "second" | "minute" | "hour" | "day" | "week" };
  window: Window;
  completed: boolean;
}
/** Node is one node of a definition; leaves are every kind except and/or/not. */
export type Node =
  | AndNode | OrNode | NotNode | AttrNode | TagNode | AudienceNode | EventNode | DidNotNode | SequenceNode;

const NodeSchema: z.ZodType<Node> = z.lazy(() =>
  z.discriminatedUnion("kind", [
    z.strictObject({ kind: z.literal("and"), children: z.array(NodeSchema).min(1).max(MAX_LEAVES) }),
    z.strictObject({ kind: z.literal("or"), children: z.array(NodeSchema).min(1).max(MAX_LEAVES) }),
    z.strictObject({ kind: z.literal("not"), child: NodeSchema }),
    AttrNode,
    z.strictObject({
      kind: z.literal("tag"),
      tag: z.string().min(1).max(200),
      present: z.boolean(),
      value: z.string().max(1000).optional(),
    }),
    z.strictObject({ kind: z.literal("audience"), audience: z.string().min(1).max(64), member: z.boolean() }),
    z.strictObject({
      kind: z.literal("event"),
      event: EventName,
      where: EventWhere.optional(),
      window: Window,
      measure: Measure,
      cmp: Cmp,
    }),
    z.strictObject({ kind: z.literal("did_not"), event: EventName, where: EventWhere.optional(), window: Window }),
    z.strictObject({
      kind: z.literal("sequence"),
      steps: z.tuple([SequenceStep, SequenceStep]),
      within: GapDuration,
      window: Window,
      completed: z.boolean(),
    }),
  ]),
);

type PathKey = string | number;

/** shapeIssues walks the raw input iteratively and reports depth and leaf-count violations by path. */
function shapeIssues(input: unknown): { path: PathKey[]; message: string }[] {
  const issues: { path: PathKey[]; message: string }[] = [];
  const stack: { node: unknown; path: PathKey[]; depth: number }[] = [{ node: input, path: [], depth: 1 }];
  let leafCount = 0;
  let visited = 0;
  while (stack.length > 0) {
    const { node, path, depth } = stack.pop()!;
    if (++visited > 10 * MAX_LEAVES) {
      issues.push({ path: [], message: `definition is too large (more than ${10 * MAX_LEAVES} nodes)` });
      break;
    }
    if (depth > MAX_DEPTH) {
      issues.push({ path, message: `nesting is deeper than ${MAX_DEPTH} levels at ${showPath(path)}` });
      continue;
    }
    if (typeof node !== "object" || node === null) continue;
    const { kind, children, child } = node as { kind?: unknown; children?: unknown; child?: unknown };
    if ((kind === "and" || kind === "or") && Array.isArray(children)) {
      children.forEach((c, i) => stack.push({ node: c, path: [...path, "children", i], depth: depth + 1 }));
    } else if (kind === "not") {
      stack.push({ node: child, path: [...path, "child"], depth: depth + 1 });
    } else {
      leafCount++;
    }
  }
  if (leafCount > MAX_LEAVES) {
    issues.push({ path: [], message: `definition has ${leafCount} conditions; at most ${MAX_LEAVES} are allowed` });
  }
  return issues;
}

/** showPath renders a zod path the way users read it: `children[2].child.window`. */
export function showPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const k of path) out += typeof k === "number" ? `[${k}]` : `${out ? "." : ""}${String(k)}`;
  return out || "(root)";
}

/** Definition validates a whole audience definition (limits first, then the recursive grammar). */
export const Definition: z.ZodType<Node> = z
  .unknown()
  .superRefine((input, ctx) => {
    for (const i of shapeIssues(input)) ctx.addIssue({ code: "custom", path: i.path, message: i.message });
  })
  .pipe(NodeSchema)
  // The recursive grammar has no useful JSON Schema; the OpenAPI document shows its shape by example.
  .meta({
    description: "An audience definition (SPEC §6): and / or / not over attr, tag, audience, event, did_not and sequence leaves; depth ≤ 6, ≤ 50 leaves.",
    examples: [{
      kind: "and",
      children: [
        { kind: "attr", property: "city", op: "eq", value: "Shanghai" },
        { kind: "event", event: "purchase", window: { kind: "last", n: 30, unit: "day" }, measure: { fn: "count" }, cmp: { op: "gte", value: 2 } },
        { kind: "did_not", event: "refund", window: { kind: "last", n: 30, unit: "day" } },
      ],
    }],
  });

/** issuePath renders a path as the app's error boundary renders zod issue paths (`definition.children.0`). */
export function issuePath(path: readonly PropertyKey[]): string {
  return path.map(String).join(".");
}

/** IssueOut is an issue as HTTP answers carry it: a path and the message. */
export interface IssueOut {
  readonly path: string;
  readonly message: string;
}

/** describeIssues turns zod issues into `{path, message}` pairs, prefixing the path (e.g. `definition`). */
export function describeIssues(error: z.ZodError, prefix: PropertyKey[] = []): IssueOut[] {
  return error.issues.map((i) => ({ path: issuePath([...prefix, ...i.path]), message: i.message }));
}
