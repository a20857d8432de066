/**
 * lz-string's `decompressFromBase64` (pieroxy/lz-string 1.4.4, MIT), ported for PostHog's `compression=lz64`
 * bodies (old posthog-js, some mobile and community SDKs). Faithful to the original where it matters for
 * compatibility: the 6-bit alphabet with `=` as value 64, characters outside it read as 0, a stream that ends
 * early gives "" and a reference to an unknown dictionary entry gives null.
 *
 * Two deliberate additions. A form decoder turns the `+` of an unescaped base64 value into a space (PostHog's
 * own capture undoes it the same way), so spaces are read as `+`. And the output is capped: lz-string
 * doubles as a decompression bomb (each code can emit one character more than the previous one, so output
 * grows with the square of the input), so decoding stops as soon as the output passes `maxUnits` UTF-16 code
 * units — the same early stop as the gzip path's `maxOutputLength`.
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
const VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i;

/** LzTooLarge is thrown when the decompressed text would pass the caller's cap. */
export class LzTooLarge extends Error {
  override name = "LzTooLarge";
}

/**
 * decompressFromBase64 decodes what `LZString.compressToBase64` produced. Returns null for a stream that is
 * not lz-string data (the original returns null or ""); throws LzTooLarge past `maxUnits` code units.
 */
export function decompressFromBase64(input: string, maxUnits: number): string | null {
  if (input === "") return null;
  const length = input.length;
  // Characters outside the alphabet read as 0, as in the original (its reverse lookup yields undefined).
  const valueAt = (i: number): number => {
    const c = input.charCodeAt(i);
    if (c === 32) return 62; // "+" that a form decoder turned into " "
    return c < 128 ? Math.max(VALUE[c]!, 0) : 0;
  };

  let val = valueAt(0);
  let position = 32;
  let index = 1;
  const read = (numBits: number): number => {
    let bits = 0;
    for (let power = 1, max = 1 << numBits; power !== max; power <<= 1) {
      const resb = val & position;
      position >>= 1;
      if (position === 0) {
        position = 32;
        val = valueAt(index++);
      }
      if (resb > 0) bits |= power;
    }
    return bits;
  };

  const dictionary: string[] = [];
  let dictSize = 4;
  let numBits = 3;
  let enlargeIn = 4;

  let c: string;
  switch (read(2)) {
    case 0:
      c = String.fromCharCode(read(8));
      break;
    case 1:
      c = String.fromCharCode(read(16));
      break;
    default:
      return null; // 2 is "end of stream" before any character: the original's "", nothing to parse either way
  }
  dictionary[3] = c;
  let w = c;
  const result: string[] = [c];
  let units = c.length;

  for (;;) {
    if (index > length) return null; // truncated stream
    let code = read(numBits);
    switch (code) {
      case 0:
        dictionary[dictSize++] = String.fromCharCode(read(8));
        code = dictSize - 1;
        enlargeIn--;
        break;
      case 1:
        dictionary[dictSize++] = String.fromCharCode(read(16));
        code = dictSize - 1;
        enlargeIn--;
        break;
      case 2:
        return result.join("");
    }
    if (enlargeIn === 0) {
      enlargeIn = 1 << numBits;
      numBits++;
    }
    let entry = dictionary[code];
    if (entry === undefined) {
      if (code !== dictSize) return null;
      entry = w + w.charAt(0);
    }
    units += entry.length;
    if (units > maxUnits) throw new LzTooLarge(`lz-string output passes ${maxUnits} characters`);
    result.push(entry);
    dictionary[dictSize++] = w + entry.charAt(0);
    enlargeIn--;
    w = entry;
    if (enlargeIn === 0) {
      enlargeIn = 1 << numBits;
      numBits++;
    }
  }
}
