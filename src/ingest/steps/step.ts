/**
 * The shape of an ingest step (Plausible's pipeline: `drop_bot`, `put_user_agent`, …): a named function from
 * message to message, or to a typed drop. Steps may add to `properties`/`context` in place: a message belongs
 * to the pipeline until it is handed to the sink.
 */
import type { Identifier, Message } from "../message.ts";
import type { IngestSource } from "../source.ts";

/**
 * DropReason says why a received item was not stored; each is counted per source per minute (stats.ts).
 * - `invalid`: failed validation (reported to the client in `rejected`)
 * - `too_large`: over 32 KB or nested too deeply (reported in `rejected`)
 * - `bad_request`: the whole request was refused (unparseable, over the request limit); counted once
 * - `consent`: `context.consent.categoryPreferences` denies analytics
 * - `suppressed`: a privacy request suppressed one of the message's identifiers
 * - `bot`: a bot user agent on a source whose policy drops bots
 * - `overloaded`: the store's queue was full (503, the client retries)
 * - `disk_full`: the database refused the write: a full disk or an I/O error (503, the client retries)
 * - `duplicate`: the store already had the messageId (acknowledged, not stored twice)
 */
export type DropReason =
  | "invalid"
  | "too_large"
  | "bad_request"
  | "consent"
  | "suppressed"
  | "bot"
  | "overloaded"
  | "disk_full"
  | "duplicate";

export const DROP_REASONS: readonly DropReason[] = [
  "invalid", "too_large", "bad_request", "consent", "suppressed", "bot", "overloaded", "disk_full", "duplicate",
];

/** Drop is a step's verdict that the message must not be stored. */
export interface Drop {
  readonly drop: DropReason;
}

/** StepContext is what a step may know about the request besides the message. */
export interface StepContext {
  readonly source: IngestSource;
  /** Peer address (or the first X-Forwarded-For hop when the server trusts its proxy). */
  readonly peerIp: string | null;
  /** The HTTP User-Agent of the request, used only on browser routes (a server SDK's UA says nothing about the user). */
  readonly requestUserAgent: string | null;
  /** True for routes only browsers use (short /v1/x, pixels, posthog-js /e); the peer is then the user. */
  readonly browserRoute: boolean;
  /** Identity room's suppression check; synchronous because it runs per message on the hot path. */
  readonly isSuppressed: (ids: readonly Identifier[]) => boolean;
}

/** Step is one named stage of the pipeline. */
export interface Step {
  readonly name: string;
  readonly run: (msg: Message, ctx: StepContext) => Message | Drop;
}

/** isDrop tells a drop from a message. */
export function isDrop(r: Message | Drop): r is Drop {
  return "drop" in r;
}
