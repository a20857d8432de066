/** The x-axis labels of a pack's size history. */
import { isoDay } from "../../query/dates.ts";

/**
 * historyLabels labels each computation by the day of its asOf, adding the time where several
 * computations share a day (a nightly run and recomputations by hand), so no two points read alike.
 */
export function historyLabels(asOfs: readonly number[], timeZone: string): string[] {
  const days = asOfs.map((ms) => isoDay(ms, timeZone));
  const minute = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const second = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
  const withMinute = asOfs.map((ms, i) => (shared(days, days[i]!) ? `${days[i]} ${minute.format(ms)}` : days[i]!));
  return asOfs.map((ms, i) => (shared(withMinute, withMinute[i]!) ? `${days[i]} ${second.format(ms)}` : withMinute[i]!));
}

function shared(labels: readonly string[], label: string): boolean {
  return labels.indexOf(label) !== labels.lastIndexOf(label);
}
