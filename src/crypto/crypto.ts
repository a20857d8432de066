/**
 * Crypto seals secrets and PII at rest: AES-256-GCM for values that must be read back (write keys,
 * connector secrets, e-mail, phone) and an HMAC-SHA256 keyed hash for exact-match lookups of those values
 * without decrypting every row. Both keys are derived from the one secret key with HKDF, so a hash
 * can never be used as, or reveal, the encryption key.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from "node:crypto";

const VERSION = "v1:";
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Crypto is what other rooms receive; it never exposes the key. */
export interface Crypto {
  /** encrypt returns `v1:` + base64(iv | ciphertext | tag); each call uses a fresh random IV. */
  encrypt(plain: string): string;
  /** decrypt reverses encrypt; it throws DecryptError on a wrong key, tampering or an unknown version. */
  decrypt(sealed: string): string;
  /** keyedHash is a deterministic base64url HMAC of the value, for unique indexes and lookups. */
  keyedHash(value: string): string;
  /**
   * openingKey is the encryption key alone, for a thread of this process that only opens sealed values
   * (`opener`): the store worker reads sealed PII traits for filters. Never stored, logged or sent out.
   */
  openingKey(): Uint8Array;
}

/** DecryptError means the value was not sealed by this key or was altered. */
export class DecryptError extends Error {
  override name = "DecryptError";
}

function subkey(master: Uint8Array, info: string): Buffer {
  return Buffer.from(hkdfSync("sha256", master, new Uint8Array(0), info, 32));
}

/** createCrypto derives the encryption and hashing keys from the 32-byte secret key. */
export function createCrypto(secretKey: Uint8Array): Crypto {
  if (secretKey.length !== 32) throw new Error("createCrypto needs a 32-byte key");
  const encKey = subkey(secretKey, "tessera/aes-256-gcm/v1");
  const macKey = subkey(secretKey, "tessera/keyed-hash/v1");
  return Object.freeze({
    encrypt(plain: string): string {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", encKey, iv);
      const ct = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
      return VERSION + Buffer.concat([iv, ct, cipher.getAuthTag()]).toString("base64");
    },
    decrypt: opener(encKey),
    keyedHash(value: string): string {
      return createHmac("sha256", macKey).update(value, "utf8").digest("base64url");
    },
    openingKey: () => Uint8Array.from(encKey),
  });
}

/** opener decrypts what `encrypt` sealed with `encKey` (Crypto.decrypt, or a worker's given openingKey). */
export function opener(encKey: Uint8Array): (sealed: string) => string {
  return (sealed) => {
    if (!sealed.startsWith(VERSION)) throw new DecryptError("unknown encryption format");
    const raw = Buffer.from(sealed.slice(VERSION.length), "base64");
    if (raw.length < IV_BYTES + TAG_BYTES) throw new DecryptError("sealed value is truncated");
    const decipher = createDecipheriv("aes-256-gcm", encKey, raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString("utf8");
    } catch {
      throw new DecryptError("sealed value failed authentication (wrong key or tampered)");
    }
  };
}

/**
 * sha256Hex hashes high-entropy random tokens (session cookies, API tokens) for storage. A plain hash is
 * enough there: 256-bit random values cannot be guessed from their hash, and lookups stay keyless.
 */
export function sha256Hex(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** randomToken returns `prefix` + `n` uniformly random base62 characters (rejection sampling, no bias). */
export function randomToken(prefix: string, n: number): string {
  let out = prefix;
  while (out.length < prefix.length + n) {
    for (const b of randomBytes(n)) {
      // 248 = 4·62: bytes above it would favour the first characters.
      if (b < 248 && out.length < prefix.length + n) out += BASE62[b % 62];
    }
  }
  return out;
}
