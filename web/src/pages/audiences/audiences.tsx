/**
 * Audiences (人群包): the list of packs with size, a sparkline of its history, last and next computation,
 * and per pack "recompute now" and CSV export; /audiences/new and /audiences/:id are the builder and the
 * pack's own page.
 */
import { useState } from "preact/hooks";
import { api, errorMessage } from "../../api.ts";
import { Sparkline } from "../../charts/sparkline.tsx";
import { localeOf, useI18n } from "../../i18n/index.tsx";
import { Link, usePath } from "../../router.tsx";
import { useSession } from "../../session.tsx";
import type { Audience, SizePoint } from "../../types.ts";
import { Button } from "../../ui/button.tsx";
import { Alert, Empty, Loading, PageHeader } from "../../ui/feedback.tsx";
import { useLoad } from "../../ui/use-load.ts";
import { AudienceDetail } from "./audience-detail.tsx";
import { AudienceNew } from "./audience-form.tsx";
import { isStatic } from "../../../../src/audiences/static-pack.ts";
import { ExportCsv } from "./export-csv.tsx";
import { nextRunText, packBadge } from "./pack-schedule.ts";

function SizeTrend({ id, name }: { id: number; name: string }) {
  const { t } = useI18n();
  const { data } = useLoad(() => api<{ results: SizePoint[] }>("GET", `/api/audiences/${id}/sizes?limit=30`), [id]);
  return <Sparkline values={(data?.results ?? []).map((s) => s.size)} label={t("audience.sizeTrendOf", { name })} />;
}

function AudienceList() {
  const { t, dateTime, lang } = useI18n();
  const { canOperate } = useSession();
  const nf = new Intl.NumberFormat(localeOf(lang));
  const { data, error, loading, reload } = useLoad(() => api<{ audiences: Audience[] }>("GET", "/api/audiences"));
  const [busy, setBusy] = useState<number | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const recompute = async (id: number) => {
    setBusy(id);
    try {
      await api("POST", `/api/audiences/${id}/compute`, {});
      await reload();
      setActionError(null);
    } catch (e) {
      setActionError(errorMessage(e));
    } finally {
      setBusy(null);
    }
  };
  const list = data?.audiences ?? [];
  return (
    <>
      <PageHeader title={t("nav.audiences")} intro={t("audience.intro")}>
        {canOperate && <Link href="/audiences/new" class="btn btn-primary">{t("audience.new")}</Link>}
      </PageHeader>
      {(error ?? actionError) && <Alert>{error ?? actionError}</Alert>}
      {loading && !data ? (
        <Loading />
      ) : list.length === 0 ? (
        <Empty>{t("audience.empty")}</Empty>
      ) : (
        <div class="table-scroll">
          <table class="table" data-testid="audience-list">
            <thead>
              <tr>
                <th scope="col">{t("common.name")}</th>
                <th scope="col" class="num">{t("audience.size")}</th>
                <th scope="col">{t("audience.trend")}</th>
                <th scope="col">{t("audience.lastComputed")}</th>
                <th scope="col">{t("audience.nextRun")}</th>
                <th scope="col"><span class="visually-hidden">{t("common.actions")}</span></th>
              </tr>
            </thead>
            <tbody>
              {list.map((a) => (
                <tr key={a.id}>
                  <td>
                    <Link href={`/audiences/${a.id}`}>{a.name}</Link>
                    {packBadge(a, t) && <span class="badge"> {packBadge(a, t)}</span>}
                    {a.lastError && <div class="hint error-text">{a.lastError}</div>}
                  </td>
                  <td class="num">{a.size === null ? "—" : nf.format(a.size)}</td>
                  <td><SizeTrend id={a.id} name={a.name} /></td>
                  <td>{a.lastComputedAt ? dateTime(a.lastComputedAt) : t("common.never")}</td>
                  <td>{nextRunText(a, t, dateTime) ?? "—"}</td>
                  <td class="row-actions">
                    {canOperate && !isStatic(a) && <Button onClick={() => recompute(a.id)} busy={busy === a.id}>{t("audience.recompute")}</Button>}
                    {a.size !== null && <ExportCsv id={a.id} />}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

/** AudiencesRoot routes /audiences, /audiences/new and /audiences/:id. */
export function AudiencesRoot() {
  const path = usePath();
  const rest = path.replace(/^\/audiences\/?/, "");
  if (rest === "") return <AudienceList />;
  if (rest === "new") return <AudienceNew />;
  return <AudienceDetail key={rest} id={Number(rest)} />;
}
