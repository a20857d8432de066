/**
 * Reading properties off store chunks: the filter grammar evaluated once per dictionary entry and
 * then per row by table lookup (event properties from the chunk's segment dictionary, person
 * properties from the worker's person columns), breakdown labels mapped to query-wide codes, and
 * numeric property values. Tables are cached per dictionary array, which the reader shares between
 * all chunks of a segment, so a 30-day query computes each table once per segment, not per chunk.
 */
import type { Database } from "bun:sqlite";
import { readPath } from "../../audiences/population.ts";
import type { Chunk, StoreReader } from "../../store/reader.ts";
import type { PropColumn } from "../../store/segment.ts";
import { compileLeaf, type Filter } from "../filter.ts";
import type { PersonColumn, PersonColumns } from "./person-columns.ts";

/** EVENT_NAME is the pseudo-property holding the event's name (filters and breakdowns on it). */
export const EVENT_NAME = "$event";

/** Env is what column readers need: the snapshot and the worker's person columns. */
export interface Env {
  readonly reader: StoreReader;
  readonly db: Database;
  readonly people: PersonColumns;
}

/** ChunkRows is a chunk with its rows' persons, mapped once when some reader needs them. */
export class ChunkRows {
  #persons: Int32Array | null = null;

  constructor(readonly chunk: Chunk, private readonly personOf: Int32Array) {}

