/**
 * The event catalogue the pickers suggest from: event names with volumes (`GET /api/events`) and, per
 * event, property keys with their top values (`GET /api/events/properties?event=&type=`). Answers are
 * cached for the session (a page with five pickers asks once). When the catalogue cannot be read the
 * pickers still accept typed names, so an analysis is never blocked by a missing suggestion.
 */
import { useEffect, useState } from "preact/hooks";
import { api } from "../api.ts";
import type { EventName, PropertyInfo, PropertyType } from "./types.ts";

const cache = new Map<string, Promise<unknown>>();

function cached<T>(key: string, load: () => Promise<T>): Promise<T> {
  let p = cache.get(key) as Promise<T> | undefined;
  if (!p) {
    p = load();
    cache.set(key, p);
    // A failure is not remembered: the next picker that opens tries again.
    p.catch(() => cache.delete(key));
  }
  return p;
}

/** loadEventNames lists the project's event names, busiest first. */
export function loadEventNames(): Promise<EventName[]> {
  return cached("events", async () => (await api<{ results: EventName[] }>("GET", "/api/events")).results);
}

/** loadProperties lists property keys (with top values) of an event, or person properties. */
export function loadProperties(type: PropertyType, event?: string): Promise<PropertyInfo[]> {
  const params = new URLSearchParams({ type });
  if (type === "event" && event) params.set("event", event);
  return cached(`props:${params}`, async () => (await api<{ results: PropertyInfo[] }>("GET", `/api/events/properties?${params}`)).results);
}

/** useCatalog runs a catalogue loader and gives its list (empty until loaded or when unavailable). */
export function useCatalog<T>(load: (() => Promise<T[]>) | null, deps: unknown[]): { items: T[]; loading: boolean } {
  const [state, setState] = useState<{ items: T[]; loading: boolean }>({ items: [], loading: load !== null });
  useEffect(() => {
    if (!load) return setState({ items: [], loading: false });
    let live = true;
    setState((s) => ({ items: s.items, loading: true }));
    load().then(
      (items) => live && setState({ items, loading: false }),
      () => live && setState({ items: [], loading: false }),
    );
    return () => {
      live = false;
    };
  }, deps);
  return state;
}

/** compactNumber renders volumes the way pickers show them: 1234 → 1.2K. */
export function compactNumber(n: number, lang: string): string {
  return new Intl.NumberFormat(lang === "zh" ? "zh-CN" : "en", { notation: "compact", maximumFractionDigits: 1 }).format(n);
}
