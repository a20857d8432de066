/**
 * Sankey layout for path edges ("1_$pageview" → "2_signup": the step number, an underscore, the event),
 * pure so it is testable: columns by step, nodes sized by the persons passing through (the larger of in
 * and out), stacked by size within a column; links leave and enter their nodes in the vertical order of
 * the node at the other end, so bands do not cross needlessly.
 */
import type { PathEdge } from "../query/types.ts";

export interface SankeyNode {
  id: string;
  label: string;
  column: number;
  value: number;
  x: number;
  y: number;
  h: number;
  /** labelY is the centre of the node's label; labelled is false where it would overlap the label above. */
  labelY: number;
  labelled: boolean;
}

export interface SankeyLink {
  source: string;
  target: string;
  persons: number;
  /** sy / ty are the band's centre where it leaves the source and enters the target. */
  sy: number;
  ty: number;
  width: number;
  /** d is an SVG path (a cubic curve between the centres) to stroke with `width`. */
  d: string;
}

export interface Sankey {
  nodes: SankeyNode[];
  links: SankeyLink[];
  columns: number;
}

export const NODE_WIDTH = 12;
const GAP = 10;
/** LABEL_LINE is the height one node label needs (12 px text): closer labels in a column would overlap. */
const LABEL_LINE = 14;

/** parseNode splits "3_add_to_cart" into step 3 and the event "add_to_cart" (events may contain "_"). */
export function parseNode(id: string): { column: number; label: string } {
  const m = /^(\d+)_(.*)$/.exec(id);
  return m ? { column: Number(m[1]), label: m[2]! } : { column: 1, label: id };
}

/** stepName reads a node id ("2_add_to_cart") as people do: "2. add_to_cart" (chart and table alike). */
export function stepName(id: string): string {
  const { column, label } = parseNode(id);
  return `${column}. ${label}`;
}

export function sankeyLayout(edges: readonly PathEdge[], width: number, height: number): Sankey {
  const ins = new Map<string, number>();
  const outs = new Map<string, number>();
  for (const e of edges) {
    outs.set(e.source, (outs.get(e.source) ?? 0) + e.persons);
    ins.set(e.target, (ins.get(e.target) ?? 0) + e.persons);
  }
  const ids = [...new Set(edges.flatMap((e) => [e.source, e.target]))];
  const cols = [...new Set(ids.map((id) => parseNode(id).column))].sort((a, b) => a - b);
  const byCol = cols.map((c) =>
    ids
      .filter((id) => parseNode(id).column === c)
      .map((id) => ({ id, value: Math.max(ins.get(id) ?? 0, outs.get(id) ?? 0) }))
      .sort((a, b) => b.value - a.value || a.id.localeCompare(b.id)),
  );
  // One scale for all columns, set by the fullest one, so equal persons are equal thickness everywhere.
  const scale = Math.min(
    ...byCol.map((col) => {
      const total = col.reduce((s, n) => s + n.value, 0);
      return total > 0 ? (height - GAP * (col.length - 1)) / total : Infinity;
    }),
  );
  const k = Number.isFinite(scale) ? scale : 0;
  const step = cols.length > 1 ? (width - NODE_WIDTH) / (cols.length - 1) : 0;
  const nodes = new Map<string, SankeyNode>();
  byCol.forEach((col, ci) => {
    let y = 0;
    let lastLabel = -Infinity;
    for (const n of col) {
      const { label, column } = parseNode(n.id);
      const h = Math.max(1, n.value * k);
      // A label sits beside the node's top (or its middle if thin), so tiny nodes are labelled too
      // unless the label above is too close.
      const labelY = y + Math.min(h / 2, LABEL_LINE);
      const labelled = labelY - lastLabel >= LABEL_LINE;
      if (labelled) lastLabel = labelY;
      nodes.set(n.id, { id: n.id, label, column, value: n.value, x: ci * step, y, h, labelY, labelled });
      y += h + GAP;
    }
  });
  const outOffset = new Map<string, number>();
  const inOffset = new Map<string, number>();
  const ordered = [...edges].sort((a, b) => {
    const sa = nodes.get(a.source)!;
    const sb = nodes.get(b.source)!;
    const ta = nodes.get(a.target)!;
    const tb = nodes.get(b.target)!;
    return sa.y - sb.y || ta.y - tb.y;
  });
  // Leaving order follows the targets' heights; entering order follows the sources' heights.
  const leave = [...ordered].sort((a, b) => nodes.get(a.source)!.y - nodes.get(b.source)!.y || nodes.get(a.target)!.y - nodes.get(b.target)!.y);
  const enter = [...ordered].sort((a, b) => nodes.get(a.target)!.y - nodes.get(b.target)!.y || nodes.get(a.source)!.y - nodes.get(b.source)!.y);
  const sy = new Map<PathEdge, number>();
  const ty = new Map<PathEdge, number>();
  for (const e of leave) {
    const w = e.persons * k;
    const off = outOffset.get(e.source) ?? 0;
    sy.set(e, nodes.get(e.source)!.y + off + w / 2);
    outOffset.set(e.source, off + w);
  }
  for (const e of enter) {
    const w = e.persons * k;
    const off = inOffset.get(e.target) ?? 0;
    ty.set(e, nodes.get(e.target)!.y + off + w / 2);
    inOffset.set(e.target, off + w);
  }
  const links = ordered.map((e): SankeyLink => {
    const s = nodes.get(e.source)!;
    const t = nodes.get(e.target)!;
    const x0 = s.x + NODE_WIDTH;
    const x1 = t.x;
    const mid = (x0 + x1) / 2;
    const y0 = sy.get(e)!;
    const y1 = ty.get(e)!;
    return { source: e.source, target: e.target, persons: e.persons, sy: y0, ty: y1, width: Math.max(1, e.persons * k), d: `M${x0},${y0}C${mid},${y0} ${mid},${y1} ${x1},${y1}` };
  });
  return { nodes: [...nodes.values()], links, columns: cols.length };
}
