/**
 * LiveTap feeds the Sources page's live stream: after a request's events committed, the sink publishes
 * them here and every open stream of that source receives them at once (server-sent events). Costs
 * nothing while nobody watches; a slow viewer drops events beyond its buffer rather than holding memory.
 */
import type { Message } from "./message.ts";

/** LiveListener receives committed messages of the source it subscribed to, with their commit's last seq. */
export type LiveListener = (messages: readonly Message[], seq: number) => void;

export class LiveTap {
  readonly #listeners = new Map<number, Set<LiveListener>>();

  /** subscribe listens to one source; returns the unsubscribe function. */
  subscribe(sourceId: number, listener: LiveListener): () => void {
    let set = this.#listeners.get(sourceId);
    if (!set) this.#listeners.set(sourceId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#listeners.delete(sourceId);
    };
  }

  /** watched tells whether anyone listens to a source (the sink skips the work otherwise). */
  watched(sourceId: number): boolean {
    return this.#listeners.has(sourceId);
  }

  /** publish hands committed messages (all of one source, from the commit ending at `seq`) to its listeners. */
  publish(sourceId: number, messages: readonly Message[], seq: number): void {
    for (const l of this.#listeners.get(sourceId) ?? []) l(messages, seq);
  }
}
