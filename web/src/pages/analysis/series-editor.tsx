/**
 * SeriesEditor: the event analysis series A, B, C… each an event with a measure (count, persons, per
 * person, or math over a numeric property) and its own filters.
 */
import { useState } from "preact/hooks";
import { FilterEditor } from "../../analysis/filter-editor.tsx";
import { EventPicker, PropertyPicker } from "../../analysis/pickers.tsx";
import { useI18n } from "../../i18n/index.tsx";
import { PROPERTY_MATH, type Series, type TrendsMath } from "../../query/types.ts";

const MATHS: TrendsMath[] = ["total", "users", "per_user_avg", "per_user_max", ...PROPERTY_MATH];

export const letter = (i: number) => String.fromCharCode(65 + i);

function SeriesRow({ s, i, onSeries, onRemove }: { s: Series; i: number; onSeries: (s: Series) => void; onRemove?: () => void }) {
  const { t } = useI18n();
  const [filtersOpen, setFiltersOpen] = useState(s.where !== undefined);
  const math = s.math ?? "total";
  return (
    <li class="series-row">
      <div class="row">
        <span class="letter" aria-hidden="true">{letter(i)}</span>
        <EventPicker label={t("query.seriesEvent", { letter: letter(i) })} hideLabel value={s.event} onValue={(event) => onSeries({ ...s, event })} testId={`series-${i}`} />
        <label class="visually-hidden" for={`math-${i}`}>{t("query.seriesMath", { letter: letter(i) })}</label>
        <select id={`math-${i}`} value={math} onChange={(e) => {
          const m = e.currentTarget.value as TrendsMath;
          onSeries({ ...s, math: m, property: PROPERTY_MATH.includes(m) ? s.property : undefined });
        }}>
          {MATHS.map((m) => (
            <option key={m} value={m}>
              {t(`math.${m}`)}
            </option>
          ))}
        </select>
        {PROPERTY_MATH.includes(math) && (
          <PropertyPicker label={t("query.numericProperty")} hideLabel type="event" event={s.event} value={s.property ?? ""} onValue={(property) => onSeries({ ...s, property })} />
        )}
        <button type="button" class="btn btn-link" aria-expanded={filtersOpen} onClick={() => setFiltersOpen(!filtersOpen)}>
          {t("query.filters")}
        </button>
        {onRemove && (
          <button type="button" class="btn btn-link" onClick={onRemove} aria-label={t("query.removeSeries", { letter: letter(i) })}>
            ✕
          </button>
        )}
      </div>
      {filtersOpen && <FilterEditor label={t("query.seriesFilters", { letter: letter(i) })} event={s.event} filter={s.where} onFilter={(where) => onSeries({ ...s, where })} />}
    </li>
  );
}

export function SeriesEditor({ series, onSeries }: { series: Series[]; onSeries: (s: Series[]) => void }) {
  const { t } = useI18n();
  return (
    <fieldset class="series">
      <legend>{t("query.seriesTitle")}</legend>
      <ol class="series-list">
        {series.map((s, i) => (
          <SeriesRow
            key={i}
            s={s}
            i={i}
            onSeries={(ns) => onSeries(series.map((x, j) => (j === i ? ns : x)))}
            onRemove={series.length > 1 ? () => onSeries(series.filter((_, j) => j !== i)) : undefined}
          />
        ))}
      </ol>
      {series.length < 26 && (
        <button type="button" class="btn btn-link" onClick={() => onSeries([...series, { event: "", math: "total" }])}>
          + {t("query.addSeries")}
        </button>
      )}
    </fieldset>
  );
}
