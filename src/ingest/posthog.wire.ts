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

/**
 * isPhpEmptyObject is `[]` where an object belongs: PHP's json_encode writes an empty associative array as a
 * list, so posthog-php's identify without traits sends `"$set": []` and PHP group calls `"$group_set": []`.
 * It is the empty object the sender meant (capture-rs would refuse the whole request, losing the batch).
 */
const isPhpEmptyObject = (v: unknown): v is readonly never[] => Array.isArray(v) && v.length === 0;

/** PersonOpsField is `$set`/`$set_once`: an object, or PHP's `[]` for an empty one (read as absent). */
const PersonOpsField = z
  .custom<JsonObject | readonly never[]>((v) => isObject(v) || isPhpEmptyObject(v), { message: "expected an object" })
  .transform((v) => (isPhpEmptyObject(v) ? null : v))
  .nullish();

/** phpEmptyAsNull reads a `$set`/`$set_once`/`$group_set` under properties the same way. */
const phpEmptyAsNull = (v: Json | undefined): Json | undefined => (isPhpEmptyObject(v) ? null : v);

const PosthogItem = z.object({
  event: z.string().min(1, "required").max(MAX_EVENT_NAME_LENGTH),
  properties: Props,
  timestamp: z.union([z.string(), z.number()]).nullish(),
  offset: Offset,
  uuid: MessageIdField,
  $set: PersonOpsField,
  $set_once: PersonOpsField,
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
  const setProp = phpEmptyAsNull(propsIn.$set);
  if (setProp !== undefined && setProp !== null && !isObject(setProp)) {
    throw new ItemError("properties.$set: expected an object of properties");
  }
  // On a clash the top-level operation wins, as PostHog's normalizeEvent merges them.
  const set = setTop || setProp ? { ...(setProp as JsonObject | null | undefined), ...setTop } : null;
  const setOnceTop = m.$set_once ?? null;
  const setOnceProp = phpEmptyAsNull(propsIn.$set_once);
  const setOnce = setOnceTop && isObject(setOnceProp) ? { ...setOnceProp, ...setOnceTop } : setOnceTop ?? setOnceProp;
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
  // operations are dropped unread. The distinct ids still link as on any event. A `$groupidentify` describes a
  // group, never the person: PostHog's normalizeProcessPerson deletes its $set/$set_once/$unset.
  const traits = propsIn.$process_person_profile === false || m.event === "$groupidentify" ? EMPTY_TRAITS : personOps(m, raw, propsIn);

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
    const gs = phpEmptyAsNull(propsIn.$group_set);
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

/**
 * PostHog's capture v1 (`POST /i/v1/analytics/events`; posthog-python, -go and -rs with `capture_mode` v1):
 * `{created_at, historical_migration?, batch: [{event, uuid, distinct_id, timestamp, session_id?, window_id?,
 * options?, properties?}]}`, the token in `Authorization: Bearer`, the client's clock in the
 * `PostHog-Request-Timestamp` header and the library in `PostHog-Sdk-Info` (`name/version`).
 * captureV1Item turns one event into the v0 event posthogMessage reads, as capture-rs does before ingestion
 * (v1/analytics/types.rs): session and window ids and the options become `$session_id`, `$window_id`,
 * `$cookieless_mode`, `$ignore_sent_at`, `$product_tour_id`, `$process_person_profile`; the header's `$lib`
 * and `$lib_version` win over the properties'. A top-level `$set` is not part of v1 and is ignored.
 */
export function captureV1Item(raw: Json, sdk: { lib: string; version: string } | null): Json {
  if (!isObject(raw)) return raw;
  const options = raw.options ?? null;
  if (options !== null && !isObject(options)) throw new ItemError("options: expected an object");
  const lifted: JsonObject = {};
  if (typeof raw.session_id === "string") lifted.$session_id = raw.session_id;
  if (typeof raw.window_id === "string") lifted.$window_id = raw.window_id;
  for (const [key, prop] of V1_OPTIONS) {
    const v = options?.[key];
    if (v === undefined || v === null) continue;
    const coerced = key === "product_tour_id" ? v1String(v) : v1Bool(v);
    if (coerced === null) throw new ItemError(`options.${key}: expected ${key === "product_tour_id" ? "a string" : "a boolean"}`);
    lifted[prop] = coerced;
  }
  if (sdk) {
    lifted.$lib = sdk.lib;
    lifted.$lib_version = sdk.version;
  }
  const props = raw.properties;
  if (props !== undefined && props !== null && !isObject(props)) throw new ItemError("properties: expected an object");
  return { event: raw.event ?? null, uuid: raw.uuid ?? null, distinct_id: raw.distinct_id ?? null, timestamp: raw.timestamp ?? null, properties: { ...props, ...lifted } };
}

const V1_OPTIONS = [
  ["cookieless_mode", "$cookieless_mode"],
  ["disable_skew_correction", "$ignore_sent_at"],
  ["product_tour_id", "$product_tour_id"],
  ["process_person_profile", "$process_person_profile"],
] as const;

/** v1Bool coerces as capture-rs: a boolean, "true"/"false"/"1"/"0" (any case, trimmed), or a number (non-zero is true). */
function v1Bool(v: Json): boolean | null {
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v !== 0;
  if (typeof v === "string") {
    const s = v.trim().toLowerCase();
    return s === "true" || s === "1" ? true : s === "false" || s === "0" ? false : null;
  }
  return null;
}

/** v1String takes a string or an integer (as its digits). */
const v1String = (v: Json): string | null => (typeof v === "string" ? v : typeof v === "number" && Number.isInteger(v) ? String(v) : null);

/** sdkInfo reads `PostHog-Sdk-Info` (`<lib>/<version>`, split at the last "/"); null when it is not that. */
export function sdkInfo(header: string | null): { lib: string; version: string } | null {
  if (header === null || header.length > 200) return null;
  const at = header.lastIndexOf("/");
  const lib = header.slice(0, Math.max(at, 0)).trim();
  const version = header.slice(at + 1).trim();
  return at < 0 || !lib || !version ? null : { lib, version };
}
