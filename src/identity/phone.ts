/**
 * Phone numbers become E.164 (`+8613812345678`) so the same phone typed three ways links one person.
 * Without a `+`/`00` prefix a number is national: with the default country China (+86), an 11-digit number
 * starting with 1[3-9] is a mobile and a number with the trunk prefix 0 is a landline (0755-1234567 →
 * +867551234567). Anything else ambiguous is refused rather than guessed: a wrong guess would link strangers.
 */

const SEPARATORS = /[\s\-().\u00a0/]/g;

/**
 * TRUNK_ZERO are country codes whose national numbers are written with a trunk 0 that E.164 leaves out, so
 * "+44 (0)20 …" and "+44 020 …" are the same phone as "+44 20 …". Not Italy (+39), whose 0 is part of the number.
 */
const TRUNK_ZERO = /^(86|44|49|33|61|81|82|886|91|62|60|66|84|64|31|32|41|43|46|353)0/;

/** A Chinese national number: a mobile `1[3-9]` + 9 digits, or a landline (Beijing 10…, other area codes 2–9…). */
const CN_NATIONAL = /^(1[3-9]\d{9}|10\d{7,8}|[2-9]\d{8,10})$/;

/** toE164 normalises a phone number, or returns null when it cannot be read unambiguously. */
export function toE164(raw: string, defaultCountryCode = "86"): string | null {
  // NFKC turns full-width digits and plus signs (common from Chinese input methods) into ASCII.
  let s = raw.normalize("NFKC").trim().replace(SEPARATORS, "");
  if (s.startsWith("00")) s = `+${s.slice(2)}`;
  if (s.startsWith("+")) {
    const digits = s.slice(1);
    if (!/^[1-9]\d{7,14}$/.test(digits)) return null;
    // A national trunk 0 kept after the country code (+86 0755…, +44 (0)20…) is a common entry error: drop it.
    const trunk = TRUNK_ZERO.exec(digits);
    const e164 = trunk ? trunk[1]! + digits.slice(trunk[0].length) : digits;
    if (e164.startsWith("86") && !CN_NATIONAL.test(e164.slice(2))) return null;
    return `+${e164}`;
  }
  if (!/^\d+$/.test(s)) return null;
  if (defaultCountryCode === "86") {
    if (/^1[3-9]\d{9}$/.test(s)) return `+86${s}`;
    if (/^861[3-9]\d{9}$/.test(s)) return `+${s}`;
    if (s.startsWith("0") && CN_NATIONAL.test(s.slice(1))) return `+86${s.slice(1)}`;
    return null;
  }
  const national = s.startsWith("0") ? s.slice(1) : s;
  const full = defaultCountryCode + national;
  return /^[1-9]\d{7,14}$/.test(full) && national.length >= 6 ? `+${full}` : null;
}
