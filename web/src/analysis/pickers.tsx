/**
 * EventPicker and PropertyPicker: comboboxes over the event catalogue. Event names show their 30-day
 * volume, busiest first; property keys are those seen on the chosen event (or person properties), with how often.
 * Suggestions load when the list is first opened, so a page full of pickers costs no requests until used.
 */
import { useState } from "preact/hooks";
import { useI18n } from "../i18n/index.tsx";
import { compactNumber, loadEventNames, loadProperties, useCatalog } from "../query/catalog.ts";
import type { PropertyType } from "../query/types.ts";
import { Combobox } from "../ui/combobox.tsx";

export function EventPicker({ label, value, onValue, hideLabel, testId }: { label: string; value: string; onValue: (v: string) => void; hideLabel?: boolean; testId?: string }) {
  const { t, lang } = useI18n();
  const [opened, setOpened] = useState(false);
  const { items, loading } = useCatalog(opened ? loadEventNames : null, [opened]);
  // Ordered by the 30-day volume each shows (the catalogue's all-time order breaks ties).
  const options = [...items].sort((a, b) => b.last30Days - a.last30Days).map((e) => ({ value: e.name, hint: compactNumber(e.last30Days, lang) }));
  return (
    <Combobox label={label} hideLabel={hideLabel} value={value} options={options} loading={loading} onOpen={() => setOpened(true)} onValue={onValue} placeholder={t("query.chooseEvent")} required testId={testId} empty={t("query.noEventsYet")} />
  );
}

export function PropertyPicker({
  label, type, event, value, onValue, hideLabel,
}: { label: string; type: PropertyType; event?: string; value: string; onValue: (v: string) => void; hideLabel?: boolean }) {
  const { t, lang } = useI18n();
  const [opened, setOpened] = useState(false);
  const { items, loading } = useCatalog(opened ? () => loadProperties(type, event) : null, [opened, type, event]);
  const options = items.map((p) => ({ value: p.key, hint: compactNumber(p.count, lang) }));
  return <Combobox label={label} hideLabel={hideLabel} value={value} options={options} loading={loading} onOpen={() => setOpened(true)} onValue={onValue} placeholder={t("query.chooseProperty")} />;
}
