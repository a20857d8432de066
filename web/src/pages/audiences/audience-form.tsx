/**
 * The audience builder: name, schedule and the definition, with the live count beside it. Used to create
 * a pack (/audiences/new) and to edit one on its page.
 */
import { useState } from "preact/hooks";
import { api } from "../../api.ts";
import { DefinitionEditor } from "../../audiences/definition-editor.tsx";
import { conditionNumbers, incomplete, sendable, type Node } from "../../audiences/definition-model.ts";
import { LiveCount } from "../../audiences/live-count.tsx";
import { useI18n } from "../../i18n/index.tsx";
import { navigate } from "../../router.tsx";
import { useSession } from "../../session.tsx";
import type { Audience } from "../../types.ts";
import { Button } from "../../ui/button.tsx";
import { Alert, PageHeader } from "../../ui/feedback.tsx";
import { Field } from "../../ui/field.tsx";
import { useAction } from "../../ui/use-action.ts";

const SCHEDULES = [
  { value: "", key: "audience.schedule.manual" },
  { value: "0 2 * * *", key: "audience.schedule.daily" },
  { value: "0 * * * *", key: "audience.schedule.hourly" },
  { value: "0 2 * * 1", key: "audience.schedule.weekly" },
] as const;

export interface FormValue {
  name: string;
  description: string;
  schedule: string;
  definition: Node;
}

export function AudienceForm({ initial, submitLabel, onSubmit, audienceId }: { initial: FormValue; submitLabel: string; onSubmit: (v: FormValue & { definition: Node }) => Promise<void>; audienceId?: number }) {
  const { t } = useI18n();
  const { canOperate } = useSession();
  const [v, setV] = useState(initial);
  const { busy, error, setError, run } = useAction();
  const custom = !SCHEDULES.some((s) => s.value === v.schedule);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (sendable(v.definition) === null) return setError(t("audience.needCondition"));
    // Say which condition is unfinished rather than send it and show the server's field path.
    const missing = incomplete(v.definition);
    if (missing.length > 0) return setError(t("audience.finishFirst", { at: conditionNumbers(missing).join(t("common.listSep")) }));
    await run(() => onSubmit(v));
  };
  return (
    <div class="builder-layout">
      <form class="card" onSubmit={submit}>
        {error && <Alert>{error}</Alert>}
        <div class="inline-form">
          <Field label={t("common.name")} value={v.name} onValue={(name) => setV({ ...v, name })} required maxLength={200} />
          <label class="field">
            <span>{t("audience.schedule")}</span>
            <select value={custom ? "custom" : v.schedule} onChange={(e) => setV({ ...v, schedule: e.currentTarget.value === "custom" ? "30 3 * * *" : e.currentTarget.value })}>
              {SCHEDULES.map((s) => (
                <option key={s.value} value={s.value}>{t(s.key)}</option>
              ))}
              <option value="custom">{t("audience.schedule.custom")}</option>
            </select>
          </label>
          {custom && <Field label={t("audience.cron")} value={v.schedule} onValue={(schedule) => setV({ ...v, schedule })} hint={t("audience.cronHint")} />}
        </div>
        <Field label={t("insight.description")} value={v.description} onValue={(description) => setV({ ...v, description })} maxLength={2000} />
        <h2>{t("audience.who")}</h2>
        <DefinitionEditor value={v.definition} onChange={(edit) => {
          // An error about the definition (unfinished, refused) no longer holds once it is edited.
          setError(null);
          setV((prev) => ({ ...prev, definition: edit(prev.definition) }));
        }} excludeAudience={audienceId} />
        {canOperate && (
          <div class="actions">
            <Button type="submit" variant="primary" busy={busy}>{submitLabel}</Button>
          </div>
        )}
      </form>
      <LiveCount definition={v.definition} />
    </div>
  );
}

/** toBody maps the form onto the audiences API (no schedule = computed by the nightly T+1 run). */
export function toBody(v: FormValue) {
  return { name: v.name, description: v.description || null, schedule: v.schedule || null, definition: sendable(v.definition)! };
}

export function AudienceNew() {
  const { t } = useI18n();
  return (
    <>
      <PageHeader title={t("audience.new")} intro={t("audience.newIntro")} />
      <AudienceForm
        initial={{ name: "", description: "", schedule: "", definition: { kind: "and", children: [] } }}
        submitLabel={t("audience.create")}
        onSubmit={async (v) => {
          // The server computes a new pack at once, so it has a size and members when its page opens.
          const a = await api<Audience>("POST", "/api/audiences", toBody(v));
          navigate(`/audiences/${a.id}`);
        }}
      />
    </>
  );
}
