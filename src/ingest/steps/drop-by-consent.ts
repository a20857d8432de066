/**
 * drop_by_consent: honours `context.consent.categoryPreferences` (Segment's consent shape, also sent by
 * @jitsu/js): when a category the source treats as analytics consent is explicitly `false`, the event is
 * dropped before anything else looks at it. Absent preferences mean no consent management: keep. An empty
 * `categoryPreferences: {}` is consent to nothing (Segment's reconcile table: "consent is considered to be
 * `false` for all categories"): drop.
 */
import { isObject, obj } from "../json.ts";
import type { Step } from "./step.ts";

export const dropByConsent: Step = {
  name: "drop_by_consent",
  run(msg, ctx) {
    const prefs = obj(obj(msg.context, "consent"), "categoryPreferences");
    if (!prefs || !isObject(prefs)) return msg;
    if (Object.keys(prefs).length === 0) return { drop: "consent" };
    const wanted = ctx.source.settings.consentCategories;
    for (const key in prefs) {
      if (prefs[key] !== false) continue;
      const k = key.toLowerCase();
      if (wanted.some((w) => w.toLowerCase() === k)) return { drop: "consent" };
    }
    return msg;
  },
};
