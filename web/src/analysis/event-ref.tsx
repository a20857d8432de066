/** EventRefEditor: one event with optional property filters (retention's start and return events, paths' anchor). */
import { useState } from "preact/hooks";
import { useI18n } from "../i18n/index.tsx";
import type { EventRef } from "../query/types.ts";
import { FilterEditor } from "./filter-editor.tsx";
import { EventPicker } from "./pickers.tsx";

export function EventRefEditor({ label, value, onValue, testId }: { label: string; value: EventRef; onValue: (v: EventRef) => void; testId?: string }) {
  const { t } = useI18n();
  const [filters, setFilters] = useState(value.where !== undefined);
  return (
    <div class="event-ref">
      <div class="row">
        <EventPicker label={label} value={value.event} onValue={(event) => onValue({ ...value, event })} testId={testId} />
        <button type="button" class="btn btn-link" aria-expanded={filters} onClick={() => setFilters(!filters)}>
          {t("query.filters")}
        </button>
      </div>
      {filters && <FilterEditor label={t("query.filtersOf", { label })} event={value.event} filter={value.where} onFilter={(where) => onValue({ ...value, where })} />}
    </div>
  );
}
