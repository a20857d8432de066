/**
 * Paths feed a Sankey chart, so node names ("1_$pageview"), one path per session as PostHog counts them,
 * collapsed repeats, session gaps, numbering from 1 also into an end event, and the top-N edge order are
 * pinned by hand; a seeded cross-check rebuilds every path from plain objects.
 */
import { describe, expect, test } from "bun:test";
import { byPersonTime, int, ms, pick, rng, rowsOf } from "./fixtures.ts";
import { pathsActors, pathsResults } from "./paths.ts";
import { PathsQuery } from "./schema.ts";
import type { Range } from "./time.ts";

const NAMES = ["$pageview", "signup", "purchase", "search"];
const RANGE: Range = { from: ms("2024-01-01"), to: ms("2024-01-08") };
/** anchor: the start event (or the end event when only it is given); end: the end event beside a start. */
type PEv = { p: number; t: string | number; e: number; anchor?: boolean; end?: boolean };

function run(q: object, events: PEv[], range = RANGE) {
  const pq = PathsQuery.parse({ kind: "paths", ...q });
  const sorted = byPersonTime(events);
  const input = { rows: rowsOf(sorted.map((x) => ({ p: x.p, t: x.t, bits: (x.anchor ? 1 : 0) | (x.end ? 2 : 0) }))), event: Int32Array.from(sorted, (x) => x.e), eventNames: NAMES };
  return { pq, input, edges: pathsResults(pq, input, range) };
}
const at = (m: number) => ms("2024-01-02T10:00") + m * 60_000;

