/**
 * FirstEvent: shown on the overview while the project has no events at all (the channel summary counts
 * no person) — the three steps to the first one, with the curl line filled in with a real write key
 * when a source exists. It looks for the first event every few seconds and gives way to the numbers when it comes.
 */
import { useEffect } from "preact/hooks";
import { api } from "../../api.ts";
import { useI18n } from "../../i18n/index.tsx";
import { loadEventNames } from "../../query/catalog.ts";
import { Link } from "../../router.tsx";
import type { Source } from "../../types.ts";
import { CodeBlock } from "../../ui/copy.tsx";
import { useLoad } from "../../ui/use-load.ts";
import { sourceSnippets } from "../source-snippets.ts";

/** How often the card looks for the first event, so it gives way to the numbers without a reload. */
const POLL_MS = 3000;

export function FirstEvent({ onArrived }: { onArrived: () => void }) {
  const { t } = useI18n();
  const sources = useLoad(() => api<{ results: Source[] }>("GET", "/api/sources"));
  useEffect(() => {
    const timer = setInterval(() => {
      loadEventNames().then((names) => names.some((e) => e.count > 0) && onArrived(), () => {});
    }, POLL_MS);
    return () => clearInterval(timer);
  }, []);
  const key = sources.data?.results.find((s) => !s.disabled)?.writeKey;
  const { curl } = sourceSnippets(location.origin, key ?? "YOUR_WRITE_KEY");
  return (
    <section class="card first-event" aria-labelledby="first-event">
      <h2 id="first-event">{t("overview.firstTitle")}</h2>
      <ol>
        <li>{key ? t("overview.firstHaveSource") : <>{t("overview.firstSource")} <Link href="/sources">{t("nav.sources")}</Link></>}</li>
        <li>{t("overview.firstSend")}</li>
        <li>{t("overview.firstSee")}</li>
      </ol>
      <CodeBlock label={t("sources.snippet.curl")} code={curl.code} />
    </section>
  );
}
