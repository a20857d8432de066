/**
 * Reading ids off the wire: userId/anonymousId may be strings or numbers (RudderStack stringifies numbers,
 * PostHog too), empty means absent, and `context.externalIds` is Segment's fixed shape (SPEC §4).
 */
import { z } from "zod";
import { ItemError } from "./errors.ts";
import type { Json } from "./json.ts";
import { MAX_ID_LENGTH, MAX_MESSAGE_ID_LENGTH } from "./limits.ts";
import type { Identifier } from "./message.ts";
import { describeIssue } from "./zod-error.ts";

/** idValue normalises an id field: numbers become strings, "" and null are absent, over-long ids are refused. */
export function idValue(v: unknown, field: string): string | null {
  if (v === null || v === undefined) return null;
  const s = typeof v === "number" && Number.isFinite(v) ? String(v) : v;
  if (typeof s !== "string") throw new ItemError(`${field}: expected a string or a number`);
  if (s === "") return null;
  if (s.length > MAX_ID_LENGTH) throw new ItemError(`${field}: longer than ${MAX_ID_LENGTH} characters`);
  return s;
}

/**
 * MessageIdField reads Segment's `messageId` / PostHog's `uuid`: a string, or a finite number (some server
 * libraries send counters), which becomes its decimal string so dedup sees 12 and "12" as one message.
 */
export const MessageIdField = z
  .custom<string | number>(
    (v) => (typeof v === "string" && v.length <= MAX_MESSAGE_ID_LENGTH) || (typeof v === "number" && Number.isFinite(v)),
    { message: `expected a string (at most ${MAX_MESSAGE_ID_LENGTH} characters) or a number` },
  )
  .transform(String)
  .nullish();

/** A plain id (a UUID, a counter): printable ASCII without spaces, nothing to clean. */
const PLAIN_ID = /^[\x21-\x7e]+$/;
/** Control, format and invisible filler characters (RudderStack's "bad runes") that SDK bugs leave in ids. */
const INVISIBLE = /[\p{Cc}\p{Cf}\u034f\u115f\u1160\u3164\uffa0]/gu;

/**
 * messageIdOf is the id a message is deduplicated by: the one sent, cleaned of invisible characters and
 * surrounding spaces as RudderStack's gateway does (so " id\u00a0" and "id" are one message), or a new
 * UUIDv7 when nothing is left — a blank id must not make every later blank-id message a duplicate.
 */
export function messageIdOf(sent: string | null | undefined): string {
  if (sent) {
    const clean = PLAIN_ID.test(sent) ? sent : sent.replace(INVISIBLE, "").trim();
    if (clean !== "") return clean;
  }
  return Bun.randomUUIDv7();
}

const ExternalId = z.object({
  id: z.union([z.string().min(1).max(MAX_ID_LENGTH), z.number()]),
  type: z.string().min(1).max(100),
  collection: z.string().nullish(),
  encoding: z.string().nullish(),
});
const ExternalIds = z.array(ExternalId).max(100);

/** externalIdentifiers reads `context.externalIds`; entries of a non-`users` collection (accounts) are skipped. */
export function externalIdentifiers(v: Json | undefined): Identifier[] {
  if (v === undefined || v === null) return [];
  const r = ExternalIds.safeParse(v);
  if (!r.success) throw new ItemError(describeIssue(r.error, "context.externalIds"));
  const out: Identifier[] = [];
  for (const e of r.data) {
    if (e.collection && e.collection !== "users") continue;
    let id = String(e.id);
    if (e.encoding === "base64") {
      const decoded = Buffer.from(id, "base64").toString("utf8");
      if (decoded === "") throw new ItemError(`context.externalIds: id "${id}" is not base64`);
      id = decoded;
    }
    out.push({ type: e.type, id });
  }
  return out;
}

/** pushUnique appends an identifier unless the same (type, id) is already listed. */
export function pushUnique(list: Identifier[], type: string, id: string | null): void {
  if (id === null) return;
  for (const x of list) if (x.type === type && x.id === id) return;
  list.push({ type, id });
}
