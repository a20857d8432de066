/**
 * One editor per condition kind of the audience grammar (SPEC §6): person attribute, tag, membership of
 * another pack, did an event (with filters, window, measure and comparison), did not, and sequences
 * (A then B within T, or A then not B).
 */
import { FilterEditor } from "../analysis/filter-editor.tsx";
import { EventPicker, PropertyPicker } from "../analysis/pickers.tsx";
import { coerce, listValue } from "../analysis/filter-model.ts";
import { useI18n } from "../i18n/index.tsx";
import type { Filter, FilterOp } from "../query/types.ts";
import type { Node } from "./definition-model.ts";
import { WindowEditor } from "./window-editor.tsx";
import type { AttrNode, DidNotNode, EventNode, SequenceNode, TagNode, AudienceNode } from "../../../src/audiences/definition.ts";
import type { Audience, Tag } from "../types.ts";

/**
 * Patch is an edit of one condition: the fields that change, or a function of the condition's latest
 * state for fields that depend on other fields (the sequence's two steps, the comparison's values).
 * The editor applies it to the latest tree, so edits landing in the same tick never undo each other.
 */
export type Patch<N> = Partial<N> | ((latest: N) => Partial<N>);

type Edit<N> = { node: N; onNode: (p: Patch<N>) => void; label: string };

const ATTR_OPS: AttrNode["op"][] = [
  "eq", "neq", "in", "not_in", "contains", "not_contains", "starts_with", "gt", "gte", "lt", "lte", "between", "is_set", "is_not_set",
  "date_in_last", "date_more_than_ago", "date_in_next", "anniversary_in_next", "date_before", "date_after", "date_between",
];
const RELATIVE = ["date_in_last", "date_more_than_ago", "date_in_next", "anniversary_in_next"];

/** where lists ⇄ one filter: the grammar takes a list of filters (all must hold). */
const whereOf = (w: Filter[] | undefined): Filter | undefined => (!w?.length ? undefined : w.length === 1 ? w[0] : { and: w });
const whereList = (f: Filter | undefined): Filter[] | undefined => (f === undefined ? undefined : "and" in f ? f.and : [f]);

export function AttrEditor({ node, onNode, label }: Edit<AttrNode>) {
  const { t } = useI18n();
  const v = node.value;
  const setOp = (op: AttrNode["op"]) => {
    if (op === "is_set" || op === "is_not_set") return onNode({ op, value: undefined });
    if (RELATIVE.includes(op)) return onNode({ op, value: { n: 30, unit: "day" } });
    if (op === "date_between") return onNode({ op, value: ["", ""] });
    if (op === "between") return onNode({ op, value: [0, 0] });
    if (op === "in" || op === "not_in") return onNode({ op, value: [] });
    onNode({ op, value: "" });
  };
  const text = Array.isArray(v) ? v.join(", ") : v === undefined || v === null || typeof v === "object" ? "" : String(v);
  return (
    <span class="leaf" role="group" aria-label={label}>
      <PropertyPicker label={t("audience.property")} hideLabel type="person" value={node.property} onValue={(property) => onNode({ property })} />
      <select value={node.op} aria-label={t("audience.operator")} onChange={(e) => setOp(e.currentTarget.value as AttrNode["op"])}>
        {ATTR_OPS.map((op) => (
          <option key={op} value={op}>{t(`op.${op}`)}</option>
        ))}
      </select>
      {RELATIVE.includes(node.op) && typeof v === "object" && v !== null && !Array.isArray(v) ? (
        <WindowEditor label={t("audience.duration")} value={{ kind: "last", ...v }} onValue={(w) => w.kind === "last" && onNode({ value: { n: w.n, unit: w.unit } })} />
      ) : node.op === "date_before" || node.op === "date_after" ? (
        <input type="date" aria-label={t("audience.value")} value={typeof v === "string" ? v.slice(0, 10) : ""} onInput={(e) => onNode({ value: e.currentTarget.value })} />
      ) : node.op === "date_between" || node.op === "between" ? (
        [0, 1].map((i) => (
          <input key={i} type={node.op === "between" ? "number" : "date"} aria-label={t(i === 0 ? "window.from" : "window.to")} value={Array.isArray(v) ? String(v[i] ?? "") : ""} onInput={(e) => {
            const typed = node.op === "between" ? Number(e.currentTarget.value) : e.currentTarget.value;
            onNode((n) => {
              const arr = Array.isArray(n.value) ? [...n.value] : ["", ""];
              arr[i] = typed;
              return { value: arr };
            });
          }} />
        ))
      ) : node.op === "is_set" || node.op === "is_not_set" ? null : (
        <input type="text" aria-label={t("audience.value")} value={text} onInput={(e) => {
          const s = e.currentTarget.value;
          // Date operators were handled above, so this input only ever serves the §5 filter operators.
          const op = node.op as FilterOp;
          onNode({ value: op === "in" || op === "not_in" ? listValue(s, op, []) : coerce(s, op, []) });
        }} />
      )}
    </span>
  );
}

