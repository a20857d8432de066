/**
 * QueryError is a query that passed schema validation but cannot run as asked (an empty date
 * range, an unknown time zone, too many periods). It is the caller's mistake, so the HTTP layer
 * answers 400 with its message, like a zod issue.
 */
export class QueryError extends Error {
  override readonly name = "QueryError";
}
