/**
 * Person traits (SPEC §4): `$set` overwrites, `$set_once` fills only absent keys, `$unset` removes, and every
 * key remembers when (event time), from which source, by which operation and through which identity it last
 * changed. Pure functions over a TraitState so the rules are unit-testable without a database.
 *
 * Decisions where SPEC is silent:
 * - Event time orders changes, so events applied in any arrival order leave what they would in time order
 *   (PostHog's person-state "ingestion in any order" cases): a `$set`/`$unset` older than the key's last
 *   `$set`/`$unset` is ignored (a late import or a retried old message cannot overwrite a newer value,
 *   Segment's "newest wins"), yet a `$set` beats any `$set_once`; a `$set_once` older than the key's
 *   `$set_once` value replaces it (it came first), and one older than an `$unset` of the key does not bring
 *   it back (an `$unset` leaves a tombstone in the meta, also for a key that was not there).
 * - Merging two persons: per key the most recent change wins; when both last changes were `$set_once` the
 *   earlier wins (it records a first touch); on a tie the surviving (older) person wins (PostHog: target wins).
 * - Splitting a person: a key follows the identity that last changed it (`meta.i`).
 * PII keys (pii.ts) hold their value sealed; `meta.h`, a keyed hash of the value, lets `$set` see "unchanged"
 * without decrypting, and merges/splits move sealed values as they are.
 */

/** TraitOp is the last operation applied to a key. */
export type TraitOp = "set" | "set_once" | "unset";

/** TraitMeta is the provenance of one key: event time, source id, operation, identity id. */
export interface TraitMeta {
  t: number;
  s: number;
  op: TraitOp;
  i: number;
  /** Keyed hash of a sealed (PII) value. */
  h?: string;
}

/** TraitState is a person's traits (PII and the rest together) with their provenance. */
export interface TraitState {
  values: Record<string, unknown>;
  meta: Record<string, TraitMeta>;
}

/** TraitOps are the person-property operations of one message. */
export interface TraitOps {
  readonly set?: Readonly<Record<string, unknown>>;
  readonly setOnce?: Readonly<Record<string, unknown>>;
  readonly unset?: readonly string[];
}

/** Provenance is who is changing traits now. */
export interface Provenance {
  readonly t: number;
  readonly s: number;
  readonly i: number;
}

/** Sealer stores the values of PII keys sealed (pii.ts); absent, every value is kept as is. */
export interface Sealer {
  isSealed(key: string): boolean;
  seal(value: unknown): string;
  hash(key: string, value: unknown): string;
}

/** emptyTraits is a fresh state. */
export function emptyTraits(): TraitState {
  return { values: {}, meta: {} };
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** FORBIDDEN keys would reach Object.prototype through a plain-object map. */
const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);

/** applyTraitOps changes `state` in place and reports whether anything changed. */
export function applyTraitOps(state: TraitState, ops: TraitOps, p: Provenance, sealer?: Sealer): boolean {
  let changed = false;
  const { values, meta } = state;
  const put = (k: string, v: unknown, op: TraitOp, h?: string) => {
    const sealed = sealer?.isSealed(k) === true;
    values[k] = sealed ? sealer!.seal(v) : v;
    meta[k] = sealed ? { t: p.t, s: p.s, op, i: p.i, h: h ?? sealer!.hash(k, v) } : { t: p.t, s: p.s, op, i: p.i };
    changed = true;
  };
  if (ops.setOnce) {
    for (const k in ops.setOnce) {
      const v = ops.setOnce[k];
      if (v === undefined || FORBIDDEN.has(k)) continue;
      const m = meta[k];
      if (has(values, k) ? !(m?.op === "set_once" && m.t > p.t) || same(values[k], v) : m?.op === "unset" && m.t > p.t) continue;
      put(k, v, "set_once");
    }
  }
  if (ops.set) {
    for (const k in ops.set) {
      const v = ops.set[k];
      if (v === undefined || FORBIDDEN.has(k)) continue;
      const m = meta[k];
      if (m && m.t > p.t && m.op !== "set_once") continue;
      if (sealer?.isSealed(k)) {
        const h = sealer.hash(k, v);
        if (has(values, k) && m?.h === h) continue;
        put(k, v, "set", h);
      } else {
        if (has(values, k) && same(values[k], v)) continue;
        put(k, v, "set");
      }
    }
  }
  for (const k of ops.unset ?? []) {
    if (FORBIDDEN.has(k)) continue;
    const m = meta[k];
    if (m && m.t > p.t) continue;
    // an absent key keeps a tombstone too, so an older $set or $set_once arriving later does not bring it back
    if (!has(values, k) && m?.op === "unset" && m.t === p.t) continue;
    delete values[k];
    meta[k] = { t: p.t, s: p.s, op: "unset", i: p.i };
    changed = true;
  }
  return changed;
}

