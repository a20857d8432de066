/**
 * The dashboard shell: decides between setup, login and the logged-in layout, and maps paths to pages
 * (the table is in routes.ts).
 */
import { useCallback, useEffect, useState } from "preact/hooks";
import { api, ApiError, errorMessage, setCsrfToken } from "./api.ts";
import { useI18n } from "./i18n/index.tsx";
import { Layout } from "./layout.tsx";
import { LoginPage } from "./pages/login.tsx";
import { NotFoundPage } from "./pages/not-found.tsx";
import { SetupPage } from "./pages/setup.tsx";
import { nextAfterLogin } from "./next-path.ts";
import { navigate, usePath } from "./router.tsx";
import { HOME, ROUTES } from "./routes.ts";
import { SessionCtx } from "./session.tsx";
import type { Me, Settings } from "./types.ts";
import { Button } from "./ui/button.tsx";
import { Alert, Loading } from "./ui/feedback.tsx";

type State = { kind: "loading" } | { kind: "failed"; message: string } | { kind: "setup" } | { kind: "login" } | { kind: "in"; me: Me; settings: Settings };

export function App() {
  const { t, setTimeZone } = useI18n();
  const path = usePath();
  const [state, setState] = useState<State>({ kind: "loading" });

  const refresh = useCallback(async (after?: "logout") => {
    try {
      // Public: whether anyone is signed in, before asking who (a 401 would show in the console).
      const { needed, signedIn } = await api<{ needed: boolean; signedIn: boolean }>("GET", "/api/setup");
      if (!signedIn) {
        setCsrfToken(null);
        // Logging out is leaving: the next login (maybe someone else's) starts at the overview. Both updates
        // render together, so the effect below never sees the old page with the login state.
        if (after === "logout") navigate("/login", true);
        setState({ kind: needed ? "setup" : "login" });
        return;
      }
      const me = await api<Me>("GET", "/api/auth/me");
      setCsrfToken(me.csrf);
      const settings = await api<Settings>("GET", "/api/settings");
      setTimeZone(settings.timezone);
      setState({ kind: "in", me, settings });
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        // The session ended between the two requests.
        setCsrfToken(null);
        setState({ kind: "login" });
        return;
      }
      setState({ kind: "failed", message: errorMessage(e) });
    }
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  useEffect(() => {
    // A link opened while signed out (a shared analysis, a person) comes back after login: /login?next=….
    if (state.kind === "in" && (path === "/" || path === "/login" || path === "/setup")) navigate((path === "/login" && nextAfterLogin(location.search)) || HOME, true);
    if (state.kind === "setup" && path !== "/setup") navigate("/setup", true);
    if (state.kind === "login" && path !== "/login") navigate(path === "/" || path === "/setup" ? "/login" : `/login?next=${encodeURIComponent(location.pathname + location.search)}`, true);
  }, [state.kind, path]);

  switch (state.kind) {
    case "loading":
      return <Loading />;
    case "failed":
      return (
        <div class="center">
          <Alert>{t("app.error", { message: state.message })}</Alert>
          <Button onClick={() => void refresh()}>{t("app.retry")}</Button>
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
        <SessionCtx.Provider value={{ me: state.me, settings: state.settings, refresh, isAdmin: state.me.role === "admin", canOperate: state.me.role !== "analyst" }}>
          <Layout nav={ROUTES} path={path}>
            <Page key={route?.path} />
          </Layout>
        </SessionCtx.Provider>
      );
    }
  }
}
