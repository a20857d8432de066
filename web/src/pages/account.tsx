/** My account: change your own password (other sessions are logged out by the server). */
import { useState } from "preact/hooks";
import { api, errorMessage } from "../api.ts";
import { useI18n } from "../i18n/index.tsx";
import { useSession } from "../session.tsx";
import { Button } from "../ui/button.tsx";
import { Alert, PageHeader } from "../ui/feedback.tsx";
import { Field } from "../ui/field.tsx";

export function AccountPage() {
  const { t } = useI18n();
  const { me } = useSession();
  const [currentPassword, setCurrent] = useState("");
  const [newPassword, setNew] = useState("");
  const [message, setMessage] = useState<{ kind: "success" | "error"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      await api("POST", "/api/auth/password", { currentPassword, newPassword });
      setCurrent("");
      setNew("");
      setMessage({ kind: "success", text: t("account.changed") });
    } catch (err) {
      setMessage({ kind: "error", text: errorMessage(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageHeader title={t("account.title")} intro={t("account.intro")} />
      {me.kind !== "user" ? (
        <Alert kind="info">{t("account.tokenUser")}</Alert>
      ) : (
        <form class="card narrow" onSubmit={submit}>
          {message && <Alert kind={message.kind}>{message.text}</Alert>}
          <Field label={t("account.current")} type="password" value={currentPassword} onValue={setCurrent} required autoComplete="current-password" />
          <Field label={t("account.new")} type="password" value={newPassword} onValue={setNew} required minLength={10} autoComplete="new-password" />
          <Button type="submit" variant="primary" busy={busy}>
            {t("common.save")}
          </Button>
        </form>
      )}
    </>
  );
}
