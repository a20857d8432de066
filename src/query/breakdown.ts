/**
 * Breakdown values shown as lines: every analysis ranks labels by volume (its own measure: rows,
 * persons, cohort memberships), keeps the top `limit` and folds the rest into "$other", so the rule
 * — ties by label, "" competing like any value — lives once.
 */

/** OTHER is the label of the values beyond the breakdown limit. */
export const OTHER = "$other";

/**
 * rankLabels is topLabels for funnels, whose volumes are vectors of persons by exact depth (completing,
 * one step short, …): the `limit` labels with the most persons in all are kept (as PostHog's
 * test_funnel_step_breakdown_event_with_other: a value two people entered beats one that one person
 * completed) and shown ordered element by element, deepest first (PostHog's ORDER BY); ties by label.
 */
export function rankLabels(volume: Map<string, ArrayLike<number>>, limit: number): string[] {
  const cmp = (x: ArrayLike<number>, y: ArrayLike<number>) => {
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return y[i]! - x[i]!;
    return 0;
  };
  const sum = (x: ArrayLike<number>) => {
    let s = 0;
    for (let i = 0; i < x.length; i++) s += x[i]!;
    return s;
  };
  const byLabel = (x: [string, unknown], y: [string, unknown]) => (x[0] < y[0] ? -1 : 1);
  const kept = [...volume].sort((x, y) => sum(y[1]) - sum(x[1]) || cmp(x[1], y[1]) || byLabel(x, y)).slice(0, limit);
  const labels = kept.sort((x, y) => cmp(x[1], y[1]) || byLabel(x, y)).map(([l]) => l);
  if (volume.size > limit) labels.push(OTHER);
  return labels;
}

/** topLabels returns the `limit` labels with the largest volume, then OTHER if any were left out. */
export function topLabels(volume: Map<string, number>, limit: number): string[] {
  const ranked = [...volume].filter(([, v]) => v > 0).sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)).map(([l]) => l);
  const labels = ranked.slice(0, limit);
  if (ranked.length > limit) labels.push(OTHER);
  return labels;
}
