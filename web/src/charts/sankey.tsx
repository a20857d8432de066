/**
 * Sankey: the paths as SVG bands between step columns (drawn by hand: no chart library draws Sankeys
 * small enough). Each band is focusable and opens the persons who took that step; hovering highlights it.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { localeOf, useI18n } from "../i18n/index.tsx";
import type { OnActors } from "../analysis/data-table.tsx";
import type { PathEdge } from "../query/types.ts";
import { color } from "./palette.ts";
import { NODE_WIDTH, parseNode, sankeyLayout, stepName } from "./sankey-layout.ts";

const HEIGHT = 420;
const LABEL_ROOM = 140;
/** Bands under this share of the widest one are left to the table: hairlines only add noise. */
const MIN_SHARE = 0.01;

export function SankeyChart({ edges, onActors }: { edges: PathEdge[]; onActors: OnActors }) {
  const { t, lang } = useI18n();
  const nf = new Intl.NumberFormat(localeOf(lang));
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(800);
  const [hover, setHover] = useState<string | null>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(el.clientWidth || 800));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const widest = Math.max(0, ...edges.map((e) => e.persons));
  const drawn = edges.filter((e) => e.persons >= widest * MIN_SHARE);
  const s = sankeyLayout(drawn, Math.max(200, width - LABEL_ROOM), HEIGHT);
  const events = [...new Set(s.nodes.map((n) => n.label))];
  const hue = (label: string) => color(events.indexOf(label));
  const edgeTitle = (source: string, target: string, persons: number) =>
    t("paths.edgeTitle", { from: stepName(source), to: stepName(target), n: nf.format(persons) });
  const open = (source: string, target: string, persons: number) => onActors({ edge: { source, target } }, edgeTitle(source, target, persons));
  return (
    <div ref={box} class="sankey" data-testid="paths-chart">
      <svg width={width} height={HEIGHT + 20} role="group" aria-label={t("paths.chartLabel")}>
        <g transform="translate(0, 10)">
          {s.links.map((l) => {
            const key = `${l.source}>${l.target}`;
            return (
              <path
                key={key}
                d={l.d}
                fill="none"
                stroke={hue(parseNode(l.source).label)}
                stroke-opacity={hover === null ? 0.35 : hover === key ? 0.75 : 0.15}
                stroke-width={l.width}
                tabIndex={0}
                role="button"
                aria-label={edgeTitle(l.source, l.target, l.persons)}
                onMouseEnter={() => setHover(key)}
                onMouseLeave={() => setHover(null)}
                onFocus={() => setHover(key)}
                onBlur={() => setHover(null)}
                onClick={() => open(l.source, l.target, l.persons)}
                onKeyDown={(e) => (e.key === "Enter" || e.key === " ") && (e.preventDefault(), open(l.source, l.target, l.persons))}
                class="sankey-link"
              >
                <title>{edgeTitle(l.source, l.target, l.persons)}</title>
              </path>
            );
          })}
          {s.nodes.map((n) => (
            <g key={n.id} data-testid="sankey-node">
              <title>{t("paths.nodeTitle", { step: n.column, event: n.label, n: nf.format(n.value) })}</title>
              <rect x={n.x} y={n.y} width={NODE_WIDTH} height={n.h} fill={hue(n.label)} rx={2} />
              {n.labelled && (
                <text x={n.x + NODE_WIDTH + 4} y={n.labelY} dominant-baseline="middle" class="sankey-label">
                  {`${n.label} (${nf.format(n.value)})`}
                </text>
              )}
            </g>
          ))}
        </g>
      </svg>
      {drawn.length < edges.length && <p class="hint">{t("paths.smallInTable", { n: nf.format(edges.length - drawn.length) })}</p>}
    </div>
  );
}
