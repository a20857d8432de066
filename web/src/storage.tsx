/**
 * The data directory's disk, as the dashboard shows it: a banner on every page while the database refuses
 * writes (ingestion answers 503 and SDKs retry) or when free space runs low, and a line on the Sources
 * page. A full disk stops data from coming in, so it must not wait for someone to read the server's log.
 */
import { useEffect, useState } from "preact/hooks";
import { api } from "./api.ts";
import { localeOf, useI18n, type Lang } from "./i18n/index.tsx";
import type { StorageStatus } from "./types.ts";
import { Alert } from "./ui/feedback.tsx";
import { useLoad } from "./ui/use-load.ts";

const UNITS = ["B", "KB", "MB", "GB", "TB", "PB"];

/** formatBytes writes a size in binary units (as df -h does), with the language's decimal mark. */
export function formatBytes(n: number, lang: Lang): string {
  let u = 0;
  while (n >= 1024 && u < UNITS.length - 1) {
    n /= 1024;
    u++;
  }
  return `${n.toLocaleString(localeOf(lang), { maximumFractionDigits: n < 10 && u > 0 ? 1 : 0 })} ${UNITS[u]}`;
}

/** useStorage polls /api/storage: every 10 s while writes are refused (to see it clear), else every minute. */
function useStorage(): StorageStatus | null {
  const [status, setStatus] = useState<StorageStatus | null>(null);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let live = true;
    const poll = async () => {
      let next: StorageStatus | null = null;
      try {
        next = await api<StorageStatus>("GET", "/api/storage");
        if (live) setStatus(next);
      } catch {
        // A failed poll (server restarting) keeps the last answer; the next one tries again.
      }
      if (live) timer = setTimeout(poll, next?.refusing ? 10_000 : 60_000);
    };
    void poll();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, []);
  return status;
}

/** StorageBanner warns on every page when the disk is full or nearly so; otherwise it renders nothing. */
export function StorageBanner() {
  const { t, lang, dateTime } = useI18n();
  const s = useStorage();
  if (s?.refusing) {
    // SQLite's words, except the common case, which is said in the user's language.
    const full = s.refusing.message === "database or disk is full";
    const message = full ? t("storage.full") : s.refusing.message;
    // The state clears with the next write that succeeds; once the disk has room again, say so meanwhile.
    const roomAgain = full && s.freeBytes !== null && !s.low;
    return (
      <Alert>
        {t("storage.refusing", { since: dateTime(s.refusing.since), message })}
        {roomAgain && ` ${t("storage.roomAgain", { free: formatBytes(s.freeBytes!, lang) })}`}
      </Alert>
    );
  }
  if (s?.low && s.freeBytes !== null && s.totalBytes !== null) {
    return <Alert kind="warning">{t("storage.low", { free: formatBytes(s.freeBytes, lang), total: formatBytes(s.totalBytes, lang) })}</Alert>;
  }
  return null;
}

/** StorageLine says how big the database is and what the disk has left (Sources page; read once: the banner polls). */
export function StorageLine() {
  const { t, lang } = useI18n();
  const s = useLoad(() => api<StorageStatus>("GET", "/api/storage")).data;
  if (!s || s.databaseBytes === null) return null;
  const db = formatBytes(s.databaseBytes, lang);
  return (
    <p class="hint" data-testid="storage-line">
      {s.freeBytes !== null && s.totalBytes !== null
        ? t("storage.line", { db, free: formatBytes(s.freeBytes, lang), total: formatBytes(s.totalBytes, lang) })
        : t("storage.lineNoDisk", { db })}
    </p>
  );
}
