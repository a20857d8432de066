/**
 * RFM scoring (reference/automation.md §4.1), pure: per-customer recency, frequency and monetary
 * values in, scores 1–5 and the 8-class Chinese model out.
 *
 * Scores are quantile buckets so each holds ~20% of customers (equal-width buckets misbehave on
 * skewed money data): score = 1 + ⌊5 · worse / N⌋, where `worse` counts customers with a strictly
 * worse value and N the customers scored. Ties never split: equal values get equal scores, the score
 * of the lowest position they occupy — so when 60% bought exactly once they all score F = 1 (SQL's
 * NTILE(5) would scatter them over 1–3 arbitrarily), and the next frequency starts at F = 4.
 * Worse means larger for recency (days since the last order) and smaller for frequency and money.
 *
 * The 8 classes (重要价值客户 …) compare each score with the mean score of all scored customers,
 * as in the common Chinese formulation ("R/F/M 分值是否大于平均值"): high = strictly above the mean,
 * so a dimension where everyone scores the same is "low" for everyone.
 */

/** RFM_CLASSES lists the 8 classes; the index is the bit pattern R·4 + F·2 + M (1 = high). */
export const RFM_CLASSES = [
  "一般挽留客户", // R↓ F↓ M↓
  "重要挽留客户", // R↓ F↓ M↑
  "一般保持客户", // R↓ F↑ M↓
  "重要保持客户", // R↓ F↑ M↑
  "一般发展客户", // R↑ F↓ M↓
  "重要发展客户", // R↑ F↓ M↑
  "一般价值客户", // R↑ F↑ M↓
  "重要价值客户", // R↑ F↑ M↑
] as const;
export type RfmClass = (typeof RFM_CLASSES)[number];

/** RfmInput is one customer's raw values (customers without orders are not scored). */
export interface RfmInput {
  /** whole local days between the last paid order and asOf */
  readonly recencyDays: number;
  /** paid orders in the window */
  readonly frequency: number;
  /** paid amount in the window */
  readonly monetary: number;
}

/** RfmResult is one customer's scores, 3-digit code and class. */
export interface RfmResult {
  readonly r: number;
  readonly f: number;
  readonly m: number;
  readonly code: string;
  readonly rfmClass: RfmClass;
}

/** quantileScores scores values 1–5 by quantile with ties kept together (see the file comment). */
export function quantileScores(values: ArrayLike<number>, better: "higher" | "lower"): Uint8Array {
  const n = values.length;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(values[i]!)) throw new Error(`RFM value #${i} is not a finite number`);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const scores = new Uint8Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j < n && values[order[j]!] === values[order[i]!]) j++;
    // Ascending positions [i, j) share one value: i values are smaller, n − j are larger.
    const worse = better === "higher" ? i : n - j;
    const score = 1 + Math.floor((5 * worse) / n);
    for (let k = i; k < j; k++) scores[order[k]!] = score;
    i = j;
  }
  return scores;
}

function mean(xs: Uint8Array): number {
  let s = 0;
  for (const x of xs) s += x;
  return xs.length === 0 ? 0 : s / xs.length;
}

/** scoreRfm scores every customer and assigns the 8-class model. */
export function scoreRfm(inputs: readonly RfmInput[]): RfmResult[] {
  const r = quantileScores(inputs.map((x) => x.recencyDays), "lower");
  const f = quantileScores(inputs.map((x) => x.frequency), "higher");
  const m = quantileScores(inputs.map((x) => x.monetary), "higher");
  const [mr, mf, mm] = [mean(r), mean(f), mean(m)];
  return inputs.map((_, i) => {
    const [ri, fi, mi] = [r[i]!, f[i]!, m[i]!];
    const bits = (ri > mr ? 4 : 0) + (fi > mf ? 2 : 0) + (mi > mm ? 1 : 0);
    return { r: ri, f: fi, m: mi, code: `${ri}${fi}${mi}`, rfmClass: RFM_CLASSES[bits]! };
  });
}
