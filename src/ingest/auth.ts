/**
 * Where a write key may come from (reference §1.5, the union of Segment, RudderStack and Jitsu): the HTTP
 * Basic username (password empty, with or without the trailing colon), `X-Write-Key`, `?writeKey=` /
 * `?writekey=`, and, read later by the wire decoders, `writeKey` in the body or PostHog's
 * `api_key`/`token`/`$token`. The header wins over the query, which wins over the body.
 */

/** headerWriteKey reads the Basic username or `X-Write-Key` (up to a colon); null when neither is usable. */
export function headerWriteKey(headers: Headers): string | null {
  const auth = headers.get("authorization");
  if (auth && /^basic\s+/i.test(auth)) {
    let decoded: string;
    try {
      decoded = Buffer.from(auth.replace(/^basic\s+/i, "").trim(), "base64").toString("utf8");
    } catch {
      decoded = "";
    }
    const user = decoded.includes(":") ? decoded.slice(0, decoded.indexOf(":")) : decoded;
    if (user !== "") return user;
  }
  // Jitsu's SDK only sends "key:secret": read it like a Basic credential, the key before the colon.
  const header = headers.get("x-write-key")?.trim().split(":")[0];
  return header ? header : null;
}

/** queryWriteKey reads `writeKey`, `writekey` or `write_key` from the query string. */
export function queryWriteKey(params: URLSearchParams): string | null {
  return params.get("writeKey") || params.get("writekey") || params.get("write_key") || null;
}
