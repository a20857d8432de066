/** API tokens (admin): create one (its secret is shown once, with a copy button) and revoke. */
import { useState } from "preact/hooks";
import { api } from "../api.ts";
import { useI18n } from "../i18n/index.tsx";
import type { ApiToken, Role } from "../types.ts";
import { Button } from "../ui/button.tsx";
import { CopyButton } from "../ui/copy.tsx";
import { Alert, Empty, Loading, PageHeader } from "../ui/feedback.tsx";
import { Field, SelectField } from "../ui/field.tsx";
import { useAction } from "../ui/use-action.ts";
import { useLoad } from "../ui/use-load.ts";

const ROLES: Role[] = ["analyst", "operator", "admin"];

export function TokensPage() {
  const { t, dateTime } = useI18n();
  const { data, error, loading, reload } = useLoad(() => api<{ results: ApiToken[] }>("GET", "/api/tokens"));
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("analyst");
  const [fresh, setFresh] = useState<string | null>(null);
  const { busy, error: actionError, run } = useAction();

  const create = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const created = await api<ApiToken & { token: string }>("POST", "/api/tokens", { name, role });
      setFresh(created.token);
      setName("");
      await reload();
    });
  };

  const revoke = (tok: ApiToken) => {
    if (!confirm(t("tokens.revokeConfirm", { name: tok.name }))) return;
    void run(async () => {
      await api("DELETE", `/api/tokens/${tok.id}`);
      await reload();
    });
  };

  const tokens = data?.results ?? [];
  return (
    <>
      <PageHeader title={t("tokens.title")} intro={t("tokens.intro")} />
      <form class="inline-form card" onSubmit={create}>
        <Field label={t("tokens.new")} value={name} onValue={setName} required maxLength={100} />
        <SelectField label={t("common.role")} value={role} onValue={(v) => setRole(v as Role)} options={ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))} />
        <Button type="submit" variant="primary" busy={busy}>
          {t("common.create")}
        </Button>
      </form>
      {fresh && (
        <Alert kind="success">
          <p>{t("tokens.created")}</p>
          <div class="key-row">
            <code class="key" data-testid="new-token">
              {fresh}
            </code>
            <CopyButton text={fresh} />
          </div>
        </Alert>
      )}
      {(error ?? actionError) && <Alert>{error ?? actionError}</Alert>}
      {loading && !data ? (
        <Loading />
      ) : tokens.length === 0 ? (
        <Empty>{t("tokens.empty")}</Empty>
      ) : (
        <table class="table">
          <thead>
            <tr>
              <th scope="col">{t("common.name")}</th>
              <th scope="col">{t("tokens.prefix")}</th>
              <th scope="col">{t("common.role")}</th>
              <th scope="col">{t("common.created")}</th>
              <th scope="col">{t("tokens.lastUsed")}</th>
              <th scope="col">{t("common.status")}</th>
              <th scope="col" class="visually-hidden-header" aria-label={t("tokens.revoke")} />
            </tr>
          </thead>
          <tbody>
            {tokens.map((tok) => (
              <tr key={tok.id}>
                <td>{tok.name}</td>
                <td>
                  <code>{tok.prefix}…</code>
                </td>
                <td>{t(`role.${tok.role}`)}</td>
                <td>{dateTime(tok.createdAt)}</td>
                <td>{tok.lastUsedAt ? dateTime(tok.lastUsedAt) : t("common.never")}</td>
                <td>{tok.revokedAt ? t("tokens.revoked") : t("tokens.active")}</td>
                <td>
                  {!tok.revokedAt && (
                    <Button variant="danger" onClick={() => revoke(tok)}>
                      {t("tokens.revoke")}
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
