/**
 * IdentityIndex is the in-memory identity graph the resolver consults per event: an exact index from an
 * identifier's 96-bit keyed fingerprint to its identity id, and for each identity its person, namespace and
 * the next identity of the same person (a circular list, so a merge is one pointer swap and a person's
 * identities can be walked without an index on `identities.person_id`). All of it is typed arrays: about
 * 35 bytes per identity and 12 per person, against ~150 bytes for a JS Map entry keyed by the value string.
 * The database stays the source of truth; `IdentityIndex.load` rebuilds this from it at start.
 */
import type { Database } from "bun:sqlite";
import { release } from "../store/hash-set64.ts";
import { parseHash } from "./fingerprint.ts";
import { NS } from "./identifier.ts";

/** Identity flag: a junk value, stored so its events have an identity, never linked. */
export const JUNK = 1;

const EMPTY = 0;

/** MergeUndo is what `undoMerge` needs to split two merged persons back exactly. */
export interface MergeUndo {
  readonly survivor: number;
  readonly loser: number;
  readonly moved: readonly number[];
  readonly survivorHead: number;
  readonly survivorUid: number;
  readonly loserUid: number;
}

/** MAX_LOAD: past it the table grows by GROWTH; capacities are not powers of two, to waste less memory. */
const MAX_LOAD = 0.8;
const GROWTH = 1.5;
const SHARDS = 64;

/** grown returns `a`, or a copy of it with room past index `need` (× factor) when it is too short. */
export function grown<T extends Int32Array | Uint32Array | Uint16Array>(a: T, need: number, factor: number): T {
  if (need < a.length) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(16, Math.ceil(need * factor)));
  b.set(a);
  return b;
}

export class IdentityIndex {
  // Fingerprint → identity id, split by the fingerprint's top 6 bits into 64 tables (FingerprintTable) so
  // a table that grows rehashes 1/64 of the identities: one table of 2.7M identities held the writer's
  // thread for ~0.3 s while it grew.
  readonly #tables: FingerprintTable[];
  #count = 0;
  // Per identity (index = identity id): person, namespace, list link.
  #person = new Int32Array(16);
  #ns = new Uint16Array(16);
  #next = new Int32Array(16);
  // Per person (index = person id): one identity of its circle, identity count, one of its user_ids.
  #head = new Int32Array(16);
  #size = new Int32Array(16);
  #uid = new Int32Array(16);
  readonly #nsIds = new Map<string, number>();
  readonly #nsNames: string[] = [""];
  #lastNs = "";
  #lastNsId = 0;
  #prevNs = "";
  #prevNsId = 0;
  /** The namespace id of user_id, fixed at construction so the hot path compares integers. */
  readonly userIdNs: number;

  constructor(capacity = 1 << 12) {
    this.#tables = Array.from({ length: SHARDS }, () => new FingerprintTable(Math.ceil(capacity / SHARDS)));
    this.userIdNs = this.nsId(NS.userId);
  }

  /** load rebuilds the index from `identities` (fingerprints come from value_hash: nothing is decrypted). */
  static load(db: Database): IdentityIndex {
    const { n, maxId } = db.query<{ n: number; maxId: number | null }, []>(
      "SELECT count(*) AS n, max(id) AS maxId FROM identities",
    ).get()!;
    const maxPerson = db.query<{ m: number | null }, []>("SELECT max(id) AS m FROM persons").get()!.m ?? 0;
    // Room for 12.5% growth before the first rehash.
    const index = new IdentityIndex(Math.max(1 << 12, n * 1.125));
    index.#reserveIdentity(maxId ?? 0, 1.125);
    index.#reservePerson(maxPerson, 1.125);
    const rows = db.query<{ id: number; ns: string; h: string; p: number }, []>(
      "SELECT id, ns, value_hash AS h, person_id AS p FROM identities",
    );
    for (const r of rows.iterate()) {
      const [hi, lo, chk] = parseHash(r.h);
      index.add(r.id, hi, lo, chk, index.nsId(r.ns), r.p);
    }
    return index;
  }