export function TagLeafEditor({ node, onNode, label, tags }: Edit<TagNode> & { tags: Tag[] }) {
  const { t } = useI18n();
  const tag = tags.find((x) => x.name === node.tag);
  return (
    <span class="leaf" role="group" aria-label={label}>
      <select value={node.present ? "has" : "not"} aria-label={t("audience.tagPresence")} onChange={(e) => onNode({ present: e.currentTarget.value === "has" })}>
        <option value="has">{t("audience.hasTag")}</option>
        <option value="not">{t("audience.hasNotTag")}</option>
      </select>
      <select value={node.tag} aria-label={t("audience.tag")} onChange={(e) => onNode({ tag: e.currentTarget.value, value: undefined })}>
        <option value="">{t("audience.chooseTag")}</option>
        {tags.map((x) => (
          <option key={x.id} value={x.name}>{x.label ? `${x.label} (${x.name})` : x.name}</option>
        ))}
      </select>
      {tag?.valueType === "string" && (
        <input type="text" aria-label={t("audience.tagValue")} placeholder={t("audience.anyValue")} value={node.value ?? ""} onInput={(e) => onNode({ value: e.currentTarget.value || undefined })} />
      )}
    </span>
  );
}

export function AudienceLeafEditor({ node, onNode, label, audiences }: Edit<AudienceNode> & { audiences: Audience[] }) {
  const { t } = useI18n();
  return (
    <span class="leaf" role="group" aria-label={label}>
      <select value={node.member ? "in" : "out"} aria-label={t("audience.membership")} onChange={(e) => onNode({ member: e.currentTarget.value === "in" })}>
        <option value="in">{t("audience.memberOf")}</option>
        <option value="out">{t("audience.notMemberOf")}</option>
      </select>
      <select value={node.audience} aria-label={t("audience.pack")} onChange={(e) => onNode({ audience: e.currentTarget.value })}>
        <option value="">{t("audience.choosePack")}</option>
        {audiences.map((a) => (
          <option key={a.id} value={String(a.id)}>{a.name}</option>
        ))}
      </select>
    </span>
  );
}

