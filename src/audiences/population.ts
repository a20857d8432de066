/**
 * Population is the contract between the audience evaluators and the data layer (store, identity,
 * tags and audience membership). The set evaluator only ever asks these questions, so the columnar
 * store can answer them from segments + tail, and tests can answer them from plain arrays.
 *
 * Rows: the population is indexed by row `0..size-1`; `personIds[row]` is the person id, ascending,
 * so a set of rows converts to a sorted list of person ids in one pass.
 *
 * Synchronous on purpose: evaluation runs where the data is (the store worker, on one read snapshot
 * that must not outlive the call), and bun:sqlite answers synchronously.
 */
import type { Bitset } from "./bitset.ts";

/**
 * Column is a dictionary-encoded column: `values[codes[i]]` is the value of row i, and code 0 means
 * absent (`values[0]` is never read). `values` holds decoded JS values (not JSON text). Predicates
 * run once per dictionary entry, then per row by table lookup.
 */
export interface Column {
  readonly codes: Uint8Array | Uint16Array | Uint32Array;
  readonly values: readonly unknown[];
}

/** EventScan asks for the events named `event` with `from ≤ ts < to` and the listed properties. */
export interface EventScan {
  readonly event: string;
  /** inclusive lower bound in epoch ms; −Infinity for `ever` windows */
  readonly from: number;
  /** exclusive upper bound in epoch ms */
  readonly to: number;
  /** property paths (as resolved by `readPath`) whose columns the chunks must carry */
  readonly props: readonly string[];
}

/**
 * EventChunk is a batch of events of one name, in any order. `row[i]` is the population row of the
 * event's (merged) person, or −1 when that person is outside the population; `ts[i]` is integer epoch
 * ms. Chunks may include events outside the requested range (e.g. whole segments): the evaluator
 * filters by `ts`. A property missing from `props` is absent on every row of the chunk.
 */
export interface EventChunk {
  readonly n: number;
  readonly row: Int32Array;
  readonly ts: Float64Array;
  readonly props: ReadonlyMap<string, Column>;
}

/** Population is what the set evaluator needs to know about everyone at once. */
export interface Population {
  /** person ids in ascending order; index = row */
  readonly personIds: Int32Array;
  /** trait returns the column (length = personIds.length) of a trait or `$`-prefixed profile field */
  trait(property: string): Column;
  /** tag returns the rows carrying tag `name` (with exactly `value` when given) */
  tag(name: string, value?: string): Bitset;
  /** audience returns the rows of the current membership of audience `id` */
  audience(id: string): Bitset;
  /** events streams the chunks answering one scan */
  events(scan: EventScan): Iterable<EventChunk>;
}

/**
 * readPath is how a property path reads an object (traits or event properties): the own key first
 * (`"$browser"`, `"a.b"` as one key), else a walk along the dots (`"address.city"`). The data layer
 * must build columns with the same rule so both evaluators see the same value.
 */
export function readPath(obj: Readonly<Record<string, unknown>>, path: string): unknown {
  if (Object.hasOwn(obj, path)) return obj[path];
  if (!path.includes(".")) return undefined;
  let cur: unknown = obj;
  for (const key of path.split(".")) {
    if (typeof cur !== "object" || cur === null || !Object.hasOwn(cur, key)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/**
 * PopulationData is the part of Population the store and identity rooms implement; tag and audience
 * membership come from this feature's own tables (stored-memberships.ts).
 */
export type PopulationData = Pick<Population, "personIds" | "trait" | "events">;

/** ActorPerson is a person in the actors shape of SPEC §5.0 (samples, exports). */
export interface ActorPerson {
  readonly id: string;
  readonly identifiers: readonly { readonly type: string; readonly value: string }[];
  readonly traits: Readonly<Record<string, unknown>>;
}

/** PersonDirectory describes persons by id (identity room); unknown ids are left out. */
export interface PersonDirectory {
  describe(personIds: readonly number[]): Promise<ActorPerson[]>;
  /** channels counts the persons reachable on each channel (app, wechat, email, …) through their identifiers. */
  channels(personIds: Int32Array): Promise<Map<string, number>>;
}
