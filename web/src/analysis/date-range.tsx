/**
 * DateRange: presets (today, yesterday, last 7/30/90 days) or two calendar days, in the project's time
 * zone; `compare` adds the previous period of equal length where the analysis supports it.
 */
import { useI18n } from "../i18n/index.tsx";
import { absoluteDay, presetOf, PRESETS, rangeOf, type Preset } from "../query/dates.ts";
import { useSession } from "../session.tsx";

type Props = {
  dateFrom: string | undefined;
  dateTo: string | undefined;
  onRange: (r: { dateFrom: string; dateTo: string }) => void;
  compare?: boolean;
  onCompare?: (on: boolean) => void;
};

export function DateRange({ dateFrom, dateTo, onRange, compare, onCompare }: Props) {
  const { t } = useI18n();
  const { settings } = useSession();
  const preset = presetOf(dateFrom, dateTo);
  const tz = settings.timezone;
  const choose = (p: Preset) => {
    if (p !== "custom") return onRange(rangeOf(p));
    const now = Date.now();
    onRange({ dateFrom: absoluteDay(dateFrom ?? "-6d", now, tz), dateTo: absoluteDay(dateTo ?? "today", now, tz) });
  };
  return (
    <div class="date-range" role="group" aria-label={t("query.dateRange")}>
      <label>
        <span class="visually-hidden">{t("query.dateRange")}</span>
        <select value={preset} onChange={(e) => choose(e.currentTarget.value as Preset)} aria-label={t("query.dateRange")}>
          {PRESETS.map((p) => (
            <option key={p} value={p}>
              {t(`range.${p}`)}
            </option>
          ))}
          <option value="custom">{t("range.custom")}</option>
        </select>
      </label>
      {preset === "custom" && (
        <>
          <input type="date" aria-label={t("query.from")} value={absoluteDay(dateFrom ?? "-6d", Date.now(), tz)} onChange={(e) => e.currentTarget.value && onRange({ dateFrom: e.currentTarget.value, dateTo: dateTo ?? "today" })} />
          <span aria-hidden="true">–</span>
          <input type="date" aria-label={t("query.to")} value={absoluteDay(dateTo ?? "today", Date.now(), tz)} onChange={(e) => e.currentTarget.value && onRange({ dateFrom: dateFrom ?? "-6d", dateTo: e.currentTarget.value })} />
        </>
      )}
      {onCompare && (
        <label class="inline">
          <input type="checkbox" checked={compare ?? false} onChange={(e) => onCompare(e.currentTarget.checked)} /> {t("query.compare")}
        </label>
      )}
    </div>
  );
}

export function IntervalSelect<I extends string>({ value, onValue, options }: { value: I; onValue: (v: I) => void; options: readonly I[] }) {
  const { t } = useI18n();
  return (
    <label class="inline">
      {t("query.interval")}{" "}
      <select value={value} onChange={(e) => onValue(e.currentTarget.value as I)}>
        {options.map((o) => (
          <option key={o} value={o}>
            {t(`interval.${o}` as "interval.day")}
          </option>
        ))}
      </select>
    </label>
  );
}
