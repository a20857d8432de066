/**
 * Event time (SPEC §3): `timestamp = receivedAt − (sentAt − originalTimestamp)` when the client said when it
 * sent (Segment, RudderStack and PostHog all correct device clock skew this way); a batch-level sentAt applies
 * to items without their own; a result more than 23 h in the future is clamped to receipt time (PostHog's
 * rule); historical timestamps without a sentAt (imports, backfills) are kept as given.
 */
import { ItemError } from "./errors.ts";
import { FUTURE_CLAMP_MS, MIN_TIMESTAMP_MS } from "./limits.ts";

const NUMERIC = /^\d{10,16}$/;

/**
 * parseTime reads an ISO-8601 string or epoch milliseconds (number or digit string); null/undefined/"" is
 * absent. Anything else is an ItemError naming `field`.
 */
export function parseTime(v: unknown, field: string): number | null {
  if (v === null || v === undefined || v === "") return null;
  if (typeof v === "number") {
    if (Number.isFinite(v)) return Math.trunc(v);
  } else if (typeof v === "string") {
    const ms = NUMERIC.test(v) ? Number(v) : Date.parse(v);
    if (Number.isFinite(ms)) return ms;
  }
  throw new ItemError(`${field}: not an ISO-8601 date-time or epoch milliseconds`);
}

/** TimeInputs are the already parsed client times of one message. */
export interface TimeInputs {
  /** A timestamp the sender set explicitly next to an originalTimestamp (RudderStack keeps it as is). */
  readonly explicit: number | null;
  /** When the event happened by the device clock. */
  readonly original: number | null;
  /** When the device sent the request (item sentAt, else the batch's). */
  readonly sentAt: number | null;
  /** PostHog `offset`: milliseconds between the event and the send, an alternative to sentAt. */
  readonly offset: number | null;
  readonly receivedAt: number;
}

/** eventTime computes the stored timestamp; too-old results are an ItemError naming `timestamp`. */
export function eventTime(t: TimeInputs): number {
  let ts: number;
  if (t.explicit !== null) ts = t.explicit;
  else if (t.original !== null && t.sentAt !== null) ts = t.receivedAt - (t.sentAt - t.original);
  else if (t.original !== null) ts = t.original;
  else if (t.offset !== null) ts = t.receivedAt - t.offset;
  else ts = t.receivedAt;
  if (ts > t.receivedAt + FUTURE_CLAMP_MS) return t.receivedAt;
  if (ts < MIN_TIMESTAMP_MS) {
    const shown = Math.abs(ts) <= 8.64e15 ? new Date(ts).toISOString() : `${ts} ms`;
    throw new ItemError(`timestamp: ${shown} is before 2000-01-01 (is the device clock reset?)`);
  }
  return ts;
}
