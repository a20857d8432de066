/**
 * The per-event identity resolution the store writer calls inside its group commit (SPEC §4): all
 * identifiers of one message belong to one person, unless a guard says otherwise.
 *
 * Order of work: the primary identifier (the one the event is stored with) fixes the person; the others are
 * taken strongest first (user_id, wx_unionid, phone, email, channel ids, distinct_id, anonymous_id). A known
 * identifier of another person is a merge, a new one an attach; both pass the guards first:
 * - an admin unlinked this pair before → not relinked ("unmerged");
 * - both sides hold a user_id → refused ("user_id"), except an `alias` naming one user_id of each side: the
 *   app itself says they are one user (renaming); this is the SPEC's "no merge of two people holding
 *   different user_ids";
 * - more than `maxIdentities` identifiers in one person → refused ("size", the mega-person guard);
 * - a namespace cap (default one wx_unionid) would be exceeded → refused ("cap:<ns>").
 * A refused identifier stays with (or becomes) its own person and the pair is recorded once in
 * identity_conflicts. Applied links are appended to identity_edges as (primary, other) — only links that
 * connect something new, so the log is a spanning forest and does not grow with repeated traffic.
 */
import type { IdentityResolver, StoreEvent, Tx } from "../store/writer.ts";
import { NS } from "./identifier.ts";
import type { IdentityGraph, Probe } from "./identity-graph.ts";
import { extractIdentifiers, type Candidate, type IdentityInput } from "./identity-input.ts";
import type { Guards } from "./identity-settings.ts";
import type { Suppressions } from "./suppression.ts";

interface Item {
  readonly c: Candidate;
  readonly p: Probe;
}

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
    const ex = extractIdentifiers(input, this.#guards);
    if (ex.list.length === 0) return { reject: "no identifier: the message needs userId, anonymousId or distinct_id" };
    const g = this.#g;
    const items: Item[] = ex.list.map((c) => ({ c, p: g.probe(c.ns, c.value) }));
    if (this.#suppressed.size > 0) {
      for (const { c, p } of items) {
        if (!c.junk && this.#suppressed.has(c.ns, c.value, p.hi, p.lo)) return { reject: "suppressed by a privacy request" };
      }
    }
    const primary = items[0]!;
    if (ex.onlyJunk) return primary.p.id !== 0 ? primary.p.id : g.createJunk(tx, primary.p, event);

    let target = primary.p.id !== 0 ? g.index.personOf(primary.p.id) : 0;
    const pending: Item[] = primary.p.id !== 0 ? [] : [primary];
    const links: Item[] = [];
    const refused: [Item, string][] = [];
    for (let k = 1; k < items.length; k++) {
      const it = items[k]!;
      if (it.p.id !== 0) {
        const person = g.index.personOf(it.p.id);
        if (person === target) continue;
        const why = this.#mergeGuard(target, pending, person, primary, it);
        if (why) refused.push([it, why]);
        else {
          target = target === 0 ? person : g.merge(tx, target, person);
          links.push(it);
        }
      } else {
        const why = this.#attachGuard(target, pending, primary, it);
        if (why) refused.push([it, why]);
        else {
          pending.push(it);
          links.push(it);
        }
      }
    }
    if (target === 0) target = g.createPerson(tx);
    for (const it of pending) g.createIdentity(tx, it.p, target, event);
    const a = primary.p.id;
    for (const [it, why] of refused) {
      if (it.p.id === 0) g.createIdentity(tx, it.p, g.createPerson(tx), event);
      g.conflict(tx, a, it.p.id, why, it.c.kind, event);
    }
    for (const it of links) g.edge(tx, a, it.p.id, it.c.kind, event);
    if (input.traits) g.applyTraits(tx, target, input.traits, { t: event.ts, s: event.source, i: a });
    return a;
  };

  /** aliasRename: an alias between two user_ids is the app renaming its user, not two people meeting. */
  #aliasRename(primary: Item, it: Item): boolean {
    return it.c.kind === "alias" && primary.c.ns === NS.userId && it.c.ns === NS.userId;
  }

  #sideHasUserId(target: number, pending: readonly Item[]): boolean {
    const uidNs = this.#g.index.userIdNs;
    return (target !== 0 && this.#g.index.hasUserId(target)) || pending.some((x) => x.p.nsId === uidNs);
  }

  #mergeGuard(target: number, pending: readonly Item[], other: number, primary: Item, it: Item): string | null {
    const index = this.#g.index;
    if (primary.p.id !== 0 && this.#g.isRemoved(primary.p.id, it.p.id)) return "unmerged";
    if (index.hasUserId(other) && this.#sideHasUserId(target, pending) && !this.#aliasRename(primary, it)) return "user_id";
    if (index.sizeOf(target) + pending.length + index.sizeOf(other) > this.#guards.maxIdentities) return "size";
    if (this.#capNs.size === 0) return null;
    // A cap is only broken by a merge that brings values of the namespace from both sides.
    const mine = this.#counts;
    mine.clear();
    if (target !== 0) index.countNs(target, this.#capSet, mine);
    for (const x of pending) if (this.#capNs.has(x.p.nsId)) mine.set(x.p.nsId, (mine.get(x.p.nsId) ?? 0) + 1);
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
    const ns = it.p.nsId;
    if (ns === index.userIdNs && this.#sideHasUserId(target, pending) && !this.#aliasRename(primary, it)) return "user_id";
    if (index.sizeOf(target) + pending.length + 1 > this.#guards.maxIdentities) return "size";
    const cap = this.#capNs.get(ns);
    if (cap === undefined) return null;
    const have = this.#counts;
    have.clear();
    if (target !== 0) index.countNs(target, this.#capSet, have);
    const n = (have.get(ns) ?? 0) + pending.filter((x) => x.p.nsId === ns).length;
    return n + 1 > cap ? `cap:${it.c.ns}` : null;
  }
}
