/**
 * The PostHog capture API (posthog-js, posthog-node, the mobile SDKs): bodies are an array of events
 * (posthog-js), `{api_key, batch, sent_at, historical_migration}` (/batch), or one event. The token comes from
 * the envelope or the events (PH-v0); distinct_id from `distinct_id`, `$distinct_id` or
 * `properties.distinct_id`, stringified and truncated to 200 characters like PostHog does.
 * See message.ts for how distinct ids map to identifiers.
 *
 * `/engage` (Mixpanel's people endpoint, kept by PostHog) takes one body without `event` carrying
 * `$set`/`$set_once`/`$unset`. PostHog's capture stores it as an `$identify` event (capture-rs
 * `RawRequest::Engage`; its Django test_engage asserts event == "$identify"), and its person processing
 * then only applies the operations: an `$identify` without `$anon_distinct_id` merges nothing. We store the
 * same `$identify` event, so counts match PostHog's, but as type `track`: our identify type declares
 * user_id = distinct_id, a claim a people update does not make (the distinct id may well be a device's),
 * and a wrong user_id would later block the real identify's merge.
 */
import { z } from "zod";
import { IngestError, ItemError } from "./errors.ts";
import { idValue, messageIdOf, MessageIdField, pushUnique } from "./identifiers.ts";
import { isObject, JsonObjectField as Props, obj, str, type Json, type JsonObject } from "./json.ts";
import { MAX_BATCH_ITEMS, MAX_EVENT_NAME_LENGTH } from "./limits.ts";
import { EMPTY_TRAITS, type Identifier, type Message, type MessageType, type TraitOps } from "./message.ts";
import type { MessageMeta } from "./segment.wire.ts";
import { eventTime, parseTime } from "./timestamps.ts";
import { traitOps, unsetKeys } from "./traits.ts";
import { describeIssue } from "./zod-error.ts";

const MAX_DISTINCT_ID = 200;

/** PosthogEnvelope is what a PostHog request says for all of its events. */
export interface PosthogEnvelope {
  readonly sentAt: number | null;
}

/** PosthogExtracted is a PostHog body split into events, envelope and token. */
export interface PosthogExtracted {
  readonly items: readonly Json[];
  readonly envelope: PosthogEnvelope;
  readonly token: string | null;
}

function tokenOf(o: JsonObject): string | null {
  const props = obj(o, "properties");
  const t = str(o, "api_key") ?? str(o, "token") ?? str(o, "$token") ?? str(props, "token") ?? str(props, "$token") ?? null;
  return t === null ? null : t.trim();
}

/**
 * extractPosthog splits a decoded body. `querySentAt` is PostHog's `sent_at`/`_` query parameter in
 * milliseconds (values with seconds resolution are ignored, as PostHog does).
 */
export function extractPosthog(body: Json, querySentAt: string | null): PosthogExtracted {
  let items: readonly Json[];
  let envelope: JsonObject | null = null;
  if (Array.isArray(body)) items = body;
  else if (isObject(body) && Array.isArray(body.batch)) {
    items = body.batch;
    envelope = body;
  } else if (isObject(body)) items = [body];
  else throw new IngestError(400, "request body must be an event, an array of events or {batch: [...]}");
  if (items.length === 0) throw new IngestError(400, "batch: is empty");
  if (items.length > MAX_BATCH_ITEMS) {
    const l = `${MAX_BATCH_ITEMS} items per batch`;
    throw new IngestError(413, `batch: has ${items.length} items, the limit is ${l}`, l);
  }

  let token = envelope ? tokenOf(envelope) : null;
  if (token === null) {
    for (const item of items) {
      const t = isObject(item) ? tokenOf(item) : null;
      if (t === null) continue;
      if (token !== null && t !== token) throw new IngestError(401, "batch submitted with inconsistent api_key values");
      token = t;
    }
  }

  // An unreadable sent_at is ignored, as PostHog's capture does: a 400 would lose the whole batch (SDKs do
  // not retry a 400), while the events' own timestamps still hold.
  let sentAt: number | null = null;
  try {
    sentAt = parseTime(envelope?.sent_at, "sent_at");
  } catch {
    sentAt = null;
  }
  if (sentAt === null && querySentAt && /^\d{13}$/.test(querySentAt)) sentAt = Number(querySentAt);
  return { items, envelope: { sentAt }, token };
}


