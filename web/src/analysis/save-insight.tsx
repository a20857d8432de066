/**
 * SaveInsightDialog: save what is on screen as an insight (optionally straight onto the overview), or
 * update the insight the page was opened from.
 */
import { useState } from "preact/hooks";
import { api } from "../api.ts";
import { useI18n } from "../i18n/index.tsx";
import type { Query } from "../query/types.ts";
import type { Display, Insight } from "../types.ts";
import { Button } from "../ui/button.tsx";
import { Dialog } from "../ui/dialog.tsx";
import { Alert } from "../ui/feedback.tsx";
import { Field } from "../ui/field.tsx";
import { useAction } from "../ui/use-action.ts";

/** HOME_DASHBOARD is the overview's dashboard (created by migration 0050). */
const HOME_DASHBOARD = 1;

type Props = { query: Query; display: Display; current: Insight | null; onSaved: (i: Insight) => void; onClose: () => void };

export function SaveInsightDialog({ query, display, current, onSaved, onClose }: Props) {
  const { t } = useI18n();
  const [name, setName] = useState(current?.name ?? "");
  const [description, setDescription] = useState(current?.description ?? "");
  const [onOverview, setOnOverview] = useState(current === null);
  const action = useAction();
  const { busy, error } = action;
  const run = (fn: () => Promise<Insight>) => action.run(async () => onSaved(await fn()));
  const body = { name, description: description || null, query, display };
  const saveNew = (e: Event) => {
    e.preventDefault();
    void run(() => api<Insight>("POST", "/api/insights", { ...body, ...(onOverview && { dashboardId: HOME_DASHBOARD }) }));
  };

  return (
    <Dialog title={t("insight.saveTitle")} onClose={onClose}>
      <form onSubmit={saveNew}>
        {error && <Alert>{error}</Alert>}
        <Field label={t("common.name")} value={name} onValue={setName} required maxLength={200} />
        <Field label={t("insight.description")} value={description} onValue={setDescription} maxLength={2000} />
        <label class="inline checkbox">
          <input type="checkbox" checked={onOverview} onChange={(e) => setOnOverview(e.currentTarget.checked)} /> {t("insight.addToOverview")}
        </label>
        <div class="actions">
          <Button type="submit" variant="primary" busy={busy}>
            {current ? t("insight.saveAsNew") : t("common.save")}
          </Button>
          {current && (
            <Button busy={busy} onClick={() => run(() => api<Insight>("PATCH", `/api/insights/${current.id}`, body))}>
              {t("insight.update", { name: current.name })}
            </Button>
          )}
        </div>
      </form>
    </Dialog>
  );
}
