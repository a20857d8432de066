/**
 * The core of `tessera import FILE.ndjson`: streams a file of any size line by line (one Segment-shaped message
 * per line, `.gz` accepted), runs each through the same validation, normalisation and enrich steps as the HTTP
 * routes, and hands batches to the sink, waiting out `Overloaded` instead of failing. Memory stays bounded: a
 * line longer than the 32 KB message limit is skipped while reading, never buffered whole.
 *
 * Lines without a messageId get one derived from the line's bytes (`import-<sha256>`), so importing the same
 * file twice stores nothing twice (the store dedupes by messageId per source); identical lines count as one.
 * Timestamps are kept as written (no sentAt: historical imports keep their time), except the 23 h future clamp.
 */
import { isGzip } from "./decode.ts";
import { isObject, type Json } from "./json.ts";
import { MAX_MESSAGE_BYTES } from "./limits.ts";
import type { Identifier } from "./message.ts";
import { runPipeline } from "./pipeline.ts";
import { segmentMessage } from "./segment.wire.ts";
import { isDiskRefusal, retryAfterOf, type Sink } from "./sink.ts";
import type { IngestSource } from "./source.ts";
import type { IngestStats } from "./stats.ts";

/** ImportProgress is what the CLI draws its progress bar from. */
export interface ImportProgress {
  /** Lines read so far (blank lines included). */
  readonly lines: number;
  /** Valid lines the store acknowledged: stored now, or `duplicates` of messages it already held. */
  readonly accepted: number;
  /** Accepted lines whose message was already stored (a re-import): acknowledged, not stored again. */
  readonly duplicates: number;
  /** Lines refused: unparseable, invalid, too large (see `errors`). */
  readonly rejected: number;
  /** Valid lines not stored by policy (consent, suppression, bots). */
  readonly dropped: number;
  /** Bytes of the input read so far (compressed bytes for .gz). */
  readonly bytes: number;
  /** Size of the input file when known, for a percentage. */
  readonly totalBytes: number | null;
}

/** ImportResult is the final progress plus the first rejections, by line number (1-based). */
export interface ImportResult extends ImportProgress {
  readonly errors: readonly { readonly line: number; readonly error: string }[];
}

/** ImportOptions configure one import run. */
export interface ImportOptions {
  readonly source: IngestSource;
  readonly sink: Sink;
  readonly isSuppressed?: (ids: readonly Identifier[]) => boolean;
  readonly stats?: IngestStats;
  readonly now?: () => number;
  /** Messages per sink call (default 1000). */
  readonly batchSize?: number;
  readonly onProgress?: (p: ImportProgress) => void;
  /** Minimum milliseconds between progress callbacks (default 200); the last one always fires. */
  readonly progressEveryMs?: number;
  /** How many rejections to keep in the result (default 100). */
  readonly keepErrors?: number;
  /** Give up after the store refused the same batch this many times in a row (default 30). */
  readonly maxOverloadRetries?: number;
}

