/**
 * The ingest pipeline, in order (Plausible-style: small named steps, each drop typed and counted):
 *
 *   read_body → extract → authenticate           (per request, ingest.routes.ts / decode.ts / *.wire.ts)
 *   check_size → validate_and_normalise          (per item, here; failures are `rejected` with index + error)
 *   drop_by_consent → drop_suppressed → put_user_agent → drop_bot → put_page_props → put_utm_tags
 *   → put_channel → apply_ip_policy               (per message, STEPS below)
 *   → sink (the store: dedupe → identity → buffer → group commit)
 *
 * Drops come first where they can (consent, suppression) so refused data is never parsed further.
 */
import { ItemError } from "./errors.ts";
import { jsonBound, type Json } from "./json.ts";
import { formatBytes, MAX_DEPTH, MAX_MESSAGE_BYTES } from "./limits.ts";
import type { Message } from "./message.ts";
import { ipPolicyStep } from "./steps/apply-ip-policy.ts";
import { dropBot } from "./steps/drop-bot.ts";
import { dropByConsent } from "./steps/drop-by-consent.ts";
import { dropSuppressed } from "./steps/drop-suppressed.ts";
import { putChannel } from "./steps/put-channel.ts";
import { putPageProps } from "./steps/put-page-props.ts";
import { putUserAgent } from "./steps/put-user-agent.ts";
import { putUtmTags } from "./steps/put-utm-tags.ts";
import { isDrop, type DropReason, type Step, type StepContext } from "./steps/step.ts";

/** STEPS is the ordered list of message steps. */
export const STEPS: readonly Step[] = [
  dropByConsent,
  dropSuppressed,
  putUserAgent,
  dropBot,
  putPageProps,
  putUtmTags,
  putChannel,
  ipPolicyStep,
];

/** Rejection tells the client which item of its request was refused and why. */
export interface Rejection {
  readonly index: number;
  readonly error: string;
}

/** PipelineResult is the outcome for one request's items. */
export interface PipelineResult {
  readonly messages: Message[];
  readonly rejected: Rejection[];
  readonly drops: Partial<Record<DropReason, number>>;
}

/**
 * checkSize refuses items nested deeper than MAX_DEPTH or larger than MAX_MESSAGE_BYTES once serialised.
 * A cheap upper bound decides whether the exact (serialising) measurement is needed at all.
 */
export function checkSize(raw: Json): void {
  const bound = jsonBound(raw, MAX_DEPTH);
  if (bound < 0) throw new ItemError(`message: nested deeper than ${MAX_DEPTH} levels`, "too_large");
  if (bound <= MAX_MESSAGE_BYTES) return;
  const size = Buffer.byteLength(JSON.stringify(raw), "utf8");
  if (size > MAX_MESSAGE_BYTES) {
    throw new ItemError(
      `message: is ${size} bytes, the limit is ${formatBytes(MAX_MESSAGE_BYTES)} (${MAX_MESSAGE_BYTES} bytes) per message`,
      "too_large",
    );
  }
}

/**
 * runPipeline takes one request's raw items through size checks, the wire decoder `toMessage`, and STEPS.
 * Items that fail are rejected individually; the others continue (SPEC §3 partial batches).
 */
export function runPipeline(
  items: readonly Json[],
  toMessage: (raw: Json) => Message,
  ctx: StepContext,
): PipelineResult {
  const messages: Message[] = [];
  const rejected: Rejection[] = [];
  const drops: Partial<Record<DropReason, number>> = {};
  items.forEach((raw, index) => {
    let msg: Message;
    try {
      checkSize(raw);
      msg = toMessage(raw);
    } catch (err) {
      if (!(err instanceof ItemError)) throw err;
      rejected.push({ index, error: err.message });
      drops[err.reason] = (drops[err.reason] ?? 0) + 1;
      return;
    }
    for (const step of STEPS) {
      const r = step.run(msg, ctx);
      if (isDrop(r)) {
        drops[r.drop] = (drops[r.drop] ?? 0) + 1;
        return;
      }
      msg = r;
    }
    messages.push(msg);
  });
  return { messages, rejected, drops };
}