export function EventLeafEditor({ node, onNode, label }: Edit<EventNode>) {
  const { t } = useI18n();
  const m = node.measure;
  return (
    <span class="leaf leaf-wide" role="group" aria-label={label}>
      <span class="row">
        <span>{t("audience.did")}</span>
        <EventPicker label={t("audience.event")} hideLabel value={node.event} onValue={(event) => onNode({ event })} />
        <WindowEditor label={t("audience.window")} value={node.window} onValue={(window) => onNode({ window })} />
      </span>
      <span class="row">
        <select value={m.fn} aria-label={t("audience.measure")} onChange={(e) => {
          const fn = e.currentTarget.value;
          onNode((n) => ({ measure: fn === "count" || fn === "distinct_days" ? { fn } : { fn: fn as "sum", property: "property" in n.measure ? n.measure.property : "" } }));
        }}>
          {(["count", "distinct_days", "sum", "avg", "min", "max"] as const).map((fn) => (
            <option key={fn} value={fn}>{t(`measure.${fn}`)}</option>
          ))}
        </select>
        {"property" in m && <PropertyPicker label={t("query.numericProperty")} hideLabel type="event" event={node.event} value={m.property} onValue={(property) => onNode({ measure: { ...m, property } })} />}
        <select value={node.cmp.op} aria-label={t("audience.comparison")} onChange={(e) => {
          const op = e.currentTarget.value as EventNode["cmp"]["op"];
          onNode((n) => ({ cmp: op === "between" ? { ...n.cmp, op, value2: Math.max(n.cmp.value, n.cmp.value2 ?? n.cmp.value) } : { op, value: n.cmp.value, includeZero: n.cmp.includeZero } }));
        }}>
          {(["gte", "gt", "eq", "lte", "lt", "between"] as const).map((op) => (
            <option key={op} value={op}>{t(`op.${op}`)}</option>
          ))}
        </select>
        <input type="number" aria-label={t("audience.threshold")} value={node.cmp.value} style="width: 6em" onInput={(e) => { const value = Number(e.currentTarget.value); onNode((n) => ({ cmp: { ...n.cmp, value } })); }} />
        {node.cmp.op === "between" && <input type="number" aria-label={t("audience.threshold2")} value={node.cmp.value2 ?? node.cmp.value} style="width: 6em" onInput={(e) => { const value2 = Number(e.currentTarget.value); onNode((n) => ({ cmp: { ...n.cmp, value2 } })); }} />}
        {(node.cmp.op === "lt" || node.cmp.op === "lte" || node.cmp.op === "eq" || node.cmp.op === "between") && (
          <label class="inline checkbox">
            <input type="checkbox" checked={node.cmp.includeZero ?? false} onChange={(e) => { const includeZero = e.currentTarget.checked; onNode((n) => ({ cmp: { ...n.cmp, includeZero } })); }} /> {t("audience.includeZero")}
          </label>
        )}
      </span>
      <FilterEditor label={t("audience.eventFilters")} event={node.event} filter={whereOf(node.where)} onFilter={(f) => onNode({ where: whereList(f) })} />
    </span>
  );
}

export function DidNotEditor({ node, onNode, label }: Edit<DidNotNode>) {
  const { t } = useI18n();
  return (
    <span class="leaf leaf-wide" role="group" aria-label={label}>
      <span class="row">
        <span>{t("audience.didNot")}</span>
        <EventPicker label={t("audience.event")} hideLabel value={node.event} onValue={(event) => onNode({ event })} />
        <WindowEditor label={t("audience.window")} value={node.window} onValue={(window) => onNode({ window })} />
      </span>
      <FilterEditor label={t("audience.eventFilters")} event={node.event} filter={whereOf(node.where)} onFilter={(f) => onNode({ where: whereList(f) })} />
    </span>
  );
}

export function SequenceEditor({ node, onNode, label }: Edit<SequenceNode>) {
  const { t } = useI18n();
  const [a, b] = node.steps;
  return (
    <span class="leaf leaf-wide" role="group" aria-label={label}>
      <span class="row">
        <span>{t("audience.did")}</span>
        <EventPicker label={t("audience.firstEvent")} hideLabel value={a.event} onValue={(event) => onNode((n) => ({ steps: [{ ...n.steps[0], event }, n.steps[1]] }))} />
        <select value={node.completed ? "then" : "thenNot"} aria-label={t("audience.sequenceKind")} onChange={(e) => onNode({ completed: e.currentTarget.value === "then" })}>
          <option value="then">{t("audience.then")}</option>
          <option value="thenNot">{t("audience.thenNot")}</option>
        </select>
        <EventPicker label={t("audience.secondEvent")} hideLabel value={b.event} onValue={(event) => onNode((n) => ({ steps: [n.steps[0], { ...n.steps[1], event }] }))} />
      </span>
      <span class="row">
        <span>{t("audience.within")}</span>
        <input type="number" min={1} value={node.within.n} aria-label={t("audience.withinN")} style="width: 5em" onInput={(e) => { const n = Math.max(1, Number(e.currentTarget.value) || 1); onNode((x) => ({ within: { ...x.within, n } })); }} />
        <select value={node.within.unit} aria-label={t("audience.withinUnit")} onChange={(e) => { const unit = e.currentTarget.value as SequenceNode["within"]["unit"]; onNode((x) => ({ within: { ...x.within, unit } })); }}>
          {(["minute", "hour", "day", "week"] as const).map((u) => (
            <option key={u} value={u}>{t(`unit.${u}`)}</option>
          ))}
        </select>
        <WindowEditor label={t("audience.window")} value={node.window} onValue={(window) => onNode({ window })} />
      </span>
    </span>
  );
}
