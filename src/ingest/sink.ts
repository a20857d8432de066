/**
 * The contract between the wire side of ingestion and the event store (docs/architecture.md, "Ingest → store").
 *
 * `sink(messages)` receives the normalised, enriched messages of one request (all of one source, in request
 * order) and resolves only after the group commit that contains them; the routes answer 200 only then.
 * It rejects with `Overloaded` when the buffer or the disk is full; the routes answer 503 with `Retry-After`
 * and every SDK retries. It may resolve with the number of messages it skipped as duplicates (same source and
 * messageId already stored), which the stats count; duplicates are still acknowledged to the client.
 */
import type { Message } from "./message.ts";

/** SinkResult is what the store may report back about a committed batch. */
export interface SinkResult {
  readonly duplicates: number;
  /** Messages the identity room refused at commit time (a suppression that landed after the door check). */
  readonly suppressed?: number;
}

/** Sink hands messages to the store and waits for their commit. */
export type Sink = (messages: readonly Message[]) => Promise<SinkResult | void>;

/** Overloaded is thrown by the store when it cannot take more now; `retryAfterSeconds` goes to `Retry-After`. */
export class Overloaded extends Error {
  override name = "Overloaded";
  constructor(
    message = "the event store is overloaded",
    readonly retryAfterSeconds = 2,
  ) {
    super(message);
  }
}

/**
 * retryAfterOf reads the retry hint, in seconds, of an Overloaded-like error (matched by name so the store may
 * define its own class); 2 s otherwise.
 */
export function retryAfterOf(err: unknown): number {
  if (err instanceof Error && err.name === "Overloaded") {
    const s = (err as Error & { retryAfterSeconds?: unknown }).retryAfterSeconds;
    if (typeof s === "number" && Number.isFinite(s) && s > 0) return s;
  }
  return 2;
}

/**
 * isDiskRefusal tells a store refusal that lasts (the disk is full or failing: the store's Overloaded with
 * `refused: true`) from backpressure that passes by itself; matched by shape, like retryAfterOf.
 */
export function isDiskRefusal(err: unknown): err is Error {
  return err instanceof Error && err.name === "Overloaded" && (err as { refused?: unknown }).refused === true;
}
