/** Project settings: time zone and week start, and the identity rules (admins edit; others see them read-only). */
import { useEffect, useMemo, useState } from "preact/hooks";
import { api, errorMessage } from "../api.ts";
import { useI18n } from "../i18n/index.tsx";
import { useSession } from "../session.tsx";
import type { Settings } from "../types.ts";
import { Button } from "../ui/button.tsx";
import { Alert, Loading, PageHeader } from "../ui/feedback.tsx";
import { Field, SelectField } from "../ui/field.tsx";
import { useLoad } from "../ui/use-load.ts";
import { IdentityRules } from "./identity-settings.tsx";

export function SettingsPage() {
  const { t } = useI18n();
  const { isAdmin, refresh } = useSession();
  const { data, error, loading } = useLoad(() => api<Settings>("GET", "/api/settings"));
  const [form, setForm] = useState<Settings | null>(null);
  const [message, setMessage] = useState<{ kind: "success" | "error"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const zones = useMemo(() => Intl.supportedValuesOf("timeZone"), []);
  useEffect(() => setForm(data), [data]);

  const save = async (e: Event) => {
    e.preventDefault();
    if (!form) return;
    // The browser knows the IANA zones: say a mistyped one in the UI's language before asking the server.
    if (!validZone(form.timezone)) {
      setMessage({ kind: "error", text: t("settings.badTimezone", { zone: form.timezone }) });
      return;
    }
    setBusy(true);
    try {
      setForm(await api<Settings>("PATCH", "/api/settings", form));
      setMessage({ kind: "success", text: t("common.saved") });
      // The header and every report read the time zone from the session.
      await refresh();
    } catch (err) {
      setMessage({ kind: "error", text: errorMessage(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageHeader title={t("settings.title")} intro={t("settings.intro")} />
      {error && <Alert>{error}</Alert>}
      {loading || !form ? (
        <Loading />
      ) : (
        <form class="card narrow" onSubmit={save}>
          {message && <Alert kind={message.kind}>{message.text}</Alert>}
          {!isAdmin && <p class="hint">{t("common.readOnly")}</p>}
          <Field label={t("settings.timezone")} list="tz-list" value={form.timezone} disabled={!isAdmin} required onValue={(v) => setForm({ ...form, timezone: v })} />
          <datalist id="tz-list">
            {zones.map((z) => (
              <option key={z} value={z} />
            ))}
          </datalist>
          <SelectField
            label={t("settings.weekStart")}
            value={form.weekStart}
            disabled={!isAdmin}
            onValue={(v) => setForm({ ...form, weekStart: v === "sunday" ? "sunday" : "monday" })}
            options={[
              { value: "monday", label: t("settings.monday") },
              { value: "sunday", label: t("settings.sunday") },
            ]}
          />
          {isAdmin && (
            <Button type="submit" variant="primary" busy={busy}>
              {t("common.save")}
            </Button>
          )}
        </form>
      )}
      <IdentityRules />
    </>
  );
}

/** validZone tells whether the browser's Intl accepts a time zone name (as the server's check does). */
function validZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return zone !== "";
  } catch {
    return false;
  }
}