const NEWLINE = 0x0a;
const TOO_LONG = `message: the line is longer than the ${MAX_MESSAGE_BYTES}-byte message limit`;
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** importNdjson imports a file path or a byte stream. */
export async function importNdjson(input: string | ReadableStream<Uint8Array>, o: ImportOptions): Promise<ImportResult> {
  const now = o.now ?? Date.now;
  const batchSize = o.batchSize ?? 1000;
  const keepErrors = o.keepErrors ?? 100;
  let totalBytes: number | null = null;
  let stream: ReadableStream<Uint8Array>;
  if (typeof input === "string") {
    const file = Bun.file(input);
    totalBytes = file.size;
    stream = file.stream();
  } else stream = input;

  const p = { lines: 0, accepted: 0, duplicates: 0, rejected: 0, dropped: 0, bytes: 0, totalBytes };
  const errors: { line: number; error: string }[] = [];
  const reject = (line: number, error: string) => {
    p.rejected++;
    if (errors.length < keepErrors) errors.push({ line, error });
  };
  /** rejectLine refuses a line before it reaches the pipeline (which counts its own rejections). */
  const rejectLine = (line: number, error: string, reason: "invalid" | "too_large") => {
    reject(line, error);
    o.stats?.add(o.source.id, "received");
    o.stats?.add(o.source.id, reason);
  };
  let lastReport = 0;
  const report = (force = false) => {
    if (!o.onProgress) return;
    const t = Date.now();
    if (!force && t - lastReport < (o.progressEveryMs ?? 200)) return;
    lastReport = t;
    o.onProgress({ ...p });
  };

  let batch: Json[] = [];
  let batchLines: number[] = [];
  const ctx = {
    source: o.source,
    peerIp: null,
    requestUserAgent: null,
    browserRoute: false,
    isSuppressed: o.isSuppressed ?? (() => false),
  };

  const flush = async () => {
    if (batch.length === 0) return;
    const meta = { sourceId: o.source.id, sourceName: o.source.name, receivedAt: now(), wire: "import" as const };
    const env = { sentAt: null, context: null };
    const r = runPipeline(batch, (raw) => segmentMessage(raw, null, env, meta), ctx);
    for (const x of r.rejected) reject(batchLines[x.index]!, x.error);
    const policyDrops = batch.length - r.messages.length - r.rejected.length;
    p.dropped += policyDrops;
    o.stats?.add(o.source.id, "received", batch.length);
    o.stats?.addDrops(o.source.id, r.drops);
    let duplicates = 0;
    try {
      if (r.messages.length > 0) duplicates = await sinkWithRetry(o, r.messages.length, () => o.sink(r.messages));
    } catch (err) {
      // A full disk does not pass by itself: stop now and say how to resume, rather than wait in silence.
      if (!isDiskRefusal(err)) throw err;
      throw new Error(
        `${err.message} at line ${batchLines[0]}: free space and run the same command again (the ${p.accepted} lines stored so far are skipped, not stored twice)`,
      );
    }
    p.accepted += r.messages.length;
    p.duplicates += duplicates;
    o.stats?.add(o.source.id, "accepted", r.messages.length - duplicates);
    o.stats?.add(o.source.id, "duplicate", duplicates);
    batch = [];
    batchLines = [];
    report();
  };

  const onLine = async (bytes: Uint8Array, lineNo: number) => {
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === 0x0d) end--;
    const line = end === bytes.length ? bytes : bytes.subarray(0, end);
    let text: string;
    try {
      text = utf8.decode(line);
    } catch {
      return rejectLine(lineNo, "line is not valid UTF-8", "invalid");
    }
    if (text.trim() === "") return;
    let raw: Json;
    try {
      raw = JSON.parse(text) as Json;
    } catch (err) {
      return rejectLine(lineNo, `line is not valid JSON (${(err as Error).message})`, "invalid");
    }
    if (isObject(raw) && (raw.messageId === undefined || raw.messageId === null || raw.messageId === "")) {
      raw.messageId = `import-${new Bun.CryptoHasher("sha256").update(line).digest("hex").slice(0, 32)}`;
    }
    batch.push(raw);
    batchLines.push(lineNo);
    if (batch.length >= batchSize) await flush();
  };

  // Input bytes are counted before decompression, so .gz progress matches the file size.
  const count = { n: 0 };
  const counted = counting(stream, count);
  const reader = (typeof input === "string" && input.endsWith(".gz") ? gunzip(counted) : await sniffGzip(counted)).getReader();
  let pending: Uint8Array[] = [];
  let pendingLen = 0;
  let skipping = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    let start = 0;
    for (;;) {
      const nl = value.indexOf(NEWLINE, start);
      const piece = value.subarray(start, nl === -1 ? value.length : nl);
      if (!skipping) {
        pendingLen += piece.length;
        if (pendingLen > MAX_MESSAGE_BYTES + 2) {
          // Over the message limit: stop buffering, drop the rest of this line as it streams by.
          skipping = true;
          pending = [];
        } else pending.push(piece);
      }
      if (nl === -1) break;
      p.lines++;
      if (skipping) rejectLine(p.lines, TOO_LONG, "too_large");
      else await onLine(concat(pending, pendingLen), p.lines);
      pending = [];
      pendingLen = 0;
      skipping = false;
      start = nl + 1;
    }
    p.bytes = count.n;
    report();
  }
  if (pendingLen > 0 || skipping) {
    p.lines++;
    if (skipping) rejectLine(p.lines, TOO_LONG, "too_large");
    else await onLine(concat(pending, pendingLen), p.lines);
  }
  await flush();
  p.bytes = count.n;
  report(true);
  // Parse errors are known at once, pipeline errors at their batch's flush: present them in file order.
  return { ...p, errors: errors.sort((a, b) => a.line - b.line) };
}

/** sinkWithRetry waits out Overloaded (the store's backpressure, not a disk refusal) and returns the duplicates it reported. */
async function sinkWithRetry(o: ImportOptions, n: number, call: () => ReturnType<Sink>): Promise<number> {
  const max = o.maxOverloadRetries ?? 30;
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await call();
      return res ? Math.min(res.duplicates, n) : 0;
    } catch (err) {
      if (!(err instanceof Error && err.name === "Overloaded") || isDiskRefusal(err) || attempt >= max) throw err;
      await Bun.sleep(Math.round(retryAfterOf(err) * 1000));
    }
  }
}

function concat(parts: Uint8Array[], len: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(len);
  let at = 0;
  for (const x of parts) {
    out.set(x, at);
    at += x.length;
  }
  return out;
}

function counting(stream: ReadableStream<Uint8Array>, count: { n: number }): ReadableStream<Uint8Array> {
  return stream.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, ctrl) {
        count.n += chunk.length;
        ctrl.enqueue(chunk);
      },
    }),
  );
}

function gunzip(stream: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  return stream.pipeThrough(new DecompressionStream("gzip") as unknown as TransformStream<Uint8Array, Uint8Array>);
}

/** sniffGzip looks at the first bytes so a gzipped stream imports without a .gz name. */
async function sniffGzip(stream: ReadableStream<Uint8Array>): Promise<ReadableStream<Uint8Array>> {
  const reader = stream.getReader();
  const first = await reader.read();
  const rest = new ReadableStream<Uint8Array>({
    start(ctrl) {
      if (!first.done) ctrl.enqueue(first.value);
      if (first.done) ctrl.close();
    },
    async pull(ctrl) {
      const { done, value } = await reader.read();
      if (done) ctrl.close();
      else ctrl.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return !first.done && isGzip(first.value) ? gunzip(rest) : rest;
}
