/** Alert, Empty and Loading: how the dashboard says what happened and what to do next. */
import type { ComponentChildren } from "preact";
import { useI18n } from "../i18n/index.tsx";

export function Alert({ kind = "error", children }: { kind?: "error" | "warning" | "success" | "info"; children: ComponentChildren }) {
  return (
    <div class={`alert alert-${kind}`} role={kind === "error" ? "alert" : "status"}>
      {children}
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="empty">{children}</div>;
}

export function Loading() {
  const { t } = useI18n();
  return (
    <p class="loading" aria-live="polite">
      {t("app.loading")}
    </p>
  );
}

export function PageHeader({ title, intro, children }: { title: string; intro?: string; children?: ComponentChildren }) {
  return (
    <header class="page-header">
      <div>
        <h1>{title}</h1>
        {intro && <p class="intro">{intro}</p>}
      </div>
      {children && <div class="page-actions">{children}</div>}
    </header>
  );
}
