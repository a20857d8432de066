/**
 * The dashboard's API client: same-origin fetch with the session cookie, the CSRF token on every
 * state-changing request, and errors turned into ApiError with the server's message and zod issues.
 */
import { statusHeadline, uiLanguage } from "./i18n/index.tsx";

let csrfToken: string | null = null;

/** setCsrfToken stores the token from GET /api/auth/me, login or setup. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues: { path: string; message: string }[] = [],
    /** body is the whole answer, for what a route adds to its error (a refused delete's `dependents`). */
    readonly body: unknown = null,
  ) {
    super(message);
  }
}

/** tooManyAttempts is the seconds to wait when an answer is the auth routes' 429, else null. */
export function tooManyAttempts(err: unknown): number | null {
  if (!(err instanceof ApiError) || err.status !== 429) return null;
  const s = (err.body as { retryAfterSec?: unknown } | null)?.retryAfterSec;
  return typeof s === "number" ? s : null;
}

/** RequestOptions: `signal` cancels (a newer query replaces an older one); `text` sends a raw body (CSV imports). */
export interface RequestOptions {
  signal?: AbortSignal;
  text?: { body: string; contentType: string };
}

/** api calls `path` and returns its JSON; it throws ApiError for any non-2xx answer. */
export async function api<T>(method: "GET" | "POST" | "PATCH" | "DELETE", path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
  // The server words zod's issues in this language (the UI's choice, not the browser's).
  const headers: Record<string, string> = { accept: "application/json", "accept-language": uiLanguage() === "zh" ? "zh-CN" : "en" };
  let payload: string | undefined;
  if (opts.text) {
    headers["content-type"] = opts.text.contentType;
    payload = opts.text.body;
  } else if (body !== undefined) {
    headers["content-type"] = "application/json";
    payload = JSON.stringify(body);
  }
  if (method !== "GET" && csrfToken) headers["x-csrf-token"] = csrfToken;
  const res = await fetch(path, { method, headers, body: payload, credentials: "same-origin", signal: opts.signal });
  const text = await res.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { error: text };
  }
  if (!res.ok) {
    const e = (data ?? {}) as { error?: string; issues?: { path: string; message: string }[] };
    const issues = e.issues ?? [];
    const detail = issues.length ? `: ${joinIssues(issues, ": ", "; ")}` : "";
    throw new ApiError(res.status, `${e.error ?? res.statusText}${detail}`, issues, data);
  }
  return data as T;
}

/** isAbort tells a cancelled request (replaced by a newer one) from a failure worth showing. */
export function isAbort(e: unknown): boolean {
  return e instanceof DOMException && e.name === "AbortError";
}

/**
 * errorMessage renders anything thrown for a user. A Chinese reader is first told what the status means:
 * zod's issues come in the UI's language, but the server's own messages name fields and limits in English.
 */
export function errorMessage(e: unknown): string {
  if (!(e instanceof ApiError)) return e instanceof Error ? e.message : String(e);
  const head = statusHeadline(e.status);
  if (!head) return e.message;
  if (uiLanguage() !== "zh") return e.message || head;
  // The issues are already in Chinese (Accept-Language); the server's "invalid request" above them is not.
  const detail = e.issues.length ? joinIssues(e.issues, "：", "；") : e.message;
  return detail ? `${head}：${detail}` : head;
}

/** joinIssues lists validation issues as `path: message`, in the punctuation of the text around them. */
function joinIssues(issues: ApiError["issues"], colon: string, separator: string): string {
  return issues.map((i) => (i.path ? `${i.path}${colon}${i.message}` : i.message)).join(separator);
}
