/**
 * The junk-value guard: ids that SDKs and apps send when they have no real id (`null`, `0`, `anonymous`,
 * `[object Object]`, the all-zero IDFA…) would otherwise join every stranger into one mega-person
 * (PostHog/posthog#5527, Segment's blocked values). The defaults are the union of Segment's recommended
 * blocked values and PostHog's illegal distinct ids; settings may replace them.
 */

/**
 * DEFAULT_BLOCKLIST is matched case-insensitively, also inside single or double quotes; an entry written
 * `=value` matches that case only. NaN is one: what JavaScript (`NaN`) and Python (`nan`) print for a
 * missing number, while PostHog's own tests keep "Nan" a legal id (its illegal ids are case-sensitive).
 */
export const DEFAULT_BLOCKLIST: readonly string[] = [
  "null", "undefined", "0", "-1", "anonymous", "guest", "unknown", "none", "nil", "=NaN", "=nan", "true", "false",
  "[object object]", "void", "abc123", "n/a", "(null)", "{}", "[]",
  // PostHog's illegal distinct ids (plugin-server person-state.ts).
  "distinctid", "distinct_id", "id", "not_authenticated", "email",
];

/** DEFAULT_PATTERNS: all zeros and dashes (the zeroed IDFA/GAID `00000000-0000-…`), Segment's `^[0-]*$`. */
export const DEFAULT_PATTERNS: readonly string[] = ["^[0-]*$"];

/** Longest value accepted as an identifier; longer ones are payloads, not ids (Adobe skips > 1024). */
export const MAX_VALUE_LENGTH = 1024;

/** JunkFilter answers whether a value must never become a linkable identifier. */
export class JunkFilter {
  readonly #values: Set<string>;
  /** Entries written `=value`: matched in their own case. */
  readonly #exact: Set<string>;
  readonly #patterns: RegExp[];
  readonly #longest: number;
  /** First characters (lower-cased) of blocked values: most ids can skip the lower-casing and the set lookup. */
  readonly #first = new Set<number>([34, 39]);
  /** Only the default zero pattern is set: skip the regex unless the value starts with 0 or -. */
  readonly #onlyZeroPattern: boolean;

  constructor(values: readonly string[] = DEFAULT_BLOCKLIST, patterns: readonly string[] = DEFAULT_PATTERNS) {
    const exact = values.filter((v) => v.startsWith("="));
    this.#exact = new Set(exact.map((v) => v.slice(1).trim()));
    this.#values = new Set(values.filter((v) => !v.startsWith("=")).map((v) => v.trim().toLowerCase()));
    this.#patterns = patterns.map((p) => new RegExp(p, "i"));
    const all = [...this.#values, ...[...this.#exact].map((v) => v.toLowerCase())];
    this.#longest = Math.max(0, ...all.map((v) => v.length)) + 2;
    for (const v of all) if (v.length > 0) this.#first.add(v.charCodeAt(0));
    this.#onlyZeroPattern = patterns.length === 1 && patterns[0] === DEFAULT_PATTERNS[0];
  }

  /** isJunk is true for blocked, blank and over-long values. */
  isJunk(value: string): boolean {
    const n = value.length;
    if (n === 0 || n > MAX_VALUE_LENGTH) return true;
    const c = value.charCodeAt(0);
    // Blank values; the common ids (UUIDs, numbers, openids) start with a letter or digit.
    if (c <= 32 && value.trim() === "") return true;
    const lc = c >= 65 && c <= 90 ? c + 32 : c;
    if (n <= this.#longest && (c <= 32 || this.#first.has(lc))) {
      let v = value.trim();
      const q = v.charCodeAt(0);
      if ((q === 34 || q === 39) && v.length >= 2 && v.charCodeAt(v.length - 1) === q) v = v.slice(1, -1).trim();
      if (v === "" || this.#values.has(v.toLowerCase()) || this.#exact.has(v)) return true;
    }
    if (this.#onlyZeroPattern) return (c === 48 || c === 45) && this.#patterns[0]!.test(value);
    for (const p of this.#patterns) if (p.test(value)) return true;
    return false;
  }
}
