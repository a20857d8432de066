/** Test fixtures for the ingest tests: a known source, a recording sink and an app wired to both. */
import { ingestRoutes, type IngestDeps } from "./ingest.routes.ts";
import type { Message } from "./message.ts";
import type { Sink } from "./sink.ts";
import { defaultSettings, type IngestSource, type SourceSettings } from "./source.ts";
import { IngestStats } from "./stats.ts";

export const WRITE_KEY = "wk_test_0123456789";
export const NOW = Date.parse("2024-05-01T12:00:00.000Z");

/** source builds a source with id 7 and the given settings over the defaults. */
export function source(settings: Partial<SourceSettings> = {}): IngestSource {
  return { id: 7, name: "web", settings: { ...defaultSettings, ...settings } };
}

/** RecordingSink keeps every batch the routes handed over, in order. */
export interface RecordingSink {
  readonly sink: Sink;
  readonly batches: Message[][];
  readonly messages: () => Message[];
}

/** recordingSink records batches; `fail` makes it throw instead (e.g. an Overloaded). */
export function recordingSink(fail?: () => Error): RecordingSink {
  const batches: Message[][] = [];
  return {
    sink: async (m) => {
      if (fail) throw fail();
      batches.push([...m]);
    },
    batches,
    messages: () => batches.flat(),
  };
}

/** testApp wires ingestRoutes to the fixture source, a recording sink, a pinned clock and fresh stats; `errors` collects what onError saw. */
export function testApp(over: Partial<IngestDeps> & { settings?: Partial<SourceSettings>; fail?: () => Error } = {}) {
  const rec = recordingSink(over.fail);
  const stats = new IngestStats(() => NOW);
  const src = source(over.settings);
  const errors: unknown[] = [];
  const app = ingestRoutes({
    findSource: (k) => (k === WRITE_KEY ? src : null),
    sink: rec.sink,
    now: () => NOW,
    stats,
    onError: (err) => void errors.push(err),
    ...over,
  });
  return { app, rec, stats, source: src, errors };
}

/** basic is the Authorization header Segment SDKs send: the write key as username, empty password. */
export function basic(key: string, trailingColon = true): string {
  return `Basic ${btoa(trailingColon ? `${key}:` : key)}`;
}
