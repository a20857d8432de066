/**
 * Person-property operations from both SDK families (SPEC §4): Segment identify traits are `$set`; PostHog
 * sends `$set`, `$set_once` and `$unset` on any event. A Segment trait object may carry `$set_once`/`$unset`
 * keys too (the same vocabulary, so one SDK call can do both).
 */
import { ItemError } from "./errors.ts";
import { isObject, type Json, type JsonObject } from "./json.ts";
import { EMPTY_TRAITS, type TraitOps } from "./message.ts";

function objectOrEmpty(v: Json | undefined, field: string): JsonObject {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw new ItemError(`${field}: expected an object of properties`);
  return v;
}

/** unsetKeys reads `$unset`: an array of keys (PostHog) or an object whose keys are removed. */
export function unsetKeys(v: Json | undefined, field: string): string[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) {
    if (!v.every((k): k is string => typeof k === "string")) throw new ItemError(`${field}: expected an array of keys`);
    return v;
  }
  if (isObject(v)) return Object.keys(v);
  throw new ItemError(`${field}: expected an array of keys`);
}

/**
 * traitOps builds the operations from their three parts, splitting `$set_once`/`$unset` keys out of the
 * `set` object. `where` prefixes field names in errors ("traits", "properties").
 */
export function traitOps(
  set: JsonObject | null,
  setOnce: Json | undefined,
  unset: Json | undefined,
  where: string,
): TraitOps {
  let s: JsonObject = set ?? {};
  let once = objectOrEmpty(setOnce, `${where}.$set_once`);
  let gone = unsetKeys(unset, `${where}.$unset`);
  if ("$set_once" in s || "$unset" in s || "$set" in s) {
    const { $set: nested, $set_once: o, $unset: u, ...rest } = s;
    s = { ...rest, ...objectOrEmpty(nested, `${where}.$set`) };
    once = { ...objectOrEmpty(o, `${where}.$set_once`), ...once };
    gone = [...unsetKeys(u, `${where}.$unset`), ...gone];
  }
  if (Object.keys(s).length === 0 && Object.keys(once).length === 0 && gone.length === 0) return EMPTY_TRAITS;
  return { set: s, setOnce: once, unset: gone };
}
