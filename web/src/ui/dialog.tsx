/**
 * Dialog: the native <dialog> opened modally, so the browser traps focus, Esc closes it and focus
 * returns to the opener. Rendered only while open; `onClose` fires however it was closed.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useId, useRef } from "preact/hooks";
import { useI18n } from "../i18n/index.tsx";

export function Dialog({ title, onClose, children, wide = false }: { title: string; onClose: () => void; children: ComponentChildren; wide?: boolean }) {
  const { t } = useI18n();
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  return (
    <dialog ref={ref} class={`dialog${wide ? " dialog-wide" : ""}`} aria-labelledby={id} onClose={onClose}>
      <header class="dialog-head">
        <h2 id={id}>{title}</h2>
        <button type="button" class="btn btn-link" onClick={() => ref.current?.close()}>
          {t("common.close")}
        </button>
      </header>
      <div class="dialog-body">{children}</div>
    </dialog>
  );
}
