/** URL parsing for the enrich steps; a one-entry cache because the page and UTM steps read the same URL. */

let lastText: string | null = null;
let lastUrl: URL | null = null;

/** parseUrl parses an absolute URL, returning null for anything unparseable (never throws). */
export function parseUrl(text: string | undefined | null): URL | null {
  if (!text) return null;
  if (text === lastText) return lastUrl;
  let u: URL | null = null;
  try {
    u = new URL(text);
  } catch {
    u = null;
  }
  lastText = text;
  lastUrl = u;
  return u;
}

/** hostOf returns the lower-cased host of a URL or a bare host name, or null. */
export function hostOf(text: string | undefined | null): string | null {
  if (!text) return null;
  const u = parseUrl(text.includes("://") ? text : `https://${text}`);
  return u && u.hostname ? u.hostname.toLowerCase() : null;
}
