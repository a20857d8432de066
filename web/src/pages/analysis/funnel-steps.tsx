/** StepsEditor and ExclusionsEditor: the funnel's steps (reorderable, each with filters) and excluded events between steps. */
import { useState } from "preact/hooks";
import { FilterEditor } from "../../analysis/filter-editor.tsx";
import { EventPicker } from "../../analysis/pickers.tsx";
import { useI18n } from "../../i18n/index.tsx";
import type { EventRef, FunnelQuery } from "../../query/types.ts";

function StepRow({ step, i, count, onStep, onMove, onRemove }: { step: EventRef; i: number; count: number; onStep: (s: EventRef) => void; onMove: (d: -1 | 1) => void; onRemove: () => void }) {
  const { t } = useI18n();
  const [filters, setFilters] = useState(step.where !== undefined);
  return (
    <li class="series-row">
      <div class="row">
        <span class="letter" aria-hidden="true">{i + 1}</span>
        <EventPicker label={t("funnel.stepEvent", { n: i + 1 })} hideLabel value={step.event} onValue={(event) => onStep({ ...step, event })} testId={`step-${i}`} />
        <button type="button" class="btn btn-link" aria-expanded={filters} onClick={() => setFilters(!filters)}>{t("query.filters")}</button>
        <button type="button" class="btn btn-link" disabled={i === 0} onClick={() => onMove(-1)} aria-label={t("funnel.moveUp", { n: i + 1 })}>↑</button>
        <button type="button" class="btn btn-link" disabled={i === count - 1} onClick={() => onMove(1)} aria-label={t("funnel.moveDown", { n: i + 1 })}>↓</button>
        {count > 2 && <button type="button" class="btn btn-link" onClick={onRemove} aria-label={t("funnel.removeStep", { n: i + 1 })}>✕</button>}
      </div>
      {filters && <FilterEditor label={t("funnel.stepFilters", { n: i + 1 })} event={step.event} filter={step.where} onFilter={(where) => onStep({ ...step, where })} />}
    </li>
  );
}

export function StepsEditor({ steps, onSteps }: { steps: EventRef[]; onSteps: (s: EventRef[]) => void }) {
  const { t } = useI18n();
  const move = (i: number, d: -1 | 1) => {
    const next = [...steps];
    [next[i], next[i + d]] = [next[i + d]!, next[i]!];
    onSteps(next);
  };
  return (
    <fieldset class="series">
      <legend>{t("funnel.steps")}</legend>
      <ol class="series-list">
        {steps.map((s, i) => (
          <StepRow key={i} step={s} i={i} count={steps.length} onStep={(ns) => onSteps(steps.map((x, j) => (j === i ? ns : x)))} onMove={(d) => move(i, d)} onRemove={() => onSteps(steps.filter((_, j) => j !== i))} />
        ))}
      </ol>
      {steps.length < 20 && (
        <button type="button" class="btn btn-link" onClick={() => onSteps([...steps, { event: "" }])}>
          + {t("funnel.addStep")}
        </button>
      )}
    </fieldset>
  );
}

export function ExclusionsEditor({ query: q, onQuery }: { query: FunnelQuery; onQuery: (q: FunnelQuery) => void }) {
  const { t } = useI18n();
  const list = q.exclusions ?? [];
  const last = q.steps.length - 1;
  const set = (exclusions: NonNullable<FunnelQuery["exclusions"]>) => onQuery({ ...q, exclusions });
  const stepOptions = q.steps.map((s, i) => (
    <option key={i} value={i}>{`${i + 1}. ${s.event || "…"}`}</option>
  ));
  return (
    <fieldset class="exclusions">
      <legend>{t("funnel.exclusions")}</legend>
      <ul class="conditions">
        {list.map((x, i) => (
          <li key={i} class="condition">
            <EventPicker label={t("funnel.excludedEvent", { n: i + 1 })} hideLabel value={x.event} onValue={(event) => set(list.map((y, j) => (j === i ? { ...y, event } : y)))} />
            <label class="inline">
              {t("funnel.between")}{" "}
              <select value={x.fromStep} disabled={q.order === "unordered"} onChange={(e) => set(list.map((y, j) => (j === i ? { ...y, fromStep: Number(e.currentTarget.value) } : y)))}>{stepOptions}</select>
            </label>
            <label class="inline">
              {t("funnel.and")}{" "}
              <select value={x.toStep} disabled={q.order === "unordered"} onChange={(e) => set(list.map((y, j) => (j === i ? { ...y, toStep: Number(e.currentTarget.value) } : y)))}>{stepOptions}</select>
            </label>
            <button type="button" class="btn btn-link" onClick={() => set(list.filter((_, j) => j !== i))} aria-label={t("funnel.removeExclusion", { n: i + 1 })}>✕</button>
          </li>
        ))}
      </ul>
      <button type="button" class="btn btn-link" onClick={() => set([...list, { event: "", fromStep: 0, toStep: last }])}>
        + {t("funnel.addExclusion")}
      </button>
    </fieldset>
  );
}