/** Offset is PostHog's `offset` (ms before sending); some clients send it as a numeric string. */
const Offset = z
  .custom<number | string>(
    (v) => (typeof v === "number" && Number.isFinite(v)) || (typeof v === "string" && /^\s*-?\d+(?:\.\d+)?\s*$/.test(v)),
    { message: "expected a number of milliseconds (or a numeric string)" },
  )
  .transform(Number)
  .nullish();

const PosthogItem = z.object({
  event: z.string().min(1, "required").max(MAX_EVENT_NAME_LENGTH),
  properties: Props,
  timestamp: z.union([z.string(), z.number()]).nullish(),
  offset: Offset,
  uuid: MessageIdField,
  $set: Props,
  $set_once: Props,
});
type PosthogItem = z.infer<typeof PosthogItem>;

const TYPE_OF_EVENT: Readonly<Record<string, MessageType>> = {
  $pageview: "page",
  $screen: "screen",
  $identify: "identify",
  $create_alias: "alias",
  $merge_dangerously: "alias",
  $groupidentify: "group",
};

/** Properties that only carry the token or the id, removed so write keys are not stored as event data. */
const ENVELOPE_PROPS = ["token", "$token", "api_key", "distinct_id", "$set", "$set_once", "$unset"];

/**
 * distinctIdOf stringifies a distinct id as PostHog's capture does: an object with its keys sorted (any key
 * order is one id), NUL as U+FFFD, at most 200 characters (code points: an emoji is not cut in half).
 */
function distinctIdOf(v: Json | undefined): string | null {
  if (v === undefined || v === null || v === "") return null;
  let s = typeof v === "string" ? v : JSON.stringify(sortedKeys(v));
  if (s.includes("\u0000")) s = s.replaceAll("\u0000", "\ufffd");
  if (s.length <= MAX_DISTINCT_ID) return s;
  let out = "";
  let n = 0;
  for (const ch of s) {
    if (n++ === MAX_DISTINCT_ID) break;
    out += ch;
  }
  return out;
}

function sortedKeys(v: Json): Json {
  if (Array.isArray(v)) return v.map(sortedKeys);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const k of Object.keys(v).sort()) out[k] = sortedKeys(v[k]!);
  return out;
}

/** contextOf lifts PostHog's `$`-properties into a Segment-shaped context so the enrich steps read one shape. */
function contextOf(p: JsonObject): JsonObject {
  const ctx: JsonObject = {};
  const lib = str(p, "$lib");
  if (lib) ctx.library = { name: lib, version: str(p, "$lib_version") ?? null };
  const url = str(p, "$current_url");
  if (url || str(p, "$referrer")) {
    const page: JsonObject = {};
    if (url) page.url = url;
    const path = str(p, "$pathname");
    if (path) page.path = path;
    const referrer = str(p, "$referrer");
    if (referrer && referrer !== "$direct") page.referrer = referrer;
    const title = str(p, "title") ?? str(p, "$title");
    if (title) page.title = title;
    ctx.page = page;
  }
  const ip = str(p, "$ip");
  if (ip) ctx.ip = ip;
  const ua = str(p, "$raw_user_agent");
  if (ua) ctx.userAgent = ua;
  const locale = str(p, "$browser_language") ?? str(p, "$locale");
  if (locale) ctx.locale = locale;
  const tz = str(p, "$timezone");
  if (tz) ctx.timezone = tz;
  return ctx;
}

/** personOps reads `$set`/`$set_once` (top level and under properties; properties win) and `$unset`. */
function personOps(m: PosthogItem, raw: JsonObject, propsIn: JsonObject): TraitOps {
  const setTop = m.$set ?? null;
  const setProp = propsIn.$set;
  if (setProp !== undefined && setProp !== null && !isObject(setProp)) {
    throw new ItemError("properties.$set: expected an object of properties");
  }
  // On a clash the top-level operation wins, as PostHog's normalizeEvent merges them.
  const set = setTop || setProp ? { ...(setProp as JsonObject | null | undefined), ...setTop } : null;
  const setOnceTop = m.$set_once ?? null;
  const setOnce = setOnceTop && isObject(propsIn.$set_once) ? { ...propsIn.$set_once, ...setOnceTop } : setOnceTop ?? propsIn.$set_once;
  // A top-level `$unset` is Mixpanel's engage form; PostHog's own SDKs put it under properties.
  const unset = raw.$unset == null ? propsIn.$unset : [...unsetKeys(raw.$unset, "$unset"), ...unsetKeys(propsIn.$unset, "properties.$unset")];
  return traitOps(set, setOnce, unset, "properties");
}

