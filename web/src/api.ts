/**
 * The dashboard's API client: same-origin fetch with the session cookie, the CSRF token on every
 * state-changing request, and errors turned into ApiError with the server's message and zod issues.
 */

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
  ) {
    super(message);
  }
}

/** api calls `path` and returns its JSON; it throws ApiError for any non-2xx answer. */
export async function api<T>(method: "GET" | "POST" | "PATCH" | "DELETE", path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET" && csrfToken) headers["x-csrf-token"] = csrfToken;
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin" });
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
    const detail = issues.length ? `: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ")}` : "";
    throw new ApiError(res.status, `${e.error ?? res.statusText}${detail}`, issues);
  }
  return data as T;
}

/** errorMessage renders anything thrown for a user. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
