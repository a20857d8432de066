/**
 * FunnelBars: the funnel as horizontal bars, one per step (and breakdown value): the persons who reached
 * the step as a solid bar, those lost since the previous step as a pale extension, conversion from the
 * start and the median time. Counts and drop-offs are buttons opening the persons behind them. Plain
 * HTML rather than canvas so every number is focusable and read out.
 */
import { localeOf, useI18n } from "../i18n/index.tsx";
import { duration, pct } from "../analysis/table-model.ts";
import type { OnActors } from "../analysis/data-table.tsx";
import type { FunnelStepsResult } from "../query/types.ts";
import { color } from "./palette.ts";

/** Bar groups drawn before the rest go to the table: the demo's seven channels and "other" fit. */
const MAX_BREAKDOWNS = 8;

export function FunnelBars({ results, onActors, labelOf }: { results: FunnelStepsResult[]; onActors: OnActors; labelOf: (bv: string | null) => string }) {
  const { t, lang } = useI18n();
  const nf = new Intl.NumberFormat(localeOf(lang));
  const shown = results.slice(0, MAX_BREAKDOWNS);
  const max = Math.max(1, ...shown.map((r) => r.steps[0]?.count ?? 0));
  const steps = shown[0]?.steps ?? [];
  return (
    <div class="funnel" data-testid="funnel-chart">
      {steps.map((step, i) => (
        <div key={i} class="funnel-step">
          <div class="funnel-step-name">
            <span class="letter">{i + 1}</span> {step.event}
          </div>
          {shown.map((r, b) => {
            const s = r.steps[i]!;
            const first = r.steps[0]?.count ?? 0;
            const prev = i === 0 ? s.count : r.steps[i - 1]!.count;
            const lost = prev - s.count;
            const who = r.breakdownValue === null ? "" : `${labelOf(r.breakdownValue)} · `;
            // The persons dialog names the segment and the number clicked.
            const title = (what: string, n: number) => `${who}${what} · ${t("actors.count", { n: nf.format(n) })}`;
            return (
              <div key={b} class="funnel-row">
                {r.breakdownValue !== null && <span class="funnel-bv">{labelOf(r.breakdownValue)}</span>}
                <div class="funnel-track" aria-hidden="true">
                  <span class="funnel-bar" style={`width: ${(100 * s.count) / max}%; background: ${color(b)}`} />
                  {i > 0 && <span class="funnel-lost" style={`width: ${(100 * lost) / max}%; border-color: ${color(b)}`} />}
                </div>
                <div class="funnel-numbers">
                  <button type="button" class="num-link" onClick={() => onActors({ step: i + 1, breakdownValue: r.breakdownValue }, title(t("funnel.reached", { n: i + 1, event: step.event }), s.count))} disabled={s.count === 0}>
                    {nf.format(s.count)}
                  </button>{" "}
                  <span class="pct">{pct(s.count, first)}</span>
                  {i > 0 && (
                    <span class="funnel-drop">
                      {" · "}
                      <button type="button" class="num-link danger" onClick={() => onActors({ dropOffAfter: i, breakdownValue: r.breakdownValue }, title(t("funnel.droppedAfter", { n: i }), lost))} disabled={lost === 0}>
                        {t("funnel.lost", { n: nf.format(lost), pct: pct(lost, prev) })}
                      </button>
                      {s.medianSecondsFromPrevious !== null && <span class="hint"> · {t("funnel.median", { time: duration(s.medianSecondsFromPrevious, t) })}</span>}
                    </span>
                  )}
                </div>
              </div>
            );
          })}
        </div>
      ))}
      {results.length > MAX_BREAKDOWNS && <p class="hint">{t("funnel.moreInTable", { n: nf.format(results.length - MAX_BREAKDOWNS) })}</p>}
    </div>
  );
}