describe("paths", () => {
  const ev: PEv[] = [
    { p: 0, t: at(0), e: 3 }, { p: 0, t: at(1), e: 0, anchor: true }, { p: 0, t: at(2), e: 1 }, { p: 0, t: at(3), e: 1 }, { p: 0, t: at(4), e: 2 },
    { p: 1, t: at(0), e: 0, anchor: true }, { p: 1, t: at(1), e: 1 }, { p: 1, t: at(50), e: 2 },
    { p: 2, t: at(0), e: 0, anchor: true }, { p: 2, t: at(5), e: 0, anchor: true }, { p: 2, t: at(6), e: 3 },
  ];

  test("after a start event: numbered nodes, repeats collapsed, a 30-minute gap ends the path", () => {
    expect(run({ startEvent: { event: "$pageview" } }, ev).edges).toEqual([
      { source: "1_$pageview", target: "2_signup", persons: 2 },
      { source: "1_$pageview", target: "2_search", persons: 1 },
      { source: "2_signup", target: "3_purchase", persons: 1 },
    ]);
  });

  test("without a gap limit the path follows across sessions", () => {
    expect(run({ startEvent: { event: "$pageview" }, sessionGapMinutes: null }, ev).edges.find((e) => e.source === "2_signup")).toEqual({ source: "2_signup", target: "3_purchase", persons: 2 });
  });

  test("into an end event: the last stepLimit nodes up to the session's first end event, numbered from 1", () => {
    const end: PEv[] = [
      { p: 0, t: at(0), e: 3 }, { p: 0, t: at(1), e: 0 }, { p: 0, t: at(2), e: 1 }, { p: 0, t: at(3), e: 2, anchor: true },
      { p: 1, t: at(0), e: 1 }, { p: 1, t: at(1), e: 2, anchor: true }, { p: 1, t: at(2), e: 0 },
    ];
    expect(run({ endEvent: { event: "purchase" }, stepLimit: 3 }, end).edges).toEqual([
      { source: "1_$pageview", target: "2_signup", persons: 1 },
      { source: "1_signup", target: "2_purchase", persons: 1 },
      { source: "2_signup", target: "3_purchase", persons: 1 },
    ]);
  });

  test("start and end: from the first start to the first end after it, a longer path folded around \"...\" (PostHog's)", () => {
    const both: PEv[] = [
      // signup → search → $pageview → search → purchase: 5 nodes, folded to 2 + "..." + 2 by stepLimit 4
      { p: 0, t: at(0), e: 0 }, { p: 0, t: at(1), e: 1, anchor: true }, { p: 0, t: at(2), e: 3 }, { p: 0, t: at(3), e: 0 },
      { p: 0, t: at(4), e: 3 }, { p: 0, t: at(5), e: 2, end: true }, { p: 0, t: at(6), e: 0 },
      { p: 1, t: at(0), e: 1, anchor: true }, { p: 1, t: at(1), e: 2, end: true }, // signup → purchase
      { p: 2, t: at(0), e: 1, anchor: true }, { p: 2, t: at(1), e: 3 }, // no end: no path
      { p: 3, t: at(0), e: 2, end: true }, { p: 3, t: at(1), e: 1, anchor: true }, // the end before the start: no path
    ];
    const q = { startEvent: { event: "signup" }, endEvent: { event: "purchase" } };
    expect(run({ ...q, stepLimit: 5 }, both).edges).toEqual([
      { source: "1_signup", target: "2_purchase", persons: 1 },
      { source: "1_signup", target: "2_search", persons: 1 },
      { source: "2_search", target: "3_$pageview", persons: 1 },
      { source: "3_$pageview", target: "4_search", persons: 1 },
      { source: "4_search", target: "5_purchase", persons: 1 },
    ]);
    const folded = run({ ...q, stepLimit: 4 }, both);
    expect(folded.edges.filter((e) => e.source !== "1_signup" || e.target !== "2_purchase")).toEqual([
      { source: "1_signup", target: "2_search", persons: 1 },
      { source: "2_search", target: "3_...", persons: 1 },
      { source: "3_...", target: "4_search", persons: 1 },
      { source: "4_search", target: "5_purchase", persons: 1 },
    ]);
    expect([...pathsActors(folded.pq, folded.input, RANGE, { source: "3_...", target: "4_search" })]).toEqual([0]);
  });

  test("each session is a path: one person taking an edge on two days counts twice, and is one actor", () => {
    const twice: PEv[] = [
      { p: 0, t: "2024-01-02T10:00", e: 0, anchor: true }, { p: 0, t: "2024-01-02T10:01", e: 1 },
      { p: 0, t: "2024-01-03T10:00", e: 0, anchor: true }, { p: 0, t: "2024-01-03T10:01", e: 1 },
      { p: 1, t: "2024-01-02T10:00", e: 3 }, { p: 1, t: "2024-01-02T11:00", e: 0, anchor: true }, { p: 1, t: "2024-01-02T11:05", e: 2 },
    ];
    const { pq, input, edges } = run({ startEvent: { event: "$pageview" } }, twice);
    expect(edges).toEqual([
      { source: "1_$pageview", target: "2_signup", persons: 2 },
      { source: "1_$pageview", target: "2_purchase", persons: 1 },
    ]);
    expect([...pathsActors(pq, input, RANGE, { source: "1_$pageview", target: "2_signup" })]).toEqual([0]);
    // Without an anchor, person 1's search stands alone in its session: no edge from it.
    expect(run({}, twice).edges).toEqual([
      { source: "1_$pageview", target: "2_signup", persons: 2 },
      { source: "1_$pageview", target: "2_purchase", persons: 1 },
    ]);
  });

  test("without an anchor paths start at each person's first event in the range; stepLimit caps them", () => {
    const edges = run({ stepLimit: 2 }, [{ p: 0, t: "2023-12-31T23:00", e: 2 }, ...ev]).edges;
    expect(edges).toEqual([
      { source: "1_$pageview", target: "2_search", persons: 1 },
      { source: "1_$pageview", target: "2_signup", persons: 1 },
      { source: "1_search", target: "2_$pageview", persons: 1 },
    ]);
  });

  test("no rows, or no anchor in the range: no edges", () => {
    expect(run({ startEvent: { event: "$pageview" } }, []).edges).toEqual([]);
    expect(run({ startEvent: { event: "$pageview" } }, [{ p: 0, t: "2023-12-31T10:00", e: 0, anchor: true }, { p: 0, t: at(0), e: 1 }]).edges).toEqual([]);
  });

  test("edgeLimit keeps the most travelled edges", () => {
    expect(run({ startEvent: { event: "$pageview" }, edgeLimit: 1 }, ev).edges).toEqual([{ source: "1_$pageview", target: "2_signup", persons: 2 }]);
  });

  test("edge weights keep the edges taken by at least / at most that many paths (PostHog's)", () => {
    expect(run({ startEvent: { event: "$pageview" }, minEdgeWeight: 2 }, ev).edges).toEqual([{ source: "1_$pageview", target: "2_signup", persons: 2 }]);
    // 2_signup → 3_purchase (1) passes the weight, but the edge into 2_signup (2) does not: an orphan, dropped
    expect(run({ startEvent: { event: "$pageview" }, maxEdgeWeight: 1 }, ev).edges).toEqual([{ source: "1_$pageview", target: "2_search", persons: 1 }]);
  });

  test("actors of an edge", () => {
    const { pq, input } = run({ startEvent: { event: "$pageview" } }, ev);
    expect([...pathsActors(pq, input, RANGE, { source: "1_$pageview", target: "2_signup" })]).toEqual([0, 1]);
  });
});

