/**
 * Tags (标签): the catalogue by group with each tag's kind and coverage (persons carrying it) and who
 * holds it; creating, renaming and deleting groups; creating, editing and deleting manual and rule tags
 * (the audience grammar); assigning a manual tag to persons by hand; importing person,tag,value rows
 * from CSV. Changes need the operate role; every reader sees the holders.
 */
import { useState } from "preact/hooks";
import { api, errorMessage } from "../../api.ts";
import { localeOf, useI18n } from "../../i18n/index.tsx";
import { useSession } from "../../session.tsx";
import type { Tag, TagGroup } from "../../types.ts";
import { Button } from "../../ui/button.tsx";
import { Alert, Empty, Loading, PageHeader } from "../../ui/feedback.tsx";
import { Field } from "../../ui/field.tsx";
import { useLoad } from "../../ui/use-load.ts";
import { AssignDialog, ImportCard } from "./tag-actions.tsx";
import { EditTagDialog, GroupDialog, refusalText } from "./tag-edit.tsx";
import { HoldersDialog } from "./tag-holders.tsx";
import { NewTagDialog } from "./new-tag.tsx";

/** CatalogueActions are what a row or a group heading can start; the page owns the dialogs. */
interface CatalogueActions {
  onAssign: (t: Tag) => void;
  onHolders: (t: Tag) => void;
  onEdit: (t: Tag) => void;
  onDelete: (t: Tag) => void;
  onRenameGroup: (g: TagGroup) => void;
  onDeleteGroup: (g: TagGroup) => void;
}

