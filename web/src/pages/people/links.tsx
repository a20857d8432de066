/**
 * Identity on the person page and the People page: the links that hold a person together (each can be
 * removed by an admin, splitting a wrong merge: POST /api/identity/edges), and the links the identity guards
 * refused (GET /api/identity/conflicts), so a wrong or missing merge can be seen and mended.
 */
import type { EdgeView } from "../../../../src/identity/unmerge.ts";
import type { ConflictView } from "../../../../src/identity/persons.repo.ts";
import { useState } from "preact/hooks";
import { api } from "../../api.ts";
import { useI18n } from "../../i18n/index.tsx";
import type { PersonDetail } from "../../people/types.ts";
import { Link } from "../../router.tsx";
import { useSession } from "../../session.tsx";
import { Button } from "../../ui/button.tsx";
import { Alert, Loading } from "../../ui/feedback.tsx";
import { useAction } from "../../ui/use-action.ts";
import { useLoad } from "../../ui/use-load.ts";

/** PersonLinks lists the person's links; an admin's Unlink splits the person where the link was a bridge. */
export function PersonLinks({ p, onChanged }: { p: PersonDetail; onChanged: () => Promise<void> }) {
  const { t, dateTime } = useI18n();
  const { isAdmin } = useSession();
  const { data, error, reload } = useLoad(() => api<{ edges: EdgeView[] }>("GET", `/api/persons/${encodeURIComponent(p.id)}/edges`), [p.id]);
  const action = useAction();
  const name = (identity: number) => {
    const i = p.identifiers.find((x) => x.id === identity);
    return i ? `${i.type}: ${i.value}` : `#${identity}`;
  };
  const unlink = (e: EdgeView) => {
    if (!confirm(t("people.unlinkConfirm", { a: name(e.a), b: name(e.b) }))) return;
    void action.run(async () => {
      // The part that keeps this person's id stays on this page; the split-off part becomes its own person.
      await api("DELETE", `/api/identity/edges/${encodeURIComponent(e.id)}`);
      await Promise.all([reload(), onChanged()]);
    });
  };
  if (!data) return error ? <Alert>{error}</Alert> : <Loading />;
  return (
    <section class="card" aria-labelledby="links-title">
      <h2 id="links-title">{t("people.links")}</h2>
      <p class="hint">{t("people.linksIntro")}</p>
      {action.error && <Alert>{action.error}</Alert>}
      {data.edges.length === 0 ? <p class="hint">{t("people.noLinks")}</p> : (
        <table class="table compact" data-testid="person-links">
          <thead>
            <tr><th scope="col">{t("people.linked")}</th><th scope="col">{t("people.linkKind")}</th><th scope="col">{t("people.linkedAt")}</th>{isAdmin && <th scope="col" aria-label={t("people.unlink")} />}</tr>
          </thead>
          <tbody>
            {data.edges.map((e) => (
              <tr key={e.id}>
                <td class="detail">{name(e.a)} ↔ {name(e.b)}</td>
                <td>{kindText(e.kind, t)}</td>
                <td class="hint">{dateTime(e.ts)}</td>
                {isAdmin && <td><Button busy={action.busy} onClick={() => unlink(e)}>{t("people.unlink")}</Button></td>}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** kindText says how a link was made (identity-input.ts EdgeKind), in the user's language. */
function kindText(kind: string, t: ReturnType<typeof useI18n>["t"]): string {
  return kind === "identify" || kind === "alias" || kind === "event" || kind === "trait" || kind === "admin" || kind === "same_id" ? t(`people.kind.${kind}`) : kind;
}

/** reasonText says in the user's language why a guard refused a link (resolver.ts names the reasons). */
function reasonText(reason: string, t: ReturnType<typeof useI18n>["t"]): string {
  if (reason === "user_id" || reason === "size" || reason === "unmerged") return t(`people.reason.${reason}`);
  if (reason.startsWith("cap:")) return t("people.reason.cap", { ns: reason.slice(4) });
  return reason;
}

/** Conflicts lists the links the guards refused, newest first, both sides opening their person. */
export function Conflicts() {
  const { t, dateTime } = useI18n();
  const { isAdmin } = useSession();
  const [pages, setPages] = useState<{ conflicts: ConflictView[]; next: string | null }[]>([]);
  const { data, error, reload } = useLoad(() => api<{ conflicts: ConflictView[]; next: string | null }>("GET", "/api/identity/conflicts?limit=50"));
  const [linked, setLinked] = useState<string | null>(null);
  const more = useAction();
  const label = (r: ConflictView["a"]) => (r ? `${r.type}: ${r.value}` : "—");
  const side = (r: ConflictView["a"]) => r ? <Link href={`/people/${encodeURIComponent(r.person)}`}>{label(r)}</Link> : "—";
  // An admin's "link anyway": both sides become one person; Unlink on the person page takes it back.
  const link = (c: ConflictView) => {
    if (!confirm(t("people.linkAnywayConfirm", { a: label(c.a), b: label(c.b) }))) return;
    void more.run(async () => {
      const r = await api<{ person: string }>("POST", `/api/identity/conflicts/${c.id}/link`);
      setPages([]);
      await reload();
      // Said once the list no longer shows the pair.
      setLinked(r.person);
    });
  };
  if (!data) return error ? <Alert>{error}</Alert> : null;
  if (data.conflicts.length === 0 && !linked) return null;
  const all = [data, ...pages];
  const next = all.at(-1)!.next;
  return (
    <section class="card" aria-labelledby="conflicts-title">
      <h2 id="conflicts-title">{t("people.conflicts")}</h2>
      <p class="hint">{t("people.conflictsIntro")}</p>
      {linked && (
        <Alert kind="success">
          {t("people.linkedAnyway")} <Link href={`/people/${encodeURIComponent(linked)}`}>{t("people.openPerson")}</Link>
        </Alert>
      )}
      {data.conflicts.length > 0 && (
        <table class="table compact" data-testid="identity-conflicts">
          <thead>
            <tr>
              <th scope="col">{t("people.conflictSides")}</th><th scope="col">{t("people.conflictReason")}</th><th scope="col">{t("people.linkedAt")}</th>
              {isAdmin && <th scope="col" aria-label={t("people.linkAnyway")} />}
            </tr>
          </thead>
          <tbody>
            {all.flatMap((p) => p.conflicts).map((c) => (
              <tr key={c.id}>
                <td class="detail">{side(c.a)} ↔ {side(c.b)}</td>
                <td>{reasonText(c.reason, t)}</td>
                <td class="hint">{dateTime(Date.parse(c.at))}</td>
                {isAdmin && <td><Button busy={more.busy} onClick={() => link(c)}>{t("people.linkAnyway")}</Button></td>}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {more.error && <Alert>{more.error}</Alert>}
      {next && (
        <Button
          disabled={more.busy}
          onClick={() => more.run(async () => {
            const page = await api<{ conflicts: ConflictView[]; next: string | null }>("GET", `/api/identity/conflicts?limit=50&cursor=${encodeURIComponent(next)}`);
            setPages((list) => [...list, page]);
          })}
        >
          {t("common.loadMore")}
        </Button>
      )}
    </section>
  );
}
