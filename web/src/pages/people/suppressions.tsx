/**
 * Suppressed identifiers (admins, People page): after a person is deleted with "refuse future data", data
 * for their identifiers is dropped at the door. Only the namespace and the date are kept, never the value,
 * so an identifier is found by typing it (read as ingestion reads it), and a suppression is lifted when the
 * person may be tracked again (Segment's privacy portal offers the same). Every lift is audited.
 */
import type { Suppression } from "../../../../src/identity/suppression.ts";
import { useState } from "preact/hooks";
import { api } from "../../api.ts";
import { useI18n } from "../../i18n/index.tsx";
import { Button } from "../../ui/button.tsx";
import { Alert } from "../../ui/feedback.tsx";
import { Field } from "../../ui/field.tsx";
import { useAction } from "../../ui/use-action.ts";
import { useLoad } from "../../ui/use-load.ts";

type Page = { suppressions: Suppression[]; total: number; next: number | null };

const COMMON_TYPES = ["user_id", "email", "phone", "anonymous_id", "distinct_id", "wx_unionid"];

export function Suppressions() {
  const { t, dateTime } = useI18n();
  const { data, error, reload } = useLoad(() => api<Page>("GET", "/api/identity/suppressions?limit=50"));
  const [more, setMore] = useState<Page[]>([]);
  const [type, setType] = useState("email");
  const [value, setValue] = useState("");
  const [found, setFound] = useState<{ value: string; suppression: Suppression | null } | null>(null);
  const action = useAction();

  const check = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const r = await api<{ suppression: Suppression | null }>("POST", "/api/identity/suppressions/check", { type, value });
      setFound({ value: `${type}: ${value.trim()}`, suppression: r.suppression });
    });
  };
  const lift = (s: Suppression, what: string) => {
    if (!confirm(t("people.liftConfirm", { what }))) return;
    void action.run(async () => {
      await api("DELETE", `/api/identity/suppressions/${s.id}`);
      setMore([]);
      setFound((f) => (f?.suppression?.id === s.id ? { ...f, suppression: null } : f));
      await reload();
    });
  };

  if (!data) return error ? <Alert>{error}</Alert> : null;
  const rows = [data, ...more].flatMap((p) => p.suppressions);
  const next = (more.at(-1) ?? data).next;
  return (
    <section class="card" aria-labelledby="suppressions-title">
      <h2 id="suppressions-title">{t("people.suppressions")}</h2>
      <p class="hint">{t("people.suppressionsIntro")}</p>
      <form class="inline-form" onSubmit={check}>
        <Field label={t("people.suppressionType")} list="suppression-types" value={type} onValue={setType} required maxLength={200} />
        <datalist id="suppression-types">
          {COMMON_TYPES.map((x) => (
            <option key={x} value={x} />
          ))}
        </datalist>
        <Field label={t("people.suppressionValue")} value={value} onValue={setValue} required maxLength={1024} />
        <Button type="submit" busy={action.busy}>
          {t("people.suppressionCheck")}
        </Button>
      </form>
      {action.error && <Alert>{action.error}</Alert>}
      {found && (
        <p data-testid="suppression-check" role="status">
          {found.suppression ? t("people.suppressedSince", { what: found.value, date: dateTime(found.suppression.createdAt) }) : t("people.notSuppressed", { what: found.value })}{" "}
          {found.suppression && <Button onClick={() => lift(found.suppression!, found.value)}>{t("people.lift")}</Button>}
        </p>
      )}
      {data.total === 0 ? (
        <p class="hint">{t("people.suppressionsEmpty")}</p>
      ) : (
        <>
          <p class="hint">{t("people.suppressionsTotal", { n: data.total })}</p>
          <table class="table compact" data-testid="suppressions">
            <thead>
              <tr><th scope="col">{t("people.suppressionType")}</th><th scope="col">{t("people.suppressionSince")}</th><th scope="col" aria-label={t("people.lift")} /></tr>
            </thead>
            <tbody>
              {rows.map((s) => (
                <tr key={s.id}>
                  <td><code>{s.namespace}</code></td>
                  <td class="hint">{dateTime(s.createdAt)}</td>
                  <td><Button onClick={() => lift(s, s.namespace)} busy={action.busy}>{t("people.lift")}</Button></td>
                </tr>
              ))}
            </tbody>
          </table>
          {next !== null && (
            <Button
              disabled={action.busy}
              onClick={() => action.run(async () => {
                const page = await api<Page>("GET", `/api/identity/suppressions?limit=50&cursor=${next}`);
                setMore((list) => [...list, page]);
              })}
            >
              {t("common.loadMore")}
            </Button>
          )}
        </>
      )}
    </section>
  );
}
