/**
 * LiveCount: the size of the audience being edited, recounted (POST /api/audiences/preview, debounced)
 * a moment after each change, with a sample of persons. Incomplete conditions hold the count back and
 * say which condition needs finishing.
 */
import { useEffect, useState } from "preact/hooks";
import { api, errorMessage, isAbort } from "../api.ts";
import { localeOf, useI18n } from "../i18n/index.tsx";
import { ChannelIcons, displayName } from "../people/person-label.tsx";
import type { Actor } from "../query/types.ts";
import { Link } from "../router.tsx";
import { Alert } from "../ui/feedback.tsx";
import { conditionNumbers, incomplete, sendable, type Node } from "./definition-model.ts";

interface Preview {
  count: number;
  sample: Actor[];
  timing?: { ms: number };
}

const DEBOUNCE_MS = 500;

export function LiveCount({ definition }: { definition: Node }) {
  const { t, lang } = useI18n();
  const nf = new Intl.NumberFormat(localeOf(lang));
  const [preview, setPreview] = useState<Preview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const missing = incomplete(definition);
  const body = sendable(definition);
  const current = body !== null && missing.length === 0;
  const key = JSON.stringify(definition);

  useEffect(() => {
    if (missing.length > 0 || body === null) return;
    const c = new AbortController();
    const timer = setTimeout(async () => {
      setBusy(true);
      try {
        setPreview(await api<Preview>("POST", "/api/audiences/preview", { definition: body }, { signal: c.signal }));
        setError(null);
      } catch (e) {
        if (!isAbort(e)) setError(errorMessage(e));
      } finally {
        if (!c.signal.aborted) setBusy(false);
      }
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      c.abort();
    };
  }, [key]);

  return (
    <aside class="card live-count" aria-live="polite" aria-busy={busy}>
      <h2>{t("audience.liveCount")}</h2>
      {body === null ? (
        <p class="hint">{t("audience.addToCount")}</p>
      ) : missing.length > 0 ? (
        <p class="hint">{t("audience.finish", { at: conditionNumbers(missing).join(t("common.listSep")) })}</p>
      ) : (
        <p class={busy ? "big-number stale" : "big-number"} data-testid="live-count">
          {preview ? nf.format(preview.count) : "…"}
        </p>
      )}
      {/* While a condition is unfinished, the last count's timing and sample belong to another definition. */}
      {current && preview?.timing && <p class="hint">{t("query.timing", { ms: preview.timing.ms })}</p>}
      {error && <Alert>{error}</Alert>}
      {current && preview && preview.sample.length > 0 && (
        <>
          <h3>{t("audience.sample")}</h3>
          <ul class="person-list compact">
            {preview.sample.slice(0, 10).map((p) => (
              <li key={p.id}>
                <Link href={`/people/${encodeURIComponent(p.id)}`}>{displayName(p)}</Link> <ChannelIcons identifiers={p.identifiers} />
              </li>
            ))}
          </ul>
        </>
      )}
    </aside>
  );
}
