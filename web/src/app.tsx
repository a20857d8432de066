/**
 * The dashboard shell: decides between setup, login and the logged-in layout, and maps paths to pages.
 * To add a page, add a row to ROUTES (path, nav label, component); the navigation follows.
 */
import type { FunctionComponent } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { api, ApiError, errorMessage, setCsrfToken } from "./api.ts";
import { useI18n } from "./i18n/index.tsx";
import { Layout, type NavItem } from "./layout.tsx";
import { AuditPage } from "./pages/audit.tsx";
import { JobsPage } from "./pages/jobs.tsx";
import { LoginPage } from "./pages/login.tsx";
import { NotFoundPage } from "./pages/not-found.tsx";
import { SettingsPage } from "./pages/settings.tsx";
import { SetupPage } from "./pages/setup.tsx";
import { SourcesPage } from "./pages/sources.tsx";
import { TokensPage } from "./pages/tokens.tsx";
import { UsersPage } from "./pages/users.tsx";
import { AccountPage } from "./pages/account.tsx";
import { navigate, usePath } from "./router.tsx";
import { SessionCtx } from "./session.tsx";
import type { Me } from "./types.ts";
import { Button } from "./ui/button.tsx";
import { Alert, Loading } from "./ui/feedback.tsx";

/** ROUTES lists the logged-in pages in navigation order. */
const ROUTES: (NavItem & { page: FunctionComponent })[] = [
  { path: "/sources", label: "nav.sources", page: SourcesPage },
  { path: "/tokens", label: "nav.tokens", page: TokensPage, adminOnly: true },
  { path: "/settings", label: "nav.settings", page: SettingsPage },
  { path: "/jobs", label: "nav.jobs", page: JobsPage },
  { path: "/users", label: "nav.users", page: UsersPage, adminOnly: true },
  { path: "/audit", label: "nav.audit", page: AuditPage, adminOnly: true },
  { path: "/account", label: "nav.account", page: AccountPage },
];
const HOME = "/sources";

type State = { kind: "loading" } | { kind: "failed"; message: string } | { kind: "setup" } | { kind: "login" } | { kind: "in"; me: Me };

export function App() {
  const { t } = useI18n();
  const path = usePath();
  const [state, setState] = useState<State>({ kind: "loading" });

  const refresh = useCallback(async () => {
    try {
      const me = await api<Me>("GET", "/api/auth/me");
      setCsrfToken(me.csrf);
      setState({ kind: "in", me });
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) {
        setState({ kind: "failed", message: errorMessage(e) });
        return;
      }
      setCsrfToken(null);
      try {
        const { needed } = await api<{ needed: boolean }>("GET", "/api/setup");
        setState({ kind: needed ? "setup" : "login" });
      } catch (e2) {
        setState({ kind: "failed", message: errorMessage(e2) });
      }
    }
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  useEffect(() => {
    if (state.kind === "in" && (path === "/" || path === "/login" || path === "/setup")) navigate(HOME, true);
    if (state.kind === "setup" && path !== "/setup") navigate("/setup", true);
    if (state.kind === "login" && path !== "/login") navigate("/login", true);
  }, [state.kind, path]);

  switch (state.kind) {
    case "loading":
      return <Loading />;
    case "failed":
      return (
        <div class="center">
          <Alert>{t("app.error", { message: state.message })}</Alert>
          <Button onClick={refresh}>{t("app.retry")}</Button>
        </div>
      );
    case "setup":
      return <SetupPage onDone={refresh} />;
    case "login":
      return <LoginPage onDone={refresh} />;
    case "in": {
      const route = ROUTES.find((r) => path === r.path || path.startsWith(`${r.path}/`));
      const Page = route?.page ?? NotFoundPage;
      return (
        <SessionCtx.Provider value={{ me: state.me, refresh, isAdmin: state.me.role === "admin" }}>
          <Layout nav={ROUTES} path={path}>
            <Page />
          </Layout>
        </SessionCtx.Provider>
      );
    }
  }
}
