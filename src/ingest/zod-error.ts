/** Turning zod issues into the one-line, field-first messages the ingest API answers with. */
import type { z } from "zod";

/** describeIssue formats the first issue as `path.to.field: message` (or just the message at the root). */
export function describeIssue(error: z.ZodError, prefix = ""): string {
  const issue = error.issues[0];
  if (!issue) return `${prefix || "message"}: invalid`;
  const path = [prefix, ...issue.path.map((p) => (typeof p === "number" ? `[${p}]` : String(p)))]
    .filter((p) => p !== "")
    .join(".")
    .replace(/\.\[/g, "[");
  const message = issue.code === "invalid_union" ? "expected a string or a number" : issue.message;
  return path ? `${path}: ${message}` : message;
}
