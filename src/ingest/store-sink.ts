/**
 * The glue between the ingest wire side and the event store: a Message becomes a StoreEvent whose identity
 * part is the message itself (the identity room's IdentityInput is a subset of Message), and the sink
 * resolves once the writer's group commit holding the request's events has committed.
 */
import type { IdentityInput } from "../identity/identity-input.ts";
import type { EventWriter, StoreEvent } from "../store/writer.ts";
import type { JsonObject } from "./json.ts";
import type { LiveTap } from "./live-tap.ts";
import type { Message } from "./message.ts";
import type { Sink } from "./sink.ts";

/**
 * eventProps are the properties an event is stored with: its own, the sending library, and `$source`, the
 * name of the source it came through (one source per channel: website, app, mini program, Douyin, …), so
 * every analysis can break down by channel without a join.
 */
export function eventProps(m: Message): JsonObject {
  const p = m.properties;
  p.$source = m.sourceName;
  const lib = m.context.library;
  if (typeof lib !== "object" || lib === null || Array.isArray(lib)) return p;
  if (typeof lib.name === "string" && p.$lib === undefined) p.$lib = lib.name;
  if (typeof lib.version === "string" && p.$lib_version === undefined) p.$lib_version = lib.version;
  return p;
}

/** toStoreEvent maps one message to the row the store keeps. */
export function toStoreEvent(m: Message): StoreEvent<IdentityInput> {
  return {
    source: m.sourceId,
    messageId: m.messageId,
    event: m.event,
    ts: m.timestamp,
    receivedAt: m.receivedAt,
    props: eventProps(m),
    identity: m,
  };
}

/**
 * storeSink hands a request's messages to the writer and reports duplicates and late suppressions; what
 * was stored goes to the live tap when someone watches the source.
 */
export function storeSink(writer: EventWriter<IdentityInput>, tap?: LiveTap): Sink {
  return async (messages) => {
    const r = await writer.append(messages.map(toStoreEvent));
    const sourceId = messages[0]?.sourceId;
    if (tap && sourceId !== undefined && tap.watched(sourceId) && r.stored > 0) {
      const skipped = new Set([...r.duplicates, ...r.rejected.map((x) => x.index)]);
      tap.publish(sourceId, skipped.size === 0 ? messages : messages.filter((_, i) => !skipped.has(i)), r.lastSeq);
    }
    return { duplicates: r.duplicates.length, suppressed: r.rejected.length };
  };
}
