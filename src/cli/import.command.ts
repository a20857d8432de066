/**
 * `tessera import FILE.ndjson` (or `-` for stdin) and `tessera demo`: both stream Segment-shaped messages
 * through the same pipeline, identity resolution and store as HTTP ingestion, into the data directory (the
 * server must not be running on it: the data-directory lock says so). Progress is drawn on stderr.
 */
import type { Config } from "../config.ts";
import { DEMO_SOURCES, demoChannels, generateDemo } from "../demo/generate.ts";
import { openEvents } from "../events.ts";
import { importNdjson, type ImportProgress, type ImportResult } from "../ingest/import.ts";
import { parseSourceSettings, type IngestSource } from "../ingest/source.ts";
import type { Logger } from "../log.ts";
import type { JobContext } from "../jobs/job.ts";
import { closeCore, openCore } from "../server.ts";
import { createSource } from "../sources/sources.ts";

/** ImportInput is one stream of messages and the source (created when missing, of `sourceKind`) they arrive through. */
export interface ImportInput {
  readonly input: string | ReadableStream<Uint8Array>;
  readonly sourceName: string;
  /** The kind of a source created here: "import" unless it stands for a platform (`tmall`, `wx_mini`, …). */
  readonly sourceKind?: string;
}

/** importInto streams each input into the data directory, one after the other, and sums the results. */
export async function importInto(
  config: Config,
  log: Logger,
  inputs: readonly ImportInput[],
  onProgress?: (p: ImportProgress) => void,
  /** then runs on the loaded store before it closes (the demo computes its tags and packs). */
  then?: (ctx: JobContext) => Promise<void>,
): Promise<ImportResult> {
  const core = openCore(config, log);
  try {
    const events = await openEvents(core);
    try {
      let total: ImportResult = { lines: 0, accepted: 0, duplicates: 0, rejected: 0, dropped: 0, bytes: 0, totalBytes: 0, errors: [] };
      for (const { input, sourceName, sourceKind } of inputs) {
        const source = await sourceNamed(core, sourceName, sourceKind ?? "import");
        const before = total;
        const r = await importNdjson(input, {
          source, sink: events.sink, isSuppressed: events.isSuppressed, stats: events.stats,
          onProgress: onProgress && ((p) => onProgress(sum(before, p))),
        });
        total = { ...sum(before, r), errors: [...before.errors, ...r.errors] };
      }
      // Leave the store compact so the first dashboard visit reads columns, not a large tail.
      await events.store.compactNow();
      await events.store.compactNow();
      await then?.({ ...core, events });
      return total;
    } finally {
      await events.close();
    }
  } finally {
    closeCore(core);
  }
}

function sum(a: ImportProgress, b: ImportProgress): ImportProgress {
  return {
    lines: a.lines + b.lines, accepted: a.accepted + b.accepted, duplicates: a.duplicates + b.duplicates, rejected: a.rejected + b.rejected,
    dropped: a.dropped + b.dropped, bytes: a.bytes + b.bytes,
    totalBytes: a.totalBytes !== null && b.totalBytes !== null ? a.totalBytes + b.totalBytes : null,
  };
}

async function sourceNamed(core: ReturnType<typeof openCore>, name: string, kind: string): Promise<IngestSource> {
  let row = await core.kdb.selectFrom("sources").select(["id", "name", "settings"]).where("name", "=", name).executeTakeFirst();
  if (!row) {
    await createSource(core.db, core.kdb, core.crypto, { name, kind }, core.now());
    row = await core.kdb.selectFrom("sources").select(["id", "name", "settings"]).where("name", "=", name).executeTakeFirstOrThrow();
  }
  return { id: row.id, name: row.name, settings: parseSourceSettings(row.settings) };
}

/**
 * demoInputs is the demo data set as one NDJSON stream per channel, each arriving through its own source
 * as a real deployment's would (website SDK, app SDK, mini program, connectors). Each stream regenerates
 * the deterministic data set and keeps its channel's messages, so nothing is held in memory.
 */
export function demoInputs(now: number, size?: { persons: number; events: number }): ImportInput[] {
  const enc = new TextEncoder();
  return demoChannels().map((channel) => {
    const batches = generateDemo(now, size);
    const input = new ReadableStream<Uint8Array>({
      pull(ctrl) {
        for (;;) {
          const next = batches.next();
          if (next.done) return ctrl.close();
          const mine = next.value.filter((m) => (m.context as { channel?: string }).channel === channel);
          if (mine.length === 0) continue;
          return ctrl.enqueue(enc.encode(mine.map((m) => JSON.stringify(m)).join("\n") + "\n"));
        }
      },
    });
    // The demo's mini program, official account, Douyin and marketplace sources say which platform they are.
    return { input, sourceName: DEMO_SOURCES[channel], sourceKind: channel };
  });
}

/** ProgressOut is where progress is drawn: process.stderr, or a recorder in tests. */
export interface ProgressOut {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

/** PLAIN_EVERY_MS is the least time between two progress lines when they cannot be redrawn in place. */
export const PLAIN_EVERY_MS = 5_000;

/**
 * progressDisplay draws import progress on `out`. On a terminal the line is redrawn in place; anywhere else
 * (a pipe, a log file, `docker logs`) a carriage return does not erase, and the redraws would pile up into
 * one huge line, so a plain line is written at most every PLAIN_EVERY_MS instead.
 */
export function progressDisplay(out: ProgressOut, started: number, now: () => number = Date.now) {
  let drawn = false;
  let last = -Infinity;
  return {
    draw(p: ImportProgress): void {
      const t = now();
      if (out.isTTY) {
        drawn = true;
        out.write(progressLine(p, started, t));
      } else if (t - last >= PLAIN_EVERY_MS) {
        last = t;
        out.write(`${progressText(p, started, t)}\n`);
      }
    },
    /** below ends a line drawn in place, so that what is written next (a log line, the summary) starts below it. */
    below(): void {
      if (drawn) out.write("\n");
      drawn = false;
    },
  };
}

/** progressLine renders one progress update for a terminal: a carriage return, then progressText, no newline. */
export function progressLine(p: ImportProgress, started: number, now = Date.now()): string {
  return `\r${progressText(p, started, now)}   `;
}

/**
 * progressText is one progress update: a bar and the time left when the input's size is known (not for
 * stdin), then the counts and the rate.
 */
export function progressText(p: ImportProgress, started: number, now = Date.now()): string {
  const secs = (now - started) / 1000;
  let head = "";
  if (p.totalBytes) {
    const done = Math.min(1, p.bytes / p.totalBytes);
    const filled = Math.round(done * BAR);
    const left = done > 0 && done < 1 ? ` · ${duration((secs * (1 - done)) / done)} left` : "";
    head = `[${"█".repeat(filled)}${"░".repeat(BAR - filled)}] ${(100 * done).toFixed(1)}%${left} · `;
  }
  const rate = secs > 0 ? Math.round(p.accepted / secs) : 0;
  const seen = p.duplicates > 0 ? `, ${p.duplicates} already stored` : "";
  return `${head}${p.lines} lines, ${p.accepted - p.duplicates} stored${seen}, ${p.rejected} rejected, ${p.dropped} dropped, ${rate}/s`;
}

const BAR = 24;

function duration(secs: number): string {
  const s = Math.ceil(secs);
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, "0")}m`;
}
