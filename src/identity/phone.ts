/**
 * Phone numbers become E.164 (`+8613812345678`) so the same phone typed three ways links one person.
 * Without a `+`/`00` prefix a number is national: with the default country China (+86), an 11-digit number
 * starting with 1[3-9] is a mobile and a number with the trunk prefix 0 is a landline (0755-1234567 →
 * +867551234567). Anything else ambiguous is refused rather than guessed: a wrong guess would link strangers.
 */

const SEPARATORS = /[\s\-().\u00a0/]/g;

/** toE164 normalises a phone number, or returns null when it cannot be read unambiguously. */
export function toE164(raw: string, defaultCountryCode = "86"): string | null {
  // NFKC turns full-width digits and plus signs (common from Chinese input methods) into ASCII.
  let s = raw.normalize("NFKC").trim().replace(SEPARATORS, "");
  if (s.startsWith("00")) s = `+${s.slice(2)}`;
  if (s.startsWith("+")) {
    const digits = s.slice(1);
    if (!/^[1-9]\d{7,14}$/.test(digits)) return null;
    // A national trunk 0 kept after the country code (+86 0755…) is a common entry error: drop it.
    if (digits.startsWith("860")) return `+86${digits.slice(3)}`;
    return `+${digits}`;
  }
  if (!/^\d+$/.test(s)) return null;
  if (defaultCountryCode === "86") {
    if (/^1[3-9]\d{9}$/.test(s)) return `+86${s}`;
    if (/^861[3-9]\d{9}$/.test(s)) return `+${s}`;
    if (/^0[1-9]\d{8,10}$/.test(s)) return `+86${s.slice(1)}`;
    return null;
  }
  const national = s.startsWith("0") ? s.slice(1) : s;
  const full = defaultCountryCode + national;
  return /^[1-9]\d{7,14}$/.test(full) && national.length >= 6 ? `+${full}` : null;
}
