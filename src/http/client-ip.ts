/**
 * clientIp decides which address a request came from, for rate limits and the audit log. The socket
 * peer wins, except when the peer is on a loopback or private network (a reverse proxy or Docker's
 * bridge): then the right-most X-Forwarded-For entry is the one that proxy saw. A public peer cannot
 * spoof its address this way.
 */
import type { Context } from "hono";
import { getConnInfo } from "hono/bun";

const PRIVATE = [/^127\./, /^10\./, /^192\.168\./, /^172\.(1[6-9]|2\d|3[01])\./, /^::1$/, /^f[cd][0-9a-f]{2}:/i, /^::ffff:(127|10)\./, /^::ffff:192\.168\./];

/** isPrivateAddress reports loopback and RFC 1918 / ULA addresses. */
export function isPrivateAddress(ip: string): boolean {
  return PRIVATE.some((r) => r.test(ip));
}

/** clientIp returns the caller's address, or "unknown" outside a real server (app.request in tests). */
export function clientIp(c: Context): string {
  let peer: string | undefined;
  try {
    peer = getConnInfo(c).remote.address;
  } catch {
    peer = undefined; // no Bun server behind this request (in-process tests)
  }
  if (peer === undefined || isPrivateAddress(peer)) {
    const fwd = c.req.header("x-forwarded-for")?.split(",").map((s) => s.trim()).filter(Boolean);
    const last = fwd?.[fwd.length - 1];
    if (last !== undefined && last.length <= 64) return last;
  }
  return peer ?? "unknown";
}
