/** First-run setup: create the admin with the one-time code the server printed in its log. */
import { useState } from "preact/hooks";
import { api, ApiError, setCsrfToken, tooManyAttempts } from "../api.ts";
import { useI18n } from "../i18n/index.tsx";
import { LanguageSwitch } from "../layout.tsx";
import { Button } from "../ui/button.tsx";
import { Alert } from "../ui/feedback.tsx";
import { Field } from "../ui/field.tsx";
import { useAction } from "../ui/use-action.ts";

export function SetupPage({ onDone }: { onDone: () => Promise<void> }) {
  const { t } = useI18n();
  const [form, setForm] = useState({ code: "", email: "", password: "", name: "" });
  const { busy, error, run } = useAction();
  // The admin was created elsewhere (another tab, a colleague) since this page loaded.
  const [alreadyDone, setAlreadyDone] = useState(false);
  const set = (k: keyof typeof form) => (v: string) => setForm({ ...form, [k]: v });

  const submit = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      try {
        const out = await api<{ csrf: string }>("POST", "/api/setup", { ...form, name: form.name || undefined });
        setCsrfToken(out.csrf);
      } catch (err) {
        const wait = tooManyAttempts(err);
        if (wait !== null) throw new Error(t("login.tooMany", { s: wait }));
        if (!(err instanceof ApiError) || (err.status !== 403 && err.status !== 409)) throw err;
        // Refused: either the code is wrong, or the admin was created since this page loaded (in another
        // tab of this browser, which then refuses this one's request for its missing CSRF token, or by a
        // colleague). Ask which, and say it in the UI's language (the server's words are English).
        const now = await api<{ needed: boolean; signedIn: boolean }>("GET", "/api/setup");
        if (now.needed) throw new Error(t("setup.wrongCode"));
        if (now.signedIn) return void (await onDone());
        return setAlreadyDone(true);
      }
      await onDone();
    });
  };

  return (
    <div class="auth-page">
      <form class="card auth-card" onSubmit={submit}>
        <div class="auth-head">
          <h1>{t("setup.title")}</h1>
          <LanguageSwitch />
        </div>
        <p class="intro">{t("setup.intro")}</p>
        {error && <Alert>{error}</Alert>}
        {alreadyDone && (
          <Alert kind="info">
            {t("setup.alreadyDone")}{" "}
            <Button variant="link" onClick={() => void onDone()}>
              {t("setup.toLogin")}
            </Button>
          </Alert>
        )}
        <Field label={t("setup.code")} value={form.code} onValue={set("code")} required autoComplete="off" spellcheck={false} placeholder="XXXX-XXXX-XXXX" />
        <Field label={t("setup.email")} type="email" value={form.email} onValue={set("email")} required autoComplete="username" />
        <Field label={t("setup.password")} type="password" value={form.password} onValue={set("password")} required minLength={10} autoComplete="new-password" />
        <Field label={t("setup.name")} value={form.name} onValue={set("name")} autoComplete="name" />
        <Button type="submit" variant="primary" busy={busy}>
          {t("setup.submit")}
        </Button>
      </form>
    </div>
  );
}
