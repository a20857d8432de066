/**
 * One audience pack: its size and computation state, recompute / export / pause / delete, the size
 * history, analysis of its members over traits and tags, the members themselves, and the builder to
 * change its definition.
 */
import { useState } from "preact/hooks";
import { api } from "../../api.ts";
import { color } from "../../charts/palette.ts";
import { CategoryChart } from "../../charts/uplot-chart.tsx";
import { localeOf, useI18n } from "../../i18n/index.tsx";
import { ChannelIcons, displayName } from "../../people/person-label.tsx";
import type { Actor } from "../../query/types.ts";
import { Link, navigate } from "../../router.tsx";
import { useSession } from "../../session.tsx";
import type { Audience, SizePoint } from "../../types.ts";
import { Button } from "../../ui/button.tsx";
import { Alert, Empty, Loading, PageHeader } from "../../ui/feedback.tsx";
import { useAction } from "../../ui/use-action.ts";
import { useLoad } from "../../ui/use-load.ts";
import { AudienceAnalysis } from "./audience-analysis.tsx";
import { AudienceForm, toBody } from "./audience-form.tsx";
import { isStatic } from "../../../../src/audiences/static-pack.ts";
import { ExportCsv } from "./export-csv.tsx";
import { computationText, nextRunText, savedFrom } from "./pack-schedule.ts";
import { historyLabels } from "./size-history.ts";

function Members({ id }: { id: number }) {
  const { t } = useI18n();
  const [offset, setOffset] = useState(0);
  const [persons, setPersons] = useState<Actor[]>([]);
  const { data, loading, error } = useLoad(async () => {
    const page = await api<{ persons: Actor[]; next: string | null }>("GET", `/api/audiences/${id}/persons?offset=${offset}&limit=50`);
    setPersons((p) => (offset === 0 ? page.persons : [...p, ...page.persons]));
    return page;
  }, [id, offset]);
  if (error) return <Alert>{error}</Alert>;
  if (loading && persons.length === 0) return <Loading />;
  if (persons.length === 0) return <Empty>{t("audience.noMembers")}</Empty>;
  return (
    <>
      <ul class="person-list" data-testid="audience-members">
        {persons.map((p) => (
          <li key={p.id}>
            <Link href={`/people/${encodeURIComponent(p.id)}`}>{displayName(p)}</Link> <ChannelIcons identifiers={p.identifiers} />
          </li>
        ))}
      </ul>
      {data?.next && <Button onClick={() => setOffset(Number(data.next))} busy={loading}>{t("common.loadMore")}</Button>}
    </>
  );
}

export function AudienceDetail({ id }: { id: number }) {
  const { t, dateTime, lang } = useI18n();
  const { canOperate, settings } = useSession();
  const nf = new Intl.NumberFormat(localeOf(lang));
  const { data: a, error, loading, reload, setData } = useLoad(() => api<Audience>("GET", `/api/audiences/${id}`), [id]);
  const sizes = useLoad(() => api<{ results: SizePoint[] }>("GET", `/api/audiences/${id}/sizes?limit=90`), [id]);
  const { busy, error: actionError, run: act } = useAction();
  const [tab, setTab] = useState<"analysis" | "members" | "edit">("analysis");

  if (loading && !a) return <Loading />;
  if (!a) return <Alert>{error ?? t("audience.notFound")}</Alert>;
  const history = sizes.data?.results ?? [];
  // A snapshot saved from an analysis keeps its members: nothing to recompute, pause or resume, no next computation.
  const saved = isStatic(a);
  const next = nextRunText(a, t, dateTime);

  return (
    <>
      {/* A snapshot's stored description ("saved from a funnel actors list") is said, translated, under Computation. */}
      <PageHeader title={a.name} intro={(savedFrom(a) ? null : a.description) ?? undefined}>
        {canOperate && !saved && (
          <Button busy={busy} onClick={() => act(async () => {
            await api("POST", `/api/audiences/${id}/compute`, {});
            await Promise.all([reload(), sizes.reload()]);
          })}>{t("audience.recompute")}</Button>
        )}
        {a.size !== null && <ExportCsv id={id} />}
        {canOperate && !saved && (
          <Button busy={busy} onClick={() => act(async () => setData(await api<Audience>("PATCH", `/api/audiences/${id}`, { status: a.status === "active" ? "paused" : "active" })))}>
            {a.status === "active" ? t("audience.pause") : t("audience.resume")}
          </Button>
        )}
        {canOperate && (
          <Button variant="danger" busy={busy} onClick={() => confirm(t("audience.deleteConfirm", { name: a.name })) && act(async () => {
            await api("DELETE", `/api/audiences/${id}`);
            navigate("/audiences");
          })}>{t("common.delete")}</Button>
        )}
      </PageHeader>
      {(actionError ?? a.lastError) && <Alert>{actionError ?? t("audience.lastError", { message: a.lastError ?? "" })}</Alert>}
      <dl class="stats card">
        <div><dt>{t("audience.size")}</dt><dd class="big-number" data-testid="audience-size">{a.size === null ? "—" : nf.format(a.size)}</dd></div>
        <div><dt>{t("audience.lastComputed")}</dt><dd>{a.lastComputedAt ? `${dateTime(a.lastComputedAt)}${a.lastDurationMs !== null ? ` · ${t("common.ms", { ms: a.lastDurationMs })}` : ""}` : t("common.never")}</dd></div>
        {next !== null && <div><dt>{t("audience.nextRun")}</dt><dd>{next}</dd></div>}
        <div>
          <dt>{t("audience.schedule")}</dt>
          <dd data-testid="audience-computation" title={a.schedule ?? undefined}>
            {computationText(a, t, lang, dateTime)} {!saved && a.status === "paused" && <span class="badge">{t("audience.paused")}</span>}
          </dd>
        </div>
      </dl>
      {history.length > 1 && (
        <section class="card" aria-labelledby="size-history">
          <h2 id="size-history">{t("audience.history")}</h2>
          <CategoryChart
            labels={historyLabels(history.map((s) => s.asOf), settings.timezone)}
            height={180}
            kind="line"
            ariaLabel={t("audience.history")}
            series={[
              { label: t("audience.size"), values: history.map((s) => s.size), color: color(0) },
              { label: t("audience.entered"), values: history.map((s) => s.entered), color: color(2) },
              { label: t("audience.exited"), values: history.map((s) => s.exited), color: color(3) },
            ]}
          />
        </section>
      )}
      <div class="segmented tabs" role="tablist" aria-label={a.name}>
        {(["analysis", "members", "edit"] as const).map((k) => (
          <button key={k} type="button" role="tab" aria-selected={tab === k} onClick={() => setTab(k)}>{t(`audience.tab.${k}`)}</button>
        ))}
      </div>
      <div role="tabpanel">
        {tab === "analysis" && (a.size === null ? <Empty>{t("audience.notComputed")}</Empty> : <AudienceAnalysis id={id} />)}
        {tab === "members" && <Members id={id} />}
        {tab === "edit" && (
          <AudienceForm
            audienceId={id}
            initial={{ name: a.name, description: a.description ?? "", schedule: a.schedule ?? "", definition: a.definition }}
            submitLabel={t("common.save")}
            onSubmit={async (v) => {
              setData(await api<Audience>("PATCH", `/api/audiences/${id}`, toBody(v)));
              setTab("analysis");
            }}
          />
        )}
      </div>
    </>
  );
}
