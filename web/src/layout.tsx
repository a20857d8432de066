/** Layout: the header (brand, language, user, logout), the side navigation built from ROUTES, and the page. */
import type { ComponentChildren } from "preact";
import { api } from "./api.ts";
import { LANGS, useI18n, type Lang } from "./i18n/index.tsx";
import type { MessageKey } from "./i18n/en.ts";
import { Link } from "./router.tsx";
import { useSession } from "./session.tsx";
import { Button } from "./ui/button.tsx";

export interface NavItem {
  path: string;
  label: MessageKey;
  adminOnly?: boolean;
}

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

export function Layout({ nav, path, children }: { nav: NavItem[]; path: string; children: ComponentChildren }) {
  const { t } = useI18n();
  const { me, refresh, isAdmin } = useSession();
  const logout = async () => {
    await api("POST", "/api/auth/logout");
    await refresh();
  };
  return (
    <div class="shell">
      <header class="topbar">
        <Link href="/" class="brand">
          {t("app.name")}
        </Link>
        <div class="topbar-right">
          <LanguageSwitch />
          <span class="who">{t("nav.signedInAs", { who: me.email ?? me.name ?? "", role: t(`role.${me.role}`) })}</span>
          {me.kind === "user" && (
            <Button variant="link" onClick={logout}>
              {t("nav.logout")}
            </Button>
          )}
        </div>
      </header>
      <nav class="sidenav" aria-label={t("nav.label")}>
        <ul>
          {nav
            .filter((n) => !n.adminOnly || isAdmin)
            .map((n) => (
              <li key={n.path}>
                <Link href={n.path} aria-current={path.startsWith(n.path) ? "page" : undefined}>
                  {t(n.label)}
                </Link>
              </li>
            ))}
        </ul>
      </nav>
      <main id="main" class="content">
        {children}
      </main>
    </div>
  );
}
