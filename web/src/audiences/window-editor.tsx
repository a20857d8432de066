/** WindowEditor: when a behaviour counts — the last N units, between two ages, between two dates, or ever. */
import type { Window } from "./definition-model.ts";
import { useI18n } from "../i18n/index.tsx";
import { CommitInput } from "../ui/field.tsx";

type Unit = "minute" | "hour" | "day" | "week" | "month";
const UNITS: Unit[] = ["minute", "hour", "day", "week", "month"];

function Duration({ label, value, onValue }: { label: string; value: { n: number; unit: string }; onValue: (d: { n: number; unit: Unit }) => void }) {
  const { t } = useI18n();
  return (
    <span class="duration">
      <CommitInput type="number" min={1} value={value.n} aria-label={`${label}: ${t("audience.amount")}`} style="width: 5em" onCommit={(v) => onValue({ n: Math.max(1, Number(v) || 1), unit: value.unit as Unit })} />
      <select value={value.unit} aria-label={`${label}: ${t("audience.unit")}`} onChange={(e) => onValue({ n: value.n, unit: e.currentTarget.value as Unit })}>
        {UNITS.map((u) => (
          <option key={u} value={u}>{t(`unit.${u}`)}</option>
        ))}
      </select>
    </span>
  );
}

export function WindowEditor({ value, onValue, label }: { value: Window; onValue: (w: Window) => void; label: string }) {
  const { t } = useI18n();
  const change = (kind: Window["kind"]) => {
    if (kind === "last") onValue({ kind, n: 30, unit: "day" });
    else if (kind === "between_ago") onValue({ kind, from: { n: 14, unit: "day" }, to: { n: 7, unit: "day" } });
    else if (kind === "absolute") onValue({ kind, from: new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10), to: new Date().toISOString().slice(0, 10) });
    else onValue({ kind: "ever" });
  };
  return (
    <span class="window" role="group" aria-label={label}>
      <select value={value.kind} aria-label={label} onChange={(e) => change(e.currentTarget.value as Window["kind"])}>
        <option value="last">{t("window.last")}</option>
        <option value="between_ago">{t("window.between_ago")}</option>
        <option value="absolute">{t("window.absolute")}</option>
        <option value="ever">{t("window.ever")}</option>
      </select>
      {value.kind === "last" && <Duration label={label} value={value} onValue={(d) => onValue({ kind: "last", ...d })} />}
      {value.kind === "between_ago" && (
        <>
          <Duration label={t("window.from")} value={value.from} onValue={(from) => onValue({ ...value, from })} />
          <span>{t("window.agoTo")}</span>
          <Duration label={t("window.to")} value={value.to} onValue={(to) => onValue({ ...value, to })} />
          <span>{t("window.ago")}</span>
        </>
      )}
      {value.kind === "absolute" && (
        <>
          <input type="date" aria-label={t("window.from")} value={value.from?.slice(0, 10) ?? ""} onChange={(e) => onValue({ ...value, from: e.currentTarget.value || undefined })} />
          <span>–</span>
          <input type="date" aria-label={t("window.to")} value={value.to?.slice(0, 10) ?? ""} onChange={(e) => onValue({ ...value, to: e.currentTarget.value || undefined })} />
        </>
      )}
    </span>
  );
}