function Catalogue({ groups, tags, actions }: { groups: TagGroup[]; tags: Tag[]; actions: CatalogueActions }) {
  const { t, dateTime, lang } = useI18n();
  const { canOperate } = useSession();
  const nf = new Intl.NumberFormat(localeOf(lang));
  // Every group shows, an empty one too, so it can be renamed or deleted; "without group" only when it has tags.
  const sections = [
    ...groups.map((g) => ({ key: String(g.id), group: g, name: g.name, description: g.description, tags: tags.filter((x) => x.groupId === g.id) })),
    { key: "none", group: null, name: t("tags.ungrouped"), description: null, tags: tags.filter((x) => x.groupId === null) },
  ].filter((s) => s.group !== null || s.tags.length > 0);
  return (
    <>
      {sections.map((s) => (
        <section key={s.key} class="card" aria-labelledby={`group-${s.key}`}>
          <div class="group-head">
            <h2 id={`group-${s.key}`}>{s.name}</h2>
            {canOperate && s.group && (
              <div class="row-actions">
                <Button variant="link" onClick={() => actions.onRenameGroup(s.group!)}>{t("tags.renameGroup")}</Button>
                <Button variant="link" onClick={() => actions.onDeleteGroup(s.group!)}>{t("tags.deleteGroup")}</Button>
              </div>
            )}
          </div>
          {s.description && <p class="hint">{s.description}</p>}
          {s.tags.length === 0 ? <Empty>{t("tags.groupEmpty")}</Empty> : (
          <table class="table tag-table" data-testid="tag-table">
            <thead>
              <tr>
                <th scope="col">{t("tags.tag")}</th>
                <th scope="col">{t("tags.kind")}</th>
                <th scope="col" class="num">{t("tags.coverage")}</th>
                <th scope="col">{t("tags.computed")}</th>
                <th scope="col"><span class="visually-hidden">{t("common.actions")}</span></th>
              </tr>
            </thead>
            <tbody>
              {s.tags.map((tag) => (
                <tr key={tag.id}>
                  <td>
                    <strong>{tag.label ?? tag.name}</strong> {tag.label && <code class="hint">{tag.name}</code>}
                    {tag.description && <div class="hint">{tag.description}</div>}
                  </td>
                  <td>{t(`tags.kind.${tag.kind}`)}{tag.valueType === "string" && <span class="hint"> · {t("tags.valued")}</span>}</td>
                  <td class="num">{nf.format(tag.coverage)}</td>
                  <td>{tag.kind === "manual" ? "—" : tag.lastComputedAt ? dateTime(tag.lastComputedAt) : t("common.never")}</td>
                  <td>
                    <div class="row-actions">
                      <Button onClick={() => actions.onHolders(tag)}>{t("tags.holders")}</Button>
                      {canOperate && tag.kind === "manual" && <Button onClick={() => actions.onAssign(tag)}>{t("tags.assign")}</Button>}
                      {canOperate && <Button onClick={() => actions.onEdit(tag)}>{t("tags.edit")}</Button>}
                      {canOperate && <Button variant="danger" onClick={() => actions.onDelete(tag)}>{t("common.delete")}</Button>}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          )}
        </section>
      ))}
    </>
  );
}

export function TagsPage() {
  const { t } = useI18n();
  const { canOperate } = useSession();
  const groups = useLoad(() => api<{ groups: TagGroup[] }>("GET", "/api/tags/groups"));
  const tags = useLoad(() => api<{ tags: Tag[] }>("GET", "/api/tags"));
  const [creating, setCreating] = useState(false);
  const [assigning, setAssigning] = useState<Tag | null>(null);
  const [holding, setHolding] = useState<Tag | null>(null);
  const [editing, setEditing] = useState<Tag | null>(null);
  const [renaming, setRenaming] = useState<TagGroup | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [groupName, setGroupName] = useState("");
  const [groupError, setGroupError] = useState<string | null>(null);
  const reload = () => Promise.all([groups.reload(), tags.reload()]);
  const addGroup = async (e: Event) => {
    e.preventDefault();
    try {
      await api("POST", "/api/tags/groups", { name: groupName });
      setGroupName("");
      setGroupError(null);
      await groups.reload();
    } catch (err) {
      setGroupError(errorMessage(err));
    }
  };
  const list = tags.data?.tags ?? [];
  const groupList = groups.data?.groups ?? [];
  /** remove deletes after the user confirms; a refusal (what still uses it) is shown above the catalogue. */
  const remove = async (question: string, path: string, what: string) => {
    if (!confirm(question)) return;
    setActionError(null);
    try {
      await api("DELETE", path);
      await reload();
    } catch (err) {
      setActionError(await refusalText(err, what, list, t));
    }
  };
  const actions: CatalogueActions = {
    onAssign: setAssigning,
    onHolders: setHolding,
    onEdit: setEditing,
    onDelete: (tag) => void remove(t("tags.deleteConfirm", { name: tag.label ?? tag.name }), `/api/tags/${tag.id}`, tag.label ?? tag.name),
    onRenameGroup: setRenaming,
    onDeleteGroup: (g) => void remove(t("tags.deleteGroupConfirm", { name: g.name }), `/api/tags/groups/${g.id}`, g.name),
  };
  return (
    <>
      <PageHeader title={t("nav.tags")} intro={t("tags.intro")}>
        {canOperate && <Button variant="primary" onClick={() => setCreating(true)}>{t("tags.new")}</Button>}
      </PageHeader>
      {(groups.error ?? tags.error) && <Alert>{groups.error ?? tags.error}</Alert>}
      {actionError && <Alert>{actionError}</Alert>}
      {tags.loading && !tags.data ? <Loading /> : list.length === 0 && groupList.length === 0 ? <Empty>{t("tags.empty")}</Empty> : <Catalogue groups={groupList} tags={list} actions={actions} />}
      {canOperate && (
        <>
          <form class="card inline-form" onSubmit={addGroup}>
            <Field label={t("tags.newGroup")} value={groupName} onValue={setGroupName} required maxLength={200} />
            <Button type="submit">{t("common.create")}</Button>
            {groupError && <Alert>{groupError}</Alert>}
          </form>
          <ImportCard onDone={reload} />
        </>
      )}
      {creating && <NewTagDialog groups={groupList} onClose={() => setCreating(false)} onCreated={() => (setCreating(false), void reload())} />}
      {assigning && <AssignDialog tag={assigning} onClose={() => setAssigning(null)} onDone={() => (setAssigning(null), void reload())} />}
      {holding && <HoldersDialog tag={holding} onClose={() => setHolding(null)} />}
      {editing && <EditTagDialog tag={editing} groups={groupList} onClose={() => setEditing(null)} onSaved={() => (setEditing(null), void reload())} />}
      {renaming && <GroupDialog group={renaming} onClose={() => setRenaming(null)} onSaved={() => (setRenaming(null), void reload())} />}
    </>
  );
}
