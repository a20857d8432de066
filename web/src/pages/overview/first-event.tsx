/**
 * FirstEvent: shown on the overview while the project has no events at all (the channel summary counts
 * no person) — the three steps to the first one, with the curl line filled in with a real write key
 * when a source exists.
 */
import { api } from "../../api.ts";
import { useI18n } from "../../i18n/index.tsx";
import { Link } from "../../router.tsx";
import type { Source } from "../../types.ts";
import { CodeBlock } from "../../ui/copy.tsx";
import { useLoad } from "../../ui/use-load.ts";
import { sourceSnippets } from "../source-snippets.ts";

export function FirstEvent() {
  const { t } = useI18n();
  const sources = useLoad(() => api<{ results: Source[] }>("GET", "/api/sources"));
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
