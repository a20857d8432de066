/**
 * Sources: list, create (admin), and for the selected source its write key with copy buttons and a
 * snippet for each way of sending (our browser SDK, Segment's, RudderStack's and PostHog's SDKs for the
 * browser and Node, Sensors Data's SDKs by their server_url, curl), so the first event is one paste away.
 */
import { useState } from "preact/hooks";
import { api, errorMessage } from "../api.ts";
import { useI18n } from "../i18n/index.tsx";
import { useSession } from "../session.tsx";
import { StorageLine } from "../storage.tsx";
import type { Source } from "../types.ts";
import { Button } from "../ui/button.tsx";
import { CodeBlock, CopyButton } from "../ui/copy.tsx";
import { Alert, Empty, Loading, PageHeader } from "../ui/feedback.tsx";
import { Field, SelectField } from "../ui/field.tsx";
import { useAction } from "../ui/use-action.ts";
import { useLoad } from "../ui/use-load.ts";
import { SourceActivity } from "./source-activity.tsx";
import { pinnedBrowserSnippet, SNIPPET_KINDS, sourceSnippets, type SdkVersion, type SnippetKind, type SnippetPart } from "./source-snippets.ts";

/** Part is one snippet: its install command (when it has one), then its code. */
function Part({ title, part }: { title: string; part: SnippetPart }) {
  const { t } = useI18n();
  return (
    <>
      {part.install && <CodeBlock label={`${title} · ${t("sources.install")}`} code={part.install} />}
      <CodeBlock label={title} code={part.code} />
    </>
  );
}

/** Snippets: one tab per way of sending, the browser SDK first (what most sources are). */
function Snippets({ writeKey }: { writeKey: string }) {
  const { t } = useI18n();
  const [kind, setKind] = useState<SnippetKind>("browser");
  const snippet = sourceSnippets(location.origin, writeKey)[kind];
  const sdk = useLoad(() => api<SdkVersion>("GET", "/sdk.json"));
  return (
    <div class="snippets">
      <div class="segmented tabs" role="tablist" aria-label={t("sources.snippets")}>
        {SNIPPET_KINDS.map((k) => (
          <button key={k} type="button" role="tab" aria-selected={kind === k} onClick={() => setKind(k)}>
            {t(`sources.tab.${k}`)}
          </button>
        ))}
      </div>
      <div role="tabpanel">
        {snippet.browser ? (
          <>
            <p class="hint">{t(`sources.snippet.${kind}`)}</p>
            <Part title={t("sources.inBrowser")} part={snippet.browser} />
            <Part title={t("sources.onServer")} part={snippet} />
          </>
        ) : (
          <Part title={t(`sources.snippet.${kind}`)} part={snippet} />
        )}
        {kind === "browser" && sdk.data && <CodeBlock label={t("sources.snippet.pinned")} code={pinnedBrowserSnippet(location.origin, writeKey, sdk.data)} />}
      </div>
    </div>
  );
}

/**
 * PLATFORMS are the source kinds that stand for a platform: their events show as that platform in a
 * person's timeline (src/identity/identifier.ts channelOfSource). "" is a plain source (`http`).
 */
const PLATFORMS = ["", "wx_mini", "wx_oa", "wecom", "douyin", "tmall", "jd", "youzan"] as const;
type Platform = (typeof PLATFORMS)[number];
const isPlatform = (kind: string): kind is Exclude<Platform, ""> => kind !== "" && (PLATFORMS as readonly string[]).includes(kind);

/** PlatformField picks the platform a source stands for. */
function PlatformField({ value, onValue, disabled }: { value: Platform; onValue: (p: Platform) => void; disabled?: boolean }) {
  const { t } = useI18n();
  return (
    <SelectField
      label={t("sources.platform")}
      value={value}
      disabled={disabled}
      onValue={(v) => onValue(v as Platform)}
      options={PLATFORMS.map((p) => ({ value: p, label: t(`sources.platform.${p || "none"}`) }))}
    />
  );
}

