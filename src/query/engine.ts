/**
 * The query engine: a validated query (or actors request) in, the SPEC §5.0 response (or the
 * selected person ids) out, over one read snapshot. Each kind reads its kernel's input through
 * data/inputs.ts and hands it to its kernel; nothing here knows about HTTP or the worker.
 */
import { distributionActors, distributionResults } from "./distribution.ts";
import { funnelActors, funnelPersons, funnelSpec, funnelSteps, funnelTimeToConvert, funnelTrends } from "./funnel.ts";
import { lifecycleActors, lifecycleResults } from "./lifecycle.ts";
import { pathsActors, pathsResults } from "./paths.ts";
import type {
  DistributionBucket, FunnelStepsResult, FunnelTrendsResult, LifecycleResult, PathEdge, RetentionResult, StickinessResult,
  TimeToConvertResult, TrendsResult,
} from "./results.ts";
import { retentionActors, retentionResults } from "./retention.ts";
import type { ActorsRequest, Query } from "./schema.ts";
import { stickinessActors, stickinessResults } from "./stickiness.ts";
import { trendsActors, trendsResults } from "./trends.ts";
import {
  distributionInput, funnelInput, lifecycleInput, pathsInput, type QueryCtx, retentionInput, stickinessInput, trendsFrame,
  trendsInput,
} from "./data/inputs.ts";

/** QueryResponse is the body of `POST /api/query` before timing is added. */
export interface QueryResponse {
  results:
    | TrendsResult[] | FunnelStepsResult[] | FunnelTrendsResult[] | TimeToConvertResult[] | RetentionResult[]
    | DistributionBucket[] | LifecycleResult[] | StickinessResult[] | PathEdge[];
  /** totalPersons is distribution's count of persons who did the event. */
  totalPersons?: number;
  /** source says how trends were counted: from the hourly rollups or from event rows. */
  source?: "rollup" | "events";
}

/** runQuery answers one query. */
export function runQuery(q: Query, ctx: QueryCtx): QueryResponse {
  switch (q.kind) {
    case "trends": {
      const f = trendsFrame(q, ctx);
      const input = trendsInput(q, ctx, f);
      return { results: trendsResults(q, input, f.current, f.previous), source: input.rollup ? "rollup" : "events" };
    }
    case "funnel": {
      const { input, frame } = funnelInput(q, ctx);
      const spec = funnelSpec(q);
      if (q.view === "trends") return { results: funnelTrends(q, funnelPersons(input, spec, frame.range, frame.periods), frame.periods!, input.breakdown) };
      const fp = funnelPersons(input, spec, frame.range);
      return { results: q.view === "time_to_convert" ? funnelTimeToConvert(q, fp) : funnelSteps(q, fp, input.breakdown) };
    }
    case "retention": {
      const { input, periods } = retentionInput(q, ctx);
      return { results: retentionResults(q, input, periods) };
    }
    case "distribution": {
      const { input, frame } = distributionInput(q, ctx);
      return distributionResults(q, input, frame);
    }
    case "lifecycle": {
      const { input, periods } = lifecycleInput(q, ctx);
      return { results: lifecycleResults(input, periods) };
    }
    case "stickiness": {
      const { rows, periods } = stickinessInput(q, ctx);
      return { results: stickinessResults(rows, periods, q.cumulative) };
    }
    case "paths": {
      const { input, range } = pathsInput(q, ctx);
      return { results: pathsResults(q, input, range) };
    }
  }
}

/** runActors returns the person ids behind what an actors request clicked (any order, no duplicates). */
export function runActors(req: ActorsRequest, ctx: QueryCtx): Int32Array {
  switch (req.kind) {
    case "trends": {
      const f = trendsFrame(req, ctx);
      const input = trendsInput(req, ctx, f, false); // rollup rows carry no persons
      return trendsActors(req, input, f.current, f.previous, req.point);
    }
    case "funnel": {
      const { input, frame } = funnelInput(req, ctx);
      if (req.period === undefined) return funnelActors(req, funnelPersons(input, funnelSpec(req), frame.range), req, input.breakdown);
      const inPeriod = frame.periods!.labels.indexOf(req.period);
      if (inPeriod < 0) return new Int32Array(0);
      const fp = funnelPersons(input, funnelSpec(req), frame.range, frame.periods);
      return funnelActors(req, fp, { ...req, inPeriod }, input.breakdown);
    }
    case "retention": {
      const { input, periods } = retentionInput(req, ctx);
      return retentionActors(req, input, periods, req.cell);
    }
    case "distribution": {
      const { input, frame } = distributionInput(req, ctx);
      return distributionActors(req, input, frame, req.bucket);
    }
    case "lifecycle": {
      const { input, periods } = lifecycleInput(req, ctx);
      return lifecycleActors(input, periods, req.cell);
    }
    case "stickiness": {
      const { rows, periods } = stickinessInput(req, ctx);
      return stickinessActors(rows, periods, req.cumulative, req.bucket.intervals);
    }
    case "paths": {
      const { input, range } = pathsInput(req, ctx);
      return pathsActors(req, input, range, req.edge);
    }
  }
}