  /** persons maps each row's identity to its person (−1 unknown). */
  persons(): Int32Array {
    if (this.#persons) return this.#persons;
    const { n, identity } = this.chunk;
    const pm = this.personOf;
    const len = pm.length;
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const id = identity[i]!;
      out[i] = id < len ? pm[id]! : -1;
    }
    return (this.#persons = out);
  }
}

/** Mask is a per-row pass/fail, or true/false for every row of the chunk. */
export type Mask = Uint8Array | boolean;

/** VecFilter evaluates a filter for all rows of a chunk. */
export type VecFilter = (rows: ChunkRows) => Mask;

const derived = new WeakMap<readonly unknown[], Map<string, unknown[]>>();

/**
 * eventProp reads an event property of a chunk with `readPath`'s rule: the own key first, else the
 * first dot-separated part walked into (dictionaries of objects are mapped once per path).
 */
export function eventProp(chunk: Chunk, path: string): PropColumn | undefined {
  const own = chunk.prop(path);
  if (own || !path.includes(".")) return own;
  const head = path.slice(0, path.indexOf("."));
  const col = chunk.prop(head);
  if (!col) return undefined;
  let byPath = derived.get(col.dict);
  if (!byPath) derived.set(col.dict, (byPath = new Map()));
  let dict = byPath.get(path);
  if (!dict) byPath.set(path, (dict = col.dict.map((v) => readPath({ [head]: v }, path))));
  return { codes: col.codes, dict };
}

/** codeTable maps every dictionary code (0 = absent) through `fn`, cached per dictionary. */
function codeTable<T extends Uint8Array | Int32Array | Float64Array>(
  dict: readonly unknown[], cache: WeakMap<readonly unknown[], T>, make: (n: number) => T, fn: (v: unknown) => number,
): T {
  let t = cache.get(dict);
  if (!t) {
    t = make(dict.length + 1);
    t[0] = fn(undefined);
    for (let c = 1; c <= dict.length; c++) t[c] = fn(dict[c - 1]);
    cache.set(dict, t);
  }
  return t;
}

function constant(t: Uint8Array): boolean | null {
  for (let c = 1; c < t.length; c++) if (t[c] !== t[0]) return null;
  return t[0] === 1;
}

/** compileVec turns a filter into a chunk-wide evaluator (absent filter: undefined). */
export function compileVec(f: Filter | undefined, env: Env): VecFilter | undefined {
  if (!f) return undefined;
  if ("and" in f || "or" in f) {
    const isAnd = "and" in f;
    const parts = (isAnd ? f.and : f.or).map((x) => compileVec(x, env)!);
    return (rows) => {
      let acc: Mask = isAnd;
      for (const p of parts) {
        const m = p(rows);
        if (m === !isAnd) return m; // false short-circuits and, true short-circuits or
        if (m === isAnd) continue;
        if (typeof acc === "boolean") acc = Uint8Array.from(m as Uint8Array);
        else if (isAnd) for (let i = 0; i < acc.length; i++) acc[i]! &= (m as Uint8Array)[i]!;
        else for (let i = 0; i < acc.length; i++) acc[i]! |= (m as Uint8Array)[i]!;
      }
      return acc;
    };
  }
  if ("not" in f) {
    const inner = compileVec(f.not, env)!;
    return (rows) => {
      const m = inner(rows);
      return typeof m === "boolean" ? !m : m.map((x) => x ^ 1);
    };
  }
  const test = compileLeaf(f.op, f.value);
  const pass = (v: unknown) => (test(v) ? 1 : 0);
  if (f.type === "person") {
    const col = env.people.column(env.db, f.property);
    const table = new Uint8Array(col.values.length + 1);
    table[0] = pass(undefined);
    col.values.forEach((v, c) => (table[c + 1] = pass(v)));
    const all = constant(table);
    if (all !== null) return () => all;
    return (rows) => {
      const persons = rows.persons();
      const codes = col.codes;
      const len = codes.length;
      const out = new Uint8Array(persons.length);
      for (let i = 0; i < out.length; i++) {
        const p = persons[i]!;
        out[i] = table[p >= 0 && p < len ? codes[p]! : 0]!;
      }
      return out;
    };
  }
  if (f.property === EVENT_NAME) return (rows) => test(env.reader.eventName(rows.chunk.event));
  const tables = new WeakMap<readonly unknown[], Uint8Array>();
  return (rows) => {
    const col = eventProp(rows.chunk, f.property);
    if (!col) return test(undefined);
    const table = codeTable(col.dict, tables, (n) => new Uint8Array(n), pass);
    const all = constant(table);
    if (all !== null) return all;
    const { codes } = col;
    const out = new Uint8Array(rows.chunk.n);
    for (let i = 0; i < out.length; i++) out[i] = table[codes[i]!]!;
    return out;
  };
}

/** labelOfValue is how a property value reads as a breakdown label ("" when missing). */
export function labelOfValue(v: unknown): string {
  if (v === undefined || v === null) return "";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

/** Labels assigns query-wide codes to breakdown labels; "" stays −1 (missing, SPEC). */
export class Labels {
  readonly labels: string[] = [];
  readonly #index = new Map<string, number>();

  code(label: string): number {
    if (label === "") return -1;
    let c = this.#index.get(label);
    if (c === undefined) {
      c = this.labels.length;
      this.labels.push(label);
      this.#index.set(label, c);
    }
    return c;
  }
}

/**
 * CodeLookup is how the rows of one chunk get their breakdown code (−1 missing): one code for all,
 * `table[codes[i]]` by the row's dictionary code, or `table[codes[person]]` by the row's person. The
 * scan applies it inline, so no per-row array is built per chunk.
 */
export type CodeLookup =
  | { readonly by: "all"; readonly code: number }
  | { readonly by: "row"; readonly table: Int32Array; readonly codes: PropColumn["codes"] }
  | { readonly by: "person"; readonly table: Int32Array; readonly codes: Int32Array };

/** BreakdownSource gives the lookup of a chunk. */
export type BreakdownSource = (rows: ChunkRows) => CodeLookup;

/**
 * breakdownSource reads a breakdown property for rows: an event property through the chunk's
 * dictionary, `$event` as the event name, a person property through the person column.
 */
export function breakdownSource(b: { property: string; type: "event" | "person" }, env: Env, labels: Labels): BreakdownSource {
  if (b.type === "person") {
    const col = env.people.column(env.db, b.property);
    const lookup: CodeLookup = { by: "person", table: personTable(col, labels), codes: col.codes };
    return () => lookup;
  }
  if (b.property === EVENT_NAME) return (rows) => ({ by: "all", code: labels.code(env.reader.eventName(rows.chunk.event)) });
  const tables = new WeakMap<readonly unknown[], Int32Array>();
  return (rows) => {
    const col = eventProp(rows.chunk, b.property);
    if (!col) return { by: "all", code: -1 };
    return { by: "row", table: codeTable(col.dict, tables, (n) => new Int32Array(n), (v) => labels.code(labelOfValue(v))), codes: col.codes };
  };
}

function personTable(col: PersonColumn, labels: Labels): Int32Array {
  return Int32Array.from([-1, ...col.values.map((v) => labels.code(labelOfValue(v)))]);
}

/** personCodes returns person id → label code (−1 missing) for a person property. */
export function personCodes(property: string, env: Env, labels: Labels): (person: number) => number {
  const col = env.people.column(env.db, property);
  const table = personTable(col, labels);
  const codes = col.codes;
  return (p) => (p >= 0 && p < codes.length ? table[codes[p]!]! : -1);
}

/** ValueLookup is how the rows of one chunk get a number: one for all, or `table[codes[i]]` (NaN = none). */
export type ValueLookup = number | { readonly table: Float64Array; readonly codes: PropColumn["codes"] };

/** ValueSource gives the value lookup of a chunk. */
export type ValueSource = (rows: ChunkRows) => ValueLookup;

function toNumber(v: unknown): number {
  if (typeof v === "number") return Number.isFinite(v) ? v : NaN;
  if (typeof v === "string" && v.trim() !== "") return Number(v);
  return NaN;
}

/** valueSource reads a numeric event property ("5" counts as 5, as in filters). */
export function valueSource(property: string): ValueSource {
  const tables = new WeakMap<readonly unknown[], Float64Array>();
  return (rows) => {
    const col = eventProp(rows.chunk, property);
    if (!col) return NaN;
    return { table: codeTable(col.dict, tables, (n) => new Float64Array(n), toNumber), codes: col.codes };
  };
}
