/**
 * The Segment HTTP Tracking API (also spoken by RudderStack, Jitsu, analytics.js and our own sdk.js):
 * single messages on /v1/track… (type from the route), `{batch, sentAt, context, writeKey}` on /v1/batch and
 * /v1/import. Batch-level `context` is merged under each item's own (SD-http).
 */
import { z } from "zod";
import { IngestError, ItemError } from "./errors.ts";
import { externalIdentifiers, idValue, messageIdOf, MessageIdField, pushUnique } from "./identifiers.ts";
import { TRAIT_IDENTIFIERS, TRAIT_KEYS } from "../identity/pii.ts";
import { isObject, JsonObjectField as Props, jsonBound, obj, type Json, type JsonObject } from "./json.ts";
import {
  formatBytes, MAX_BATCH_ITEMS, MAX_DEPTH, MAX_EVENT_NAME_LENGTH, MAX_MESSAGE_BYTES, MAX_MESSAGE_ID_LENGTH,
} from "./limits.ts";
import {
  EMPTY_TRAITS, EVENT_NAME_OF, MESSAGE_TYPES, type Identifier, type Message, type MessageType, type TraitOps, type Wire,
} from "./message.ts";
import { eventTime, parseTime } from "./timestamps.ts";
import { traitOps } from "./traits.ts";
import { describeIssue } from "./zod-error.ts";

/** Envelope is what a batch request says for all of its items. */
export interface Envelope {
  readonly sentAt: number | null;
  readonly context: JsonObject | null;
}

/** Extracted is a request body split into raw items and the envelope. */
export interface Extracted {
  readonly items: readonly Json[];
  readonly envelope: Envelope;
  /** True on single-message routes: an invalid message is then a 400, not a `rejected` entry. */
  readonly single: boolean;
  readonly bodyWriteKey: string | null;
}

const NO_ENVELOPE: Envelope = { sentAt: null, context: null };

function bodyKey(body: JsonObject): string | null {
  const k = body.writeKey ?? body.writekey;
  return typeof k === "string" && k !== "" ? k : null;
}

/** extractSegment splits a Segment body; `routeType` is the type of a single-message route, null for batches. */
export function extractSegment(body: Json, routeType: MessageType | null): Extracted {
  if (!isObject(body)) throw new IngestError(400, "request body must be a JSON object");
  if (routeType !== null) return { items: [body], envelope: NO_ENVELOPE, single: true, bodyWriteKey: bodyKey(body) };
  const batch = body.batch;
  if (!Array.isArray(batch)) throw new IngestError(400, "batch: expected an array of messages");
  if (batch.length === 0) throw new IngestError(400, "batch: is empty");
  if (batch.length > MAX_BATCH_ITEMS) {
    const l = `${MAX_BATCH_ITEMS} items per batch`;
    throw new IngestError(413, `batch: has ${batch.length} items, the limit is ${l}`, l);
  }
  let sentAt: number | null;
  try {
    sentAt = parseTime(body.sentAt, "sentAt");
  } catch (err) {
    throw new IngestError(400, (err as Error).message);
  }
  const context = obj(body, "context") ?? null;
  // The batch context is copied into every item, so it must pass the per-message limits on its own.
  const bound = context ? jsonBound(context, MAX_DEPTH) : 0;
  if (bound < 0) throw new IngestError(400, `context: nested deeper than ${MAX_DEPTH} levels`);
  if (bound > MAX_MESSAGE_BYTES && Buffer.byteLength(JSON.stringify(context)) > MAX_MESSAGE_BYTES) {
    const l = `${formatBytes(MAX_MESSAGE_BYTES)} per message`;
    throw new IngestError(413, `context: the batch context alone exceeds the limit of ${l}`, l);
  }
  return { items: batch, envelope: { sentAt, context }, single: false, bodyWriteKey: bodyKey(body) };
}

const Id = z.union([z.string(), z.number()]).nullish();
const Time = z.union([z.string(), z.number()]).nullish();

/** SegmentItem is the wire shape of one message; ids and times are checked further by idValue/parseTime. */
export const SegmentItem = z.object({
  type: z.enum(MESSAGE_TYPES).optional(),
  userId: Id,
  anonymousId: Id,
  previousId: Id,
  groupId: Id,
  messageId: MessageIdField,
  event: z.string().max(MAX_EVENT_NAME_LENGTH).nullish(),
  name: z.string().max(MAX_EVENT_NAME_LENGTH).nullish(),
  category: z.string().max(MAX_EVENT_NAME_LENGTH).nullish(),
  properties: Props,
  traits: Props,
  context: Props,
  timestamp: Time,
  originalTimestamp: Time,
  sentAt: Time,
});

type SegmentItem = z.infer<typeof SegmentItem>;
const TYPES: ReadonlySet<unknown> = new Set(MESSAGE_TYPES);
const isIdOrTime = (v: unknown) => v == null || typeof v === "string" || typeof v === "number";
const isText = (v: unknown, max: number) => v == null || (typeof v === "string" && v.length <= max);
const isProps = (v: unknown) => v == null || isObject(v as Json);

/**
 * fastItem accepts the common, well-formed item without zod (the schema's parse was ~1 µs per event, a tenth
 * of the ingest budget); anything it is unsure of returns null and goes through the schema, which then
 * words the error. It checks exactly what SegmentItem checks; unknown keys are ignored as zod ignores them.
 */
