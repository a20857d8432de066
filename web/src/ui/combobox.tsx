/**
 * Combobox: a text input with a filtered list of suggestions (ARIA 1.2 combobox pattern). Arrow keys move,
 * Enter picks, Escape closes; typing a value that is not in the list is allowed (a brand-new event name
 * or property value is legitimate). Used for events, properties and property values.
 */
import { useId, useMemo, useRef, useState } from "preact/hooks";

export interface Option {
  value: string;
  /** hint is shown at the right (a volume, a count). */
  hint?: string;
}

type Props = {
  label: string;
  /** hideLabel keeps the label for screen readers only (inside dense query rows). */
  hideLabel?: boolean;
  value: string;
  options: readonly Option[];
  onValue: (value: string) => void;
  placeholder?: string;
  /** onOpen lets the caller load suggestions lazily (property values of a chosen key). */
  onOpen?: () => void;
  loading?: boolean;
  required?: boolean;
  testId?: string;
  /** empty is said when, loaded, there is nothing to suggest at all (no events yet: where to send them). */
  empty?: string;
};

const MAX_SHOWN = 50;

export function Combobox({ label, hideLabel, value, options, onValue, placeholder, onOpen, loading, required, testId, empty }: Props) {
  const id = useId();
  const [text, setText] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const shown = text ?? value;
  const filtered = useMemo(() => {
    const needle = (text ?? "").toLowerCase();
    return options.filter((o) => o.value.toLowerCase().includes(needle)).slice(0, MAX_SHOWN);
  }, [options, text]);

  const show = () => {
    if (!open) onOpen?.();
    setOpen(true);
  };
  const pick = (v: string) => {
    setText(null);
    setOpen(false);
    if (v !== value) onValue(v);
  };
  const commitTyped = () => {
    if (text !== null && text.trim() !== "") pick(text.trim());
    else setText(null);
    setOpen(false);
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "ArrowDown") {
      e.preventDefault();
      show();
      setActive((a) => Math.max(0, Math.min(a + 1, filtered.length - 1)));
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      setActive((a) => Math.max(a - 1, 0));
    } else if (e.key === "Enter") {
      if (!open) return;
      e.preventDefault();
      const o = filtered[active];
      if (o && (text === null || o.value.toLowerCase().includes(text.toLowerCase()))) pick(o.value);
      else commitTyped();
    } else if (e.key === "Escape" && open) {
      e.preventDefault();
      e.stopPropagation(); // inside a dialog, Escape closes the list, not the dialog
      setText(null);
      setOpen(false);
    }
  };

  return (
    <div class="combobox">
      <label for={id} class={hideLabel ? "visually-hidden" : undefined}>
        {label}
      </label>
      <input
        ref={input}
        id={id}
        type="text"
        role="combobox"
        autoComplete="off"
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls={`${id}-list`}
        aria-activedescendant={open && filtered[active] ? `${id}-${active}` : undefined}
        value={shown}
        placeholder={placeholder}
        required={required}
        data-testid={testId}
        onFocus={show}
        onClick={show}
        onInput={(e) => {
          setText(e.currentTarget.value);
          setActive(0);
          show();
        }}
        onKeyDown={onKeyDown}
        // Options are picked on mousedown (which keeps focus here), so a blur is always "done typing":
        // commit at once, before the next field's edits, so no later edit is built on a stale value.
        onBlur={commitTyped}
      />
      {open && (
        <ul id={`${id}-list`} role="listbox" class="combobox-list" aria-label={label}>
          {loading && filtered.length === 0 && <li class="combobox-empty">…</li>}
          {!loading && empty && options.length === 0 && <li class="combobox-empty">{empty}</li>}
          {filtered.map((o, i) => (
            <li
              key={o.value}
              id={`${id}-${i}`}
              role="option"
              aria-selected={i === active}
              class={i === active ? "active" : undefined}
              onMouseDown={(e) => {
                e.preventDefault(); // keep focus in the input so blur does not commit the typed text first
                pick(o.value);
              }}
            >
              <span>{o.value === "" ? "∅" : o.value}</span>
              {o.hint && <small>{o.hint}</small>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
