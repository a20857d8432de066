/** How a pack is kept current, in words, for the pack list and a pack's page. */
import { isStatic } from "../../../../src/audiences/static-pack.ts";
import type { I18n } from "../../i18n/index.tsx";
import type { Audience } from "../../types.ts";

/** nextRunText says when a pack is computed next: never for a saved list, by hand when paused, else when. */
export function nextRunText(a: Audience, t: I18n["t"], dateTime: (ms: number) => string): string {
  if (isStatic(a)) return t("audience.staticNext");
  if (a.status === "paused") return t("audience.pausedNext");
  return a.nextRunAt ? dateTime(a.nextRunAt) : t("audience.manual");
}

/** packBadge is the label beside a pack's name: a saved list, or paused; none for a live rule. */
export function packBadge(a: Audience, t: I18n["t"]): string | null {
  if (isStatic(a)) return t("audience.static");
  return a.status === "paused" ? t("audience.paused") : null;
}
