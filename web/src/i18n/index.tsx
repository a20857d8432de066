/**
 * i18n: zh and en dictionaries, the choice remembered in localStorage, defaulting to the browser's
 * language. `useI18n()` re-renders components when the language changes.
 */
import { createContext, type ComponentChildren } from "preact";
import { useContext, useMemo, useState } from "preact/hooks";
import { en, type MessageKey } from "./en.ts";
import { zh } from "./zh.ts";

export type Lang = "en" | "zh";

/** localeOf is the BCP 47 locale numbers and dates are formatted in for a UI language. */
export const localeOf = (lang: Lang): string => (lang === "zh" ? "zh-CN" : "en");
export const LANGS: { code: Lang; label: string }[] = [
  { code: "zh", label: "中文" },
  { code: "en", label: "English" },
];
const DICTS: Record<Lang, Record<MessageKey, string>> = { en, zh };
const STORAGE_KEY = "tessera.lang";

function initialLang(): Lang {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === "en" || saved === "zh") return saved;
  return navigator.language.toLowerCase().startsWith("zh") ? "zh" : "en";
}

export interface I18n {
  lang: Lang;
  setLang(l: Lang): void;
  /** t looks up a message and fills `{name}` placeholders. */
  t(key: MessageKey, params?: Record<string, string | number>): string;
  /** dateTime formats epoch milliseconds in the project's time zone once known (reports cut days there too). */
  dateTime(ms: number): string;
  /** setTimeZone is called with the project time zone when the session loads or settings change. */
  setTimeZone(tz: string | undefined): void;
}

function make(lang: Lang, setLang: (l: Lang) => void, timeZone: string | undefined, setTimeZone: (tz: string | undefined) => void): I18n {
  const fmt = new Intl.DateTimeFormat(localeOf(lang), { dateStyle: "medium", timeStyle: "short", timeZone });
  return {
    lang,
    setLang,
    setTimeZone,
    t: (key, params) => DICTS[lang][key].replace(/\{(\w+)\}/g, (m, p: string) => (params && p in params ? String(params[p]) : m)),
    dateTime: (ms) => fmt.format(ms),
  };
}

let uiLang: Lang = "en";

/** uiLanguage is the language last chosen, for what runs outside components (the API client, errorMessage). */
export function uiLanguage(): Lang {
  return uiLang;
}

/** statusHeadline says in the UI's language what an HTTP error status means, or null for an unusual one. */
export function statusHeadline(status: number): string | null {
  const key = `error.${status >= 500 && status !== 503 ? 500 : status}`;
  return key in en ? DICTS[uiLang][key as MessageKey] : null;
}

const Ctx = createContext<I18n>(make("en", () => {}, undefined, () => {}));

export function I18nProvider({ children }: { children: ComponentChildren }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const [timeZone, setTimeZone] = useState<string | undefined>(undefined);
  const value = useMemo(() => {
    document.documentElement.lang = localeOf(lang);
    uiLang = lang;
    const setLang = (l: Lang) => {
      localStorage.setItem(STORAGE_KEY, l);
      setLangState(l);
    };
    return make(lang, setLang, timeZone, setTimeZone);
  }, [lang, timeZone]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  return useContext(Ctx);
}
