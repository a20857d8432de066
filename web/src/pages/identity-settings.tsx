/**
 * Identity rules on the Settings page (GET/PATCH /api/identity/settings): the junk values that never link
 * people, how many values of a namespace one person may hold, the most identifiers per person, and the
 * country a phone number without a country code belongs to. Changes apply to new links, not to past ones.
 */
import { useEffect, useId, useState } from "preact/hooks";
import type { IdentitySettings } from "../../../src/identity/identity-settings.ts";
import { api } from "../api.ts";
import { useI18n } from "../i18n/index.tsx";
import { useSession } from "../session.tsx";
import { Button } from "../ui/button.tsx";
import { Alert, Loading } from "../ui/feedback.tsx";
import { Field } from "../ui/field.tsx";
import { useAction } from "../ui/use-action.ts";
import { useLoad } from "../ui/use-load.ts";

type Form = { blocklist: string; caps: string; maxIdentities: string; defaultCountryCode: string };

const toForm = (s: IdentitySettings): Form => ({
  blocklist: s.blocklist.join("\n"),
  caps: Object.entries(s.caps).map(([ns, n]) => `${ns}=${n}`).join("\n"),
  maxIdentities: String(s.maxIdentities),
  defaultCountryCode: s.defaultCountryCode,
});

const lines = (text: string) => text.split("\n").map((l) => l.trim()).filter((l) => l !== "");

/** fromForm turns the form into a patch; a malformed cap line is sent as is so the server names it. */
function fromForm(f: Form) {
  return {
    blocklist: lines(f.blocklist),
    caps: Object.fromEntries(lines(f.caps).map((l) => {
      const [ns = l, n = ""] = l.split("=");
      return [ns.trim(), Number(n)];
    })),
    maxIdentities: Number(f.maxIdentities),
    defaultCountryCode: f.defaultCountryCode.trim(),
  };
}

function Lines({ label, hint, value, onValue, disabled }: { label: string; hint: string; value: string; onValue: (v: string) => void; disabled: boolean }) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <textarea id={id} rows={5} value={value} disabled={disabled} spellcheck={false} aria-describedby={`${id}-hint`} onInput={(e) => onValue(e.currentTarget.value)} />
      <small id={`${id}-hint`} class="hint">{hint}</small>
    </div>
  );
}

export function IdentityRules() {
  const { t } = useI18n();
  const { isAdmin } = useSession();
  const { data, error } = useLoad(() => api<IdentitySettings>("GET", "/api/identity/settings"));
  const [form, setForm] = useState<Form | null>(null);
  const [saved, setSaved] = useState(false);
  const action = useAction();
  useEffect(() => setForm(data && toForm(data)), [data]);
  if (!form) return error ? <Alert>{error}</Alert> : <Loading />;
  const set = (k: keyof Form) => (v: string) => (setForm({ ...form, [k]: v }), setSaved(false));
  const save = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      setForm(toForm(await api<IdentitySettings>("PATCH", "/api/identity/settings", fromForm(form))));
      setSaved(true);
    });
  };
  return (
    <form class="card narrow" onSubmit={save} aria-labelledby="identity-rules-title">
      <h2 id="identity-rules-title">{t("identityRules.title")}</h2>
      <p class="hint">{t("identityRules.intro")}</p>
      {action.error && <Alert>{action.error}</Alert>}
      {saved && <Alert kind="success">{t("common.saved")}</Alert>}
      <Lines label={t("identityRules.blocklist")} hint={t("identityRules.blocklistHint")} value={form.blocklist} onValue={set("blocklist")} disabled={!isAdmin} />
      <Lines label={t("identityRules.caps")} hint={t("identityRules.capsHint")} value={form.caps} onValue={set("caps")} disabled={!isAdmin} />
      <Field label={t("identityRules.maxIdentities")} value={form.maxIdentities} onValue={set("maxIdentities")} disabled={!isAdmin} required />
      <Field label={t("identityRules.country")} hint={t("identityRules.countryHint")} value={form.defaultCountryCode} onValue={set("defaultCountryCode")} disabled={!isAdmin} required />
      {isAdmin && <Button type="submit" variant="primary" busy={action.busy}>{t("common.save")}</Button>}
    </form>
  );
}
