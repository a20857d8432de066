/**
 * IdentityIndex is the in-memory identity graph the resolver consults per event: an exact index from an
 * identifier's 96-bit keyed fingerprint to its identity id, and for each identity its person, namespace and
 * the next identity of the same person (a circular list, so a merge is one pointer swap and a person's
 * identities can be walked without an index on `identities.person_id`). All of it is uint32 arrays off the
 * JS heap (Words, off-heap.ts: as typed arrays they made the collector let that much more garbage pile up):
 * about 37 bytes per identity and 12 per person, against ~150 bytes for a JS Map entry keyed by the value.
 * The database stays the source of truth; `IdentityIndex.load` rebuilds this from it at start.
 */
import type { Database } from "bun:sqlite";
import { Words } from "../lib/off-heap.ts";
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

export class IdentityIndex {
  // Fingerprint → identity id, split by the fingerprint's top 6 bits into 64 tables (FingerprintTable) so
  // a table that grows rehashes 1/64 of the identities: one table of 2.7M identities held the writer's
  // thread for ~0.3 s while it grew.
  readonly #tables: FingerprintTable[];
  #count = 0;
  // Per identity (index = identity id): person, namespace, list link.
  readonly #person = new Words(16);
  readonly #ns = new Words(16);
  readonly #next = new Words(16);
  // Per person (index = person id): one identity of its circle, identity count, one of its user_ids.
  readonly #head = new Words(16);
  readonly #size = new Words(16);
  readonly #uid = new Words(16);
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

