/**
 * The person page: identifiers grouped by channel, traits with where and when each last changed, tags,
 * audience packs, and the behaviour timeline across channels. Admins can export the person's data as
 * JSON or delete the person (optionally suppressing future data for their identifiers).
 */
import { useState } from "preact/hooks";
import { api, errorMessage } from "../../api.ts";
import { useI18n } from "../../i18n/index.tsx";
import { CHANNEL_ICONS, channelName, displayName } from "../../people/person-label.tsx";
import type { PersonDetail } from "../../people/types.ts";
import { downloadText } from "../../query/csv.ts";
import { Link, navigate } from "../../router.tsx";
import { useSession } from "../../session.tsx";
import { Button } from "../../ui/button.tsx";
import { Alert, Empty, Loading, PageHeader } from "../../ui/feedback.tsx";
import { useLoad } from "../../ui/use-load.ts";
import { PersonLinks } from "./links.tsx";
import { Timeline } from "./timeline.tsx";

function show(v: unknown): string {
  if (v === null || v === undefined) return "—";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

function Identifiers({ p }: { p: PersonDetail }) {
  const { t, dateTime } = useI18n();
  const groups = new Map<string, PersonDetail["identifiers"]>();
  for (const i of p.identifiers) groups.set(i.channel, [...(groups.get(i.channel) ?? []), i]);
  return (
    <section class="card" aria-labelledby="ids-title">
      <h2 id="ids-title">{t("people.identifiers")}</h2>
      <div class="id-groups">
        {[...groups].map(([channel, ids]) => (
          <div key={channel} class="id-group">
            <h3><span class={`chan chan-${channel}`} aria-hidden="true">{CHANNEL_ICONS[channel] ?? "•"}</span> {channelName(channel, t)}</h3>
            <ul>
              {ids.map((i) => (
                <li key={`${i.type}:${i.value}`}>
                  <code class="hint">{i.type}</code> <span class="id-value">{i.value}</span>
                  <span class="hint"> · {t("people.since", { when: dateTime(Date.parse(i.firstSeen)) })} · {i.source}</span>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </div>
    </section>
  );
}

function Traits({ p }: { p: PersonDetail }) {
  const { t, dateTime } = useI18n();
  const keys = Object.keys(p.traits).sort();
  return (
    <section class="card" aria-labelledby="traits-title">
      <h2 id="traits-title">{t("people.traits")}</h2>
      {keys.length === 0 ? <p class="hint">{t("people.noTraits")}</p> : (
        <table class="table compact">
          <thead>
            <tr><th scope="col">{t("people.trait")}</th><th scope="col">{t("people.value")}</th><th scope="col">{t("people.provenance")}</th></tr>
          </thead>
          <tbody>
            {keys.map((k) => {
              const m = p.traitMeta?.[k];
              return (
                <tr key={k}>
                  <th scope="row"><code>{k}</code></th>
                  <td class="detail">{show(p.traits[k])}</td>
                  <td class="hint">{m ? `${dateTime(Date.parse(m.at))} · ${m.source}${m.via ? ` · ${m.via.type}` : ""}${m.op === "set_once" ? ` · ${t("people.setOnce")}` : ""}` : "—"}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function PersonPage({ id }: { id: string }) {
  const { t, dateTime } = useI18n();
  const { isAdmin } = useSession();
  const { data: p, error, loading, reload } = useLoad(() => api<PersonDetail>("GET", `/api/persons/${encodeURIComponent(id)}`), [id]);
  const [suppress, setSuppress] = useState(true);
  const [actionError, setActionError] = useState<string | null>(null);
  if (loading && !p) return <Loading />;
  if (!p) return <Alert>{error ?? t("people.notFound")}</Alert>;

  const exportJson = async () => {
    try {
      const data = await api<unknown>("GET", `/api/persons/${encodeURIComponent(id)}/export`);
      downloadText(`person-${id}.json`, JSON.stringify(data, null, 2), "application/json");
    } catch (e) {
      setActionError(errorMessage(e));
    }
  };
  const remove = async () => {
    if (!confirm(t("people.deleteConfirm", { name: displayName(p) }))) return;
    try {
      await api("DELETE", `/api/persons/${encodeURIComponent(id)}${suppress ? "?suppress=true" : ""}`);
      navigate("/people");
    } catch (e) {
      setActionError(errorMessage(e));
    }
  };

  return (
    <>
      <PageHeader title={displayName(p)} intro={`${t("people.firstSeen", { when: dateTime(Date.parse(p.firstSeen)) })} · ${t("people.updated", { when: dateTime(Date.parse(p.updatedAt)) })}${p.mergedFrom.length ? ` · ${t("people.mergedFrom", { n: p.mergedFrom.length })}` : ""}`}>
        {isAdmin && <Button onClick={exportJson}>{t("people.export")}</Button>}
        {isAdmin && (
          <>
            <label class="inline checkbox"><input type="checkbox" checked={suppress} onChange={(e) => setSuppress(e.currentTarget.checked)} /> {t("people.suppress")}</label>
            <Button variant="danger" onClick={remove}>{t("common.delete")}</Button>
          </>
        )}
      </PageHeader>
      {actionError && <Alert>{actionError}</Alert>}
      <div class="person-grid">
        <div>
          <Identifiers p={p} />
          <PersonLinks p={p} onChanged={reload} />
          <Traits p={p} />
        </div>
        <div>
          <section class="card" aria-labelledby="tags-title">
            <h2 id="tags-title">{t("nav.tags")}</h2>
            {p.tags?.length ? (
              <ul class="chips">
                {p.tags.map((tg) => (
                  <li key={tg.tagId} class="chip" title={`${tagSource(tg.source, t)} · ${dateTime(tg.updatedAt)}`}>{tg.label ?? tg.name}{tg.value !== null && `: ${tg.value}`}</li>
                ))}
              </ul>
            ) : <p class="hint">{t("people.noTags")}</p>}
          </section>
          <section class="card" aria-labelledby="aud-title">
            <h2 id="aud-title">{t("nav.audiences")}</h2>
            {p.audiences?.length ? (
              <ul class="chips">
                {p.audiences.map((a) => (
                  <li key={a.id} class="chip"><Link href={`/audiences/${a.id}`}>{a.name}</Link> <span class="hint">{t("people.since", { when: dateTime(a.since) })}</span></li>
                ))}
              </ul>
            ) : <p class="hint">{t("people.noAudiences")}</p>}
          </section>
        </div>
      </div>
      <Timeline id={id} />
      {p.identifiers.length === 0 && <Empty>{t("people.noIdentifiers")}</Empty>}
    </>
  );
}

const TAG_SOURCES = ["manual", "import", "rule", "computed"] as const;

/** tagSource says how a person got a tag (by hand, imported, by a rule, computed) in the UI's language. */
function tagSource(source: string, t: ReturnType<typeof useI18n>["t"]): string {
  return (TAG_SOURCES as readonly string[]).includes(source) ? t(`people.tagSource.${source as (typeof TAG_SOURCES)[number]}`) : source;
}
