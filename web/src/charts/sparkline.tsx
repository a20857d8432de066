/** Sparkline: a tiny SVG line of a pack's size history for lists (no axes; the numbers are beside it). */
export function Sparkline({ values, label, width = 96, height = 24 }: { values: number[]; label: string; width?: number; height?: number }) {
  if (values.length < 2) return <span class="hint" aria-label={label}>—</span>;
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min || 1;
  const pts = values.map((v, i) => `${((i * (width - 2)) / (values.length - 1) + 1).toFixed(1)},${(height - 2 - ((v - min) * (height - 4)) / span).toFixed(1)}`);
  return (
    <svg width={width} height={height} role="img" aria-label={label} class="sparkline">
      <polyline points={pts.join(" ")} fill="none" stroke="#2457d6" stroke-width="1.5" />
    </svg>
  );
}
