/**
 * The per-event identity resolution the store writer calls inside its group commit (SPEC §4): all
 * identifiers of one message belong to one person, unless a guard says otherwise.
 *
 * Before the guards, a message's identifiers are widened by value (#widen): an alias's previousId is found
 * wherever it is already known (anonymous id, user id, distinct id), and a new user_id or distinct_id brings
 * along its known twin of the same value (a posthog-node distinctId and a Segment userId name one user).
 * A suppressed identifier drops the message, unless it is a device id (anonymous_id, distinct_id) beside a
 * primary identifier that is not suppressed: a device shared with a deleted person is skipped, not the
 * other person's events.
 *
 * Order of work: the primary identifier (the one the event is stored with) fixes the person; the others are
 * taken strongest first (user_id, wx_unionid, phone, email, channel ids, distinct_id, anonymous_id). A known
 * identifier of another person is a merge, a new one an attach; both pass the guards first:
 * - an admin unlinked this pair before → not relinked ("unmerged");
 * - a merge of two persons each holding a user_id → refused ("user_id"), through an alias too: this is the
 *   SPEC's "no merge of two people holding different user_ids". A new user_id joining a person holding one
 *   is refused as well, except through an `alias` between two user_ids: the app renaming its user;
 * - more than `maxIdentities` identifiers in one person → refused ("size", the mega-person guard);
 * - a namespace cap (default one wx_unionid) would be exceeded → refused ("cap:<ns>").
 * A refused identifier stays with (or becomes) its own person and the pair is recorded once in
 * identity_conflicts. Applied links are recorded as (primary, other) — in the new identity's row when one side
 * is new (identities.link_to), in identity_edges when both existed (a merge) — and only when they connect
 * something new, so the graph is a spanning forest and does not grow with repeated traffic.
 */
import type { IdentityResolver, StoreEvent, Tx } from "../store/writer.ts";
import { NS, PREVIOUS_NAMESPACES, rankOf, twinOf, WEAK_NAMESPACES } from "./identifier.ts";
import type { IdentityGraph } from "./identity-graph.ts";
import { extractIdentifiers, type Candidate, type IdentityInput } from "./identity-input.ts";
import type { Guards } from "./identity-settings.ts";
import type { Suppressions } from "./suppression.ts";

type Item = Candidate;

/** Resolver turns events' identities into identity ids; `resolve` is what the store writer calls. */
export class Resolver {
  readonly #g: IdentityGraph;
  readonly #suppressed: Suppressions;
  #guards!: Guards;
  #capNs = new Map<number, number>();
  #capSet: ReadonlySet<number> = new Set();
  readonly #counts = new Map<number, number>();

  constructor(graph: IdentityGraph, suppressions: Suppressions, guards: Guards) {
    this.#g = graph;
    this.#suppressed = suppressions;
    this.configure(guards);
  }

  /** configure swaps the guard settings (takes effect from the next event). */
  configure(guards: Guards): void {
    this.#guards = guards;
    this.#capNs = new Map([...guards.caps].map(([ns, cap]) => [this.#g.index.nsId(ns), cap]));
    this.#capSet = new Set(this.#capNs.keys());
  }

  /** guards are the settings in force. */
  get guards(): Guards {
    return this.#guards;
  }

