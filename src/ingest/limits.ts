/** The ingestion limits of SPEC §3, in one place so error messages and tests quote the same numbers. */

/** MAX_MESSAGE_BYTES is the largest single message (Segment: 32 KB per item). */
export const MAX_MESSAGE_BYTES = 32 * 1024;
/** MAX_SEGMENT_REQUEST_BYTES caps a request body on Segment routes, after decompression. */
export const MAX_SEGMENT_REQUEST_BYTES = 500 * 1024;
/** MAX_POSTHOG_REQUEST_BYTES caps a request body on PostHog routes, after decompression. */
export const MAX_POSTHOG_REQUEST_BYTES = 4 * 1024 * 1024;
/** MAX_BATCH_ITEMS caps the items of one batch (Segment: 2500). */
export const MAX_BATCH_ITEMS = 2500;
/** MAX_DEPTH caps object/array nesting inside a message; real events stay under 10. */
export const MAX_DEPTH = 32;
/** MAX_ID_LENGTH caps userId / anonymousId / distinct_id / groupId / previousId. */
export const MAX_ID_LENGTH = 255;
/** MAX_EVENT_NAME_LENGTH caps event names. */
export const MAX_EVENT_NAME_LENGTH = 200;
/** MAX_MESSAGE_ID_LENGTH caps client message ids (Segment documents 100; SDKs stay under 64). */
export const MAX_MESSAGE_ID_LENGTH = 255;
/** FUTURE_CLAMP_MS: a timestamp more than this far in the future is clamped to receipt time (PostHog's 23 h). */
export const FUTURE_CLAMP_MS = 23 * 3600 * 1000;
/** MIN_TIMESTAMP_MS: timestamps before 2000-01-01 are refused (a reset device clock, not a real backfill). */
export const MIN_TIMESTAMP_MS = Date.UTC(2000, 0, 1);

/** formatBytes formats a byte count the way the error messages quote limits ("500 KB", "4 MB"). */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} bytes`;
}
