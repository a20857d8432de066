/** Users (admin): add team members with a role, change roles, disable, reset passwords, delete. */
import { useState } from "preact/hooks";
import { api, errorMessage } from "../api.ts";
import { useI18n } from "../i18n/index.tsx";
import { useSession } from "../session.tsx";
import type { Role, User } from "../types.ts";
import { Button } from "../ui/button.tsx";
import { Alert, Empty, Loading, PageHeader } from "../ui/feedback.tsx";
import { Field, SelectField } from "../ui/field.tsx";
import { useLoad } from "../ui/use-load.ts";

const ROLES: Role[] = ["analyst", "operator", "admin"];

export function UsersPage() {
  const { t, dateTime } = useI18n();
  const { me } = useSession();
  const { data, error, loading, reload } = useLoad(() => api<{ results: User[] }>("GET", "/api/users"));
  const [form, setForm] = useState({ email: "", password: "", role: "analyst" as Role });
  const [actionError, setActionError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const roleOptions = ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }));

  const act = async (fn: () => Promise<unknown>) => {
    setActionError(null);
    try {
      await fn();
      await reload();
    } catch (e) {
      setActionError(errorMessage(e));
    }
  };

  const create = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    await act(async () => {
      await api("POST", "/api/users", form);
      setForm({ email: "", password: "", role: "analyst" });
    });
    setBusy(false);
  };

  const users = data?.results ?? [];
  return (
    <>
      <PageHeader title={t("users.title")} intro={t("users.intro")} />
      <form class="inline-form card" onSubmit={create}>
        <Field label={t("users.email")} type="email" value={form.email} onValue={(v) => setForm({ ...form, email: v })} required autoComplete="off" />
        <Field label={t("users.password")} type="password" value={form.password} onValue={(v) => setForm({ ...form, password: v })} required minLength={10} autoComplete="new-password" />
        <SelectField label={t("common.role")} value={form.role} onValue={(v) => setForm({ ...form, role: v as Role })} options={roleOptions} />
        <Button type="submit" variant="primary" busy={busy}>
          {t("users.new")}
        </Button>
      </form>
      {(error ?? actionError) && <Alert>{error ?? actionError}</Alert>}
      {loading && !data ? (
        <Loading />
      ) : users.length <= 1 && users[0]?.email === me.email ? (
        <Empty>{t("users.empty")}</Empty>
      ) : null}
      {users.length > 0 && (
        <table class="table">
          <thead>
            <tr>
              <th scope="col">{t("users.email")}</th>
              <th scope="col">{t("common.role")}</th>
              <th scope="col">{t("common.created")}</th>
              <th scope="col">{t("common.status")}</th>
              <th scope="col" aria-label={t("users.resetPassword")} />
            </tr>
          </thead>
          <tbody>
            {users.map((u) => {
              const self = u.email === me.email;
              return (
                <tr key={u.id}>
                  <td>
                    {u.email} {self && <span class="hint">({t("users.you")})</span>}
                  </td>
                  <td>
                    <select aria-label={`${t("common.role")}: ${u.email}`} value={u.role} onChange={(e) => act(() => api("PATCH", `/api/users/${u.id}`, { role: e.currentTarget.value }))}>
                      {roleOptions.map((o) => (
                        <option key={o.value} value={o.value}>
                          {o.label}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>{dateTime(u.createdAt)}</td>
                  <td>{u.disabled ? t("common.disabled") : t("common.enabled")}</td>
                  <td>
                    <div class="row-actions">
                    <Button
                      onClick={() => {
                        const password = prompt(t("users.resetPrompt", { email: u.email }));
                        if (password) void act(() => api("PATCH", `/api/users/${u.id}`, { password }));
                      }}
                    >
                      {t("users.resetPassword")}
                    </Button>
                    {!self && (
                      <>
                        <Button onClick={() => act(() => api("PATCH", `/api/users/${u.id}`, { disabled: !u.disabled }))}>{u.disabled ? t("users.enable") : t("users.disable")}</Button>
                        <Button variant="danger" onClick={() => confirm(t("users.deleteConfirm", { email: u.email })) && act(() => api("DELETE", `/api/users/${u.id}`))}>
                          {t("common.delete")}
                        </Button>
                      </>
                    )}
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}
