/**
 * Chart colours: ten hues that stay apart for the common forms of colour blindness (Tableau 10 order),
 * and lifecycle's fixed meaning-colours (new green, returning blue, resurrecting amber, dormant red).
 */
export const PALETTE = ["#2457d6", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#7f7f7f"] as const;

/** color gives the i-th series colour, cycling. */
export function color(i: number): string {
  return PALETTE[i % PALETTE.length]!;
}

export const LIFECYCLE_COLORS = { new: "#59a14f", returning: "#2457d6", resurrecting: "#edc948", dormant: "#e15759" } as const;

/**
 * stack turns series into cumulative sums for stacked bars. A series whose values are all ≤ 0 (lifecycle's
 * dormant) stacks downwards from zero, the others upwards; deciding per series, not per value, keeps a
 * zero of a negative series at the baseline instead of on top of the positive stack.
 */
export function stack(series: readonly (readonly number[])[]): number[][] {
  const n = series[0]?.length ?? 0;
  const pos = new Array<number>(n).fill(0);
  const neg = new Array<number>(n).fill(0);
  return series.map((s) => {
    const acc = s.every((v) => v <= 0) && s.some((v) => v < 0) ? neg : pos;
    return s.map((v, i) => (acc[i] = acc[i]! + v));
  });
}

/**
 * segmentAt finds which series of a stacked bar holds the value `y` at category `i` (the same stacking
 * as `stack`), or -1 outside every segment: a click on a lifecycle bar opens that status's persons.
 */
export function segmentAt(series: readonly (readonly number[])[], i: number, y: number): number {
  const stacked = stack(series);
  let below = { pos: 0, neg: 0 };
  for (let s = 0; s < series.length; s++) {
    const v = series[s]![i] ?? 0;
    const top = stacked[s]![i]!;
    if (v > 0 && y >= below.pos && y <= top) return s;
    if (v < 0 && y <= below.neg && y >= top) return s;
    if (v >= 0) below = { ...below, pos: top };
    else below = { ...below, neg: top };
  }
  return -1;
}