  /** size is the number of identities held. */
  get size(): number {
    return this.#count;
  }

  /** bytes is the memory held by the typed arrays (the benchmark reports it). */
  get bytes(): number {
    return [this.#person, this.#ns, this.#next, this.#head, this.#size, this.#uid].reduce((s, a) => s + a.byteLength, 0)
      + this.#tables.reduce((s, t) => s + t.bytes, 0);
  }

  /** nsId returns the small integer of a namespace, assigning one when new. */
  nsId(ns: string): number {
    // Messages alternate between a few namespaces: remember the last two before hashing the name.
    if (ns === this.#lastNs) return this.#lastNsId;
    if (ns === this.#prevNs) return this.#prevNsId;
    let id = this.#nsIds.get(ns);
    if (id === undefined) {
      id = this.#nsNames.length;
      if (id > 0xffff) throw new Error("more than 65535 identifier namespaces");
      this.#nsIds.set(ns, id);
      this.#nsNames.push(ns);
    }
    this.#prevNs = this.#lastNs;
    this.#prevNsId = this.#lastNsId;
    this.#lastNs = ns;
    this.#lastNsId = id;
    return id;
  }

  /** hasNs reports whether an identifier of this namespace was ever looked up or stored. */
  hasNs(ns: string): boolean {
    return this.#nsIds.has(ns);
  }

  /** namespaces lists every namespace seen (person search tries a value in each). */
  get namespaces(): readonly string[] {
    return this.#nsNames.slice(1);
  }

  /** nsName is the namespace of a namespace id. */
  nsName(nsId: number): string {
    return this.#nsNames[nsId] ?? "";
  }

  /** find returns the identity id with this fingerprint, or 0. */
  find(hi: number, lo: number, chk: number): number {
    return this.#tables[hi >>> 26]!.find(hi, lo, chk);
  }

  /** personOf is the identity's current person (0 when the identity is unknown). */
  personOf(id: number): number {
    return id < this.#person.length ? this.#person[id]! : 0;
  }

  /** sizeOf is the number of identities of a person. */
  sizeOf(person: number): number {
    return person < this.#size.length ? this.#size[person]! : 0;
  }

  /** hasUserId tells whether the person holds a user_id. */
  hasUserId(person: number): boolean {
    return person < this.#uid.length && this.#uid[person]! !== 0;
  }

  /** members lists a person's identities. */
  members(person: number): number[] {
    const out: number[] = [];
    const head = person < this.#head.length ? this.#head[person]! : 0;
    if (head === 0) return out;
    let id = head;
    do {
      out.push(id);
      id = this.#next[id]!;
    } while (id !== head);
    return out;
  }

  /** countNs counts a person's identities in some namespaces (caps). */
  countNs(person: number, nsIds: ReadonlySet<number>, into: Map<number, number>): void {
    const head = this.#head[person] ?? 0;
    if (head === 0) return;
    let id = head;
    do {
      const ns = this.#ns[id]!;
      if (nsIds.has(ns)) into.set(ns, (into.get(ns) ?? 0) + 1);
      id = this.#next[id]!;
    } while (id !== head);
  }

  /** add puts an identity into the table and into its person's circle. */
  add(id: number, hi: number, lo: number, chk: number, ns: number, person: number): void {
    this.#reserveIdentity(id);
    this.#reservePerson(person);
    this.#tables[hi >>> 26]!.put(hi, lo, chk, id);
    this.#count++;
    this.#ns[id] = ns;
    this.#person[id] = person;
    this.#link(id, person);
  }

  /** remove takes an identity (with this fingerprint) out of the table and out of its person (undo, deletion). */
  remove(id: number, hi: number, lo: number): void {
    const person = this.#person[id]!;
    this.#unlink(id, person);
    this.#person[id] = 0;
    this.#tables[hi >>> 26]!.remove(id, hi, lo);
    this.#count--;
    this.#ns[id] = 0;
  }

  /**
   * merge moves every identity of `loser` into `survivor`; the returned record undoes it exactly with
   * `undoMerge`. Splicing two circles is one swap of `next` pointers.
   */
  merge(survivor: number, loser: number): MergeUndo {
    const undo: MergeUndo = {
      survivor, loser, moved: this.members(loser),
      survivorHead: this.#head[survivor]!, survivorUid: this.#uid[survivor]!, loserUid: this.#uid[loser]!,
    };
    for (const id of undo.moved) this.#person[id] = survivor;
    const hl = this.#head[loser]!;
    if (undo.survivorHead === 0) this.#head[survivor] = hl;
    else if (hl !== 0) this.#swapNext(undo.survivorHead, hl);
    this.#size[survivor]! += this.#size[loser]!;
    if (this.#uid[survivor] === 0) this.#uid[survivor] = undo.loserUid;
    this.#head[loser] = 0;
    this.#size[loser] = 0;
    this.#uid[loser] = 0;
    return undo;
  }

  /** undoMerge reverses `merge` (rollback of a failed transaction; later changes must be undone first). */
  undoMerge(u: MergeUndo): void {
    const hl = u.moved[0] ?? 0;
    if (u.survivorHead !== 0 && hl !== 0) this.#swapNext(u.survivorHead, hl);
    this.#head[u.survivor] = u.survivorHead;
    for (const id of u.moved) this.#person[id] = u.loser;
    this.#head[u.loser] = hl;
    this.#size[u.loser] = u.moved.length;
    this.#size[u.survivor]! -= u.moved.length;
    this.#uid[u.survivor] = u.survivorUid;
    this.#uid[u.loser] = u.loserUid;
  }

  /**
   * assign rebuilds persons from explicit member lists (unmerge, deletion): every listed identity is
   * re-pointed and each person's circle, size and user_id are recomputed.
   */
  assign(groups: ReadonlyMap<number, readonly number[]>): void {
    for (const [person, ids] of groups) {
      this.#reservePerson(person);
      this.#head[person] = ids[0] ?? 0;
      this.#size[person] = ids.length;
      this.#uid[person] = 0;
      ids.forEach((id, k) => {
        this.#person[id] = person;
        this.#next[id] = ids[(k + 1) % ids.length]!;
        if (this.#uid[person] === 0 && this.#ns[id] === this.userIdNs) this.#uid[person] = id;
      });
    }
  }

  #link(id: number, person: number): void {
    const head = this.#head[person]!;
    if (head === 0) {
      this.#head[person] = id;
      this.#next[id] = id;
    } else {
      this.#next[id] = this.#next[head]!;
      this.#next[head] = id;
    }
    this.#size[person]!++;
    if (this.#uid[person] === 0 && this.#ns[id] === this.userIdNs) this.#uid[person] = id;
  }

  #unlink(id: number, person: number): void {
    if (person === 0) return;
    let prev = id;
    while (this.#next[prev] !== id) prev = this.#next[prev]!;
    if (prev === id) this.#head[person] = 0;
    else {
      this.#next[prev] = this.#next[id]!;
      if (this.#head[person] === id) this.#head[person] = prev;
    }
    this.#next[id] = 0;
    this.#size[person]!--;
    if (this.#uid[person] === id) {
      this.#uid[person] = 0;
      for (const m of this.members(person)) {
        if (this.#ns[m] === this.userIdNs) {
          this.#uid[person] = m;
          break;
        }
      }
    }
  }

  #swapNext(a: number, b: number): void {
    const t = this.#next[a]!;
    this.#next[a] = this.#next[b]!;
    this.#next[b] = t;
  }

  #reserveIdentity(id: number, factor = GROWTH): void {
    if (id < this.#person.length) return;
    this.#person = grown(this.#person, id, factor);
    this.#ns = grown(this.#ns, id, factor);
    this.#next = grown(this.#next, id, factor);
  }

  #reservePerson(id: number, factor = GROWTH): void {
    if (id < this.#head.length) return;
    this.#head = grown(this.#head, id, factor);
    this.#size = grown(this.#size, id, factor);
    this.#uid = grown(this.#uid, id, factor);
  }
}

/**
 * FingerprintTable is an open-addressing table of 16-byte slots: fingerprint (hi, lo, chk) and identity id
 * (0 = empty). Interleaved so a probe touches one cache line: separate arrays cost ~3 cache misses per
 * lookup (measured 0.45 µs per find on 2M identities). Capacities are not powers of two, to waste less.
 */
class FingerprintTable {
  #slots: Uint32Array<ArrayBuffer>;
  #cap: number;
  #count = 0;

  constructor(capacity: number) {
    this.#cap = Math.max(16, Math.ceil(capacity / 0.75));
    this.#slots = new Uint32Array(this.#cap * 4);
  }

  get bytes(): number {
    return this.#slots.byteLength;
  }

  find(hi: number, lo: number, chk: number): number {
    const s = this.#slots;
    let i = this.#slot(hi, lo);
    for (;;) {
      const o = i << 2;
      const id = s[o + 3]!;
      if (id === EMPTY) return 0;
      if (s[o] === hi && s[o + 1] === lo && s[o + 2] === chk) return id;
      i = i + 1 === this.#cap ? 0 : i + 1;
    }
  }

  put(hi: number, lo: number, chk: number, id: number): void {
    if (this.#count + 1 > this.#cap * MAX_LOAD) this.#grow();
    this.#place(hi, lo, chk, id);
    this.#count++;
  }

  remove(id: number, hi: number, lo: number): void {
    const s = this.#slots;
    const cap = this.#cap;
    let i = this.#slot(hi, lo);
    while (s[(i << 2) + 3] !== id) {
      if (s[(i << 2) + 3] === EMPTY) throw new Error(`identity ${id} is not in the index`);
      i = i + 1 === cap ? 0 : i + 1;
    }
    // Backward-shift deletion keeps every probe chain intact without tombstones.
    let j = i;
    for (;;) {
      j = j + 1 === cap ? 0 : j + 1;
      const oj = j << 2;
      if (s[oj + 3] === EMPTY) break;
      const home = this.#slot(s[oj]!, s[oj + 1]!);
      if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
        s.copyWithin(i << 2, oj, oj + 4);
        i = j;
      }
    }
    s.fill(0, i << 2, (i << 2) + 4);
    this.#count--;
  }

  #place(hi: number, lo: number, chk: number, id: number): void {
    const s = this.#slots;
    let i = this.#slot(hi, lo);
    while (s[(i << 2) + 3] !== EMPTY) i = i + 1 === this.#cap ? 0 : i + 1;
    const o = i << 2;
    s[o] = hi;
    s[o + 1] = lo;
    s[o + 2] = chk;
    s[o + 3] = id;
  }

  #slot(hi: number, lo: number): number {
    // Map the mixed 32 bits onto [0, cap) by multiplication ("fastrange"): no power-of-two capacity needed.
    const mixed = (Math.imul(lo ^ (hi >>> 15), 0x9e3779b1) ^ hi) >>> 0;
    return Math.min(this.#cap - 1, Math.floor(mixed * this.#cap * 2.3283064365386963e-10));
  }

  #grow(): void {
    const old = this.#slots;
    this.#cap = Math.ceil(this.#cap * GROWTH);
    this.#slots = new Uint32Array(this.#cap * 4);
    for (let o = 0; o < old.length; o += 4) {
      if (old[o + 3] !== EMPTY) this.#place(old[o]!, old[o + 1]!, old[o + 2]!, old[o + 3]!);
    }
    release(old);
  }
}
