/**
 * The event catalogue the pickers suggest from: event names with volumes (`GET /api/events`) and, per
 * event, property keys with their top values (`GET /api/events/properties?event=&type=`). Answers are
 * cached for the session (a page with five pickers asks once). When the catalogue cannot be read the
 * pickers still accept typed names, so an analysis is never blocked by a missing suggestion.
 */
import { useEffect, useState } from "preact/hooks";
import { api } from "../api.ts";
import { localeOf, type Lang } from "../i18n/index.tsx";
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
  const p = cached("events", async () => (await api<{ results: EventName[] }>("GET", "/api/events")).results);
  // An empty catalogue is not remembered: a new project's first events may arrive any moment, and the pickers
  // opened after that must list them.
  void p.then((names) => names.length === 0 && cache.delete("events"), () => {});
  return p;
}

/** loadProperties lists property keys (with top values) of an event's rows, or person properties. */
export async function loadProperties(type: PropertyType, event?: string): Promise<PropertyInfo[]> {
  // One answer carries both the event's and the person properties; person properties do not depend
  // on the event, so they are asked for once without one.
  const key = type === "event" && event ? event : "";
  const all = await cached(`props:${key}`, async () => (await api<{ results: PropertyInfo[] }>("GET", `/api/events/properties${key ? `?${new URLSearchParams({ event: key })}` : ""}`)).results);
  return all.filter((p) => p.type === type);
}

/** typedValues reads a property's top values back into the JSON type the data has (they arrive as text). */
export function typedValues(p: PropertyInfo | undefined): (string | number | boolean)[] {
  if (!p) return [];
  const only = (t: string) => p.types.length === 1 && p.types[0] === t;
  if (only("number")) return p.topValues.map((v) => Number(v.value));
  if (only("boolean")) return p.topValues.map((v) => v.value === "true");
  return p.topValues.map((v) => v.value);
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
export function compactNumber(n: number, lang: Lang): string {
  return new Intl.NumberFormat(localeOf(lang), { notation: "compact", maximumFractionDigits: 1 }).format(n);
}
