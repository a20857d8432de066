/**
 * paceCollections runs a full garbage collection of this thread every `everyMs` when `due()` says so
 * (the store: after enough committed events), and nothing otherwise.
 *
 * Why: under ingest load a request lives 10–60 ms between its parse and its commit's acknowledgement,
 * so every young-generation collection JSC runs by itself finds a few MB of requests in flight and
 * promotes them to the old generation, where they stay after they die until a full collection. JSC
 * lets that dead old generation grow to several times the live heap (~13 MB here) before one: the
 * main thread's heap climbed from ~20 to ~70 MB and back every 3–5 s. A full collection of a live heap
 * that small takes ~15 ms; every 250 ms it kept the peak RSS of 3M-event runs 60–70 MB lower at no
 * measurable cost in rate, as JSC's own collections became rarer (README, ingest benchmark).
 */
import { fullGC } from "bun:jsc";

export interface PaceOptions {
  readonly everyMs?: number;
  /** The collection to run (tests count calls). */
  readonly collect?: () => void;
}

/** paceCollections starts the pacing; the returned function stops it. */
export function paceCollections(due: () => boolean, o: PaceOptions = {}): () => void {
  const collect = o.collect ?? fullGC;
  const timer = setInterval(() => {
    if (due()) collect();
  }, o.everyMs ?? 250);
  timer.unref?.();
  return () => clearInterval(timer);
}

/**
 * afterEvents is a `due` that says yes once `n` more were counted (`count()` only grows: events the store
 * committed, rows the store worker planned) since its last yes.
 */
export function afterEvents(count: () => number, n: number): () => boolean {
  let last = count();
  return () => {
    const now = count();
    if (now - last < n) return false;
    last = now;
    return true;
  };
}
