/**
 * Test fixture: lz-string's `compressToBase64`, the compressor our decoder (lz-string.ts) must understand,
 * ported for the tests only (the `lz-string` npm package is not a dependency). It is checked against a vector
 * from PostHog's own test suite in lz-string.test.ts, so the round trips there test against the real format.
 */
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";

/** compressToBase64 is lz-string 1.4.4's compressor (pieroxy/lz-string, MIT), kept close to the original. */
export function compressToBase64(input: string): string {
  const out: string[] = [];
  let val = 0;
  let pos = 0;
  const bit = (b: number) => {
    val = (val << 1) | b;
    if (pos === 5) {
      pos = 0;
      out.push(ALPHABET[val]!);
      val = 0;
    } else pos++;
  };
  const bits = (value: number, n: number) => {
    for (let i = 0; i < n; i++) {
      bit(value & 1);
      value >>= 1;
    }
  };
  const dict = new Map<string, number>();
  const toCreate = new Set<string>();
  let dictSize = 3;
  let numBits = 2;
  let enlargeIn = 2;
  let w = "";
  const grow = () => {
    if (--enlargeIn === 0) {
      enlargeIn = 2 ** numBits;
      numBits++;
    }
  };
  const emit = () => {
    if (toCreate.has(w)) {
      const code = w.charCodeAt(0);
      if (code < 256) {
        bits(0, numBits);
        bits(code, 8);
      } else {
        bits(1, numBits);
        bits(code, 16);
      }
      grow();
      toCreate.delete(w);
    } else bits(dict.get(w)!, numBits);
    grow();
  };
  for (const c of input.split("")) {
    if (!dict.has(c)) {
      dict.set(c, dictSize++);
      toCreate.add(c);
    }
    const wc = w + c;
    if (dict.has(wc)) w = wc;
    else {
      emit();
      dict.set(wc, dictSize++);
      w = c;
    }
  }
  if (w !== "") emit();
  bits(2, numBits);
  for (;;) {
    val <<= 1;
    if (pos === 5) {
      out.push(ALPHABET[val]!);
      break;
    }
    pos++;
  }
  const res = out.join("");
  return res + "===".slice(0, (4 - (res.length % 4)) % 4);
}