  /** resolve is the IdentityResolver handed to the store. */
  readonly resolve: IdentityResolver<IdentityInput> = (input: IdentityInput, event: StoreEvent<IdentityInput>, tx: Tx) => {
    if (input.identityId !== undefined) {
      return this.#g.index.personOf(input.identityId) !== 0 ? input.identityId : { reject: "the identity no longer exists (person deleted)" };
    }
    const ex = extractIdentifiers(input, this.#guards);
    if (ex.list.length === 0) return { reject: "no identifier: the message needs userId, anonymousId or distinct_id" };
    const g = this.#g;
    // The graph's prepared statements belong to one connection: the writer's (wiring error otherwise).
    if (tx.db !== g.db) throw new Error("the identity resolver must run on the connection IdentityService.open was given");
    const items: Item[] = ex.list;
    for (const c of items) g.lookup(c);
    if (!ex.onlyJunk) this.#widen(items);
    if (this.#suppressed.size > 0) {
      for (let k = 0; k < items.length; k++) {
        const c = items[k]!;
        if (c.junk || !this.#suppressed.has(c.ns, c.value, c.hi, c.lo)) continue;
        if (k === 0 || !WEAK_NAMESPACES.has(c.ns)) return { reject: "suppressed by a privacy request" };
        items.splice(k--, 1);
      }
    }
    const primary = items[0]!;
    if (ex.onlyJunk) return primary.id !== 0 ? primary.id : g.createJunk(tx, primary, event);

    let target = primary.id !== 0 ? g.index.personOf(primary.id) : 0;
    const pending: Item[] = primary.id !== 0 ? [] : [primary];
    // A new primary joining a known identifier's person records that link in its own row.
    let primaryLink: Item | null = null;
    const merges: Item[] = [];
    const refused: [Item, string][] = [];
    for (let k = 1; k < items.length; k++) {
      const it = items[k]!;
      if (it.id !== 0) {
        const person = g.index.personOf(it.id);
        if (person === target) continue;
        const why = this.#mergeGuard(target, pending, person, primary, it);
        if (why) refused.push([it, why]);
        else if (target === 0) {
          target = person;
          primaryLink = it;
        } else {
          target = g.merge(tx, target, person);
          merges.push(it);
        }
      } else {
        const why = this.#attachGuard(target, pending, primary, it);
        if (why) refused.push([it, why]);
        else pending.push(it);
      }
    }
    if (target === 0) target = g.createPerson(tx);
    for (const it of pending) {
      const link = it === primary ? primaryLink && { to: primaryLink.id, kind: primaryLink.kind } : { to: primary.id, kind: it.kind };
      g.createIdentity(tx, it, target, event, link);
      // An alias's previousId known nowhere yet is kept as a user_id, yet it is most often the browser's
      // anonymous id, whose events the SDK flushes after the server's alias: hold it as that too, so they
      // join this person when they come (Segment: previousId "might be an Anonymous ID … or a User ID").
      if (it.previous && it.ns === NS.userId) {
        const anon = g.probe(NS.anonymousId, it.value);
        if (anon.id === 0) g.createIdentity(tx, anon, target, event, { to: primary.id, kind: it.kind });
      }
    }
    const a = primary.id;
    for (const [it, why] of refused) {
      if (it.id === 0) g.createIdentity(tx, it, g.createPerson(tx), event);
      g.conflict(tx, a, it.id, why, it.kind, event);
    }
    for (const it of merges) g.edge(tx, a, it.id, it.kind, event);
    if (input.traits) g.applyTraits(tx, target, input.traits, { t: event.ts, s: event.source, i: a });
    return a;
  };

  /** widen corrects an alias's previousId to where it is known and adds known twins (module comment). */
  #widen(items: Item[]): void {
    const g = this.#g;
    const n = items.length;
    let changed = false;
    for (let k = 0; k < n; k++) {
      const it = items[k]!;
      if (it.id !== 0 || it.junk) continue;
      if (it.previous) {
        for (const ns of PREVIOUS_NAMESPACES) {
          if (ns === it.ns || !g.index.hasNs(ns)) continue;
          const p = g.probe(ns, it.value);
          if (p.id === 0) continue;
          items[k] = { ...it, ...p, rank: rankOf(ns) };
          changed = true;
          break;
        }
        continue;
      }
      // Only a deployment that has seen both namespaces pays for the second lookup.
      const twin = twinOf(it.ns);
      if (twin === null || !g.index.hasNs(twin)) continue;
      const p = g.probe(twin, it.value);
      if (p.id === 0 || items.some((x) => x.id === p.id)) continue;
      items.push({ ...p, kind: "same_id", junk: false, rank: rankOf(twin), previous: false });
      changed = true;
    }
    // The primary stays first; the others are taken strongest first.
    if (changed && items.length > 2) items.push(...items.splice(1).sort((a, b) => a.rank - b.rank));
  }

  /** aliasRename: an alias between two user_ids is the app renaming its user, not two people meeting. */
  #aliasRename(primary: Item, it: Item): boolean {
    return it.kind === "alias" && primary.ns === NS.userId && it.ns === NS.userId;
  }

  #sideHasUserId(target: number, pending: readonly Item[]): boolean {
    const uidNs = this.#g.index.userIdNs;
    return (target !== 0 && this.#g.index.hasUserId(target)) || pending.some((x) => x.nsId === uidNs);
  }

  #mergeGuard(target: number, pending: readonly Item[], other: number, primary: Item, it: Item): string | null {
    const index = this.#g.index;
    if (primary.id !== 0 && this.#g.isRemoved(primary.id, it.id)) return "unmerged";
    // An alias joining new identifiers to a person holding a user_id is a rename; it never merges two persons.
    if (index.hasUserId(other) && this.#sideHasUserId(target, pending) && !(target === 0 && this.#aliasRename(primary, it))) return "user_id";
    if (index.sizeOf(target) + pending.length + index.sizeOf(other) > this.#guards.maxIdentities) return "size";
    if (this.#capNs.size === 0) return null;
    // A cap is only broken by a merge that brings values of the namespace from both sides.
    const mine = this.#counts;
    mine.clear();
    if (target !== 0) index.countNs(target, this.#capSet, mine);
    for (const x of pending) if (this.#capNs.has(x.nsId)) mine.set(x.nsId, (mine.get(x.nsId) ?? 0) + 1);
    if (mine.size === 0) return null;
    const theirs = new Map<number, number>();
    index.countNs(other, this.#capSet, theirs);
    for (const [ns, n] of theirs) {
      const m = mine.get(ns);
      if (m !== undefined && n + m > this.#capNs.get(ns)!) return `cap:${index.nsName(ns)}`;
    }
    return null;
  }

  #attachGuard(target: number, pending: readonly Item[], primary: Item, it: Item): string | null {
    const index = this.#g.index;
    const ns = it.nsId;
    if (ns === index.userIdNs && this.#sideHasUserId(target, pending) && !this.#aliasRename(primary, it)) return "user_id";
    if (index.sizeOf(target) + pending.length + 1 > this.#guards.maxIdentities) return "size";
    const cap = this.#capNs.get(ns);
    if (cap === undefined) return null;
    const have = this.#counts;
    have.clear();
    if (target !== 0) index.countNs(target, this.#capSet, have);
    const n = (have.get(ns) ?? 0) + pending.filter((x) => x.nsId === ns).length;
    return n + 1 > cap ? `cap:${it.ns}` : null;
  }
}
