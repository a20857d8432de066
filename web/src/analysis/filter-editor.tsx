/**
 * FilterEditor: property conditions joined by "all of" / "any of", each with the property's top values
 * as suggestions. A filter nested deeper than that (from an edited link) is edited as JSON instead.
 */
import { useMemo, useState } from "preact/hooks";
import { useI18n } from "../i18n/index.tsx";
import { loadProperties, typedValues, useCatalog } from "../query/catalog.ts";
import type { Filter, FilterLeaf, FilterOp, PropertyType } from "../query/types.ts";
import { Combobox } from "../ui/combobox.tsx";
import { ALL_OPS, coerce, flatten, LIST_OPS, listValue, NO_VALUE_OPS, unflatten, valueText, withOp, type FlatFilter, type Scalar } from "./filter-model.ts";
import { PropertyPicker } from "./pickers.tsx";

type Props = {
  filter: Filter | undefined;
  onFilter: (f: Filter | undefined) => void;
  /** event scopes the event-property suggestions; without it only person properties are offered. */
  event?: string;
  label: string;
};

function Condition({ leaf, event, onLeaf, onRemove, index }: { leaf: FilterLeaf; event?: string; onLeaf: (l: FilterLeaf) => void; onRemove: () => void; index: number }) {
  const { t } = useI18n();
  const [loadValues, setLoadValues] = useState(false);
  const { items } = useCatalog(loadValues && leaf.property ? () => loadProperties(leaf.type, event) : null, [loadValues, leaf.type, event, leaf.property]);
  const info = items.find((p) => p.key === leaf.property);
  const known: Scalar[] = useMemo(() => typedValues(info), [info]);
  const options = useMemo(() => (info?.topValues ?? []).map((v) => ({ value: v.value, hint: String(v.count) })), [info]);
  const n = index + 1;
  const setText = (text: string) => onLeaf({ ...leaf, value: LIST_OPS.includes(leaf.op) ? listValue(text, leaf.op, known) : coerce(text, leaf.op, known) });
  const between = Array.isArray(leaf.value) ? leaf.value : [null, null];
  return (
    <li class="condition">
      <label class="visually-hidden" for={`ptype-${event ?? ""}-${n}`}>{t("query.propertyType", { n })}</label>
      <select id={`ptype-${event ?? ""}-${n}`} value={leaf.type} onChange={(e) => onLeaf({ ...leaf, type: e.currentTarget.value as PropertyType, property: "" })}>
        <option value="event">{t("query.eventProperty")}</option>
        <option value="person">{t("query.personProperty")}</option>
      </select>
      <PropertyPicker label={t("query.conditionProperty", { n })} hideLabel type={leaf.type} event={event} value={leaf.property} onValue={(p) => onLeaf({ ...leaf, property: p })} />
      <label class="visually-hidden" for={`op-${event ?? ""}-${n}`}>{t("query.conditionOp", { n })}</label>
      <select id={`op-${event ?? ""}-${n}`} value={leaf.op} onChange={(e) => onLeaf(withOp(leaf, e.currentTarget.value as FilterOp, known))}>
        {ALL_OPS.map((op) => (
          <option key={op} value={op}>
            {t(`op.${op}`)}
          </option>
        ))}
      </select>
      {NO_VALUE_OPS.includes(leaf.op) ? null : leaf.op === "between" ? (
        <span class="between">
          {[0, 1].map((i) => (
            <input
              key={i}
              type="number"
              aria-label={t(i === 0 ? "query.betweenFrom" : "query.betweenTo", { n })}
              value={between[i] === null || between[i] === undefined ? "" : String(between[i])}
              onInput={(e) => {
                const v = [...between];
                v[i] = e.currentTarget.value === "" ? null : Number(e.currentTarget.value);
                onLeaf({ ...leaf, value: v });
              }}
            />
          ))}
        </span>
      ) : (
        <Combobox label={t("query.conditionValue", { n })} hideLabel value={valueText(leaf.value)} options={options} onOpen={() => setLoadValues(true)} onValue={setText} placeholder={LIST_OPS.includes(leaf.op) ? t("query.listPlaceholder") : t("query.valuePlaceholder")} />
      )}
      <button type="button" class="btn btn-link" onClick={onRemove} aria-label={t("query.removeCondition", { n })}>
        ✕
      </button>
    </li>
  );
}

export function FilterEditor({ filter, onFilter, event, label }: Props) {
  const { t } = useI18n();
  // Rows live here while being typed: the query only ever sees complete conditions (see unflatten).
  const [flat, setFlat] = useState<FlatFilter | null>(() => flatten(filter));
  const [json, setJson] = useState(() => JSON.stringify(filter ?? {}, null, 2));
  const [jsonError, setJsonError] = useState<string | null>(null);
  const update = (f: FlatFilter) => {
    setFlat(f);
    onFilter(unflatten(f));
  };
  if (flat === null) {
    return (
      <div class="filter-json">
        <label>
          {label} (JSON)
          <textarea
            rows={6}
            value={json}
            onInput={(e) => {
              setJson(e.currentTarget.value);
              try {
                onFilter(JSON.parse(e.currentTarget.value) as Filter);
                setJsonError(null);
              } catch {
                setJsonError(t("query.badJson"));
              }
            }}
          />
        </label>
        {jsonError && <small class="hint">{jsonError}</small>}
      </div>
    );
  }
  return (
    <fieldset class="filters">
      <legend>{label}</legend>
      {flat.leaves.length > 1 && (
        <label class="inline">
          {t("query.match")}{" "}
          <select value={flat.mode} onChange={(e) => update({ ...flat, mode: e.currentTarget.value === "or" ? "or" : "and" })}>
            <option value="and">{t("query.matchAll")}</option>
            <option value="or">{t("query.matchAny")}</option>
          </select>
        </label>
      )}
      <ul class="conditions">
        {flat.leaves.map((l, i) => (
          <Condition
            key={i}
            index={i}
            leaf={l}
            event={event}
            onLeaf={(nl) => update({ ...flat, leaves: flat.leaves.map((x, j) => (j === i ? nl : x)) })}
            onRemove={() => update({ ...flat, leaves: flat.leaves.filter((_, j) => j !== i) })}
          />
        ))}
      </ul>
      <button type="button" class="btn btn-link" onClick={() => update({ ...flat, leaves: [...flat.leaves, { property: "", type: event ? "event" : "person", op: "eq", value: "" }] })}>
        + {t("query.addCondition")}
      </button>
    </fieldset>
  );
}
