/**
 * The trends ports (trends*.test.ts) ingest each scenario into a fresh app and read `POST /api/query` with
 * `kind: "trends"` back as lines (SPEC §5.0): one per series, breakdown value and compare side. The world and the
 * readers of those lines live here so both passes pick a line and read its points the same way.
 */
import { expect } from "bun:test";
import { actorIds, referenceApp, type Actors, type Props } from "./harness.ts";

/** Line is one trends result (SPEC §5.0). */
export interface Line {
  series: string;
  event: string;
  breakdownValue: string | null;
  points: { t: string; value: number }[];
  total: number;
  compare?: "current" | "previous";
}

/** values and periods read a line's points: the numbers, and the periods they fall in. */
export const values = (l: Line) => l.points.map((p) => p.value);
export const periods = (l: Line) => l.points.map((p) => p.t);
/** line finds the one line of a breakdown value (and compare side, and series), failing loudly when absent. */
export function line(lines: Line[], breakdownValue: string | null, compare?: "current" | "previous", series?: string): Line {
  const found = lines.filter((l) => l.breakdownValue === breakdownValue && l.compare === compare && (series === undefined || l.series === series));
  expect(found.length, `one line for ${String(breakdownValue)} ${compare ?? ""} ${series ?? ""} in ${JSON.stringify(lines.map((l) => [l.series, l.breakdownValue, l.compare, l.total]))}`).toBe(1);
  return found[0]!;
}

/**
 * trendsWorld is a fresh app with the batch ingested (optionally compacted into segments and hourly rollups). The
 * fake clock stays in 2026 while ingesting, so nothing is clamped; `at` moves it afterwards.
 */
export async function trendsWorld(writeKey: string, batch: unknown[], opts: { compact?: boolean } = {}) {
  const h = await referenceApp(writeKey);
  for (let i = 0; i < batch.length; i += 500) await h.ingest(batch.slice(i, i + 500));
  if (opts.compact) await h.t.deps.events.store.compactNow();
  return {
    /** at sets the clock (PostHog's freeze_time) for relative dates. */
    at: h.setNow,
    async query(body: Props): Promise<Line[]> {
      return (await h.ok<{ results: Line[] }>("/api/query", { kind: "trends", ...body })).results;
    },
    /** post answers status and body, for a query that may be refused. */
    post: (body: Props) => h.post<Props>("/api/query", { kind: "trends", ...body }),
    /** actors lists the persons behind a point (SPEC §5.0 actors), by user id. */
    async actors(body: Props): Promise<string[]> {
      return actorIds(await h.ok<Actors>("/api/query/actors", { kind: "trends", ...body }));
    },
  };
}
