/**
 * The secret key encrypts secrets and PII at rest (SPEC §1, §4). It comes from TESSERA_SECRET_KEY or,
 * when that is unset, from `$TESSERA_DATA_DIR/secret.key`, generated on first start with mode 0600.
 * Losing the key file makes encrypted columns unreadable, so it lives beside the database and is
 * included in every backup of the data directory. At start, key-check.ts proves the key is the one the
 * database was written with, and refuses to generate a new one for a database that already has one.
 */
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";

/** SECRET_KEY_FILE is the key file's name inside the data directory. */
export const SECRET_KEY_FILE = "secret.key";

/** SecretKeyError says why the key could not be loaded and what to do about it. */
export class SecretKeyError extends Error {
  override name = "SecretKeyError";
}

/** parseSecretKey accepts 32 bytes written as 64 hex characters or as base64. */
export function parseSecretKey(text: string): Uint8Array {
  const t = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, "hex") : Buffer.from(t, "base64");
  if (bytes.length !== 32) throw new SecretKeyError("the secret key must be 32 bytes (64 hex characters or base64)");
  return new Uint8Array(bytes);
}

/**
 * loadSecretKey returns the configured key, or reads (creating on first use) the key file in `dataDir`.
 * `warn` is told when the key file is readable by other users.
 */
export function loadSecretKey(
  opts: { secretKey?: string; dataDir: string },
  warn: (msg: string) => void = () => {},
): Uint8Array {
  if (opts.secretKey !== undefined) return parseSecretKey(opts.secretKey);
  const file = join(opts.dataDir, SECRET_KEY_FILE);
  if (!existsSync(file)) {
    // "wx" fails if another process created the file meanwhile, instead of silently replacing its key.
    writeFileSync(file, `${randomBytes(32).toString("hex")}\n`, { mode: 0o600, flag: "wx" });
    chmodSync(file, 0o600);
  }
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) warn(`${file} is readable by other users (mode ${mode.toString(8)}); run chmod 600 on it`);
  try {
    return parseSecretKey(readFileSync(file, "utf8"));
  } catch (e) {
    throw new SecretKeyError(`${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
