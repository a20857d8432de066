/** Jobs: schedule, last and next run of each background job; admins can run one now. */
import { useState } from "preact/hooks";
import { api, errorMessage } from "../api.ts";
import { en, type MessageKey } from "../i18n/en.ts";
import { localeOf, useI18n, type Lang } from "../i18n/index.tsx";
import { cronText } from "../query/cron-text.ts";
import { useSession } from "../session.tsx";
import type { JobState } from "../types.ts";
import { Button } from "../ui/button.tsx";
import { Alert, Empty, Loading, PageHeader } from "../ui/feedback.tsx";
import { useLoad } from "../ui/use-load.ts";

/** jobDescription says what a built-in job does in the user's language (others as the server describes them). */
function jobDescription(j: { name: string; description: string }, t: ReturnType<typeof useI18n>["t"]): string {
  const key = `job.${j.name}`;
  return key in en ? t(key as MessageKey) : j.description;
}

/** resultText is the last run's summary in the user's language when the job gave its message, else as the server said it. */
function resultText(j: JobState, t: ReturnType<typeof useI18n>["t"], lang: Lang): string | null {
  const key = j.lastMessage && `jobResult.${j.lastMessage.key}`;
  if (!key || !(key in en)) return j.lastSummary;
  const params = Object.fromEntries(Object.entries(j.lastMessage!.params).map(([k, v]) => [k, typeof v === "number" ? v.toLocaleString(localeOf(lang)) : v]));
  return t(key as MessageKey, params);
}

/** scheduleText says a cron pattern (a job's, a pack's) in words when it has a common shape (empty otherwise). */
export function scheduleText(pattern: string, t: ReturnType<typeof useI18n>["t"], lang: Lang): string {
  const c = cronText(pattern);
  if (!c) return "";
  if (c.kind === "everyMinute") return t("cron.everyMinute");
  if (c.kind === "hourly") return t("cron.hourly", { minute: c.minute });
  if (c.kind === "daily") return t("cron.daily", { time: c.time });
  // 2024-01-07 was a Sunday (cron weekday 0).
  const day = new Intl.DateTimeFormat(localeOf(lang), { weekday: "long", timeZone: "UTC" }).format(Date.UTC(2024, 0, 7 + c.weekday));
  return t("cron.weekly", { day, time: c.time });
}

export function JobsPage() {
  const { t, dateTime, lang } = useI18n();
  const { isAdmin } = useSession();
  const { data, error, loading, reload } = useLoad(() => api<{ results: JobState[] }>("GET", "/api/jobs"));
  const [running, setRunning] = useState<string | null>(null);
  const [runError, setRunError] = useState<string | null>(null);

  const runNow = async (name: string) => {
    setRunning(name);
    setRunError(null);
    try {
      await api("POST", `/api/jobs/${encodeURIComponent(name)}/run`);
      await reload();
    } catch (e) {
      setRunError(errorMessage(e));
    } finally {
      setRunning(null);
    }
  };

  const jobs = data?.results ?? [];
  return (
    <>
      <PageHeader title={t("jobs.title")} intro={t("jobs.intro")} />
      {(error ?? runError) && <Alert>{error ?? runError}</Alert>}
      {loading && !data ? (
        <Loading />
      ) : jobs.length === 0 ? (
        <Empty>{t("jobs.empty")}</Empty>
      ) : (
        <table class="table">
          <thead>
            <tr>
              <th scope="col">{t("common.name")}</th>
              <th scope="col">{t("jobs.schedule")}</th>
              <th scope="col">{t("jobs.lastRun")}</th>
              <th scope="col">{t("jobs.nextRun")}</th>
              {isAdmin && <th scope="col" aria-label={t("jobs.runNow")} />}
            </tr>
          </thead>
          <tbody>
            {jobs.map((j) => (
              <tr key={j.name}>
                <td>
                  <strong>{j.name}</strong>
                  <div class="hint">{jobDescription(j, t)}</div>
                </td>
                <td>
                  <code>{j.pattern}</code>
                  <div class="hint">{[scheduleText(j.pattern, t, lang), j.timezone].filter(Boolean).join(" · ")}</div>
                </td>
                <td>
                  {j.running ? (
                    t("jobs.running")
                  ) : j.lastStartedAt ? (
                    <>
                      <span class={`badge badge-${j.lastStatus ?? "none"}`}>{j.lastStatus === "error" ? t("jobs.error") : t("jobs.ok")}</span> {dateTime(j.lastStartedAt)}
                      {j.lastDurationMs !== null && <span class="hint"> · {t("common.ms", { ms: j.lastDurationMs })}</span>}
                      {(j.lastError ?? j.lastSummary) && <div class="hint">{j.lastError ?? resultText(j, t, lang)}</div>}
                    </>
                  ) : (
                    t("common.never")
                  )}
                </td>
                <td>{j.nextRunAt ? dateTime(j.nextRunAt) : "—"}</td>
                {isAdmin && (
                  <td>
                    <Button onClick={() => runNow(j.name)} busy={running === j.name || j.running}>
                      {t("jobs.runNow")}
                    </Button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