export function fastItem(raw: Json): SegmentItem | null {
  if (!isObject(raw)) return null;
  const r = raw as Record<string, unknown>;
  if (r.type !== undefined && !TYPES.has(r.type)) return null;
  if (!isIdOrTime(r.userId) || !isIdOrTime(r.anonymousId) || !isIdOrTime(r.previousId) || !isIdOrTime(r.groupId)) return null;
  if (!isIdOrTime(r.timestamp) || !isIdOrTime(r.originalTimestamp) || !isIdOrTime(r.sentAt)) return null;
  if (!isText(r.messageId, MAX_MESSAGE_ID_LENGTH) || !isText(r.event, MAX_EVENT_NAME_LENGTH)) return null;
  if (!isText(r.name, MAX_EVENT_NAME_LENGTH) || !isText(r.category, MAX_EVENT_NAME_LENGTH)) return null;
  if (!isProps(r.properties) || !isProps(r.traits) || !isProps(r.context)) return null;
  return r as SegmentItem;
}

/** MessageMeta is what the route knows when a message arrives. */
export interface MessageMeta {
  readonly sourceId: number;
  readonly sourceName: string;
  readonly receivedAt: number;
  readonly wire: Wire;
}

/**
 * segmentMessage validates one raw item and maps it to a Message; `routeType` overrides the item's `type`
 * on single-message routes. Throws ItemError naming the field.
 */
export function segmentMessage(raw: Json, routeType: MessageType | null, env: Envelope, meta: MessageMeta): Message {
  let m = fastItem(raw);
  if (m === null) {
    const r = SegmentItem.safeParse(raw);
    if (!r.success) throw new ItemError(describeIssue(r.error));
    m = r.data;
  }
  const type = routeType ?? m.type;
  if (!type) throw new ItemError(`type: required in a batch item (one of ${MESSAGE_TYPES.join(", ")})`);

  const userId = idValue(m.userId, "userId");
  const anonymousId = idValue(m.anonymousId, "anonymousId");
  if (userId === null && anonymousId === null) {
    throw new ItemError("userId: every message needs a userId or an anonymousId");
  }
  const previousId = idValue(m.previousId, "previousId");
  const groupId = idValue(m.groupId, "groupId");
  if (type === "alias" && previousId === null) throw new ItemError("previousId: required for alias");
  if (type === "group" && groupId === null) throw new ItemError("groupId: required for group");
  if (type === "track" && !m.event) throw new ItemError("event: required for track");

  const itemContext = m.context ?? null;
  const context: JsonObject = env.context ? { ...env.context, ...itemContext } : itemContext ?? {};
  // Parsed from this request's body and used by this message only, so it is safe to enrich in place.
  const properties: JsonObject = m.properties ?? {};
  let event: string;
  if (type === "track") event = m.event!;
  else {
    event = EVENT_NAME_OF[type];
    // rudder-sdk-android/-ios v1 name a screen in `event` (and `properties.name`), not in `name`.
    const name = m.name || (type === "screen" ? m.event || (typeof properties.name === "string" ? properties.name : null) : null);
    if (name) properties.name = name;
    if (m.category) properties.category = m.category;
    if (type === "screen" && name) properties.$screen_name = name;
  }

  const traitsIn = m.traits ?? null;
  const ctxTraits = obj(context, "traits");
  let traits: TraitOps = EMPTY_TRAITS;
  if (type === "identify") {
    // RudderStack's browser SDK sends identify traits in context.traits only; the node SDK copies them there.
    const set = ctxTraits ? { ...ctxTraits, ...traitsIn } : traitsIn;
    traits = traitOps(set, undefined, undefined, "traits");
  }

  const identifiers: Identifier[] = [];
  pushUnique(identifiers, "user_id", userId);
  pushUnique(identifiers, "anonymous_id", anonymousId);
  if (type === "alias" && previousId !== anonymousId) pushUnique(identifiers, "user_id", previousId);
  for (const x of externalIdentifiers(context.externalIds)) pushUnique(identifiers, x.type, x.id);
  // context.traits are the current user's traits on any call (RudderStack's browser SDK sends them on every
  // event): their e-mail and phone identify the user as an identify's would, as Segment's identity
  // resolution reads them. Only an identify sets traits.
  if (ctxTraits && type !== "identify") {
    for (const key of TRAIT_KEYS) {
      const v = ctxTraits[key];
      if (typeof v === "string" || (typeof v === "number" && Number.isFinite(v))) pushUnique(identifiers, TRAIT_IDENTIFIERS[key]!, String(v));
    }
  }

  const original = parseTime(m.originalTimestamp, "originalTimestamp");
  const explicit = parseTime(m.timestamp, "timestamp");
  const sentAt = parseTime(m.sentAt, "sentAt") ?? env.sentAt;
  const timestamp = eventTime({
    explicit: original !== null ? explicit : null,
    original: original ?? explicit,
    sentAt,
    offset: null,
    receivedAt: meta.receivedAt,
  });

  return {
    sourceId: meta.sourceId,
    sourceName: meta.sourceName,
    wire: meta.wire,
    type,
    event,
    messageId: messageIdOf(m.messageId),
    userId,
    anonymousId,
    distinctId: null,
    previousId,
    groupId,
    groupType: null,
    groupTraits: type === "group" ? traitsIn ?? {} : null,
    identifiers,
    traits,
    properties,
    context,
    timestamp,
    receivedAt: meta.receivedAt,
    sentAt,
    originalTimestamp: original ?? explicit,
  };
}
