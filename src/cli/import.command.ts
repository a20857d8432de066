/**
 * `tessera import FILE.ndjson` and `tessera demo`: both stream Segment-shaped messages through the same
 * pipeline, identity resolution and store as HTTP ingestion, into the data directory (the server must not
 * be running on it: the data-directory lock says so). A progress line is drawn on stderr.
 */
import type { Config } from "../config.ts";
import { generateDemo } from "../demo/generate.ts";
import { openEvents } from "../events.ts";
import { importNdjson, type ImportProgress, type ImportResult } from "../ingest/import.ts";
import { parseSourceSettings, type IngestSource } from "../ingest/source.ts";
import type { Logger } from "../log.ts";
import { closeCore, openCore } from "../server.ts";
import { createSource } from "../sources/sources.ts";

/** importInto streams `input` into the data directory as source `sourceName` (created when missing). */
export async function importInto(
  config: Config,
  log: Logger,
  input: string | ReadableStream<Uint8Array>,
  sourceName: string,
  onProgress?: (p: ImportProgress) => void,
): Promise<ImportResult> {
  const core = openCore(config, log);
  try {
    const events = await openEvents(core);
    try {
      const source = await sourceNamed(core, sourceName);
      const result = await importNdjson(input, { source, sink: events.sink, isSuppressed: events.isSuppressed, stats: events.stats, onProgress });
      // Leave the store compact so the first dashboard visit reads columns, not a large tail.
      await events.store.compactNow();
      await events.store.compactNow();
      return result;
    } finally {
      await events.close();
    }
  } finally {
    closeCore(core);
  }
}

async function sourceNamed(core: ReturnType<typeof openCore>, name: string): Promise<IngestSource> {
  let row = await core.kdb.selectFrom("sources").select(["id", "name", "settings"]).where("name", "=", name).executeTakeFirst();
  if (!row) {
    await createSource(core.db, core.kdb, core.crypto, { name, kind: "import" }, core.now());
    row = await core.kdb.selectFrom("sources").select(["id", "name", "settings"]).where("name", "=", name).executeTakeFirstOrThrow();
  }
  return { id: row.id, name: row.name, settings: parseSourceSettings(row.settings) };
}

/** demoStream is the demo data set as NDJSON bytes, generated while it is read. */
export function demoStream(now: number): ReadableStream<Uint8Array> {
  const batches = generateDemo(now);
  const enc = new TextEncoder();
  return new ReadableStream({
    pull(ctrl) {
      const next = batches.next();
      if (next.done) return ctrl.close();
      ctrl.enqueue(enc.encode(next.value.map((m) => JSON.stringify(m)).join("\n") + "\n"));
    },
  });
}

/** progressLine renders one progress update for a terminal (carriage return, no newline). */
export function progressLine(p: ImportProgress, started: number): string {
  const secs = (Date.now() - started) / 1000;
  const pct = p.totalBytes ? ` ${((100 * p.bytes) / p.totalBytes).toFixed(1)}%` : "";
  const rate = secs > 0 ? Math.round(p.accepted / secs) : 0;
  return `\r${pct} ${p.lines} lines, ${p.accepted} stored, ${p.rejected} rejected, ${p.dropped} dropped, ${rate}/s   `;
}
