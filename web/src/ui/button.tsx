/** Button: one look for actions; `variant` says how much it matters, `busy` disables while a request runs. */
import type { ButtonHTMLAttributes, ComponentChildren } from "preact";

type Props = {
  variant?: "primary" | "secondary" | "danger" | "link";
  busy?: boolean;
  children: ComponentChildren;
} & Omit<ButtonHTMLAttributes<HTMLButtonElement>, "class">;

export function Button({ variant = "secondary", busy = false, children, type = "button", disabled, ...rest }: Props) {
  return (
    <button {...rest} type={type} class={`btn btn-${variant}`} disabled={Boolean(disabled) || busy} aria-busy={busy}>
      {children}
    </button>
  );
}
