/**
 * Field and SelectField: labelled inputs (the label is always real, for screen readers and for clicking);
 * CommitInput: a bare input whose edit is committed when done (blur, Enter).
 */
import { useId, useState } from "preact/hooks";

type FieldProps = {
  label: string;
  hint?: string;
  type?: "text" | "email" | "password" | "search";
  value: string;
  onValue: (value: string) => void;
  required?: boolean;
  disabled?: boolean;
  placeholder?: string;
  autoComplete?: string;
  minLength?: number;
  maxLength?: number;
  /** list names a <datalist> of suggestions. */
  list?: string;
  spellcheck?: boolean;
};

export function Field({ label, hint, type = "text", onValue, list, ...input }: FieldProps) {
  const id = useId();
  const common = { id, "aria-describedby": hint ? `${id}-hint` : undefined, onInput: (e: Event) => onValue((e.currentTarget as HTMLInputElement).value), ...input };
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {/* One literal per type: preact's input types are a union keyed by `type`. */}
      {list !== undefined ? (
        <input {...common} type="text" list={list} />
      ) : type === "password" ? (
        <input {...common} type="password" />
      ) : type === "email" ? (
        <input {...common} type="email" />
      ) : type === "search" ? (
        <input {...common} type="search" />
      ) : (
        <input {...common} type="text" />
      )}
      {hint && (
        <small id={`${id}-hint`} class="hint">
          {hint}
        </small>
      )}
    </div>
  );
}

type SelectProps = {
  label: string;
  options: { value: string; label: string }[];
  value: string;
  onValue: (value: string) => void;
  disabled?: boolean;
};

export function SelectField({ label, options, value, onValue, disabled }: SelectProps) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value} disabled={disabled} onChange={(e) => onValue(e.currentTarget.value)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

type CommitProps = {
  type: "number" | "text";
  value: string | number;
  /** onCommit gets the finished text (the change event: blur or Enter), once per edit. */
  onCommit: (text: string) => void;
  min?: number;
  max?: number;
  placeholder?: string;
  style?: string;
  "aria-label"?: string;
};

/**
 * CommitInput holds what is being typed until it is committed. A controlled input shows its prop on every
 * render, so a re-render from elsewhere mid-edit (an analysis answer arriving) would put the old value
 * back and the edit would be lost without a change event.
 */
export function CommitInput({ type, value, onCommit, ...input }: CommitProps) {
  const [draft, setDraft] = useState<string | null>(null);
  const common = {
    ...input,
    value: draft ?? String(value),
    onInput: (e: Event) => setDraft((e.currentTarget as HTMLInputElement).value),
    onChange: (e: Event) => {
      setDraft(null);
      onCommit((e.currentTarget as HTMLInputElement).value);
    },
    onBlur: () => setDraft(null),
  };
  return type === "number" ? <input {...common} type="number" /> : <input {...common} type="text" />;
}
