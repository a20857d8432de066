/**
 * What ingestion needs to know about a source (the sources room owns the table; this is the ingest view of a
 * row). Settings live in `sources.settings` as JSON and are parsed with defaults, so an old row or an empty
 * `{}` is always valid.
 */
import { z } from "zod";

/**
 * SourceSettings are the per-source ingest policies.
 * - `ipPolicy`: `keep` the address, `truncate` it (IPv4 last octet zeroed, IPv6 to /48), or `drop` it.
 *   Default `truncate`: enough for city-level geography, not enough to single out a household.
 * - `bots`: `flag` keeps bot traffic with `$bot: true` (default: a CDP's events are mostly deliberate and a
 *   flag can be filtered later, a drop cannot be undone), `drop` refuses it like Plausible does.
 * - `consentCategories`: consent categories that must not be `false` in `context.consent.categoryPreferences`
 *   (compared case-insensitively).
 */
export const SourceSettings = z.object({
  ipPolicy: z.enum(["keep", "truncate", "drop"]).default("truncate"),
  bots: z.enum(["flag", "drop"]).default("flag"),
  consentCategories: z.array(z.string().min(1)).default(["analytics", "statistics", "measurement"]),
});
export type SourceSettings = z.infer<typeof SourceSettings>;

/** IngestSource is a source as the ingest routes see it. */
export interface IngestSource {
  readonly id: number;
  readonly name: string;
  readonly settings: SourceSettings;
}

/** parseSourceSettings reads the `sources.settings` JSON column; unknown keys are ignored, bad JSON throws. */
export function parseSourceSettings(json: string): SourceSettings {
  return SourceSettings.parse(JSON.parse(json));
}

/** defaultSettings are the settings of a source whose row says nothing. */
export const defaultSettings: SourceSettings = SourceSettings.parse({});
