/**
 * Protects the start against a wrong secret key: a database opened with the key it was written with starts,
 * one opened with another key (or with the key file missing) is refused with what to do, and no key file is
 * generated over a database that already has one. A refusal here is what stands between a restored backup
 * and a server answering 500 and 401 for every old write key.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freshDb, tempDir } from "../../test/helpers.ts";
import { createCrypto } from "./crypto.ts";
import { KEY_CHECK_SETTING, keyCheckValue, loadCheckedSecretKey } from "./key-check.ts";
import { parseSecretKey, SecretKeyError } from "./secret-key.ts";

const KEY_A = "aa".repeat(32);
const KEY_B = "bb".repeat(32);

function storedCheck(db: ReturnType<typeof freshDb>): string | null {
  return db.query<{ value: string }, [string]>("SELECT value FROM settings WHERE key = ?").get(KEY_CHECK_SETTING)?.value ?? null;
}

/** refusal runs `fn` and returns the SecretKeyError's message. */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SecretKeyError);
    return (e as Error).message;
  }
  throw new Error("the key was accepted");
}

describe("the key check", () => {
  test("a new database: the key file is generated and its check value stored", () => {
    const { dir, cleanup } = tempDir();
    try {
      const db = freshDb();
      const key = loadCheckedSecretKey(db, { dataDir: dir });
      expect(readFileSync(join(dir, "secret.key"), "utf8").trim()).toBe(Buffer.from(key).toString("hex"));
      expect(storedCheck(db)).toBe(keyCheckValue(key));
      // The next start with the same file passes.
      expect(loadCheckedSecretKey(db, { dataDir: dir })).toEqual(key);
    } finally {
      cleanup();
    }
  });

  test("the same key from TESSERA_SECRET_KEY passes, another is refused naming the variable", () => {
    const db = freshDb();
    loadCheckedSecretKey(db, { secretKey: KEY_A, dataDir: "/nonexistent" });
    expect(loadCheckedSecretKey(db, { secretKey: KEY_A, dataDir: "/nonexistent" })).toEqual(parseSecretKey(KEY_A));
    const msg = refusal(() => loadCheckedSecretKey(db, { secretKey: KEY_B, dataDir: "/nonexistent" }));
    expect(msg).toContain("TESSERA_SECRET_KEY is not the key the database in /nonexistent was written with");
    expect(storedCheck(db)).toBe(keyCheckValue(parseSecretKey(KEY_A)));
  });

  test("a replaced key file is refused, naming the file and the remedies", () => {
    const { dir, cleanup } = tempDir();
    try {
      const db = freshDb();
      loadCheckedSecretKey(db, { dataDir: dir });
      writeFileSync(join(dir, "secret.key"), KEY_B);
      const msg = refusal(() => loadCheckedSecretKey(db, { dataDir: dir }));
      expect(msg).toContain(`${join(dir, "secret.key")} is not the key`);
      expect(msg).toContain("Restore secret.key from where the database (or its backup) came from, or set TESSERA_SECRET_KEY");
    } finally {
      cleanup();
    }
  });

  test("a missing key file over a database that has a check value: refused, and no key file is generated", () => {
    const { dir, cleanup } = tempDir();
    try {
      const db = freshDb();
      loadCheckedSecretKey(db, { dataDir: dir });
      rmSync(join(dir, "secret.key"));
      expect(refusal(() => loadCheckedSecretKey(db, { dataDir: dir }))).toContain(`${join(dir, "secret.key")} is missing`);
      expect(existsSync(join(dir, "secret.key"))).toBe(false);
    } finally {
      cleanup();
    }
  });

  test("a database from before the check: its sealed write key decides before the check value is written", () => {
    const { dir, cleanup } = tempDir();
    try {
      const db = freshDb();
      const sealed = createCrypto(parseSecretKey(KEY_A)).encrypt("wk_old");
      db.query("INSERT INTO sources (name, write_key_hash, write_key_enc, created_at) VALUES ('web', 'h', ?, 0)").run(sealed);
      // Without its key file: refused, nothing generated.
      expect(refusal(() => loadCheckedSecretKey(db, { dataDir: dir }))).toContain("is missing");
      expect(existsSync(join(dir, "secret.key"))).toBe(false);
      // With another key: refused, and that key is not recorded as the database's.
      expect(refusal(() => loadCheckedSecretKey(db, { secretKey: KEY_B, dataDir: dir }))).toContain("TESSERA_SECRET_KEY is not the key");
      expect(storedCheck(db)).toBeNull();
      // With its key: accepted and recorded.
      loadCheckedSecretKey(db, { secretKey: KEY_A, dataDir: dir });
      expect(storedCheck(db)).toBe(keyCheckValue(parseSecretKey(KEY_A)));
    } finally {
      cleanup();
    }
  });

  test("the check value is a fixed function of the key, different for different keys", () => {
    expect(keyCheckValue(parseSecretKey(KEY_A))).toMatch(/^[0-9a-f]{64}$/);
    expect(keyCheckValue(parseSecretKey(KEY_A))).toBe(keyCheckValue(parseSecretKey(KEY_A)));
    expect(keyCheckValue(parseSecretKey(KEY_A))).not.toBe(keyCheckValue(parseSecretKey(KEY_B)));
  });
});
