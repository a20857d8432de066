/**
 * The key check makes a wrong secret key fail at start, in one line that says what to do, instead of later as
 * DecryptErrors on every read of a write key and 401 for every old one: a backup restored without its
 * `secret.key` (a new key would be generated), or a TESSERA_SECRET_KEY other than the one the database was
 * written with. The database keeps an HMAC of a fixed label under the key (settings row `secret_key_check`),
 * written at the first start that has none; a key that does not reproduce it is refused. The HMAC reveals
 * nothing about the key, so the check value may travel with every backup.
 */
import type { Database } from "bun:sqlite";
import { createHmac } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createCrypto, DecryptError } from "./crypto.ts";
import { loadSecretKey, SECRET_KEY_FILE, SecretKeyError } from "./secret-key.ts";

/** KEY_CHECK_SETTING is the settings row holding the check value. */
export const KEY_CHECK_SETTING = "secret_key_check";

const LABEL = "tessera/secret-key-check/v1";

/** keyCheckValue is the check value of a key: hex HMAC-SHA256 of a fixed label. */
export function keyCheckValue(key: Uint8Array): string {
  return createHmac("sha256", key).update(LABEL, "utf8").digest("hex");
}

/**
 * loadCheckedSecretKey loads the key as loadSecretKey does, then proves it is the key `db` was written with,
 * storing the check value when the database has none yet. It throws SecretKeyError, without creating a key
 * file, when the key file is missing but the database already holds values sealed by some key.
 *
 * Statements are raw (not Kysely) because opening is synchronous; they run once per start.
 */
export function loadCheckedSecretKey(
  db: Database,
  opts: { secretKey?: string; dataDir: string },
  warn: (msg: string) => void = () => {},
): Uint8Array {
  const stored = db.query<{ value: string }, [string]>("SELECT value FROM settings WHERE key = ?").get(KEY_CHECK_SETTING)?.value ?? null;
  // A database from before the check has no value yet, but a source's write key is sealed in every one that
  // ever served: decrypting it tells the right key from a new one before the check value is written, so a
  // wrong key is not made the database's key for good.
  const sealed = stored === null ? (db.query<{ v: string }, []>("SELECT write_key_enc AS v FROM sources ORDER BY id LIMIT 1").get()?.v ?? null) : null;
  const file = join(opts.dataDir, SECRET_KEY_FILE);
  const remedy = `Restore ${SECRET_KEY_FILE} from where the database (or its backup) came from, or set TESSERA_SECRET_KEY to the key the database was written with.`;
  const where = `the database in ${opts.dataDir}`;
  if (opts.secretKey === undefined && !existsSync(file) && (stored !== null || sealed !== null)) {
    throw new SecretKeyError(`${file} is missing, but ${where} was written with a secret key (restored from a backup without its key?). ${remedy}`);
  }
  const key = loadSecretKey(opts, warn);
  const wrong = () =>
    new SecretKeyError(
      opts.secretKey !== undefined
        ? `TESSERA_SECRET_KEY is not the key ${where} was written with. Set TESSERA_SECRET_KEY to that key, or unset it and restore ${SECRET_KEY_FILE} from where the database (or its backup) came from.`
        : `${file} is not the key ${where} was written with (restored from a backup without its key?). ${remedy}`,
    );
  if (stored !== null) {
    if (stored !== keyCheckValue(key)) throw wrong();
    return key;
  }
  if (sealed !== null) {
    try {
      createCrypto(key).decrypt(sealed);
    } catch (e) {
      if (e instanceof DecryptError) throw wrong();
      throw e;
    }
  }
  db.query("INSERT INTO settings (key, value) VALUES (?, ?)").run(KEY_CHECK_SETTING, keyCheckValue(key));
  return key;
}
