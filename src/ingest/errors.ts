/**
 * IngestError is a whole-request failure caused by the client (bad body, size limit, auth). The routes turn
 * it into a JSON answer with its status; nothing that a client can send ends up as a 500.
 */

/** IngestError carries the HTTP status and a message that names the field or limit at fault. */
export class IngestError extends Error {
  override name = "IngestError";
  constructor(
    readonly status: 400 | 401 | 413 | 415,
    message: string,
    /** The limit that was exceeded, quoted in the JSON answer (e.g. "500 KB per request"). */
    readonly limit?: string,
  ) {
    super(message);
  }
}

/** ItemError rejects one item of a batch; its message starts with the dotted path of the field at fault. */
export class ItemError extends Error {
  override name = "ItemError";
  constructor(
    message: string,
    readonly reason: "invalid" | "too_large" = "invalid",
  ) {
    super(message);
  }
}
