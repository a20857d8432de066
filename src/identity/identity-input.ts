/**
 * IdentityInput is what the store hands the resolver per event: the identity fields of the ingest `Message`
 * (src/ingest/message.ts), so a Message can be passed as is. `extractIdentifiers` turns it into the
 * namespaced identifiers of the message, primary first, the rest strongest first.
 *
 * Namespace rules (decided with the ingest room, message.ts):
 * - Segment family: `userId` → user_id, `anonymousId` → anonymous_id. The event is stored with userId, else
 *   anonymousId. `alias`: `previousId` → anonymous_id when it equals the anonymousId, else user_id — a guess
 *   the resolver corrects when the value is already known as an anonymous id (a server-side alias sends no
 *   anonymousId) or a distinct_id (Candidate.previous).
 * - PostHog: `distinct_id` is its own namespace `distinct_id` (PostHog cannot say whether it names a user or a
 *   device) and is the stored identity. `$identify` also declares user_id = distinct_id (identify names the
 *   user; a Segment userId of the same value then meets the same person) and links `$anon_distinct_id`;
 *   `$create_alias` / `$merge_dangerously` link `properties.alias` (previousId) as a distinct_id.
 * - `identifiers` / `externalIds` (Segment `context.externalIds`): `{type, id}` as declared; entries of a
 *   collection other than `users` are skipped, `encoding: "base64"` ids decoded.
 * - Traits `email` and `phone` (also `mobile`, `phone_number`) in `$set`/`$set_once` link as identifiers.
 */
import { normaliseNamespace, normaliseValue, NS, rankOf } from "./identifier.ts";
import type { Probe } from "./identity-graph.ts";
import type { Guards } from "./identity-settings.ts";
import { TRAIT_IDENTIFIERS, TRAIT_KEYS } from "./pii.ts";
import type { TraitOps } from "./traits.ts";

/** MessageKind is Segment's call type (PostHog events are mapped onto these by the ingest decoders). */
export type MessageKind = "track" | "identify" | "page" | "screen" | "group" | "alias";

/** DeclaredId is one identifier as sent: Segment `externalIds` entries also carry collection and encoding. */
export interface DeclaredId {
  readonly type: string;
  readonly id: string | number;
  readonly collection?: string | null;
  readonly encoding?: string | null;
}

/** IdentityInput is the identity part of one event (a src/ingest Message satisfies it). */
export interface IdentityInput {
  readonly type: MessageKind;
  readonly userId?: string | null;
  readonly anonymousId?: string | null;
  /** alias: the id linked to userId (Segment previousId; PostHog properties.alias). */
  readonly previousId?: string | null;
  /** PostHog distinct_id; null/absent for the Segment family. */
  readonly distinctId?: string | null;
  /** PostHog `$anon_distinct_id` of an `$identify`. */
  readonly anonDistinctId?: string | null;
  readonly identifiers?: readonly DeclaredId[];
  readonly externalIds?: readonly DeclaredId[];
  readonly traits?: TraitOps;
  /**
   * identityId pins the event to an existing identity: Tessera's own events about a person
   * (audience_entered, lifecycle_changed, …) are stored against one of the person's identities with
   * nothing extracted, linked or set, and are rejected once that identity is gone (person deleted),
   * so an event emitted late can never recreate a deleted person. Ingest messages never carry it.
   */
  readonly identityId?: number;
}

/** EdgeKind says why two identifiers were linked. */
export type EdgeKind = "identify" | "alias" | "event" | "trait" | "admin" | "same_id";

/** Candidate is one normalised identifier of a message; the resolver fills in its lookup (Probe) fields. */
export interface Candidate extends Probe {
  readonly kind: EdgeKind;
  readonly junk: boolean;
  readonly rank: number;
  /** previous: an alias's previousId, whose namespace is a guess (see the module comment). */
  readonly previous: boolean;
}

/** Extracted is a message's identifiers: `list[0]` is the identity the event is stored with. */
export interface Extracted {
  readonly list: Candidate[];
  /** True when every identifier is junk: the event is stored, nothing is linked, traits are dropped. */
  readonly onlyJunk: boolean;
}

