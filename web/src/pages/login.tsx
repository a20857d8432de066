/** Login with e-mail and password; the server sets the session cookie. */
import { useState } from "preact/hooks";
import { api, ApiError, setCsrfToken, tooManyAttempts } from "../api.ts";
import { useI18n } from "../i18n/index.tsx";
import { LanguageSwitch } from "../layout.tsx";
import { Button } from "../ui/button.tsx";
import { Alert } from "../ui/feedback.tsx";
import { Field } from "../ui/field.tsx";
import { useAction } from "../ui/use-action.ts";

export function LoginPage({ onDone }: { onDone: () => Promise<void> }) {
  const { t } = useI18n();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const { busy, error, run } = useAction();

  const submit = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const out = await api<{ csrf: string }>("POST", "/api/auth/login", { email, password }).catch((err: unknown) => {
        // The server says "wrong e-mail or password" (or "too many attempts") in English; say it in the UI's language.
        const wait = tooManyAttempts(err);
        if (wait !== null) throw new Error(t("login.tooMany", { s: wait }));
        throw err instanceof ApiError && err.status === 401 ? new Error(t("login.wrong")) : err;
      });
      setCsrfToken(out.csrf);
      await onDone();
    });
  };

  return (
    <div class="auth-page">
      <form class="card auth-card" onSubmit={submit}>
        <div class="auth-head">
          <h1>{t("login.title")}</h1>
          <LanguageSwitch />
        </div>
        {error && <Alert>{error}</Alert>}
        <Field label={t("login.email")} type="email" value={email} onValue={setEmail} required autoComplete="username" />
        <Field label={t("login.password")} type="password" value={password} onValue={setPassword} required autoComplete="current-password" />
        <Button type="submit" variant="primary" busy={busy}>
          {t("login.submit")}
        </Button>
      </form>
    </div>
  );
}
