/**
 * useQueryRun runs an analysis whenever its query changes (debounced while someone types), cancels the
 * run it replaces, and reports when it started so the page can show progress on long queries. The last
 * answer stays on screen while the next one loads, so the chart does not jump.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { api, ApiError, errorMessage, isAbort } from "../api.ts";
import type { Answer, Query, QueryInput, QueryKind } from "./types.ts";

export interface RunState<K extends QueryKind> {
  answer: Answer<K> | null;
  /** answered is the query the answer belongs to (a table must label its columns by it, not by the edit in progress). */
  answered: Extract<Query, { kind: K }> | null;
  error: string | null;
  /** retryable: the error may pass on a second try (network, 429, 5xx); a refused query (4xx) will not. */
  retryable: boolean;
  /** startedAt is set while a run is in flight. */
  startedAt: number | null;
  cancel(): void;
  rerun(): void;
}

const DEBOUNCE_MS = 350;

/**
 * mayPassOnRetry says whether a failed run is worth a Retry button: a network error, a timeout, 429 or a
 * 5xx may pass; a query the server refused (other 4xx, e.g. a formula naming a missing series) will not.
 */
export function mayPassOnRetry(e: unknown): boolean {
  return !(e instanceof ApiError) || e.status === 408 || e.status === 429 || e.status >= 500;
}

/** useQueryRun posts `query` to /api/query; `ready` false holds the run (a step without an event). */
export function useQueryRun<K extends QueryKind>(query: Extract<Query, { kind: K }>, ready: boolean): RunState<K> {
  const [answer, setAnswer] = useState<{ a: Answer<K>; q: Extract<Query, { kind: K }> } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [retryable, setRetryable] = useState(true);
  const [startedAt, setStartedAt] = useState<number | null>(null);
  const [nonce, setNonce] = useState(0);
  const ctrl = useRef<AbortController | null>(null);
  const key = JSON.stringify(query);

  useEffect(() => {
    if (!ready) return;
    const timer = setTimeout(async () => {
      ctrl.current?.abort();
      const c = new AbortController();
      ctrl.current = c;
      setStartedAt(Date.now());
      try {
        const a = await api<Answer<K>>("POST", "/api/query", query satisfies QueryInput, { signal: c.signal });
        setAnswer({ a, q: query });
        setError(null);
      } catch (e) {
        if (isAbort(e)) return;
        setError(errorMessage(e));
        setRetryable(mayPassOnRetry(e));
      } finally {
        if (ctrl.current === c) {
          ctrl.current = null;
          setStartedAt(null);
        }
      }
    }, nonce === 0 && answer === null ? 0 : DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [key, ready, nonce]);

  useEffect(() => () => ctrl.current?.abort(), []);

  return {
    answer: answer?.a ?? null,
    answered: answer?.q ?? null,
    error,
    retryable,
    startedAt,
    cancel: () => {
      ctrl.current?.abort();
      ctrl.current = null;
      setStartedAt(null);
    },
    rerun: () => setNonce((n) => n + 1),
  };
}
