/**
 * Audience analysis: how a pack's members distribute over chosen traits, tags and channels (the
 * channels their identifiers reach them on). Breakdown conventions follow SPEC §5.1: the top N values by persons, the
 * rest as "$other", a missing value as "".
 */
import { toRows, type Bitset } from "./bitset.ts";
import type { Population } from "./population.ts";
import type { AudienceTagDb } from "./schema.ts";
import { getTagByName } from "../tags/tags.repo.ts";

/** Bucket is one value of a dimension and how many members have it. */
export interface Bucket {
  readonly value: string;
  readonly persons: number;
}

/** Distribution is the breakdown of the members over one dimension. */
export interface Distribution {
  readonly dimension: string;
  readonly kind: "trait" | "tag" | "channel";
  readonly buckets: readonly Bucket[];
}

function label(v: unknown): string {
  if (v === undefined || v === null) return "";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

function topN(counts: Map<string, number>, limit: number): Bucket[] {
  const sorted = [...counts].map(([value, persons]) => ({ value, persons }))
    .sort((a, b) => b.persons - a.persons || a.value.localeCompare(b.value));
  const missing = sorted.filter((b) => b.value === "");
  const present = sorted.filter((b) => b.value !== "");
  const top = present.slice(0, limit);
  const other = present.slice(limit).reduce((s, b) => s + b.persons, 0);
  return [...top, ...(other > 0 ? [{ value: "$other", persons: other }] : []), ...missing];
}

/** traitDistribution counts the member rows per trait value (values are compared by their text). */
export function traitDistribution(pop: Pick<Population, "trait">, rows: Bitset, property: string, limit: number): Distribution {
  const col = pop.trait(property);
  const perCode = new Float64Array(Math.max(1, col.values.length));
  for (const r of toRows(rows)) perCode[col.codes[r]!]!++;
  const counts = new Map<string, number>();
  perCode.forEach((n, code) => {
    if (n === 0) return;
    const key = code === 0 ? "" : label(col.values[code]);
    counts.set(key, (counts.get(key) ?? 0) + n);
  });
  return { dimension: property, kind: "trait", buckets: topN(counts, limit) };
}

/** channelDistribution is the persons-per-channel breakdown; a person on two channels counts on both. */
export function channelDistribution(counts: ReadonlyMap<string, number>, limit: number): Distribution {
  return { dimension: "channel", kind: "channel", buckets: topN(new Map(counts), limit) };
}

/** tagDistribution counts members per tag value ("true" for boolean tags, "" without the tag). */
export async function tagDistribution(
  k: AudienceTagDb, members: Int32Array, name: string, limit: number,
): Promise<Distribution> {
  const tag = await getTagByName(k, name);
  const counts = new Map<string, number>();
  let tagged = 0;
  if (tag) {
    const rows = await k.selectFrom("person_tags").select(["person_id", "value"]).where("tag_id", "=", tag.id).execute();
    const isMember = new Set(members);
    for (const r of rows) {
      if (!isMember.has(r.person_id)) continue;
      const key = r.value ?? "true";
      counts.set(key, (counts.get(key) ?? 0) + 1);
      tagged++;
    }
  }
  if (members.length > tagged) counts.set("", members.length - tagged);
  return { dimension: name, kind: "tag", buckets: topN(counts, limit) };
}
