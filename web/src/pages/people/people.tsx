/**
 * People: the newest persons, or those found by any identifier or trait value (GET /api/persons?search=,
 * SPEC §4), each opening their person page (/people/:id).
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../../api.ts";
import { useI18n } from "../../i18n/index.tsx";
import { ChannelIcons, displayName } from "../../people/person-label.tsx";
import type { ActorsPage } from "../../query/types.ts";
import { Link, replaceSearch, usePath } from "../../router.tsx";
import { useSession } from "../../session.tsx";
import { Button } from "../../ui/button.tsx";
import { Alert, Empty, Loading, PageHeader } from "../../ui/feedback.tsx";
import { Field } from "../../ui/field.tsx";
import { useAction } from "../../ui/use-action.ts";
import { Conflicts } from "./links.tsx";
import { Suppressions } from "./suppressions.tsx";
import { PersonPage } from "./person.tsx";

function Search() {
  const { t } = useI18n();
  const { isAdmin } = useSession();
  const [text, setText] = useState(() => new URLSearchParams(location.search).get("search") ?? "");
  const [page, setPage] = useState<(ActorsPage & { text: string }) | null>(null);
  // Only the latest search may fill the list: the newest-persons list asked on arrival can answer after a
  // search typed meanwhile.
  const latest = useRef(0);
  const action = useAction();
  const { busy, error } = action;
  // `q` defaults to the box; "Load more" pages the list on screen, whatever the box says now.
  const run = (cursor: string | null, q = text.trim()) =>
    action.run(async () => {
      const asked = ++latest.current;
      const params = new URLSearchParams({ search: q });
      if (cursor) params.set("cursor", cursor);
      const next = await api<ActorsPage>("GET", `/api/persons?${params}`);
      if (asked !== latest.current) return;
      setPage((p) => (cursor && p ? { ...next, text: q, persons: [...p.persons, ...next.persons] } : { ...next, text: q }));
      replaceSearch({ search: q });
    });
  // On arrival: a shared /people?search= link runs its search; without one, the newest persons are listed.
  useEffect(() => void run(null), []);
  return (
    <>
      <PageHeader title={t("nav.people")} intro={t("people.intro")} />
      <form class="card inline-form" role="search" onSubmit={(e) => (e.preventDefault(), void run(null))}>
        <Field label={t("people.search")} hint={t("people.searchHint")} type="search" value={text} onValue={setText} placeholder={t("people.searchPlaceholder")} />
        <Button type="submit" variant="primary" busy={busy}>{t("people.find")}</Button>
      </form>
      {error && <Alert>{error}</Alert>}
      {!page && !error && <Loading />}
      {page && (page.persons.length === 0 ? (
        page.text === "" ? <Empty>{t("people.nobody")} <Link href="/sources">{t("nav.sources")}</Link></Empty> : <Empty>{t("people.none", { text: page.text })}</Empty>
      ) : (
        <section class="card" aria-labelledby="people-list-title">
          <h2 id="people-list-title">{page.text === "" ? t("people.newest") : t("people.matches", { text: page.text })}</h2>
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
          {page.next && <Button onClick={() => run(page.next, page.text)} busy={busy}>{t("common.loadMore")}</Button>}
        </section>
      ))}
      {/* Below the list, and only once it is there: arriving first, they would be pushed down by it. */}
      {(page || error) && <Conflicts />}
      {(page || error) && isAdmin && <Suppressions />}
    </>
  );
}

/** PeopleRoot routes /people and /people/:id. */
export function PeopleRoot() {
  const path = usePath();
  const id = decodeURIComponent(path.replace(/^\/people\/?/, ""));
  return id === "" ? <Search /> : <PersonPage key={id} id={id} />;
}
