/**
 * The single-person evaluator: one definition, one person snapshot, one boolean. Real-time campaigns
 * (SPEC §7) call it at trigger time; the randomized agreement test holds the set evaluator to it, so
 * it is written for obviousness rather than speed: each leaf reads the person's events directly.
 *
 * Sequence semantics (both evaluators): an A event in the window "converts" when a different event
 * occurrence matching B has A.ts ≤ B.ts ≤ A.ts + within and B.ts ≤ asOf. `completed: true` matches a
 * person with a converted A. `completed: false` (A then not B) matches a person with an A whose
 * deadline A.ts + within has passed (≤ asOf) without B, and no converted A in the window — as in a
 * funnel, a person counts at the deepest step any attempt reached, so a later purchase clears an
 * earlier abandoned cart; an A still inside its deadline decides nothing yet.
 */
import { compileFilter, type Filter } from "../query/filter.ts";
import { compileAttr } from "./attr.ts";
import type { Measure, Node, SequenceStep } from "./definition.ts";
import { compileCmp, numericValue, zeroMatches } from "./measure.ts";
import { readPath } from "./population.ts";
import { inRange, resolveWindow, type Range } from "./windows.ts";
import { elapsedMs, localDays } from "./zone.ts";

/** PersonEvent is one event of a person: name, integer epoch ms, properties. */
export interface PersonEvent {
  readonly event: string;
  readonly ts: number;
  readonly props: Readonly<Record<string, unknown>>;
}

/** PersonSnapshot is everything a definition can ask about one person. */
export interface PersonSnapshot {
  /** traits and `$`-prefixed profile fields */
  readonly traits: Readonly<Record<string, unknown>>;
  /** tag name → value (null for plain boolean tags) */
  readonly tags: ReadonlyMap<string, string | null>;
  /** ids of the audiences the person is currently a member of */
  readonly audiences: ReadonlySet<string>;
  /** the person's events, time-ascending */
  readonly events: readonly PersonEvent[];
}

/** EvalContext fixes the evaluation instant (integer epoch ms) and the project time zone. */
export interface EvalContext {
  readonly asOf: number;
  readonly timezone: string;
}

type PersonTest = (p: PersonSnapshot) => boolean;

/** evaluatePerson decides whether one person matches a (validated) definition as of `ctx.asOf`. */
export function evaluatePerson(def: Node, person: PersonSnapshot, ctx: EvalContext): boolean {
  return compilePerson(def, ctx)(person);
}

/** compilePerson prepares a definition once for many persons evaluated at the same instant. */
export function compilePerson(def: Node, ctx: EvalContext): PersonTest {
  switch (def.kind) {
    case "and": {
      const parts = def.children.map((c) => compilePerson(c, ctx));
      return (p) => parts.every((t) => t(p));
    }
    case "or": {
      const parts = def.children.map((c) => compilePerson(c, ctx));
      return (p) => parts.some((t) => t(p));
    }
    case "not": {
      const inner = compilePerson(def.child, ctx);
      return (p) => !inner(p);
    }
    case "attr": {
      const test = compileAttr(def, ctx.asOf, ctx.timezone);
      return (p) => test(readPath(p.traits, def.property));
    }
    case "tag":
      return (p) => {
        const has = def.value === undefined ? p.tags.has(def.tag) : p.tags.get(def.tag) === def.value;
        return has === def.present;
      };
    case "audience":
      return (p) => p.audiences.has(def.audience) === def.member;
    case "event": {
      const range = resolveWindow(def.window, ctx.asOf, ctx.timezone);
      const matches = eventMatcher(def.event, def.where);
      const measure = measureOf(def.measure, ctx.timezone);
      const test = compileCmp(def.cmp);
      const zero = zeroMatches(def.cmp);
      return (p) => {
        const m = measure(p.events.filter((e) => inRange(range, e.ts) && matches(e)));
        return m === null ? zero : test(m);
      };
    }
    case "did_not": {
      const range = resolveWindow(def.window, ctx.asOf, ctx.timezone);
      const matches = eventMatcher(def.event, def.where);
      return (p) => !p.events.some((e) => inRange(range, e.ts) && matches(e));
    }
    case "sequence": {
      const range = resolveWindow(def.window, ctx.asOf, ctx.timezone);
      const [a, b] = def.steps.map(stepMatcher) as [EventTest, EventTest];
      const gap = elapsedMs(def.within);
      return (p) => sequenceOutcome(p.events, range, a, b, gap, ctx.asOf) === (def.completed ? "converted" : "abandoned");
    }
  }
}

type EventTest = (e: PersonEvent) => boolean;

function eventMatcher(event: string, where: Filter[] | undefined): EventTest {
  const props = compileFilter(where && where.length > 0 ? { and: where } : undefined);
  return (e) => e.event === event && props((leaf) => readPath(e.props, leaf.property));
}

function stepMatcher(s: SequenceStep): EventTest {
  return eventMatcher(s.event, s.where);
}

/** measureOf returns the measured value of matching events, or null when nothing was measured. */
function measureOf(m: Measure, tz: string): (events: readonly PersonEvent[]) => number | null {
  switch (m.fn) {
    case "count":
      return (es) => (es.length === 0 ? null : es.length);
    case "distinct_days": {
      const days = localDays(tz);
      return (es) => (es.length === 0 ? null : new Set(es.map((e) => days.day(e.ts))).size);
    }
    default: {
      const fn = m.fn;
      return (es) => {
        const xs = es.map((e) => numericValue(readPath(e.props, m.property))).filter((x) => x !== null);
        if (xs.length === 0) return null;
        if (fn === "min") return xs.reduce((lo, x) => Math.min(lo, x));
        if (fn === "max") return xs.reduce((hi, x) => Math.max(hi, x));
        const sum = xs.reduce((s, x) => s + x, 0);
        return fn === "sum" ? sum : sum / xs.length;
      };
    }
  }
}

/** sequenceOutcome classifies a person's A→B attempts in a window (see the file comment). */
function sequenceOutcome(
  events: readonly PersonEvent[], range: Range, a: EventTest, b: EventTest, gap: number, asOf: number,
): "converted" | "abandoned" | "none" {
  let abandoned = false;
  for (let i = 0; i < events.length; i++) {
    const ea = events[i]!;
    if (!inRange(range, ea.ts) || !a(ea)) continue;
    const deadline = ea.ts + gap;
    const converted = events.some(
      (eb, j) => j !== i && eb.ts >= ea.ts && eb.ts <= deadline && eb.ts <= asOf && b(eb),
    );
    if (converted) return "converted";
    if (deadline <= asOf) abandoned = true;
  }
  return abandoned ? "abandoned" : "none";
}
