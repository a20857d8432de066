/**
 * The analysis in the address bar: `?q=<the query as JSON>` reproduces a chart for whoever opens the
 * link, and `?insight=<id>` opens a saved one. JSON (not base64) so a link stays readable and editable.
 */
import type { Query, QueryKind } from "./types.ts";

/** encodeQuery renders a query for the `q` search parameter. */
export function encodeQuery(q: Query): string {
  return JSON.stringify(q);
}

/**
 * decodeQuery reads the `q` parameter back, or null when it is missing, unreadable or of another kind
 * (a funnel link pasted on the retention page starts from the page's default instead of failing).
 * The engine validates the rest and answers in words if the link was edited into nonsense.
 */
export function decodeQuery<K extends QueryKind>(raw: string | null, kind: K): Extract<Query, { kind: K }> | null {
  if (!raw) return null;
  try {
    const v: unknown = JSON.parse(raw);
    if (typeof v !== "object" || v === null || (v as { kind?: unknown }).kind !== kind) return null;
    return v as Extract<Query, { kind: K }>;
  } catch {
    return null;
  }
}

/** shareUrl is the absolute link to a page showing `q`. */
export function shareUrl(origin: string, path: string, q: Query): string {
  return `${origin}${path}?${new URLSearchParams({ q: encodeQuery(q) }).toString()}`;
}

/** PAGE_OF maps a query kind to the page that analyses it. */
export const PAGE_OF: Record<QueryKind, string> = {
  trends: "/events",
  funnel: "/funnels",
  retention: "/retention",
  distribution: "/distribution",
  lifecycle: "/lifecycle",
  stickiness: "/lifecycle",
  paths: "/paths",
};
