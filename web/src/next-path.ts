/**
 * Where a login returns to. A link opened while signed out (a shared analysis, a person page) goes to
 * /login?next=<that path>, and the login lands there instead of the overview.
 */

/** A stand-in origin: `next` is resolved against it to see where a browser would take it. */
const HERE = "http://dashboard.invalid";

/** nextAfterLogin is the page a login returns to: a path of this dashboard only (never another site's). */
export function nextAfterLogin(search: string): string | null {
  const next = new URLSearchParams(search).get("next");
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return null;
  // A browser drops tabs and newlines from a URL and reads "\" as "/": "/\t/evil.example" is another site.
  let url: URL;
  try {
    url = new URL(next, HERE);
  } catch {
    return null;
  }
  if (url.origin !== HERE) return null;
  const path = url.pathname + url.search + url.hash;
  if (url.pathname === "/login" || url.pathname === "/setup") return null;
  return path;
}
