/**
 * Tags (标签): the catalogue by group with each tag's kind and coverage (persons carrying it); creating
 * groups, manual tags and rule tags (the audience grammar); assigning a manual tag to persons by hand;
 * importing person,tag,value rows from CSV.
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
import { NewTagDialog } from "./new-tag.tsx";

function Catalogue({ groups, tags, onAssign }: { groups: TagGroup[]; tags: Tag[]; onAssign: (t: Tag) => void }) {
  const { t, dateTime, lang } = useI18n();
  const { canOperate } = useSession();
  const nf = new Intl.NumberFormat(localeOf(lang));
  const sections = [...groups.map((g) => ({ key: String(g.id), name: g.name, description: g.description, tags: tags.filter((x) => x.groupId === g.id) })), { key: "none", name: t("tags.ungrouped"), description: null, tags: tags.filter((x) => x.groupId === null) }].filter((s) => s.tags.length > 0);
  return (
    <>
      {sections.map((s) => (
        <section key={s.key} class="card" aria-labelledby={`group-${s.key}`}>
          <h2 id={`group-${s.key}`}>{s.name}</h2>
          {s.description && <p class="hint">{s.description}</p>}
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
                  <td>{canOperate && tag.kind === "manual" && <Button onClick={() => onAssign(tag)}>{t("tags.assign")}</Button>}</td>
                </tr>
              ))}
            </tbody>
          </table>
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
  return (
    <>
      <PageHeader title={t("nav.tags")} intro={t("tags.intro")}>
        {canOperate && <Button variant="primary" onClick={() => setCreating(true)}>{t("tags.new")}</Button>}
      </PageHeader>
      {(groups.error ?? tags.error) && <Alert>{groups.error ?? tags.error}</Alert>}
      {tags.loading && !tags.data ? <Loading /> : list.length === 0 ? <Empty>{t("tags.empty")}</Empty> : <Catalogue groups={groups.data?.groups ?? []} tags={list} onAssign={setAssigning} />}
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
      {creating && <NewTagDialog groups={groups.data?.groups ?? []} onClose={() => setCreating(false)} onCreated={() => (setCreating(false), void reload())} />}
      {assigning && <AssignDialog tag={assigning} onClose={() => setAssigning(null)} onDone={() => (setAssigning(null), void reload())} />}
    </>
  );
}
