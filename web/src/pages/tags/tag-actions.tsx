/**
 * Manual tag work: AssignDialog puts a tag on persons found by search (or removes it), ImportCard reads
 * a CSV of person,tag[,value] (person as person:<id> or type:value, e.g. email:a@b.cn) and reports each
 * refused line.
 */
import { useState } from "preact/hooks";
import { api } from "../../api.ts";
import { useI18n } from "../../i18n/index.tsx";
import { displayName } from "../../people/person-label.tsx";
import type { Actor } from "../../query/types.ts";
import type { Tag } from "../../types.ts";
import { Button } from "../../ui/button.tsx";
import { Dialog } from "../../ui/dialog.tsx";
import { Alert } from "../../ui/feedback.tsx";
import { Field } from "../../ui/field.tsx";
import { useAction } from "../../ui/use-action.ts";

export function AssignDialog({ tag, onClose, onDone }: { tag: Tag; onClose: () => void; onDone: () => void }) {
  const { t } = useI18n();
  const [search, setSearch] = useState("");
  const [found, setFound] = useState<Actor[]>([]);
  const [picked, setPicked] = useState<Actor[]>([]);
  const [value, setValue] = useState("");
  const { busy, error, run } = useAction();
  const find = async (e: Event) => {
    e.preventDefault();
    await run(async () => setFound((await api<{ persons: Actor[] }>("GET", `/api/persons?${new URLSearchParams({ search })}`)).persons));
  };
  const send = (action: "assign" | "unassign") =>
    run(async () => {
      const persons = picked.map((p) => Number(p.id));
      await api("POST", `/api/tags/${tag.id}/${action}`, action === "assign" ? { persons: persons.map((person) => ({ person, value: tag.valueType === "string" ? value : null })) } : { persons });
      onDone();
    });
  return (
    <Dialog title={t("tags.assignTitle", { name: tag.label ?? tag.name })} onClose={onClose}>
      {error && <Alert>{error}</Alert>}
      <form class="inline-form" onSubmit={find}>
        <Field label={t("people.search")} type="search" value={search} onValue={setSearch} required />
        <Button type="submit">{t("people.find")}</Button>
      </form>
      <ul class="person-list">
        {found.map((p) => (
          <li key={p.id}>
            <label class="inline checkbox">
              <input type="checkbox" checked={picked.some((x) => x.id === p.id)} onChange={(e) => setPicked(e.currentTarget.checked ? [...picked, p] : picked.filter((x) => x.id !== p.id))} /> {displayName(p)}
            </label>
          </li>
        ))}
      </ul>
      {tag.valueType === "string" && <Field label={t("tags.value")} value={value} onValue={setValue} required />}
      <div class="actions">
        <Button variant="primary" busy={busy} disabled={picked.length === 0 || (tag.valueType === "string" && value === "")} onClick={() => send("assign")}>{t("tags.assignN", { n: picked.length })}</Button>
        <Button busy={busy} disabled={picked.length === 0} onClick={() => send("unassign")}>{t("tags.unassignN", { n: picked.length })}</Button>
      </div>
    </Dialog>
  );
}

interface ImportResult {
  imported: number;
  created: string[];
  /** `code` and `params` say the reason in the UI's language; `error` is the server's English. */
  errors: { line: number; error: string; code?: string; params?: Record<string, string> }[];
}

const IMPORT_CODES = ["missing_column", "unknown_person", "unknown_tag", "computed_tag", "takes_no_value", "needs_value"] as const;

export function ImportCard({ onDone }: { onDone: () => void }) {
  const { t } = useI18n();
  const [csv, setCsv] = useState("person,tag,value\n");
  const [create, setCreate] = useState(true);
  const [result, setResult] = useState<ImportResult | null>(null);
  const { busy, error, run } = useAction();
  const submit = async (e: Event) => {
    e.preventDefault();
    await run(async () => {
      setResult(await api<ImportResult>("POST", `/api/tags/import?create=${create}`, undefined, { text: { body: csv, contentType: "text/csv" } }));
      onDone();
    });
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="import-title">
      <h2 id="import-title">{t("tags.import")}</h2>
      <p class="hint">{t("tags.importHint")}</p>
      <label class="field">
        <span>{t("tags.csvFile")}</span>
        <input type="file" accept=".csv,text/csv" onChange={async (e) => {
          const f = e.currentTarget.files?.[0];
          if (f) setCsv(await f.text());
        }} />
      </label>
      <label class="field">
        <span>{t("tags.csvText")}</span>
        <textarea rows={5} value={csv} onInput={(e) => setCsv(e.currentTarget.value)} spellcheck={false} />
      </label>
      <label class="inline checkbox">
        <input type="checkbox" checked={create} onChange={(e) => setCreate(e.currentTarget.checked)} /> {t("tags.createMissing")}
      </label>
      <div class="actions">
        <Button type="submit" variant="primary" busy={busy}>{t("tags.importButton")}</Button>
      </div>
      {error && <Alert>{error}</Alert>}
      {result && (
        <Alert kind={result.errors.length ? "info" : "success"}>
          <p>{t("tags.imported", { n: result.imported, created: result.created.join(t("common.listSep")) || "—" })}</p>
          {result.errors.length > 0 && (
            <ul>
              {result.errors.slice(0, 20).map((x) => (
                <li key={x.line}>{t("tags.lineError", { line: x.line, error: IMPORT_CODES.find((k) => k === x.code) ? t(`tags.importError.${x.code as (typeof IMPORT_CODES)[number]}`, x.params ?? {}) : x.error })}</li>
              ))}
            </ul>
          )}
        </Alert>
      )}
    </form>
  );
}