describe("randomized cross-check against a brute force", () => {
  for (let seed = 1; seed <= 60; seed++) {
    test(`seed ${seed}`, () => {
      const r = rng(seed * 2654435761);
      const mode = pick(r, ["start", "end", "none"] as const);
      const stepLimit = 2 + int(r, 4);
      const gap = r() < 0.3 ? null : 5 + int(r, 30);
      const range = { from: at(10), to: at(10 + 60 + int(r, 60)) };
      const events: PEv[] = Array.from({ length: int(r, 60) }, () => {
        const e = int(r, NAMES.length);
        return { p: int(r, 6), t: at(int(r, 160)), e, anchor: e === 0 && r() < 0.7 };
      });
      const q = { stepLimit, sessionGapMinutes: gap, edgeLimit: 500, ...(mode === "start" ? { startEvent: { event: "$pageview" } } : mode === "end" ? { endEvent: { event: "$pageview" } } : {}) };
      const got = run(q, events, range).edges;
      // brute force: split each person's events into sessions, one path per session, from plain lists
      const counts = new Map<string, number>();
      for (let p = 0; p < 6; p++) {
        const own = byPersonTime(events.filter((e) => e.p === p)).map((e) => ({ ...e, t: ms(e.t) })).filter((e) => e.t >= range.from && e.t < range.to);
        const sessions: (typeof own)[] = [];
        for (const [i, e] of own.entries()) {
          if (i === 0 || (gap !== null && e.t - own[i - 1]!.t >= gap * 60_000)) sessions.push([]);
          sessions.at(-1)!.push(e);
        }
        for (const session of sessions) {
          const start = session.findIndex((e) => mode === "none" || e.anchor);
          if (start < 0) continue;
          const seq = mode === "end" ? session.slice(0, start + 1).reverse() : session.slice(start);
          const nodes = seq.map((e) => e.e).filter((e, i, a) => i === 0 || e !== a[i - 1]).slice(0, stepLimit);
          if (mode === "end") nodes.reverse();
          for (let i = 0; i + 1 < nodes.length; i++) {
            const key = `${i + 1}_${NAMES[nodes[i]!]}|${i + 2}_${NAMES[nodes[i + 1]!]}`;
            counts.set(key, (counts.get(key) ?? 0) + 1);
          }
        }
      }
      const want = [...counts].map(([k, persons]) => ({ source: k.split("|")[0]!, target: k.split("|")[1]!, persons }));
      const order = (x: { source: string; target: string; persons: number }, y: typeof x) =>
        y.persons - x.persons || parseInt(x.source) - parseInt(y.source) || (x.source < y.source ? -1 : x.source > y.source ? 1 : 0) || (x.target < y.target ? -1 : 1);
      expect(got).toEqual(want.sort(order));
    });
  }
});
