/** How a pack is kept current, in words, for the pack list and a pack's page. */
import { isStatic, savedFromKind } from "../../../../src/audiences/static-pack.ts";
import type { MessageKey } from "../../i18n/en.ts";
import type { I18n, Lang } from "../../i18n/index.tsx";
import type { Audience } from "../../types.ts";
import { scheduleText } from "../jobs.tsx";

/** nextRunText says when a pack is computed next: by hand when paused, else when; null for a snapshot, which never is. */
export function nextRunText(a: Audience, t: I18n["t"], dateTime: (ms: number) => string): string | null {
  if (isStatic(a)) return null;
  if (a.status === "paused") return t("audience.pausedNext");
  return a.nextRunAt ? dateTime(a.nextRunAt) : t("audience.manual");
}

/** packBadge is the label beside a pack's name: a snapshot, or paused; none for a live rule. */
export function packBadge(a: Audience, t: I18n["t"]): string | null {
  if (isStatic(a)) return t("audience.static");
  return a.status === "paused" ? t("audience.paused") : null;
}

/** The page of each analysis a persons list can be saved from, named as the navigation names it. */
const ANALYSIS_PAGE: Readonly<Record<string, MessageKey>> = {
  trends: "nav.events", funnel: "nav.funnels", retention: "nav.retention", distribution: "nav.distribution",
  lifecycle: "nav.lifecycle", stickiness: "nav.stickiness", paths: "nav.paths",
};

/** savedFrom is the analysis a snapshot was saved from, when its description is still the one it was saved with. */
export function savedFrom(a: Pick<Audience, "description">): string | null {
  const kind = savedFromKind(a.description);
  return kind && kind in ANALYSIS_PAGE ? kind : null;
}

/**
 * computationText says how a pack is computed: a snapshot saved from which analysis and when, the
 * nightly T+1 run, or its own cron schedule in words (the pattern itself when it has no common shape).
 */
export function computationText(a: Audience, t: I18n["t"], lang: Lang, dateTime: (ms: number) => string): string {
  if (isStatic(a)) {
    const date = dateTime(a.lastAsOf ?? a.createdAt);
    const from = savedFrom(a);
    return from ? t("audience.snapshotFrom", { analysis: t(ANALYSIS_PAGE[from]!), date }) : t("audience.snapshotOf", { date });
  }
  if (!a.schedule) return t("audience.nightly");
  return scheduleText(a.schedule, t, lang) || a.schedule;
}
