/**
 * People: find persons by any identifier or trait value (GET /api/persons?search=, SPEC §4) and open one;
 * /people/:id is the person page.
 */
import { useEffect, useState } from "preact/hooks";
import { api } from "../../api.ts";
import { useI18n } from "../../i18n/index.tsx";
import { ChannelIcons, displayName } from "../../people/person-label.tsx";
import type { ActorsPage } from "../../query/types.ts";
import { Link, replaceSearch, usePath } from "../../router.tsx";
import { Button } from "../../ui/button.tsx";
import { Alert, Empty, PageHeader } from "../../ui/feedback.tsx";
import { Field } from "../../ui/field.tsx";
import { useAction } from "../../ui/use-action.ts";
import { Conflicts } from "./links.tsx";
import { PersonPage } from "./person.tsx";

function Search() {
  const { t } = useI18n();
  const [text, setText] = useState(() => new URLSearchParams(location.search).get("search") ?? "");
  const [page, setPage] = useState<ActorsPage | null>(null);
  const action = useAction();
  const { busy, error } = action;
  const run = (cursor: string | null) =>
    action.run(async () => {
      const params = new URLSearchParams({ search: text });
      if (cursor) params.set("cursor", cursor);
      const next = await api<ActorsPage>("GET", `/api/persons?${params}`);
      setPage((p) => (cursor && p ? { ...next, persons: [...p.persons, ...next.persons] } : next));
      replaceSearch({ search: text });
    });
  // A shared /people?search= link runs its search on arrival.
  useEffect(() => {
    if (text.trim() !== "") void run(null);
  }, []);
  return (
    <>
      <PageHeader title={t("nav.people")} intro={t("people.intro")} />
      <form class="card inline-form" role="search" onSubmit={(e) => (e.preventDefault(), void run(null))}>
        <Field label={t("people.search")} type="search" value={text} onValue={setText} placeholder={t("people.searchPlaceholder")} required />
        <Button type="submit" variant="primary" busy={busy}>{t("people.find")}</Button>
      </form>
      {error && <Alert>{error}</Alert>}
      {page && (page.persons.length === 0 ? (
        <Empty>{t("people.none", { text })}</Empty>
      ) : (
        <table class="table" data-testid="people-results">
          <thead>
            <tr>
              <th scope="col">{t("people.person")}</th>
              <th scope="col">{t("people.channels")}</th>
              <th scope="col">{t("people.identifiers")}</th>
            </tr>
          </thead>
          <tbody>
            {page.persons.map((p) => (
              <tr key={p.id}>
                <td><Link href={`/people/${encodeURIComponent(p.id)}`}>{displayName(p)}</Link></td>
                <td><ChannelIcons identifiers={p.identifiers} /></td>
                <td class="detail">{p.identifiers.slice(0, 4).map((i) => `${i.type}: ${i.value}`).join(" · ")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
      {page?.next && <Button onClick={() => run(page.next)} busy={busy}>{t("common.loadMore")}</Button>}
      <Conflicts />
    </>
  );
}

/** PeopleRoot routes /people and /people/:id. */
export function PeopleRoot() {
  const path = usePath();
  const id = decodeURIComponent(path.replace(/^\/people\/?/, ""));
  return id === "" ? <Search /> : <PersonPage key={id} id={id} />;
}
