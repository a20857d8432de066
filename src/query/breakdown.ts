/**
 * Breakdown values shown as lines: every analysis ranks labels by volume (its own measure: rows,
 * persons, cohort memberships), keeps the top `limit` and folds the rest into "$other", so the rule
 * — ties by label, "" competing like any value — lives once.
 */

/** OTHER is the label of the values beyond the breakdown limit. */
export const OTHER = "$other";

/** topLabels returns the `limit` labels with the largest volume, then OTHER if any were left out. */
export function topLabels(volume: Map<string, number>, limit: number): string[] {
  const ranked = [...volume].filter(([, v]) => v > 0).sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)).map(([l]) => l);
  const labels = ranked.slice(0, limit);
  if (ranked.length > limit) labels.push(OTHER);
  return labels;
}
