/**
 * CategoryChart: uPlot over categories (periods, buckets) as lines, bars or stacked bars, with an HTML
 * legend that shows the values under the cursor (uPlot's own legend is off: ours follows the language
 * and stays readable by screen readers), a click on a category for the persons behind it, a fixed
 * height so the page never jumps, and the width of its container.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import uPlot from "uplot";
import { localeOf, useI18n } from "../i18n/index.tsx";
import { periodText } from "../analysis/table-model.ts";
import { stack } from "./palette.ts";

export interface ChartSeries {
  label: string;
  values: number[];
  color: string;
  /** dashed draws the compare-to-previous-period line. */
  dashed?: boolean;
  /** right puts the series on a second axis (sums of money beside counts of persons). */
  right?: boolean;
}

type Props = {
  labels: string[];
  series: ChartSeries[];
  kind: "line" | "bar" | "stacked";
  ariaLabel: string;
  height?: number;
  /** unit is appended to values in the legend ("%"). */
  unit?: string;
  /** onCategory gets the clicked category and the y value under the pointer (to pick a stacked segment). */
  onCategory?: (index: number, y: number) => void;
  testId?: string;
};

const INCRS = [1, 2, 3, 5, 7, 10, 14, 20, 30, 50, 100, 200, 500, 1000];

function fromZero(_u: uPlot, min: number, max: number): uPlot.Range.MinMax {
  const lo = Math.min(0, min);
  const hi = Math.max(0, max);
  return hi === lo ? [lo, lo + 1] : [lo, hi + (hi - lo) * 0.06];
}

export function CategoryChart({ labels, series, kind, ariaLabel, height = 280, unit = "", onCategory, testId }: Props) {
  const { lang, t } = useI18n();
  const box = useRef<HTMLDivElement>(null);
  const [hover, setHover] = useState<number | null>(null);
  const nf = new Intl.NumberFormat(localeOf(lang), { maximumFractionDigits: 2 });
  const compact = new Intl.NumberFormat(localeOf(lang), { notation: "compact", maximumFractionDigits: 1 });
  const clickRef = useRef(onCategory);
  clickRef.current = onCategory;

  useEffect(() => {
    const el = box.current;
    if (!el || labels.length === 0) return;
    const n = labels.length;
    // Hours over more than one day: the axis names the day too, or every day reads 00:00 … 22:00 again.
    const withDay = new Set(labels.filter((l) => HOUR.test(l)).map((l) => l.slice(0, 10))).size > 1;
    const bars = kind !== "line";
    // Stacked bars are drawn from the tallest cumulative sum down, so each smaller one stays visible on top.
    const drawn = kind === "stacked" ? stack(series.map((s) => s.values)).map((values, i) => ({ ...series[i]!, values })).reverse() : series;
    const twoAxes = kind !== "stacked" && drawn.some((s) => s.right) && drawn.some((s) => !s.right);
    const opts: uPlot.Options = {
      width: el.clientWidth || 600,
      height,
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { show: !bars } },
      scales: {
        x: { time: false, range: () => (bars ? [-0.5, n - 0.5] : [0, Math.max(1, n - 1)]) },
        // Counts read against zero: an axis starting at 200 makes a 10 % dip look like a collapse.
        y: { range: fromZero },
        ...(twoAxes && { y2: { range: fromZero } }),
      },
      axes: [
        { incrs: INCRS, space: withDay ? 96 : 60, values: (_u, splits) => splits.map((i) => (Number.isInteger(i) ? short(labels[i] ?? "", withDay) : "")), grid: { show: false } },
        { values: (_u, splits) => splits.map((v) => compact.format(v) + unit), size: 56, grid: { stroke: "#eef0f3" } },
        ...(twoAxes ? [{ scale: "y2", side: 1 as const, values: (_u: uPlot, splits: number[]) => splits.map((v) => compact.format(v)), size: 56, grid: { show: false } }] : []),
      ],
      series: [
        {},
        ...drawn.map((s) => ({
          label: s.label,
          scale: twoAxes && s.right ? "y2" : "y",
          stroke: s.color,
          width: bars ? 0 : 2,
          fill: bars ? s.color : undefined,
          dash: s.dashed ? [6, 4] : undefined,
          points: { show: !bars && n <= 40 },
          paths: bars ? uPlot.paths.bars!({ size: [0.7, 64], align: 0 }) : undefined,
        })),
      ],
      hooks: {
        setCursor: [(u) => setHover(u.cursor.idx ?? null)],
        ready: [
          (u) =>
            u.over.addEventListener("click", () => {
              const idx = u.cursor.idx;
              if (idx !== null && idx !== undefined) clickRef.current?.(idx, u.posToVal(u.cursor.top ?? 0, "y"));
            }),
        ],
      },
    };
    const data: uPlot.AlignedData = [labels.map((_, i) => i), ...drawn.map((s) => s.values)];
    const plot = new uPlot(opts, data, el);
    const ro = new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.destroy();
    };
  }, [JSON.stringify(labels), JSON.stringify(series), kind, height, lang]);

  const at = hover ?? labels.length - 1;
  // With two axes the legend says which lines read against the right one.
  const twoAxesShown = kind !== "stacked" && series.some((s) => s.right) && series.some((s) => !s.right);
  return (
    <figure class="chart" data-testid={testId}>
      <div ref={box} class={onCategory ? "chart-canvas clickable" : "chart-canvas"} style={`height: ${height}px`} role="img" aria-label={ariaLabel} />
      <figcaption class="legend">
        <span class="legend-at">{periodText(labels[at] ?? "")}</span>
        {series.map((s, i) => (
          <span key={i} class="legend-item">
            <i style={`background: ${s.color}`} class={s.dashed ? "dashed" : undefined} aria-hidden="true" />
            {s.label}{twoAxesShown && s.right && <span class="hint"> ({t("chart.rightAxis")})</span>}: <strong>{s.values[at] === undefined ? "—" : nf.format(s.values[at]!) + unit}</strong>
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

const HOUR = /^\d{4}-(\d{2}-\d{2})T(\d{2}:\d{2})$/;

/**
 * short trims period labels for the axis: "2024-06-10" → "06-10", "2024-06-10T13:00" → "13:00", or
 * "06-10 13:00" `withDay` (hours spanning several days).
 */
export function short(label: string, withDay = false): string {
  const hour = HOUR.exec(label);
  if (hour) return withDay ? `${hour[1]} ${hour[2]}` : hour[2]!;
  const day = /^\d{4}-(\d{2}-\d{2})$/.exec(label);
  return day ? day[1]! : label;
}