/**
 * settles tells whether applying `ops` to `state` again could never change it, whatever the time: every
 * `set` value is already there (a set skipped as older than the trait's last change is not), every
 * `setOnce` key exists (holding that value, if an older `$set_once` could still replace it) and every
 * `unset` key is already a tombstone. Sealed keys are never called settled (their values are only
 * comparable through a keyed hash). The identity graph uses this to skip re-reading a person whose app
 * repeats the same identify traits on every visit.
 */
export function settles(state: TraitState, ops: TraitOps, sealer?: Sealer): boolean {
  const { values } = state;
  for (const k in ops.set) {
    const v = ops.set[k];
    if (v === undefined || FORBIDDEN.has(k)) continue;
    if (sealer?.isSealed(k) || !has(values, k) || !same(values[k], v)) return false;
  }
  for (const k in ops.setOnce) {
    const v = ops.setOnce[k];
    if (v === undefined || FORBIDDEN.has(k)) continue;
    if (!has(values, k) || (state.meta[k]?.op === "set_once" && !same(values[k], v))) return false;
  }
  for (const k of ops.unset ?? []) if (!FORBIDDEN.has(k) && (has(values, k) || state.meta[k]?.op !== "unset")) return false;
  return true;
}

/** wins decides a merge conflict: does the loser's change of a key beat the survivor's? */
function loserWins(s: TraitMeta | undefined, l: TraitMeta | undefined): boolean {
  if (!l) return false;
  if (!s) return true;
  if (s.op === "set_once" && l.op === "set_once") return l.t < s.t;
  return l.t > s.t;
}

/** mergeTraits combines the survivor's and the loser's traits (module comment: newest change wins). */
export function mergeTraits(survivor: TraitState, loser: TraitState): TraitState {
  const out: TraitState = { values: { ...survivor.values }, meta: { ...survivor.meta } };
  const keys = new Set([...Object.keys(loser.values), ...Object.keys(loser.meta)]);
  for (const k of keys) {
    if (FORBIDDEN.has(k)) continue;
    const inSurvivor = has(survivor.values, k) || has(survivor.meta, k);
    if (inSurvivor && !loserWins(survivor.meta[k], loser.meta[k])) continue;
    if (has(loser.values, k)) out.values[k] = loser.values[k];
    else delete out.values[k];
    if (loser.meta[k]) out.meta[k] = loser.meta[k]!;
  }
  return out;
}

/**
 * splitTraits moves the keys last changed through one of `moving` identities out of `from`; the moved part
 * is returned (to lay over a restored person's own traits, or to start a new person).
 */
export function splitTraits(from: TraitState, moving: ReadonlySet<number>): TraitState {
  const moved = emptyTraits();
  for (const [k, m] of Object.entries(from.meta)) {
    if (!moving.has(m.i)) continue;
    if (has(from.values, k)) moved.values[k] = from.values[k];
    moved.meta[k] = m;
    delete from.values[k];
    delete from.meta[k];
  }
  return moved;
}

/** overlayTraits lays `top` over `base` (top wins), in place on base. */
export function overlayTraits(base: TraitState, top: TraitState): TraitState {
  for (const [k, m] of Object.entries(top.meta)) {
    if (FORBIDDEN.has(k)) continue;
    if (has(top.values, k)) base.values[k] = top.values[k];
    else delete base.values[k];
    base.meta[k] = m;
  }
  return base;
}
