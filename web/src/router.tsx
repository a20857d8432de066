/**
 * A tiny history router: the path is state, <Link> and navigate() push to history, popstate restores.
 * Pages are listed in app.tsx's ROUTES table, which also builds the navigation.
 */
import type { ComponentChildren, PartialAnchorHTMLAttributes } from "preact";
import { useEffect, useState } from "preact/hooks";

const EVENT = "tessera:navigate";

/** navigate moves to `to` without a page load. */
export function navigate(to: string, replace = false): void {
  if (to === location.pathname + location.search) return;
  if (replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  dispatchEvent(new Event(EVENT));
}

/** usePath is the current pathname, re-rendering on navigation. */
export function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const on = () => setPath(location.pathname);
    addEventListener("popstate", on);
    addEventListener(EVENT, on);
    return () => {
      removeEventListener("popstate", on);
      removeEventListener(EVENT, on);
    };
  }, []);
  return path;
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
