/** CopyButton and CodeBlock: write keys, tokens and snippets are meant to be copied, so copying is one click. */
import { useState } from "preact/hooks";
import { useI18n } from "../i18n/index.tsx";
import { Button } from "./button.tsx";

/** CopyButton copies `text`; `caption` names the button when a bare "Copy" would not say what is copied. */
export function CopyButton({ text: value, label, caption }: { text: string; label?: string; caption?: { idle: string; done: string } }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      // Clipboard needs a secure context; on plain http fall back to a selection copy.
      const ta = document.createElement("textarea");
      ta.value = value;
      document.body.append(ta);
      ta.select();
      document.execCommand("copy");
      ta.remove();
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  const text = copied ? (caption?.done ?? t("common.copied")) : (caption?.idle ?? t("common.copy"));
  return (
    <Button onClick={copy} aria-label={label && !caption ? `${text}: ${label}` : undefined}>
      {text}
    </Button>
  );
}

export function CodeBlock({ code, label }: { code: string; label: string }) {
  return (
    <figure class="code">
      <figcaption>
        <span>{label}</span>
        <CopyButton text={code} label={label} />
      </figcaption>
      <pre>
        <code>{code}</code>
      </pre>
    </figure>
  );
}
