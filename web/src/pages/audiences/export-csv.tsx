/**
 * A pack's CSV export (GET /api/audiences/:id/export.csv): contact columns (user_id, email, phone) and
 * identifiers always, plus the trait columns ticked here, picked from the person traits the project has,
 * most common first. The download streams straight from the server.
 */
import { useState } from "preact/hooks";
import { CONTACT_COLUMNS } from "../../../../src/audiences/static-pack.ts";
import { useI18n } from "../../i18n/index.tsx";
import { loadProperties, useCatalog } from "../../query/catalog.ts";
import type { PropertyInfo } from "../../query/types.ts";
import { Dialog } from "../../ui/dialog.tsx";

/** The columns every export has (the server's); a trait of the same name is already in them. */
const CONTACT: ReadonlySet<string> = new Set(CONTACT_COLUMNS);
/** The server takes at most this many trait columns. */
const MAX_TRAITS = 50;

/** exportableTraits is the person traits an export can add, most common first (tags and contact columns left out). */
export function exportableTraits(props: readonly PropertyInfo[]): string[] {
  return props
    .filter((p) => p.type === "person" && !p.key.startsWith("$") && !CONTACT.has(p.key))
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key))
    .slice(0, MAX_TRAITS)
    .map((p) => p.key);
}

/** exportHref is the download address of pack `id` with `traits` as extra columns. */
export function exportHref(id: number, traits: readonly string[]): string {
  const base = `/api/audiences/${id}/export.csv`;
  return traits.length === 0 ? base : `${base}?${new URLSearchParams({ traits: traits.join(",") })}`;
}

/** ExportCsv is the Export CSV button and the dialog that chooses the trait columns. */
export function ExportCsv({ id }: { id: number }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" class="btn" onClick={() => setOpen(true)}>{t("audience.csv")}</button>
      {open && <ExportDialog id={id} onClose={() => setOpen(false)} />}
    </>
  );
}

function ExportDialog({ id, onClose }: { id: number; onClose: () => void }) {
  const { t } = useI18n();
  const { items, loading } = useCatalog(async () => exportableTraits(await loadProperties("person")), []);
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const all = items.length > 0 && items.every((k) => chosen.has(k));
  const toggle = (k: string, on: boolean) => setChosen((c) => {
    const next = new Set(c);
    if (on) next.add(k);
    else next.delete(k);
    return next;
  });
  return (
    <Dialog title={t("audience.export.title")} onClose={onClose}>
      <p>{t("audience.export.columns")}</p>
      {!loading && items.length === 0 ? <p class="hint">{t("audience.export.none")}</p> : (
        <fieldset>
          <legend>{t("audience.export.traits")}</legend>
          <div class="row">
            <label class="inline checkbox">
              <input type="checkbox" checked={all} onChange={(e) => setChosen(e.currentTarget.checked ? new Set(items) : new Set())} /> <strong>{t("audience.export.all")}</strong>
            </label>
            {items.map((k) => (
              <label key={k} class="inline checkbox">
                <input type="checkbox" checked={chosen.has(k)} onChange={(e) => toggle(k, e.currentTarget.checked)} /> {k}
              </label>
            ))}
          </div>
        </fieldset>
      )}
      {/* The chosen columns in the list's order, so the file's columns do not depend on the order of the clicks. */}
      <a class="btn btn-primary" href={exportHref(id, items.filter((k) => chosen.has(k)))} download>{t("audience.export.download")}</a>
    </Dialog>
  );
}
