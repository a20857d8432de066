/**
 * Changing the catalogue: EditTagDialog (label, description, group; a rule tag's definition too — a
 * computed tag's spec stays the API's), GroupDialog (rename a group), and refusalText, which says in the
 * UI's language what still uses a tag or pack the server refused to delete.
 */
import { useState } from "preact/hooks";
import { api, ApiError, errorMessage } from "../../api.ts";
import { DefinitionEditor } from "../../audiences/definition-editor.tsx";
import { conditionNumbers, incomplete, sendable, type Node } from "../../audiences/definition-model.ts";
import { useI18n } from "../../i18n/index.tsx";
import type { Audience, Tag, TagGroup } from "../../types.ts";
import { Button } from "../../ui/button.tsx";
import { Dialog } from "../../ui/dialog.tsx";
import { Alert } from "../../ui/feedback.tsx";
import { Field, SelectField } from "../../ui/field.tsx";
import { useAction } from "../../ui/use-action.ts";

type T = ReturnType<typeof useI18n>["t"];

function DescriptionField({ value, onValue }: { value: string; onValue: (v: string) => void }) {
  const { t } = useI18n();
  return (
    <label class="field">
      <span>{t("tags.description")}</span>
      <textarea rows={2} maxLength={2000} value={value} onInput={(e) => onValue(e.currentTarget.value)} />
    </label>
  );
}

export function EditTagDialog({ tag, groups, onClose, onSaved }: { tag: Tag; groups: TagGroup[]; onClose: () => void; onSaved: () => void }) {
  const { t } = useI18n();
  const [label, setLabel] = useState(tag.label ?? "");
  const [description, setDescription] = useState(tag.description ?? "");
  const [groupId, setGroupId] = useState(tag.groupId === null ? "" : String(tag.groupId));
  const [definition, setDefinition] = useState<Node>(tag.kind === "rule" ? (tag.definition as Node) : { kind: "and", children: [] });
  const { busy, error, setError, run } = useAction();
  const submit = async (e: Event) => {
    e.preventDefault();
    const body: Record<string, unknown> = { label: label.trim() || null, description: description.trim() || null, groupId: groupId ? Number(groupId) : null };
    if (tag.kind === "rule") {
      const def = sendable(definition);
      if (def === null) return setError(t("audience.needCondition"));
      const missing = incomplete(def);
      if (missing.length > 0) return setError(t("audience.finishFirst", { at: conditionNumbers(missing).join(t("common.listSep")) }));
      body.definition = def;
    }
    await run(async () => {
      await api("PATCH", `/api/tags/${tag.id}`, body);
      onSaved();
    });
  };
  return (
    <Dialog title={t("tags.editTitle", { name: tag.label ?? tag.name })} onClose={onClose} wide={tag.kind === "rule"}>
      <form onSubmit={submit}>
        {error && <Alert>{error}</Alert>}
        <p class="hint">{t("tags.editHint", { name: tag.name, kind: t(`tags.kind.${tag.kind}`) })}</p>
        <Field label={t("tags.label")} value={label} onValue={setLabel} maxLength={200} />
        <DescriptionField value={description} onValue={setDescription} />
        <SelectField label={t("tags.group")} value={groupId} onValue={setGroupId} options={[{ value: "", label: t("tags.ungrouped") }, ...groups.map((g) => ({ value: String(g.id), label: g.name }))]} />
        {tag.kind === "rule" && (
          <DefinitionEditor value={definition} onChange={(edit) => {
            setError(null);
            setDefinition((prev) => edit(prev));
          }} />
        )}
        {tag.kind === "computed" && <p class="hint">{t("tags.computedSpecHint")}</p>}
        <div class="actions">
          <Button type="submit" variant="primary" busy={busy}>{t("common.save")}</Button>
        </div>
      </form>
    </Dialog>
  );
}

export function GroupDialog({ group, onClose, onSaved }: { group: TagGroup; onClose: () => void; onSaved: () => void }) {
  const { t } = useI18n();
  const [name, setName] = useState(group.name);
  const [description, setDescription] = useState(group.description ?? "");
  const { busy, error, run } = useAction();
  const submit = async (e: Event) => {
    e.preventDefault();
    await run(async () => {
      await api("PATCH", `/api/tags/groups/${group.id}`, { name, description: description.trim() || null });
      onSaved();
    });
  };
  return (
    <Dialog title={t("tags.renameGroupTitle", { name: group.name })} onClose={onClose}>
      <form onSubmit={submit}>
        {error && <Alert>{error}</Alert>}
        <Field label={t("common.name")} value={name} onValue={setName} required maxLength={200} />
        <DescriptionField value={description} onValue={setDescription} />
        <div class="actions">
          <Button type="submit" variant="primary" busy={busy}>{t("common.save")}</Button>
        </div>
      </form>
    </Dialog>
  );
}

/**
 * refusalText words a refused delete: the server names what uses the tag as graph keys (`audience:12`,
 * `tag:loyal`); they are shown as the packs' and tags' names. Any other failure is errorMessage's.
 */
export async function refusalText(e: unknown, what: string, tags: readonly Tag[], t: T): Promise<string> {
  const users = e instanceof ApiError && e.status === 409 ? (e.body as { dependents?: unknown } | null)?.dependents : undefined;
  if (!Array.isArray(users) || users.length === 0) return errorMessage(e);
  const packs = users.some((u) => String(u).startsWith("audience:"))
    ? await api<{ audiences: Audience[] }>("GET", "/api/audiences").then((r) => r.audiences, () => [])
    : [];
  const named = users.map((u) => {
    const [kind, ref] = String(u).split(/:(.*)/s) as [string, string];
    if (kind === "audience") return t("tags.usedBy.audience", { name: packs.find((a) => String(a.id) === ref)?.name ?? `#${ref}` });
    const tag = tags.find((x) => x.name === ref);
    return t("tags.usedBy.tag", { name: tag?.label ?? ref });
  });
  return t("tags.inUse", { name: what, list: named.join(t("common.listSep")) });
}
