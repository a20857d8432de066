/**
 * Paths (SPEC §5.6): the most common sequences after a start event (or leading to an end event),
 * as Sankey edges between numbered nodes "1_$pageview" → "2_signup" with the number of paths.
 *
 * PostHog's paths: each person's events in the range are split into sessions where the gap between two
 * events reaches `sessionGapMinutes` (null: one session), and every session is a path — from its first
 * start event forward, or back from its first end event (the last `stepLimit` nodes up to it), or with
 * both from the first start event to the first end event after it (a session holding no such pair has
 * no path; a longer one keeps its first and last ⌊stepLimit/2⌋ nodes around a "..." node), or with
 * neither from its first event; repeats of the same event collapse into one node (a reload is not a step),
 * at most `stepLimit` nodes, numbered from 1. An edge counts the paths that take it, so a person who took
 * it in two sessions counts twice (its actors list each person once). Of the edges within the weights
 * (`minEdgeWeight`/`maxEdgeWeight`, PostHog's), the top `edgeLimit` by count
 * (ties: earlier step, then names) are returned, less those no kept edge from a first node leads to
 * (PostHog's validate_results: a Sankey has no orphaned branches).
 */
import type { PathEdge } from "./results.ts";
import type { PathsQuery } from "./schema.ts";
import type { Rows } from "./stream.ts";
import type { Range } from "./time.ts";

/**
 * PathsInput: rows sorted by (person, ts, stable) — every event of the range that may appear in a
 * path (the data layer applies includeEvents/excludeEvents, keeping the anchor events) — with
 * bit 0 = the start event, else the end event, bit 1 = the end event when both are given (name +
 * where), `event` codes naming each row.
 */
export interface PathsInput {
  rows: Rows;
  event: Int32Array;
  eventNames: string[];
}

/** eachPath calls `fn(person, codes)` with each path (a session of a person): its node codes, numbered from 1. */
function eachPath(q: PathsQuery, input: PathsInput, range: Range, fn: (p: number, codes: number[]) => void): void {
  const { n, person, ts, match } = input.rows;
  const ev = input.event;
  const gap = q.sessionGapMinutes === null ? Infinity : q.sessionGapMinutes * 60_000;
  const between = q.startEvent !== undefined && q.endEvent !== undefined;
  const backward = q.endEvent !== undefined && !between;
  const anchored = q.startEvent !== undefined || q.endEvent !== undefined;
  const ellipsis = input.eventNames.length; // the "..." node of a folded start-to-end path
  const inRange = (i: number) => ts[i]! >= range.from && ts[i]! < range.to;
  const codes: number[] = [];
  for (let a = 0; a < n; ) {
    const p = person[a]!;
    let b = a;
    while (b < n && person[b] === p) b++;
    // Rows are in time order, so the person's rows in the range are contiguous; sessions split them at gaps.
    let s = a;
    while (s < b && !inRange(s)) s++;
    while (s < b && inRange(s)) {
      let e = s + 1;
      while (e < b && inRange(e) && ts[e]! - ts[e - 1]! < gap) e++; // PostHog splits at ≥ 1800 s
      let at = -1;
      for (let i = s; i < e && at < 0; i++) if (!anchored || match[i]! & 1) at = i;
      if (at >= 0 && between) {
        // PostHog's start and end points: up to the first end event after the start, folded past stepLimit
        codes.length = 0;
        codes.push(ev[at]!);
        let ended = (match[at]! & 2) !== 0;
        for (let i = at + 1; i < e && !ended; i++) {
          if (ev[i] !== codes[codes.length - 1]) codes.push(ev[i]!);
          ended = (match[i]! & 2) !== 0;
        }
        if (ended) {
          if (codes.length > q.stepLimit) {
            const half = Math.floor(q.stepLimit / 2);
            codes.splice(half, codes.length - 2 * half, ellipsis);
          }
          fn(p, codes);
        }
      } else if (at >= 0) {
        codes.length = 0;
        codes.push(ev[at]!);
        const dir = backward ? -1 : 1;
        for (let i = at + dir; i >= s && i < e && codes.length < q.stepLimit; i += dir) {
          if (ev[i] !== codes[codes.length - 1]) codes.push(ev[i]!);
        }
        if (backward) codes.reverse();
        fn(p, codes);
      }
      s = e;
    }
    a = b;
  }
}

/** pathsResults counts persons per edge and keeps the top `edgeLimit` that a first node leads to. */
export function pathsResults(q: PathsQuery, input: PathsInput, range: Range): PathEdge[] {
  const E = input.eventNames.length + 1;
  const counts = new Map<number, number>();
  eachPath(q, input, range, (_p, codes) => {
    for (let i = 0; i + 1 < codes.length; i++) {
      const key = ((1 + i) * E + codes[i]!) * E + codes[i + 1]!;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  });
  const name = (pos: number, code: number) => `${pos}_${nodeName(input, code)}`;
  const top = [...counts]
    .map(([key, persons]) => {
      const dst = key % E;
      const src = Math.floor(key / E) % E;
      const pos = Math.floor(key / E / E);
      return { pos, source: name(pos, src), target: name(pos + 1, dst), persons };
    })
    .filter((x) => x.persons >= (q.minEdgeWeight ?? 0) && x.persons <= (q.maxEdgeWeight ?? Infinity))
    .sort((x, y) => y.persons - x.persons || x.pos - y.pos || cmp(x.source, y.source) || cmp(x.target, y.target))
    .slice(0, q.edgeLimit)
    .map(({ source, target, persons }) => ({ source, target, persons }));
  const reached = reachedNodes(top);
  return top.filter((x) => reached.has(x.source));
}

/** reachedNodes is every node a walk along `edges` from a `1_` node reaches. */
function reachedNodes(edges: readonly PathEdge[]): Set<string> {
  const next = new Map<string, string[]>();
  for (const x of edges) next.set(x.source, [...(next.get(x.source) ?? []), x.target]);
  const seen = new Set<string>();
  const stack = edges.filter((x) => x.source.startsWith("1_")).map((x) => x.source);
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (seen.has(node)) continue;
    seen.add(node);
    stack.push(...(next.get(node) ?? []));
  }
  return seen;
}

/** nodeName is an event code's name, "..." for the fold of a long start-to-end path. */
function nodeName(input: PathsInput, code: number): string {
  return code === input.eventNames.length ? "..." : input.eventNames[code] ?? "";
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** pathsActors lists the persons with a path taking the edge source → target, each once. */
export function pathsActors(q: PathsQuery, input: PathsInput, range: Range, edge: { source: string; target: string }): Int32Array {
  const out: number[] = [];
  eachPath(q, input, range, (p, codes) => {
    if (out.at(-1) === p) return;
    for (let i = 0; i + 1 < codes.length; i++) {
      if (`${i + 1}_${nodeName(input, codes[i]!)}` === edge.source && `${i + 2}_${nodeName(input, codes[i + 1]!)}` === edge.target) {
        out.push(p);
        return;
      }
    }
  });
  return Int32Array.from(out);
}
