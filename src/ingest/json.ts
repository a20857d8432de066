/**
 * JSON value types and small readers. Everything the ingest layer handles came out of `JSON.parse`
 * (or a query string turned into an object), so these types are exact, not hopeful.
 */

/** Json is any value `JSON.parse` can return. */
export type Json = string | number | boolean | null | Json[] | JsonObject;

/** JsonObject is a parsed JSON object. */
export interface JsonObject {
  [key: string]: Json;
}

/** isObject reports whether `v` is a plain JSON object (not null, not an array). */
export function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** str reads `o[key]` when it is a non-empty string. */
export function str(o: JsonObject | null | undefined, key: string): string | undefined {
  const v = o?.[key];
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** obj reads `o[key]` when it is a JSON object. */
export function obj(o: JsonObject | null | undefined, key: string): JsonObject | undefined {
  const v = o?.[key];
  return isObject(v) ? v : undefined;
}

/**
 * asJsonObject narrows a value that zod checked to be a record of unknowns. The cast is sound because
 * every ingest value was produced by `JSON.parse` or by `queryToObject`, both of which yield JSON only.
 */
export function asJsonObject(v: Record<string, unknown> | null | undefined): JsonObject | null {
  return v ? (v as JsonObject) : null;
}

/**
 * depthExceeds reports whether `v` nests objects/arrays deeper than `max` levels. Deep nesting parses fine
 * but later makes `JSON.stringify` throw a RangeError (measured: 100k levels), so it is refused at the door.
 * Only containers are descended, so a flat event costs one pass over its keys.
 */
export function depthExceeds(v: unknown, max: number): boolean {
  if (typeof v !== "object" || v === null) return false;
  if (max <= 0) return true;
  if (Array.isArray(v)) {
    for (const x of v) if (typeof x === "object" && x !== null && depthExceeds(x, max - 1)) return true;
    return false;
  }
  for (const k in v) {
    const x = (v as Record<string, unknown>)[k];
    if (typeof x === "object" && x !== null && depthExceeds(x, max - 1)) return true;
  }
  return false;
}
