/**
 * Audience analysis: how a pack's members spread over chosen traits, tags and the channels their identifiers
 * reach them on (GET /api/audiences/:id/analysis),
 * one bar list per dimension with counts and shares of the pack.
 */
import { useState } from "preact/hooks";
import { api } from "../../api.ts";
import { pct } from "../../analysis/table-model.ts";
import { localeOf, useI18n } from "../../i18n/index.tsx";
import type { Distribution } from "../../types.ts";
import { CHANNEL_ICONS, channelName } from "../../people/person-label.tsx";
import { Alert, Loading } from "../../ui/feedback.tsx";
import { Field } from "../../ui/field.tsx";
import { useLoad } from "../../ui/use-load.ts";

export function AudienceAnalysis({ id }: { id: number }) {
  const { t, lang } = useI18n();
  const nf = new Intl.NumberFormat(localeOf(lang));
  const [traits, setTraits] = useState("city");
  const [tags, setTags] = useState("");
  const [channels, setChannels] = useState(true);
  const [asked, setAsked] = useState({ traits: "city", tags: "", channels: "true" });
  const { data, error, loading } = useLoad(
    () => api<{ results: Distribution[]; totalPersons: number }>("GET", `/api/audiences/${id}/analysis?${new URLSearchParams({ ...asked, limit: "10" })}`),
    [id, asked.traits, asked.tags, asked.channels],
  );
  return (
    <section class="card" aria-labelledby="analysis-title">
      <h2 id="analysis-title">{t("audience.analysis")}</h2>
      <form class="inline-form" onSubmit={(e) => (e.preventDefault(), setAsked({ traits, tags, channels: String(channels) }))}>
        <Field label={t("audience.byTraits")} value={traits} onValue={setTraits} placeholder="city, gender" />
        <Field label={t("audience.byTags")} value={tags} onValue={setTags} placeholder="rfm_class, lifecycle" />
        <label class="inline checkbox">
          <input type="checkbox" checked={channels} onChange={(e) => setChannels(e.currentTarget.checked)} /> {t("audience.byChannels")}
        </label>
        <button type="submit" class="btn btn-primary">{t("audience.analyse")}</button>
      </form>
      {error && <Alert>{error}</Alert>}
      {loading && !data ? <Loading /> : (
        <div class="dims">
          {data?.results.map((d) => (
            <figure key={`${d.kind}:${d.dimension}`} class="dim">
              <figcaption><strong>{d.kind === "channel" ? t("people.channel") : d.dimension}</strong> <span class="hint">({t(`audience.dim.${d.kind}`)})</span></figcaption>
              <ul class="hbars">
                {d.buckets.map((b) => (
                  <li key={b.value}>
                    <span class="hbar-label">
                      {b.value === "" ? t("query.none") : b.value === "$other" ? t("query.other") : d.kind === "channel" ? <ChannelLabel channel={b.value} /> : b.value}
                    </span>
                    <span class="hbar-track" aria-hidden="true"><span class="hbar" style={`width: ${data.totalPersons ? (100 * b.persons) / data.totalPersons : 0}%`} /></span>
                    <span class="num">{nf.format(b.persons)} · {pct(b.persons, data.totalPersons)}</span>
                  </li>
                ))}
              </ul>
            </figure>
          ))}
        </div>
      )}
    </section>
  );
}

/** ChannelLabel names a channel bucket as the person page does: its icon and its name in the UI's language. */
function ChannelLabel({ channel }: { channel: string }) {
  const { t } = useI18n();
  return (
    <>
      <span class={`chan chan-${channel}`} aria-hidden="true">{CHANNEL_ICONS[channel] ?? "•"}</span> {channelName(channel, t)}
    </>
  );
}
