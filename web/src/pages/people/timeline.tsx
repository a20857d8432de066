/**
 * The behaviour timeline of one person across channels (GET /api/persons/:id/events), newest first,
 * grouped by day, filterable by event name and channel, with each event's properties on demand.
 */
import { useState } from "preact/hooks";
import { api } from "../../api.ts";
import { localeOf, useI18n } from "../../i18n/index.tsx";
import { isoDay } from "../../query/dates.ts";
import { CHANNEL_ICONS, channelName } from "../../people/person-label.tsx";
import type { TimelineEvent, TimelinePage } from "../../people/types.ts";
import { useSession } from "../../session.tsx";
import { Button } from "../../ui/button.tsx";
import { Alert, Empty, Loading } from "../../ui/feedback.tsx";
import { useLoad } from "../../ui/use-load.ts";

const PAGE = 50;

/** channelOfEvent prefers the event's marketing channel ($channel), else the channel of the identifier it came with. */
function channelOfEvent(e: TimelineEvent): string {
  const marketing = e.properties.$channel;
  return typeof marketing === "string" && marketing !== "" ? marketing : (e.channel ?? "");
}

/** ChannelBadge shows where an event came from: the channel's icon when it has one, and its name. */
function ChannelBadge({ channel }: { channel: string }) {
  const { t } = useI18n();
  if (!channel) return null;
  const icon = CHANNEL_ICONS[channel];
  return (
    <span class="badge channel-badge">
      {icon && <span class={`chan chan-${channel}`} aria-hidden="true">{icon}</span>}
      {channelName(channel, t)}
    </span>
  );
}

export function Timeline({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const { settings } = useSession();
  const [event, setEvent] = useState("");
  const [channel, setChannel] = useState("");
  const [cursor, setCursor] = useState<string | null>(null);
  const [events, setEvents] = useState<TimelineEvent[]>([]);
  const { data, error, loading } = useLoad(async () => {
    const params = new URLSearchParams({ limit: String(PAGE) });
    if (event) params.set("event", event);
    if (cursor) params.set("cursor", cursor);
    const page = await api<TimelinePage>("GET", `/api/persons/${encodeURIComponent(id)}/events?${params}`);
    setEvents((list) => (cursor ? [...list, ...page.events] : page.events));
    return page;
  }, [id, event, cursor]);
  const time = new Intl.DateTimeFormat(localeOf(lang), { timeZone: settings.timezone, hour: "2-digit", minute: "2-digit", second: "2-digit" });
  const shown = events.filter((e) => !channel || channelOfEvent(e) === channel);
  const channels = [...new Set(events.map(channelOfEvent).filter(Boolean))];
  const names = [...new Set(events.map((e) => e.event))].sort();
  const days = new Map<string, TimelineEvent[]>();
  for (const e of shown) {
    const day = isoDay(Date.parse(e.time), settings.timezone);
    days.set(day, [...(days.get(day) ?? []), e]);
  }
  return (
    <section class="card" aria-labelledby="timeline-title">
      <header class="insight-head">
        <h2 id="timeline-title">{t("people.timeline")}</h2>
        <div class="toolbar">
          <label class="inline">
            {t("people.event")}{" "}
            <select value={event} onChange={(e) => (setCursor(null), setEvent(e.currentTarget.value))}>
              <option value="">{t("people.allEvents")}</option>
              {(event && !names.includes(event) ? [event, ...names] : names).map((n) => <option key={n} value={n}>{n}</option>)}
            </select>
          </label>
          <label class="inline">
            {t("people.channel")}{" "}
            <select value={channel} onChange={(e) => setChannel(e.currentTarget.value)}>
              <option value="">{t("people.allChannels")}</option>
              {channels.map((c) => <option key={c} value={c}>{channelName(c, t)}</option>)}
            </select>
          </label>
        </div>
      </header>
      {error && <Alert>{error}</Alert>}
      {loading && events.length === 0 ? <Loading /> : shown.length === 0 ? <Empty>{t("people.noEvents")}</Empty> : (
        <ol class="timeline" data-testid="timeline">
          {[...days].map(([day, list]) => (
            <li key={day}>
              <h3 class="timeline-day">{day}</h3>
              <ul>
                {list.map((e, i) => (
                  <li key={`${e.time}-${i}`} class="timeline-event">
                    <time class="hint" dateTime={e.time}>{time.format(Date.parse(e.time))}</time> <strong>{e.event}</strong>
                    <ChannelBadge channel={channelOfEvent(e)} />
                    <span class="hint"> · {e.source}{e.identifier && ` · ${e.identifier.type}`}</span>
                    {Object.keys(e.properties).length > 0 && (
                      <details>
                        <summary>{t("people.properties")}</summary>
                        <pre>{JSON.stringify(e.properties, null, 2)}</pre>
                      </details>
                    )}
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ol>
      )}
      {data?.next && <Button onClick={() => setCursor(data.next)} busy={loading}>{t("common.loadMore")}</Button>}
    </section>
  );
}