  /** bytes is the memory held by the arrays (the benchmark reports it). */
  get bytes(): number {
    return [this.#person, this.#ns, this.#next, this.#head, this.#size, this.#uid].reduce((s, a) => s + a.bytes, 0)
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
    return id < this.#person.length ? this.#person.get(id) : 0;
  }

  /** sizeOf is the number of identities of a person. */
  sizeOf(person: number): number {
    return person < this.#size.length ? this.#size.get(person) : 0;
  }

  /** hasUserId tells whether the person holds a user_id. */
  hasUserId(person: number): boolean {
    return person < this.#uid.length && this.#uid.get(person) !== 0;
  }

  /** members lists a person's identities. */
  members(person: number): number[] {
    const out: number[] = [];
    this.#eachMember(person, (id) => out.push(id));
    return out;
  }

  /** countNs counts a person's identities in some namespaces (caps). */
  countNs(person: number, nsIds: ReadonlySet<number>, into: Map<number, number>): void {
    this.#eachMember(person, (id) => {
      const ns = this.#ns.get(id);
      if (nsIds.has(ns)) into.set(ns, (into.get(ns) ?? 0) + 1);
    });
  }

  /** #eachMember walks a person's circle of identities. */
  #eachMember(person: number, visit: (id: number) => void): void {
    const head = person < this.#head.length ? this.#head.get(person) : 0;
    if (head === 0) return;
    let id = head;
    do {
      visit(id);
      id = this.#next.get(id);
    } while (id !== head);
  }

  /** add puts an identity into the table and into its person's circle. */
  add(id: number, hi: number, lo: number, chk: number, ns: number, person: number): void {
    this.#reserveIdentity(id);
    this.#reservePerson(person);
    this.#tables[hi >>> 26]!.put(hi, lo, chk, id);
    this.#count++;
    this.#ns.set(id, ns);
    this.#person.set(id, person);
    this.#link(id, person);
  }

  /** remove takes an identity (with this fingerprint) out of the table and out of its person (undo, deletion). */
  remove(id: number, hi: number, lo: number): void {
    const person = this.#person.get(id);
    this.#unlink(id, person);
    this.#person.set(id, 0);
    this.#tables[hi >>> 26]!.remove(id, hi, lo);
    this.#count--;
    this.#ns.set(id, 0);
  }

  /**
   * merge moves every identity of `loser` into `survivor`; the returned record undoes it exactly with
   * `undoMerge`. Splicing two circles is one swap of `next` pointers.
   */
  merge(survivor: number, loser: number): MergeUndo {
    const head = this.#head, size = this.#size, uid = this.#uid;
    const undo: MergeUndo = {
      survivor, loser, moved: this.members(loser),
      survivorHead: head.get(survivor), survivorUid: uid.get(survivor), loserUid: uid.get(loser),
    };
    for (const id of undo.moved) this.#person.set(id, survivor);
    const hl = head.get(loser);
    if (undo.survivorHead === 0) head.set(survivor, hl);
    else if (hl !== 0) this.#swapNext(undo.survivorHead, hl);
    size.set(survivor, size.get(survivor) + size.get(loser));
    if (undo.survivorUid === 0) uid.set(survivor, undo.loserUid);
    head.set(loser, 0);
    size.set(loser, 0);
    uid.set(loser, 0);
    return undo;
  }

  /** undoMerge reverses `merge` (rollback of a failed transaction; later changes must be undone first). */
  undoMerge(u: MergeUndo): void {
    const hl = u.moved[0] ?? 0;
    if (u.survivorHead !== 0 && hl !== 0) this.#swapNext(u.survivorHead, hl);
    this.#head.set(u.survivor, u.survivorHead);
    for (const id of u.moved) this.#person.set(id, u.loser);
    this.#head.set(u.loser, hl);
    this.#size.set(u.loser, u.moved.length);
    this.#size.set(u.survivor, this.#size.get(u.survivor) - u.moved.length);
    this.#uid.set(u.survivor, u.survivorUid);
    this.#uid.set(u.loser, u.loserUid);
  }

  /**
   * assign rebuilds persons from explicit member lists (unmerge, deletion): every listed identity is
   * re-pointed and each person's circle, size and user_id are recomputed.
   */
  assign(groups: ReadonlyMap<number, readonly number[]>): void {
    for (const [person, ids] of groups) {
      this.#reservePerson(person);
      this.#head.set(person, ids[0] ?? 0);
      this.#size.set(person, ids.length);
      let uid = 0;
      ids.forEach((id, k) => {
        this.#person.set(id, person);
        this.#next.set(id, ids[(k + 1) % ids.length]!);
        if (uid === 0 && this.#ns.get(id) === this.userIdNs) uid = id;
      });
      this.#uid.set(person, uid);
    }
  }

  #link(id: number, person: number): void {
    const next = this.#next;
    const head = this.#head.get(person);
    if (head === 0) {
      this.#head.set(person, id);
      next.set(id, id);
    } else {
      next.set(id, next.get(head));
      next.set(head, id);
    }
    this.#size.set(person, this.#size.get(person) + 1);
    if (this.#uid.get(person) === 0 && this.#ns.get(id) === this.userIdNs) this.#uid.set(person, id);
  }

  #unlink(id: number, person: number): void {
    if (person === 0) return;
    const next = this.#next;
    let prev = id;
    while (next.get(prev) !== id) prev = next.get(prev);
    if (prev === id) this.#head.set(person, 0);
    else {
      next.set(prev, next.get(id));
      if (this.#head.get(person) === id) this.#head.set(person, prev);
    }
    next.set(id, 0);
    this.#size.set(person, this.#size.get(person) - 1);
    if (this.#uid.get(person) === id) {
      this.#uid.set(person, this.members(person).find((m) => this.#ns.get(m) === this.userIdNs) ?? 0);
    }
  }

  #swapNext(a: number, b: number): void {
    const next = this.#next;
    const t = next.get(a);
    next.set(a, next.get(b));
    next.set(b, t);
  }

  #reserveIdentity(id: number, factor = GROWTH): void {
    if (id < this.#person.length) return;
    const n = Math.max(16, Math.ceil(id * factor));
    for (const w of [this.#person, this.#ns, this.#next]) w.resize(n);
  }

  #reservePerson(id: number, factor = GROWTH): void {
    if (id < this.#head.length) return;
    const n = Math.max(16, Math.ceil(id * factor));
    for (const w of [this.#head, this.#size, this.#uid]) w.resize(n);
  }
}

/**
 * FingerprintTable is an open-addressing table of 16-byte slots: fingerprint (hi, lo, chk) and identity id
 * (0 = empty). Interleaved so a probe touches one cache line: separate arrays cost ~3 cache misses per
 * lookup (measured 0.45 µs per find on 2M identities). Capacities are not powers of two, to waste less.
 * A lookup reads four slots per call (reading off-heap words is an FFI call).
 */
class FingerprintTable {
  #slots: Words;
  #cap: number;
  #count = 0;
  readonly #probe = new Uint32Array(16);

  constructor(capacity: number) {
    this.#cap = Math.max(16, Math.ceil(capacity / 0.75));
    this.#slots = new Words(this.#cap * 4);
  }

  get bytes(): number {
    return this.#slots.bytes;
  }

  find(hi: number, lo: number, chk: number): number {
    let i = this.#slot(hi, lo);
    for (;;) {
      const n = Math.min(4, this.#cap - i);
      const p = this.#slots.peek(i << 2, n << 2);
      for (let k = 0; k < n; k++) {
        const o = k << 2;
        const id = p[o + 3]!;
        if (id === EMPTY) return 0;
        if (p[o] === hi && p[o + 1] === lo && p[o + 2] === chk) return id;
      }
      i = i + n === this.#cap ? 0 : i + n;
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
    const p = this.#probe;
    let i = this.#slot(hi, lo);
    while (s.get((i << 2) + 3) !== id) {
      if (s.get((i << 2) + 3) === EMPTY) throw new Error(`identity ${id} is not in the index`);
      i = i + 1 === cap ? 0 : i + 1;
    }
    // Backward-shift deletion keeps every probe chain intact without tombstones.
    let j = i;
    for (;;) {
      j = j + 1 === cap ? 0 : j + 1;
      s.load(j << 2, 4, p);
      if (p[3] === EMPTY) break;
      const home = this.#slot(p[0]!, p[1]!);
      if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
        s.store(i << 2, 4, p);
        i = j;
      }
    }
    s.clear(i << 2, (i << 2) + 4);
    this.#count--;
  }

  #place(hi: number, lo: number, chk: number, id: number): void {
    const s = this.#slots;
    let i = this.#slot(hi, lo);
    while (s.get((i << 2) + 3) !== EMPTY) i = i + 1 === this.#cap ? 0 : i + 1;
    const p = this.#probe;
    p[0] = hi;
    p[1] = lo;
    p[2] = chk;
    p[3] = id;
    s.store(i << 2, 4, p);
  }

  #slot(hi: number, lo: number): number {
    // Map the mixed 32 bits onto [0, cap) by multiplication ("fastrange"): no power-of-two capacity needed.
    const mixed = (Math.imul(lo ^ (hi >>> 15), 0x9e3779b1) ^ hi) >>> 0;
    return Math.min(this.#cap - 1, Math.floor(mixed * this.#cap * 2.3283064365386963e-10));
  }

  #grow(): void {
    const old = this.#slots;
    const oldCap = this.#cap;
    this.#cap = Math.ceil(this.#cap * GROWTH);
    this.#slots = new Words(this.#cap * 4);
    // Read the old table 16 slots per call; #place reuses #probe, so copy out of a buffer of its own.
    const chunk = new Uint32Array(64);
    for (let i = 0; i < oldCap; i += 16) {
      const n = Math.min(16, oldCap - i);
      old.load(i << 2, n << 2, chunk);
      for (let k = 0; k < n; k++) {
        const o = k << 2;
        if (chunk[o + 3] !== EMPTY) this.#place(chunk[o]!, chunk[o + 1]!, chunk[o + 2]!, chunk[o + 3]!);
      }
    }
    // Free the outgrown table now: the collector's next pass can be seconds away on a busy thread.
    old.free();
  }
}
