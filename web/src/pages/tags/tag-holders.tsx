/**
 * HoldersDialog: who carries a tag (GET /api/tags/:id/holders), each linking to the person page, with
 * the value of a valued tag and since when, a page at a time.
 */
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { api } from "../../api.ts";
import { localeOf, useI18n } from "../../i18n/index.tsx";
import { ChannelIcons, displayName } from "../../people/person-label.tsx";
import type { Actor } from "../../query/types.ts";
import { Link } from "../../router.tsx";
import type { Tag } from "../../types.ts";
import { Button } from "../../ui/button.tsx";
import { Dialog } from "../../ui/dialog.tsx";
import { Alert, Empty, Loading } from "../../ui/feedback.tsx";
import { useLoad } from "../../ui/use-load.ts";

type Holder = Actor & { value: string | null; since: number };
type HolderPage = { persons: Holder[]; next: string | null; total: number };

export function HoldersDialog({ tag, onClose }: { tag: Tag; onClose: () => void }) {
  const { t, dateTime, lang } = useI18n();
  const nf = new Intl.NumberFormat(localeOf(lang));
  const [cursor, setCursor] = useState<string | null>(null);
  const [holders, setHolders] = useState<Holder[]>([]);
  const { data, loading, error } = useLoad(async () => {
    const page = await api<HolderPage>("GET", `/api/tags/${tag.id}/holders?${new URLSearchParams({ limit: "50", ...(cursor && { cursor }) })}`);
    setHolders((prev) => (cursor === null ? page.persons : [...prev, ...page.persons]));
    return page;
  }, [tag.id, cursor]);
  const valued = tag.valueType === "string";
  let body: ComponentChildren;
  if (error) body = <Alert>{error}</Alert>;
  else if (loading && holders.length === 0) body = <Loading />;
  else if (holders.length === 0) body = <Empty>{tag.kind !== "manual" && tag.lastComputedAt === null ? t("tags.notComputedYet") : t("tags.noHolders")}</Empty>;
  else body = (
    <>
      <table class="table" data-testid="tag-holders">
        <thead>
          <tr>
            <th scope="col">{t("tags.person")}</th>
            {valued && <th scope="col">{t("tags.value")}</th>}
            <th scope="col">{t("tags.since")}</th>
          </tr>
        </thead>
        <tbody>
          {holders.map((p) => (
            <tr key={p.id}>
              <td><Link href={`/people/${encodeURIComponent(p.id)}`}>{displayName(p)}</Link> <ChannelIcons identifiers={p.identifiers} /></td>
              {valued && <td>{p.value}</td>}
              <td>{dateTime(p.since)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {data?.next && <Button onClick={() => setCursor(data.next)} busy={loading}>{t("common.loadMore")}</Button>}
    </>
  );
  return (
    <Dialog title={t("tags.holdersTitle", { name: tag.label ?? tag.name })} onClose={onClose} wide>
      {data && <p class="hint" data-testid="tag-holders-total">{t("tags.holdersTotal", { n: nf.format(data.total) })}</p>}
      {body}
    </Dialog>
  );
}
