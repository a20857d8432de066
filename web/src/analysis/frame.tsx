/**
 * AnalysisFrame is what every analysis page shares: the query in the address bar (shareable), opening a
 * saved insight, running on every change with progress and cancel, the result chart and table with
 * click-through to persons, saving as an insight, copying the link and exporting the table as CSV.
 * A page supplies an AnalysisSpec: its default query, builder, result view and table.
 */
import type { FunctionComponent } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { api, errorMessage } from "../api.ts";
import { localeOf, useI18n, type I18n } from "../i18n/index.tsx";
import type { MessageKey } from "../i18n/en.ts";
import { downloadText } from "../query/csv.ts";
import { useQueryRun } from "../query/run.ts";
import type { ActorsSelector, Answer, Query, QueryKind } from "../query/types.ts";
import { decodeQuery, encodeQuery, shareUrl } from "../query/url-state.ts";
import { Link, replaceSearch } from "../router.tsx";
import { useSession } from "../session.tsx";
import type { Display, Insight } from "../types.ts";
import { Button } from "../ui/button.tsx";
import { CopyButton } from "../ui/copy.tsx";
import { Alert, Empty, PageHeader } from "../ui/feedback.tsx";
import { ActorsDialog } from "./actors-dialog.tsx";
import { DataTable, type OnActors } from "./data-table.tsx";
import { Progress } from "./progress.tsx";
import { SaveInsightDialog } from "./save-insight.tsx";
import { tableCsv, type TableModel } from "./table-model.ts";

export type Q<K extends QueryKind> = Extract<Query, { kind: K }>;

export interface BuilderProps<K extends QueryKind> {
  query: Q<K>;
  onQuery: (q: Q<K>) => void;
}

export interface ResultProps<K extends QueryKind> {
  query: Q<K>;
  answer: Answer<K>;
  table: TableModel;
  onActors: OnActors;
  display: Display;
  onDisplay: (d: Display) => void;
}

export interface AnalysisSpec<K extends QueryKind> {
  kind: K;
  title: MessageKey;
  intro: MessageKey;
  initial(): Q<K>;
  /** ready says the query can run (every step has an event). */
  ready(q: Q<K>): boolean;
  /** clean drops half-edited parts (a breakdown without a property) before the query is sent. */
  clean(q: Q<K>): Q<K>;
  isEmpty(a: Answer<K>): boolean;
  table(a: Answer<K>, q: Q<K>, t: I18n["t"], display: Display): TableModel;
  Builder: FunctionComponent<BuilderProps<K>>;
  Result: FunctionComponent<ResultProps<K>>;
}

function initialState<K extends QueryKind>(spec: AnalysisSpec<K>): { query: Q<K>; display: Display; insightId: number | null } {
  const sp = new URLSearchParams(location.search);
  let display: Display = {};
  try {
    display = JSON.parse(sp.get("d") ?? "{}") as Display;
  } catch {
    // an edited link with a broken display falls back to the default drawing
  }
  const id = Number(sp.get("insight"));
  return { query: decodeQuery(sp.get("q"), spec.kind) ?? spec.initial(), display, insightId: Number.isInteger(id) && id > 0 ? id : null };
}

export function AnalysisFrame<K extends QueryKind>({ spec }: { spec: AnalysisSpec<K> }) {
  const { t, lang } = useI18n();
  const { canOperate } = useSession();
  const [init] = useState(() => initialState(spec));
  const [query, setQuery] = useState<Q<K>>(init.query);
  const [display, setDisplay] = useState<Display>(init.display);
  const [insight, setInsight] = useState<Insight | null>(null);
  const [insightError, setInsightError] = useState<string | null>(null);
  const [actors, setActors] = useState<{ selector: ActorsSelector; title: string } | null>(null);
  const [saving, setSaving] = useState(false);
  const cleaned = useMemo(() => spec.clean(query), [query]);
  const run = useQueryRun<K>(cleaned as Extract<Query, { kind: K }>, spec.ready(query));

  useEffect(() => {
    if (init.insightId === null) return;
    api<Insight>("GET", `/api/insights/${init.insightId}`).then(
      (i) => {
        setInsight(i);
        if (i.query.kind === spec.kind) setQuery(i.query as unknown as Q<K>);
        setDisplay(i.display);
      },
      (e) => setInsightError(errorMessage(e)),
    );
  }, []);

  // The address bar always reproduces what is on screen.
  useEffect(() => {
    replaceSearch({ q: encodeQuery(cleaned), d: Object.keys(display).length ? JSON.stringify(display) : null, insight: insight ? String(insight.id) : null });
  }, [cleaned, display, insight]);

  const answered = run.answered as Q<K> | null;
  const table = useMemo(() => (run.answer && answered ? spec.table(run.answer, answered, t, display) : null), [run.answer, answered, t, display]);
  const onActors: OnActors = (selector, title) => setActors({ selector, title });
  const { Builder, Result } = spec;

  return (
    <>
      <PageHeader title={insight ? `${t(spec.title)} · ${insight.name}` : t(spec.title)} intro={t(spec.intro)}>
        {canOperate && (
          <Button onClick={() => setSaving(true)} disabled={!run.answer}>
            {t("insight.save")}
          </Button>
        )}
        <CopyButton text={shareUrl(location.origin, location.pathname, cleaned)} caption={{ idle: t("insight.copyLink"), done: t("insight.linkCopied") }} />
        <Button disabled={!table} onClick={() => table && downloadText(`${spec.kind}.csv`, tableCsv(table))}>
          {t("insight.csv")}
        </Button>
      </PageHeader>
      {insightError && <Alert>{insightError}</Alert>}
      <section class="card builder" aria-label={t("query.builder")}>
        <Builder query={query} onQuery={setQuery} />
      </section>
      <section class="card result" aria-label={t("query.result")} aria-busy={run.startedAt !== null}>
        <Progress startedAt={run.startedAt} onCancel={run.cancel} />
        {run.error && (
          <Alert>
            {t("query.failed", { message: run.error })} {run.retryable && <Button variant="link" onClick={run.rerun}>{t("app.retry")}</Button>}
          </Alert>
        )}
        {!spec.ready(query) && !run.answer && <Empty>{t("query.incomplete")}</Empty>}
        {run.answer && answered && table && (spec.isEmpty(run.answer) ? (
          <Empty>
            {t("query.noData")} <Link href="/sources">{t("query.noDataLink")}</Link>
          </Empty>
        ) : (
          <div class={run.startedAt !== null ? "stale" : undefined}>
            <Result query={answered} answer={run.answer} table={table} onActors={onActors} display={display} onDisplay={setDisplay} />
            <DataTable table={table} onActors={onActors} caption={t(spec.title)} testId="result-table" />
            {run.answer.timing && <p class="hint">{t("query.timing", { ms: new Intl.NumberFormat(localeOf(lang)).format(run.answer.timing.ms) })}</p>}
          </div>
        ))}
      </section>
      {actors && answered && <ActorsDialog query={answered} selector={actors.selector} title={actors.title} onClose={() => setActors(null)} />}
      {saving && (
        <SaveInsightDialog
          query={cleaned}
          display={display}
          current={insight}
          onClose={() => setSaving(false)}
          onSaved={(i) => {
            setInsight(i);
            setSaving(false);
          }}
        />
      )}
    </>
  );
}
