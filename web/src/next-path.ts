/**
 * Where a login returns to. A link opened while signed out (a shared analysis, a person page) goes to
 * /login?next=<that path>, and the login lands there instead of the overview.
 */

/** nextAfterLogin is the page a login returns to: a path of this dashboard only (never another site's). */
export function nextAfterLogin(search: string): string | null {
  const next = new URLSearchParams(search).get("next");
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return null;
  if (next === "/login" || next.startsWith("/login?") || next === "/setup") return null;
  return next;
}
