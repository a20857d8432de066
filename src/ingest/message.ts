/**
 * Message is the one internal shape every wire decoder (Segment, RudderStack, PostHog, pixel, NDJSON import)
 * produces and every later room (store, identity) consumes. Decoders are thin: they validate their wire shape
 * with zod and map it here; the enrich steps then only add properties.
 *
 * Event names: Segment `track` keeps its `event`; the other Segment types get PostHog's names so both SDK
 * families land in the same analyses — page → `$pageview`, screen → `$screen`, identify → `$identify`,
 * group → `$groupidentify`, alias → `$create_alias`. PostHog events keep their names; their `type` is derived
 * from the name ($pageview → page, $identify → identify, …, anything else → track). One exception: a nameless
 * `/engage` body is stored as `$identify` (as PostHog stores it) but typed `track`, a person update that
 * declares no user_id (posthog.wire.ts says why).
 *
 * Identifiers (for the identity room; SPEC §4 "all identifiers of one message belong to one person"):
 * - Segment/RudderStack/pixel/sdk.js: `userId` → `user_id`, `anonymousId` → `anonymous_id`; alias `previousId`
 *   → `user_id` unless it equals the message's anonymousId (analytics.js aliases from the anonymous id); the
 *   identity room looks a previousId up as an anonymous id too (a server SDK's alias sends no anonymousId).
 * - PostHog: `distinct_id` → its own namespace `distinct_id` (PostHog does not say whether a distinct id is a
 *   user or a device). `$identify` additionally declares `user_id` = distinct_id (identify names the user, which
 *   is what posthog-js/posthog-node send) and `distinct_id` = `$anon_distinct_id` when present, so the
 *   anonymous history joins the user and a Segment `userId` of the same value meets the same person.
 *   `$create_alias` / `$merge_dangerously` declare `distinct_id` = `properties.alias`.
 * - `context.externalIds` (collection `users` or absent) → `{type, id}` as declared (base64 ids decoded).
 * The first identifier is the one the event was sent with (userId, else anonymousId; distinct_id for PostHog).
 */
import type { JsonObject } from "./json.ts";

/** MessageType is Segment's six call types; PostHog events are mapped onto them. */
export type MessageType = "track" | "identify" | "page" | "screen" | "group" | "alias";

export const MESSAGE_TYPES: readonly MessageType[] = ["track", "identify", "page", "screen", "group", "alias"];

/** isMessageType tells a message type named by a client (a path segment, a query parameter). */
export function isMessageType(t: unknown): t is MessageType {
  return typeof t === "string" && (MESSAGE_TYPES as readonly string[]).includes(t);
}

/** EVENT_NAME_OF gives the stored event name of the non-track Segment types. */
export const EVENT_NAME_OF: Readonly<Record<Exclude<MessageType, "track">, string>> = {
  page: "$pageview",
  screen: "$screen",
  identify: "$identify",
  group: "$groupidentify",
  alias: "$create_alias",
};

/** Identifier is one namespaced id a message declares (namespaces as in SPEC §4, plus `distinct_id`). */
export interface Identifier {
  readonly type: string;
  readonly id: string;
}

/**
 * TraitOps are person-property operations (SPEC §4): `set` overwrites, `setOnce` fills only empty keys,
 * `unset` removes. Segment identify traits become `set`; PostHog `$set`/`$set_once`/`$unset` map one to one;
 * a Segment trait object may also carry `$set_once` / `$unset` keys, which are honoured the same way.
 */
export interface TraitOps {
  readonly set: JsonObject;
  readonly setOnce: JsonObject;
  readonly unset: readonly string[];
}

/** Wire names the protocol a message arrived in (for debugging and the live stream; semantics do not depend on it). */
export type Wire = "segment" | "posthog" | "sensors" | "pixel" | "import";

/** Message is a validated, normalised and (after the enrich steps) enriched event. Times are ms since epoch. */
export interface Message {
  readonly sourceId: number;
  /** The source's name, stored on every event as `$source` (the channel an event came through). */
  readonly sourceName: string;
  readonly wire: Wire;
  readonly type: MessageType;
  readonly event: string;
  /** Client-provided id (≤ 255 chars) or a fresh UUIDv7; the store dedupes on (sourceId, messageId). */
  readonly messageId: string;
  readonly userId: string | null;
  readonly anonymousId: string | null;
  /** PostHog's distinct_id, null for the Segment family. */
  readonly distinctId: string | null;
  /** alias: the id being linked to userId (Segment previousId; PostHog properties.alias). */
  readonly previousId: string | null;
  readonly groupId: string | null;
  /** PostHog `$group_type`; Segment groups have none. */
  readonly groupType: string | null;
  /** group: the group's own traits (Segment group traits, PostHog `$group_set`), not the person's. */
  readonly groupTraits: JsonObject | null;
  readonly identifiers: readonly Identifier[];
  readonly traits: TraitOps;
  /** Event properties plus enrichments ($browser, $os, $device_type, $bot, utm_*, $channel, $ip, …). */
  readonly properties: JsonObject;
  /** Context as sent (batch context merged under the item's), with `ip` rewritten by the source's IP policy. */
  readonly context: JsonObject;
  /** Event time after clock-skew correction and the future clamp (SPEC §3). */
  readonly timestamp: number;
  readonly receivedAt: number;
  readonly sentAt: number | null;
  readonly originalTimestamp: number | null;
}

/** EMPTY_TRAITS is shared by messages that change no person properties; never mutated. */
export const EMPTY_TRAITS: TraitOps = Object.freeze({
  set: Object.freeze({}) as JsonObject,
  setOnce: Object.freeze({}) as JsonObject,
  unset: Object.freeze([]) as readonly string[],
});
