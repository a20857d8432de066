/**
 * A tiny history router: the location is state, <Link> and navigate() push to history, popstate restores.
 * Pages are listed in routes.ts, which also builds the navigation. Analyses keep their whole query in the
 * search string (useSearchParam/replaceSearch), so a copied URL reproduces what is on screen.
 */
import type { ComponentChildren, PartialAnchorHTMLAttributes } from "preact";
import { useEffect, useState } from "preact/hooks";

const EVENT = "tessera:navigate";

/** navigate moves to `to` (path and optional search) without a page load. */
export function navigate(to: string, replace = false): void {
  if (to === location.pathname + location.search) return;
  if (replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  dispatchEvent(new Event(EVENT));
}

/**
 * replaceSearch sets search parameters in place (no history entry, no re-render of the router): the
 * analysis pages call it after each run so the address bar is always a shareable link to the result.
 */
export function replaceSearch(params: Record<string, string | null>): void {
  const sp = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(params)) {
    if (v === null) sp.delete(k);
    else sp.set(k, v);
  }
  const search = sp.toString();
  history.replaceState(null, "", `${location.pathname}${search ? `?${search}` : ""}`);
}

function useLocationValue<T>(read: () => T): T {
  const [value, setValue] = useState(read);
  useEffect(() => {
    const on = () => setValue(read);
    addEventListener("popstate", on);
    addEventListener(EVENT, on);
    return () => {
      removeEventListener("popstate", on);
      removeEventListener(EVENT, on);
    };
  }, []);
  return value;
}

/** usePath is the current pathname, re-rendering on navigation. */
export function usePath(): string {
  return useLocationValue(() => location.pathname);
}

/** useSearch is the current search string, re-rendering on navigation (not on replaceSearch). */
export function useSearch(): string {
  return useLocationValue(() => location.search);
}

type LinkProps = { href: string; children: ComponentChildren } & Omit<PartialAnchorHTMLAttributes<HTMLAnchorElement>, "href" | "role">;

/** Link is an <a> that navigates in place unless a modifier key asks for a new tab. */
export function Link({ href, children, ...rest }: LinkProps) {
  return (
    <a
      {...rest}
      href={href}
      onClick={(e) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(href);
      }}
    >
      {children}
    </a>
  );
}
