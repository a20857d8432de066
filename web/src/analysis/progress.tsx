/**
 * Progress for a running query: nothing for the first 300 ms (most answers come before that, and a
 * flash of spinner reads as a glitch), then elapsed seconds and a Cancel button for long ones.
 */
import { useEffect, useState } from "preact/hooks";
import { useI18n } from "../i18n/index.tsx";
import { Button } from "../ui/button.tsx";

export function Progress({ startedAt, onCancel }: { startedAt: number | null; onCancel: () => void }) {
  const { t } = useI18n();
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (startedAt === null) return;
    const timer = setInterval(() => setNow(Date.now()), 100);
    return () => clearInterval(timer);
  }, [startedAt]);
  const elapsed = startedAt === null ? 0 : now - startedAt;
  return (
    <div class="progress" role="status" aria-live="polite">
      {startedAt !== null && elapsed > 300 && (
        <>
          <span class="progress-bar" aria-hidden="true" />
          <span>{t("query.running", { s: (elapsed / 1000).toFixed(1) })}</span>
          <Button variant="link" onClick={onCancel}>
            {t("common.cancel")}
          </Button>
        </>
      )}
    </div>
  );
}