/**
 * posthogMessage validates one PostHog event and maps it to a Message; throws ItemError naming the field.
 * `engage` is set for the single-object body of `/engage`: without an event name it is a person update.
 */
export function posthogMessage(raw: Json, env: PosthogEnvelope, meta: MessageMeta, engage = false): Message {
  if (!isObject(raw)) throw new ItemError("expected an event object");
  const personUpdate = engage && (raw.event === undefined || raw.event === null);
  const r = PosthogItem.safeParse(personUpdate ? { ...raw, event: "$identify" } : raw);
  if (!r.success) throw new ItemError(describeIssue(r.error));
  const m = r.data;
  const propsIn = m.properties ?? {};
  const distinctId = distinctIdOf(raw.distinct_id ?? raw.$distinct_id ?? propsIn.distinct_id);
  if (distinctId === null) throw new ItemError("distinct_id: required");

  // An $identify naming its own distinct id as the anonymous one identifies nobody (PostHog's process-event
  // test: "identify with the same distinct_id as anon_distinct_id" leaves the person anonymous): a person
  // update, like /engage, or the device id would become a user_id and block the real identify's merge.
  const selfIdentify = m.event === "$identify" && distinctIdOf(propsIn.$anon_distinct_id) === distinctId;
  const type: MessageType = personUpdate || selfIdentify ? "track" : TYPE_OF_EVENT[m.event] ?? "track";
  // posthog-js's default `person_profiles: "identified_only"` marks an anonymous user's events personless:
  // PostHog stores and counts them but never lets them touch person properties (PH-person), so the
  // operations are dropped unread. The distinct ids still link as on any event.
  const traits = propsIn.$process_person_profile === false ? EMPTY_TRAITS : personOps(m, raw, propsIn);

  const properties: JsonObject = { ...propsIn };
  for (const k of ENVELOPE_PROPS) delete properties[k];

  const identifiers: Identifier[] = [{ type: "distinct_id", id: distinctId }];
  let userId: string | null = null;
  let previousId: string | null = null;
  let groupId: string | null = null;
  let groupType: string | null = null;
  let groupTraits: JsonObject | null = null;
  if (type === "identify") {
    userId = distinctId;
    pushUnique(identifiers, "user_id", distinctId);
    pushUnique(identifiers, "distinct_id", distinctIdOf(propsIn.$anon_distinct_id));
  } else if (personUpdate) {
    // capture-rs makes an /engage body an $identify, so its $anon_distinct_id joins the person (no user_id claim)
    pushUnique(identifiers, "distinct_id", distinctIdOf(propsIn.$anon_distinct_id));
  } else if (type === "alias") {
    previousId = idValue(propsIn.alias, "properties.alias");
    if (previousId === null) throw new ItemError(`properties.alias: required for ${m.event}`);
    pushUnique(identifiers, "distinct_id", previousId);
  } else if (type === "group") {
    groupId = idValue(propsIn.$group_key, "properties.$group_key");
    if (groupId === null) throw new ItemError("properties.$group_key: required for $groupidentify");
    groupType = str(propsIn, "$group_type") ?? null;
    const gs = propsIn.$group_set;
    if (gs !== undefined && gs !== null && !isObject(gs)) throw new ItemError("properties.$group_set: expected an object");
    groupTraits = gs ?? {};
  }

  const original = parseTime(m.timestamp, "timestamp");
  const timestamp = eventTime({
    explicit: null,
    original,
    // `$ignore_sent_at` (PostHog's import flag) keeps the timestamp as given, skew uncorrected
    sentAt: propsIn.$ignore_sent_at === true ? null : env.sentAt,
    offset: m.offset ?? null,
    receivedAt: meta.receivedAt,
  });

  return {
    sourceId: meta.sourceId,
    sourceName: meta.sourceName,
    wire: meta.wire,
    type,
    event: m.event,
    messageId: messageIdOf(m.uuid),
    userId,
    anonymousId: null,
    distinctId,
    previousId,
    groupId,
    groupType,
    groupTraits,
    identifiers,
    traits,
    properties,
    context: contextOf(propsIn),
    timestamp,
    receivedAt: meta.receivedAt,
    sentAt: env.sentAt,
    originalTimestamp: original,
  };
}
