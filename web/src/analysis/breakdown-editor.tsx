/** BreakdownEditor: split results by one property (event or person), top N values and the rest as "other". */
import { useI18n } from "../i18n/index.tsx";
import type { Breakdown, PropertyType } from "../query/types.ts";
import { PropertyPicker } from "./pickers.tsx";
import { CommitInput } from "../ui/field.tsx";

type Props = {
  value: Breakdown | undefined;
  onValue: (b: Breakdown | undefined) => void;
  event?: string;
  /** personOnly: retention breaks down by person properties only (SPEC §5.3). */
  personOnly?: boolean;
  /** required hides "none" and the top-N field (the overview always splits by its channel property). */
  required?: boolean;
  /** label replaces "Breakdown" where the split has a meaning of its own ("Channel by"). */
  label?: string;
};

export function BreakdownEditor({ value, onValue, event, personOnly, required, label }: Props) {
  const { t } = useI18n();
  const type: PropertyType = personOnly ? "person" : (value?.type ?? "event");
  return (
    <div class="breakdown" role="group" aria-label={label ?? t("query.breakdown")}>
      {!personOnly && (
        <label class="inline">
          {label ?? t("query.breakdown")}{" "}
          <select value={value ? type : ""} onChange={(e) => {
            const v = e.currentTarget.value;
            onValue(v === "" ? undefined : { property: "", type: v as PropertyType, limit: value?.limit ?? 10 });
          }}>
            {!required && <option value="">{t("query.noBreakdown")}</option>}
            <option value="event">{t("query.eventProperty")}</option>
            <option value="person">{t("query.personProperty")}</option>
          </select>
        </label>
      )}
      {(value || personOnly) && (
        <PropertyPicker
          label={personOnly ? t("query.breakdownPerson") : t("query.breakdownProperty")}
          hideLabel={!personOnly}
          type={type}
          event={event}
          value={value?.property ?? ""}
          onValue={(p) => onValue(p === "" ? undefined : { property: p, type, limit: value?.limit ?? 10 })}
        />
      )}
      {value && value.property !== "" && !required && (
        <label class="inline">
          {t("query.top")}{" "}
          <CommitInput type="number" min={1} max={100} value={value.limit ?? 10} style="width: 5em" onCommit={(v) => onValue({ ...value, limit: Math.max(1, Math.min(100, Number(v) || 10)) })} />
        </label>
      )}
    </div>
  );
}