/** DataHandling edits what ingestion does with this source's data: IP addresses, bot traffic, consent. */
function DataHandling({ source, onSaved }: { source: Source; onSaved: (s: Source) => void }) {
  const { t } = useI18n();
  const { isAdmin } = useSession();
  const initialPlatform: Platform = isPlatform(source.kind) ? source.kind : "";
  const [platform, setPlatform] = useState<Platform>(initialPlatform);
  const [ipPolicy, setIpPolicy] = useState(source.settings.ipPolicy);
  const [bots, setBots] = useState(source.settings.bots);
  const [consent, setConsent] = useState(source.settings.consentCategories.join(", "));
  const [saved, setSaved] = useState(false);
  const action = useAction();
  const save = (e: Event) => {
    e.preventDefault();
    setSaved(false);
    void action.run(async () => {
      const consentCategories = consent.split(/[,，]/).map((c) => c.trim()).filter(Boolean);
      // The kind changes only when the platform does: a plain source keeps its own kind (http, import, …).
      const kind = platform === initialPlatform ? {} : { kind: platform || "http" };
      onSaved(await api<Source>("PATCH", `/api/sources/${source.id}`, { ...kind, settings: { ipPolicy, bots, consentCategories } }));
      setSaved(true);
    });
  };
  return (
    <form class="data-handling" onSubmit={save} aria-labelledby="data-handling-title">
      <h3 id="data-handling-title">{t("sources.dataHandling")}</h3>
      {!isAdmin && <p class="hint">{t("common.readOnly")}</p>}
      <div class="form-grid">
        <PlatformField value={platform} onValue={setPlatform} disabled={!isAdmin} />
        <SelectField
          label={t("sources.ipPolicy")}
          value={ipPolicy}
          disabled={!isAdmin}
          onValue={(v) => setIpPolicy(v as Source["settings"]["ipPolicy"])}
          options={(["truncate", "keep", "drop"] as const).map((v) => ({ value: v, label: t(`sources.ipPolicy.${v}`) }))}
        />
        <SelectField
          label={t("sources.bots")}
          value={bots}
          disabled={!isAdmin}
          onValue={(v) => setBots(v as Source["settings"]["bots"])}
          options={(["flag", "drop"] as const).map((v) => ({ value: v, label: t(`sources.bots.${v}`) }))}
        />
      </div>
      <Field label={t("sources.consent")} hint={t("sources.consentHint")} value={consent} disabled={!isAdmin} onValue={setConsent} maxLength={2000} />
      {action.error && <Alert>{action.error}</Alert>}
      {saved && <Alert kind="success">{t("common.saved")}</Alert>}
      {isAdmin && (
        <Button type="submit" busy={action.busy}>
          {t("common.save")}
        </Button>
      )}
    </form>
  );
}

