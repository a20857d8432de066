/** useLoad runs an async loader on mount (and on reload()), tracking data, error and loading. */
import { useCallback, useEffect, useState } from "preact/hooks";

export function useLoad<T>(loader: () => Promise<T>, deps: unknown[] = []) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const reload = useCallback(async () => {
    setLoading(true);
    try {
      setData(await loader());
      setError(null);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setLoading(false);
    }
  }, deps);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, loading, reload, setData };
}

/** useEvery calls `fn` every `ms` while the page is visible: counters that change while the user watches. */
export function useEvery(ms: number, fn: () => void, deps: unknown[]): void {
  useEffect(() => {
    const id = setInterval(() => document.visibilityState === "visible" && fn(), ms);
    return () => clearInterval(id);
  }, deps);
}