const kindOf = (t: MessageKind): EdgeKind => (t === "identify" ? "identify" : t === "alias" ? "alias" : "event");

/** Declared namespaces repeat on every message of a source: normalise each spelling once. */
const nsCache = new Map<string, string | null>();
function namespaceOf(type: string): string | null {
  let ns = nsCache.get(type);
  if (ns === undefined) {
    ns = normaliseNamespace(type);
    if (nsCache.size < 10_000) nsCache.set(type, ns);
  }
  return ns;
}

function push(out: Candidate[], guards: Guards, ns: string | null, raw: unknown, kind: EdgeKind, previous = false): void {
  if (ns === null || raw === null || raw === undefined) return;
  const s = typeof raw === "string" ? raw : typeof raw === "number" && Number.isFinite(raw) ? String(raw) : null;
  if (s === null || s === "") return;
  const junkRaw = guards.junk.isJunk(s);
  const value = junkRaw ? s : normaliseValue(ns, s, guards.defaultCountryCode);
  const junk = junkRaw || value === null || (value !== s && guards.junk.isJunk(value));
  const v = value ?? s;
  for (let k = 0; k < out.length; k++) if (out[k]!.ns === ns && out[k]!.value === v) return;
  out.push({ ns, value: v, kind, junk, rank: rankOf(ns), previous, nsId: 0, hi: 0, lo: 0, chk: 0, hash: "", id: 0 });
}

function pushDeclared(out: Candidate[], guards: Guards, list: NonNullable<IdentityInput["externalIds"]>, kind: EdgeKind): void {
  for (const d of list) {
    if (d.collection && d.collection !== "users") continue;
    let id = d.id;
    if (d.encoding === "base64" && typeof id === "string") id = Buffer.from(id, "base64").toString("utf8");
    push(out, guards, namespaceOf(d.type), id, kind);
  }
}

function pushTraits(out: Candidate[], guards: Guards, src: Readonly<Record<string, unknown>>): void {
  for (const key of TRAIT_KEYS) {
    const v = src[key];
    if (v !== undefined) push(out, guards, TRAIT_IDENTIFIERS[key]!, v, "trait");
  }
}

/** extractIdentifiers reads, normalises and orders a message's identifiers (module comment has the rules). */
export function extractIdentifiers(input: IdentityInput, guards: Guards): Extracted {
  const out: Candidate[] = [];
  const kind = kindOf(input.type);
  if (input.distinctId) {
    push(out, guards, NS.distinctId, input.distinctId, kind);
    if (input.type === "identify") push(out, guards, NS.userId, input.distinctId, kind);
    push(out, guards, NS.distinctId, input.anonDistinctId, kind);
    if (input.type === "alias") push(out, guards, NS.distinctId, input.previousId, kind, true);
  } else {
    push(out, guards, NS.userId, input.userId, kind);
    push(out, guards, NS.anonymousId, input.anonymousId, kind);
    // previousId = anonymousId is in already; any other is first guessed to be a user id.
    if (input.type === "alias" && input.previousId !== input.anonymousId) push(out, guards, NS.userId, input.previousId, kind, true);
  }
  // Two calls rather than a loop over a fresh [a, b] array: this runs for every event.
  if (input.identifiers) pushDeclared(out, guards, input.identifiers, kind);
  if (input.externalIds) pushDeclared(out, guards, input.externalIds, kind);
  const t = input.traits;
  if (t) {
    if (t.set) pushTraits(out, guards, t.set);
    if (t.setOnce) pushTraits(out, guards, t.setOnce);
  }
  let first = 0;
  while (first < out.length && out[first]!.junk) first++;
  if (first === out.length) return { list: out.slice(0, 1), onlyJunk: out.length > 0 };
  // The common shapes (one id, or userId + anonymousId) are already in order.
  if (first === 0 && (out.length === 1 || (out.length === 2 && !out[1]!.junk))) return { list: out, onlyJunk: false };
  const primary = out[first]!;
  const rest = out.filter((c, k) => k !== first && !c.junk).sort((a, b) => a.rank - b.rank);
  return { list: [primary, ...rest], onlyJunk: false };
}
