/**
 * Paths (SPEC §5.6): the most common sequences after a start event (or leading to an end event),
 * as Sankey edges between numbered nodes "1_$pageview" → "2_signup" with the number of persons.
 *
 * One path per person: from their first start event in the range forward (or back from their
 * first end event; with neither, from their first event), over consecutive events while the gap
 * between two events stays within `sessionGapMinutes`, repeats of the same event collapsed into
 * one node (a reload is not a step), up to `stepLimit` nodes. Paths into an end event are numbered
 * so the end event is always node `stepLimit`, which keeps Sankey columns aligned. The top
 * `edgeLimit` edges by persons are returned (ties: earlier step, then names).
 */
import type { PathEdge } from "./results.ts";
import type { PathsQuery } from "./schema.ts";
import type { Rows } from "./stream.ts";
import type { Range } from "./time.ts";

/**
 * PathsInput: rows sorted by (person, ts, stable) — every event of the range that may appear in a
 * path (the data layer applies includeEvents/excludeEvents, keeping the anchor event) — with
 * bit 0 = the start/end event (name + where), `event` codes naming each row.
 */
export interface PathsInput {
  rows: Rows;
  event: Int32Array;
  eventNames: string[];
}

/** eachPath calls `fn(person, codes, first)` with each person's path: node codes, numbered from `first`. */
function eachPath(q: PathsQuery, input: PathsInput, range: Range, fn: (p: number, codes: number[], first: number) => void): void {
  const { n, person, ts, match } = input.rows;
  const ev = input.event;
  const gap = q.sessionGapMinutes === null ? Infinity : q.sessionGapMinutes * 60_000;
  const backward = q.endEvent !== undefined;
  const anchored = q.startEvent !== undefined || backward;
  const codes: number[] = [];
  for (let a = 0; a < n; ) {
    const p = person[a]!;
    let b = a;
    while (b < n && person[b] === p) b++;
    let at = -1;
    for (let i = a; i < b && at < 0; i++) if (ts[i]! >= range.from && ts[i]! < range.to && (!anchored || match[i]! & 1)) at = i;
    if (at >= 0) {
      codes.length = 0;
      codes.push(ev[at]!);
      const dir = backward ? -1 : 1;
      for (let i = at + dir; i >= a && i < b && codes.length < q.stepLimit; i += dir) {
        const t = ts[i]!;
        if (t < range.from || t >= range.to || Math.abs(t - ts[i - dir]!) > gap) break;
        if (ev[i] !== codes[codes.length - 1]) codes.push(ev[i]!);
      }
      if (backward) codes.reverse();
      fn(p, codes, backward ? q.stepLimit - codes.length + 1 : 1);
    }
    a = b;
  }
}

/** pathsResults counts persons per edge and keeps the top `edgeLimit`. */
export function pathsResults(q: PathsQuery, input: PathsInput, range: Range): PathEdge[] {
  const E = input.eventNames.length + 1;
  const counts = new Map<number, number>();
  eachPath(q, input, range, (_p, codes, first) => {
    for (let i = 0; i + 1 < codes.length; i++) {
      const key = ((first + i) * E + codes[i]!) * E + codes[i + 1]!;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  });
  const name = (pos: number, code: number) => `${pos}_${input.eventNames[code] ?? ""}`;
  return [...counts]
    .map(([key, persons]) => {
      const dst = key % E;
      const src = Math.floor(key / E) % E;
      const pos = Math.floor(key / E / E);
      return { pos, source: name(pos, src), target: name(pos + 1, dst), persons };
    })
    .sort((x, y) => y.persons - x.persons || x.pos - y.pos || cmp(x.source, y.source) || cmp(x.target, y.target))
    .slice(0, q.edgeLimit)
    .map(({ source, target, persons }) => ({ source, target, persons }));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** pathsActors lists the persons whose path has the edge source → target. */
export function pathsActors(q: PathsQuery, input: PathsInput, range: Range, edge: { source: string; target: string }): Int32Array {
  const out: number[] = [];
  eachPath(q, input, range, (p, codes, first) => {
    for (let i = 0; i + 1 < codes.length; i++) {
      if (`${first + i}_${input.eventNames[codes[i]!]}` === edge.source && `${first + i + 1}_${input.eventNames[codes[i + 1]!]}` === edge.target) {
        out.push(p);
        return;
      }
    }
  });
  return Int32Array.from(out);
}
