/**
 * DataTable renders a TableModel: numbers right-aligned and grouped, cells with persons behind them as
 * buttons (keyboard reachable), heat-map shading for retention. Wide tables scroll inside their card.
 */
import { localeOf, useI18n } from "../i18n/index.tsx";
import type { ActorsSelector } from "../query/types.ts";
import type { Cell, TableModel } from "./table-model.ts";

export type OnActors = (selector: ActorsSelector, title: string) => void;

function CellView({ cell, onActors, title, fmt, numeric: numericColumn }: { cell: Cell; onActors?: OnActors; title: string; fmt: (n: number) => string; numeric?: boolean }) {
  const text = cell.display ?? (typeof cell.value === "number" ? fmt(cell.value) : (cell.value ?? ""));
  const style = cell.heat !== undefined ? `background: rgba(36, 87, 214, ${(0.08 + 0.72 * cell.heat).toFixed(3)}); color: ${cell.heat > 0.55 ? "#fff" : "inherit"}` : undefined;
  const numeric = numericColumn ?? typeof cell.value === "number";
  return (
    <td class={numeric ? "num" : undefined} style={style}>
      {cell.actors && onActors && typeof cell.value === "number" && cell.value !== 0 ? (
        <button type="button" class="num-link" onClick={() => onActors(cell.actors!, title)} title={title}>
          {text}
        </button>
      ) : (
        text
      )}
    </td>
  );
}

/**
 * rowLabel names a row by its leading label cells (a funnel's step and breakdown value, a line and its
 * period…), so the persons behind a number say which segment they are.
 */
export function rowLabel(table: TableModel, row: readonly Cell[]): string {
  const labels: string[] = [];
  for (let j = 0; j < row.length && !table.columns[j]?.numeric && typeof row[j]?.value !== "number"; j++) {
    labels.push(String(row[j]!.display ?? row[j]!.value ?? ""));
  }
  return labels.join(" · ");
}

export function DataTable({ table, onActors, caption, testId }: { table: TableModel; onActors?: OnActors; caption?: string; testId?: string }) {
  const { lang, t } = useI18n();
  const nf = new Intl.NumberFormat(localeOf(lang), { maximumFractionDigits: 2 });
  return (
    <div class="table-scroll">
      <table class="table data-table" data-testid={testId}>
        {caption && <caption class="visually-hidden">{caption}</caption>}
        <thead>
          <tr>
            {table.columns.map((c, i) => (
              <th key={i} scope="col" class={c.numeric ? "num" : undefined}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.map((r, i) => (
            <tr key={i}>
              {r.map((c, j) => (
                <CellView
                  key={j} cell={c} numeric={table.columns[j]?.numeric} onActors={onActors} fmt={(n) => nf.format(n)}
                  title={t("actors.titleFor", { row: rowLabel(table, r), column: table.columns[j]?.label ?? "", n: typeof c.value === "number" ? nf.format(c.value) : "" })}
                />
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