function SourceDetails({ source, onChange }: { source: Source; onChange: (s: Source | null) => void }) {
  const { t } = useI18n();
  const { isAdmin } = useSession();
  const [error, setError] = useState<string | null>(null);
  const act = async (fn: () => Promise<Source | null>) => {
    try {
      setError(null);
      onChange(await fn());
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  return (
    <section class="card" aria-labelledby="source-details">
      <h2 id="source-details">{t("sources.details", { name: source.name })}</h2>
      {error && <Alert>{error}</Alert>}
      <div class="key-row">
        <span class="label">{t("sources.writeKey")}</span>
        <code class="key" data-testid="write-key">
          {source.writeKey}
        </code>
        <CopyButton text={source.writeKey} label={t("sources.writeKey")} />
      </div>
      <Snippets writeKey={source.writeKey} />
      <DataHandling source={source} onSaved={onChange} />
      {isAdmin && (
        <div class="actions">
          <Button onClick={() => confirm(t("sources.rotateConfirm")) && act(() => api<Source>("PATCH", `/api/sources/${source.id}`, { rotateWriteKey: true }))}>{t("sources.rotate")}</Button>
          <Button onClick={() => act(() => api<Source>("PATCH", `/api/sources/${source.id}`, { disabled: !source.disabled }))}>{source.disabled ? t("sources.enable") : t("sources.disable")}</Button>
          <Button
            variant="danger"
            onClick={() => confirm(t("sources.deleteConfirm", { name: source.name })) && act(async () => (await api("DELETE", `/api/sources/${source.id}`), null))}
          >
            {t("common.delete")}
          </Button>
        </div>
      )}
    </section>
  );
}

export function SourcesPage() {
  const { t, dateTime } = useI18n();
  const { isAdmin } = useSession();
  const { data, error, loading, reload } = useLoad(() => api<{ results: Source[] }>("GET", "/api/sources"));
  const [selected, setSelected] = useState<number | null>(null);
  const [name, setName] = useState("");
  const [kind, setKind] = useState<Platform>("");
  const [writeKey, setWriteKey] = useState("");
  const [createError, setCreateError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const create = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setCreateError(null);
    try {
      const s = await api<Source>("POST", "/api/sources", { name, ...(kind && { kind }), ...(writeKey.trim() && { writeKey }) });
      setName("");
      setKind("");
      setWriteKey("");
      await reload();
      setSelected(s.id);
    } catch (err) {
      setCreateError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  // Tessera's own source (events it writes about persons: pack entered/exited, tag changes) takes no SDK traffic.
  const sources = (data?.results ?? []).filter((s) => s.kind !== "system");
  const current = sources.find((s) => s.id === selected) ?? (sources.length === 1 ? sources[0] : undefined);

  return (
    <>
      <PageHeader title={t("sources.title")} intro={t("sources.intro")} />
      <StorageLine />
      {isAdmin && (
        <form class="inline-form card" onSubmit={create}>
          <Field label={t("sources.new")} value={name} onValue={setName} placeholder={t("sources.namePlaceholder")} required maxLength={100} />
          <PlatformField value={kind} onValue={setKind} />
          <Field label={t("sources.existingKey")} value={writeKey} onValue={setWriteKey} placeholder={t("sources.existingKeyPlaceholder")} maxLength={200} />
          <Button type="submit" variant="primary" busy={busy}>
            {t("common.create")}
          </Button>
          {createError && <Alert>{createError}</Alert>}
        </form>
      )}
      {error && <Alert>{error}</Alert>}
      {loading && !data ? (
        <Loading />
      ) : sources.length === 0 ? (
        <Empty>{t("sources.empty")}</Empty>
      ) : (
        <table class="table">
          <thead>
            <tr>
              <th scope="col">{t("common.name")}</th>
              <th scope="col">{t("sources.platform")}</th>
              <th scope="col">{t("sources.writeKey")}</th>
              <th scope="col">{t("common.created")}</th>
              <th scope="col">{t("common.status")}</th>
            </tr>
          </thead>
          <tbody>
            {sources.map((s) => (
              <tr key={s.id} class={current?.id === s.id ? "selected" : undefined}>
                <td>
                  <Button variant="link" onClick={() => setSelected(s.id)} aria-pressed={current?.id === s.id}>
                    {s.name}
                  </Button>
                </td>
                <td>{isPlatform(s.kind) ? t(`sources.platform.${s.kind}`) : "—"}</td>
                <td>
                  <code>{`${s.writeKey.slice(0, 7)}…`}</code>
                </td>
                <td>{dateTime(s.createdAt)}</td>
                <td>{s.disabled ? t("common.disabled") : t("common.enabled")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {current && <SourceActivity key={`activity-${current.id}`} source={current} />}
      {current && (
        <SourceDetails
          key={current.id}
          source={current}
          onChange={async (s) => {
            await reload();
            setSelected(s?.id ?? null);
          }}
        />
      )}
    </>
  );
}
