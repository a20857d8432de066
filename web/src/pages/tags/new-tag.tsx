/** NewTagDialog: a manual tag (assigned by hand or import; yes/no or with a value) or a rule tag (the audience grammar). */
import { useState } from "preact/hooks";
import { api } from "../../api.ts";
import { DefinitionEditor } from "../../audiences/definition-editor.tsx";
import { sendable, type Node } from "../../audiences/definition-model.ts";
import { useI18n } from "../../i18n/index.tsx";
import type { TagGroup } from "../../types.ts";
import { Button } from "../../ui/button.tsx";
import { Dialog } from "../../ui/dialog.tsx";
import { Alert } from "../../ui/feedback.tsx";
import { Field, SelectField } from "../../ui/field.tsx";
import { useAction } from "../../ui/use-action.ts";

export function NewTagDialog({ groups, onClose, onCreated }: { groups: TagGroup[]; onClose: () => void; onCreated: () => void }) {
  const { t } = useI18n();
  const [kind, setKind] = useState<"manual" | "rule">("manual");
  const [name, setName] = useState("");
  const [label, setLabel] = useState("");
  const [groupId, setGroupId] = useState("");
  const [valueType, setValueType] = useState<"boolean" | "string">("boolean");
  const [definition, setDefinition] = useState<Node>({ kind: "and", children: [] });
  const { busy, error, setError, run } = useAction();
  const submit = async (e: Event) => {
    e.preventDefault();
    const common = { name, label: label || null, groupId: groupId ? Number(groupId) : null };
    const def = sendable(definition);
    if (kind === "rule" && def === null) return setError(t("audience.needCondition"));
    await run(async () => {
      await api("POST", "/api/tags", kind === "manual" ? { kind, valueType, ...common } : { kind, definition: def, ...common });
      onCreated();
    });
  };
  return (
    <Dialog title={t("tags.new")} onClose={onClose} wide={kind === "rule"}>
      <form onSubmit={submit}>
        {error && <Alert>{error}</Alert>}
        <SelectField label={t("tags.kind")} value={kind} onValue={(v) => setKind(v === "rule" ? "rule" : "manual")} options={[{ value: "manual", label: t("tags.kind.manual") }, { value: "rule", label: t("tags.kind.rule") }]} />
        <Field label={t("tags.name")} hint={t("tags.nameHint")} value={name} onValue={setName} required maxLength={100} />
        <Field label={t("tags.label")} value={label} onValue={setLabel} maxLength={200} />
        <SelectField label={t("tags.group")} value={groupId} onValue={setGroupId} options={[{ value: "", label: t("tags.ungrouped") }, ...groups.map((g) => ({ value: String(g.id), label: g.name }))]} />
        {kind === "manual" ? (
          <SelectField label={t("tags.valueType")} value={valueType} onValue={(v) => setValueType(v === "string" ? "string" : "boolean")} options={[{ value: "boolean", label: t("tags.boolean") }, { value: "string", label: t("tags.string") }]} />
        ) : (
          <DefinitionEditor value={definition} onChange={(edit) => setDefinition((prev) => edit(prev))} />
        )}
        <div class="actions">
          <Button type="submit" variant="primary" busy={busy}>{t("common.create")}</Button>
        </div>
      </form>
    </Dialog>
  );
}
