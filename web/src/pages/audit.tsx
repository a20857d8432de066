/** Audit log (admin): newest first, paged with "load more". */
import { useState } from "preact/hooks";
import { api, errorMessage } from "../api.ts";
import { useI18n } from "../i18n/index.tsx";
import type { AuditRow } from "../types.ts";
import { Button } from "../ui/button.tsx";
import { Alert, Empty, Loading, PageHeader } from "../ui/feedback.tsx";
import { useLoad } from "../ui/use-load.ts";

type Page = { results: AuditRow[]; next: number | null };

export function AuditPage() {
  const { t, dateTime } = useI18n();
  const { data, error, loading, setData } = useLoad(() => api<Page>("GET", "/api/audit?limit=50"));
  const [moreError, setMoreError] = useState<string | null>(null);

  const more = async () => {
    if (!data?.next) return;
    try {
      const page = await api<Page>("GET", `/api/audit?limit=50&before=${data.next}`);
      setData({ results: [...data.results, ...page.results], next: page.next });
    } catch (e) {
      setMoreError(errorMessage(e));
    }
  };

  const rows = data?.results ?? [];
  return (
    <>
      <PageHeader title={t("audit.title")} intro={t("audit.intro")} />
      {(error ?? moreError) && <Alert>{error ?? moreError}</Alert>}
      {loading && !data ? (
        <Loading />
      ) : rows.length === 0 ? (
        <Empty>{t("audit.empty")}</Empty>
      ) : (
        <>
          <table class="table">
            <thead>
              <tr>
                <th scope="col">{t("audit.time")}</th>
                <th scope="col">{t("audit.actor")}</th>
                <th scope="col">{t("audit.action")}</th>
                <th scope="col">{t("audit.target")}</th>
                <th scope="col">{t("audit.detail")}</th>
                <th scope="col">{t("audit.ip")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id}>
                  <td>{dateTime(r.ts)}</td>
                  <td>{r.actor}</td>
                  <td>
                    <code>{r.action}</code>
                  </td>
                  <td>{r.target ?? ""}</td>
                  <td class="detail">{r.detail ?? ""}</td>
                  <td>{r.ip ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {data?.next && <Button onClick={more}>{t("common.loadMore")}</Button>}
        </>
      )}
    </>
  );
}
