/**
 * Layout: the header (brand, project time zone, language, user, logout), the side navigation built from
 * ROUTES in its groups, and the page. A skip link lets keyboard users jump past the navigation.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { api } from "./api.ts";
import { LANGS, useI18n, type Lang } from "./i18n/index.tsx";
import { Link } from "./router.tsx";
import type { NavGroup, Route } from "./routes.ts";
import { useSession } from "./session.tsx";
import { StorageBanner } from "./storage.tsx";
import { Button } from "./ui/button.tsx";

const GROUPS: NavGroup[] = ["analytics", "users", "data", "admin"];

export function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  return (
    <label class="lang">
      <span class="visually-hidden">{t("lang.label")}</span>
      <select value={lang} onChange={(e) => setLang((e.currentTarget as HTMLSelectElement).value as Lang)} aria-label={t("lang.label")}>
        {LANGS.map((l) => (
          <option key={l.code} value={l.code}>
            {l.label}
          </option>
        ))}
      </select>
    </label>
  );
}

export function Layout({ nav, path, children }: { nav: Route[]; path: string; children: ComponentChildren }) {
  const { t } = useI18n();
  const { me, settings, refresh, isAdmin } = useSession();
  const logout = async () => {
    await api("POST", "/api/auth/logout");
    await refresh("logout");
  };
  const visible = nav.filter((n) => !n.hidden && (!n.adminOnly || isAdmin));
  const main = useRef<HTMLElement>(null);
  const sidenav = useRef<HTMLElement>(null);
  const first = useRef(true);
  // On a phone the navigation is one row that scrolls sideways: keep the current page's link in view.
  useEffect(() => {
    const nav = sidenav.current;
    const current = nav?.querySelector<HTMLElement>('[aria-current="page"]');
    if (!nav || !current || nav.scrollWidth <= nav.clientWidth) return;
    const left = current.getBoundingClientRect().left - nav.getBoundingClientRect().left + nav.scrollLeft;
    nav.scrollLeft = Math.max(0, left - (nav.clientWidth - current.offsetWidth) / 2);
  }, [path]);
  // After an in-app navigation, focus the page's start (as a full page load would), so keyboard and
  // screen-reader users land on the new page instead of the link they left behind.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus({ preventScroll: false });
  }, [path]);
  return (
    <div class="shell">
      <a class="skip-link" href="#main">
        {t("nav.skip")}
      </a>
      <header class="topbar">
        <Link href="/" class="brand">
          {t("app.name")}
        </Link>
        <div class="topbar-right">
          <Link href="/settings" class="tz" title={t("nav.timezoneTitle")} data-testid="project-timezone">
            <svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true" class="tz-icon">
              <circle cx="6" cy="6" r="5" fill="none" stroke="currentColor" stroke-width="1.3" />
              <path d="M6 3v3l2 1.5" fill="none" stroke="currentColor" stroke-width="1.3" stroke-linecap="round" />
            </svg>{" "}
            {settings.timezone}
          </Link>
          <LanguageSwitch />
          <span class="who">{t("nav.signedInAs", { who: me.email ?? me.name ?? "", role: t(`role.${me.role}`) })}</span>
          {me.kind === "user" && (
            <Button variant="link" onClick={logout}>
              {t("nav.logout")}
            </Button>
          )}
        </div>
      </header>
      <nav class="sidenav" aria-label={t("nav.label")} ref={sidenav}>
        {GROUPS.map((g) => {
          const items = visible.filter((n) => n.group === g);
          if (items.length === 0) return null;
          return (
            <div key={g} class="nav-group">
              <h2 class="nav-heading" id={`nav-${g}`}>
                {t(`nav.group.${g}`)}
              </h2>
              <ul aria-labelledby={`nav-${g}`}>
                {items.map((n) => (
                  <li key={n.path}>
                    <Link href={n.path} aria-current={path === n.path || path.startsWith(`${n.path}/`) ? "page" : undefined}>
                      {t(n.label)}
                    </Link>
                  </li>
                ))}
              </ul>
            </div>
          );
        })}
      </nav>
      <main id="main" class="content" tabIndex={-1} ref={main}>
        <StorageBanner />
        {children}
      </main>
    </div>
  );
}
