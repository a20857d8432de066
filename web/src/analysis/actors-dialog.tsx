/**
 * ActorsDialog: the persons behind a clicked number (POST /api/query/actors with the chart's query and
 * the cell's selector), paged, each linking to the person page, and "save as audience pack" which stores
 * the whole selection (not just the loaded page) as a static pack. It says how many persons the whole
 * selection holds: the clicked number is not always a person count (a revenue sum, events, paths).
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { api, errorMessage } from "../api.ts";
import { localeOf, useI18n } from "../i18n/index.tsx";
import { ChannelIcons, displayName } from "../people/person-label.tsx";
import type { ActorsPage, ActorsSelector, Actor, Query } from "../query/types.ts";
import { Link } from "../router.tsx";
import { useSession } from "../session.tsx";
import { Button } from "../ui/button.tsx";
import { Dialog } from "../ui/dialog.tsx";
import { Alert, Empty, Loading } from "../ui/feedback.tsx";
import { Field } from "../ui/field.tsx";

const PAGE = 50;

export function ActorsDialog({ query, selector, title, onClose }: { query: Query; selector: ActorsSelector; title: string; onClose: () => void }) {
  const { t, lang } = useI18n();
  const { canOperate } = useSession();
  const savedNote = useRef<HTMLDivElement>(null);
  const [persons, setPersons] = useState<Actor[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [total, setTotal] = useState<number | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState("");
  const [saved, setSaved] = useState<ActorsPage["audience"] | null>(null);
  const [saving, setSaving] = useState(false);

  const load = async (cursor: string | null) => {
    setLoading(true);
    try {
      const page = await api<ActorsPage>("POST", "/api/query/actors", { ...query, ...selector, limit: PAGE, cursor });
      setPersons((p) => (cursor === null ? page.persons : [...p, ...page.persons]));
      setNext(page.next);
      if (page.total !== undefined) setTotal(page.total);
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    void load(null);
  }, []);
  // The confirmation lands under a long list: bring it into view.
  useEffect(() => {
    if (saved) savedNote.current?.scrollIntoView({ block: "nearest" });
  }, [saved]);

  const save = async (e: Event) => {
    e.preventDefault();
    setSaving(true);
    try {
      const out = await api<ActorsPage>("POST", "/api/query/actors", { ...query, ...selector, limit: 1, saveAs: { name } });
      setSaved(out.audience ?? { id: 0, name, size: null });
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Dialog title={title} onClose={onClose} wide>
      {error && <Alert>{error}</Alert>}
      {total !== null && total > 0 && <p class="hint" data-testid="actors-total">{t("actors.listed", { n: new Intl.NumberFormat(localeOf(lang)).format(total) })}</p>}
      {persons.length === 0 && loading ? (
        <Loading />
      ) : persons.length === 0 ? (
        <Empty>{t("actors.none")}</Empty>
      ) : (
        <ul class="person-list" data-testid="actors-list">
          {persons.map((p) => (
            <li key={p.id}>
              <Link href={`/people/${encodeURIComponent(p.id)}`}>{displayName(p)}</Link> <ChannelIcons identifiers={p.identifiers} />
              <span class="hint"> {p.identifiers.slice(0, 3).map((i) => `${i.type}: ${i.value}`).join(" · ")}</span>
            </li>
          ))}
        </ul>
      )}
      {next && (
        <Button onClick={() => load(next)} busy={loading}>
          {t("common.loadMore")}
        </Button>
      )}
      {canOperate && (
        <form class="inline-form save-pack" onSubmit={save}>
          <Field label={t("actors.saveAs")} value={name} onValue={setName} required maxLength={200} placeholder={t("actors.packPlaceholder")} />
          <Button type="submit" variant="primary" busy={saving} disabled={persons.length === 0}>
            {t("actors.save")}
          </Button>
        </form>
      )}
      {saved && (
        <div ref={savedNote}>
          <Alert kind="success">
            {t("actors.saved", { name: saved.name })}
            {saved.size !== null && ` · ${t("actors.count", { n: new Intl.NumberFormat(localeOf(lang)).format(saved.size) })}`} {saved.id > 0 && <Link href={`/audiences/${saved.id}`}>{t("actors.openPack")}</Link>}
          </Alert>
        </div>
      )}
    </Dialog>
  );
}
