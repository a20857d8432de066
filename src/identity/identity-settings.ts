/**
 * Identity guard settings, stored as one JSON row (`settings.key = 'identity'`) and validated with zod when
 * read and when changed. Defaults follow the anchors (ingest-identity.md §3.8): one wx_unionid per person,
 * at most 1000 identifiers per person (Segment's mapping cap), China as the default phone country.
 * `user_id` is not a cap: "no two user_ids in one person" is a hard rule (SPEC §4), see resolver.ts.
 */
import type { Database } from "bun:sqlite";
import { z } from "zod";
import { DEFAULT_BLOCKLIST, DEFAULT_PATTERNS, JunkFilter } from "./junk.ts";

const validRegex = (p: string) => {
  try {
    new RegExp(p, "i");
    return true;
  } catch {
    return false;
  }
};

/** IdentitySettings is the whole configuration of the guards. */
export const IdentitySettings = z.object({
  blocklist: z.array(z.string().max(200)).max(5000).default([...DEFAULT_BLOCKLIST]),
  blockPatterns: z.array(z.string().max(200).refine(validRegex, "must be a valid regular expression")).max(50)
    .default([...DEFAULT_PATTERNS]),
  /** Most distinct values of a namespace one person may hold (a link beyond it is refused and reported). */
  caps: z.record(z.string().regex(/^[a-z0-9][a-z0-9_.-]*(:[A-Za-z0-9_.-]+)?$/, "must be a namespace such as wx_unionid")
    .refine((ns) => ns !== "user_id", "user_id is always 1"),
    z.number().int().min(1).max(100_000)).default({ wx_unionid: 1 }),
  maxIdentities: z.number().int().min(2).max(1_000_000).default(1000),
  defaultCountryCode: z.string().regex(/^[1-9]\d{0,2}$/, "a country calling code such as 86").default("86"),
});
export type IdentitySettings = z.infer<typeof IdentitySettings>;

/** IdentitySettingsPatch is what an admin may change at once. */
export const IdentitySettingsPatch = IdentitySettings.partial().strict();
export type IdentitySettingsPatch = z.infer<typeof IdentitySettingsPatch>;

const KEY = "identity";

/** readIdentitySettings returns the stored settings over the defaults (a bad stored row falls back). */
export function readIdentitySettings(db: Database): IdentitySettings {
  const row = db.query<{ value: string }, [string]>("SELECT value FROM settings WHERE key = ?").get(KEY);
  let stored: unknown = {};
  try {
    stored = row ? JSON.parse(row.value) : {};
  } catch {
    stored = {};
  }
  const parsed = IdentitySettings.safeParse(stored);
  return parsed.success ? parsed.data : IdentitySettings.parse({});
}

/** writeIdentitySettings stores a validated patch and returns the result. */
export function writeIdentitySettings(db: Database, patch: IdentitySettingsPatch): IdentitySettings {
  const next = IdentitySettings.parse({ ...readIdentitySettings(db), ...patch });
  db.query("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
    .run(KEY, JSON.stringify(next));
  return next;
}

/** Guards is the settings compiled for the hot path. */
export interface Guards {
  readonly junk: JunkFilter;
  readonly caps: ReadonlyMap<string, number>;
  readonly maxIdentities: number;
  readonly defaultCountryCode: string;
}

/** compileGuards prepares settings for per-event use. */
export function compileGuards(s: IdentitySettings): Guards {
  return {
    junk: new JunkFilter(s.blocklist, s.blockPatterns),
    caps: new Map(Object.entries(s.caps)),
    maxIdentities: s.maxIdentities,
    defaultCountryCode: s.defaultCountryCode,
  };
}
