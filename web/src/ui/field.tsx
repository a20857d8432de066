/** Field and SelectField: labelled inputs (the label is always real, for screen readers and for clicking). */
import { useId } from "preact/hooks";

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
