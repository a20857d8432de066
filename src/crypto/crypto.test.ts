/**
 * Protects secrets and PII at rest: values must round-trip, any tampering must be detected (GCM tag), a
 * different key must not open them, and the key file must be created once, private (0600) and reused;
 * a regenerated key would make every encrypted column unreadable.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../test/helpers.ts";
import { createCrypto, DecryptError, randomToken, sha256Hex } from "./crypto.ts";
import { loadSecretKey, parseSecretKey, SecretKeyError } from "./secret-key.ts";

const key = (byte: number) => new Uint8Array(32).fill(byte);

describe("encrypt / decrypt", () => {
  const c = createCrypto(key(1));
  test.each(["", "a", "alice@example.com", "+8613800138000", "密钥 🔑", "x".repeat(10_000)])("round trip %#", (plain) => {
    const sealed = c.encrypt(plain);
    expect(sealed.startsWith("v1:")).toBe(true);
    if (plain.length > 8) expect(sealed).not.toContain(plain);
    expect(c.decrypt(sealed)).toBe(plain);
  });

  test("the same value encrypts differently each time (random IV)", () => {
    expect(c.encrypt("same")).not.toBe(c.encrypt("same"));
  });

  test.each([
    ["flipped ciphertext byte", (s: string) => flip(s, 14)],
    ["flipped tag byte", (s: string) => flip(s, -1)],
    ["flipped iv byte", (s: string) => flip(s, 0)],
    ["truncated", (s: string) => s.slice(0, 10)],
    ["unknown version", (s: string) => `v9:${s.slice(3)}`],
  ])("tampering is detected: %s", (_name, tamper) => {
    expect(() => c.decrypt(tamper(c.encrypt("secret value")))).toThrow(DecryptError);
  });

  test("another key cannot decrypt", () => {
    expect(() => createCrypto(key(2)).decrypt(c.encrypt("secret"))).toThrow(DecryptError);
  });
});

describe("keyedHash", () => {
  test("is deterministic per key and differs across keys", () => {
    const a = createCrypto(key(1));
    const b = createCrypto(key(2));
    expect(a.keyedHash("alice@example.com")).toBe(a.keyedHash("alice@example.com"));
    expect(a.keyedHash("alice@example.com")).not.toBe(a.keyedHash("bob@example.com"));
    expect(a.keyedHash("alice@example.com")).not.toBe(b.keyedHash("alice@example.com"));
    expect(a.keyedHash("x")).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe("secret key", () => {
  test("is generated once into the data dir with mode 0600 and reused", () => {
    const { dir, cleanup } = tempDir();
    try {
      const k1 = loadSecretKey({ dataDir: dir });
      expect(statSync(join(dir, "secret.key")).mode & 0o777).toBe(0o600);
      const k2 = loadSecretKey({ dataDir: dir });
      expect(Buffer.from(k2).equals(Buffer.from(k1))).toBe(true);
      expect(readFileSync(join(dir, "secret.key"), "utf8").trim()).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      cleanup();
    }
  });

  test("TESSERA_SECRET_KEY wins over the file, in hex or base64", () => {
    const hex = "ab".repeat(32);
    expect(loadSecretKey({ secretKey: hex, dataDir: "/nonexistent" })).toEqual(parseSecretKey(Buffer.from(hex, "hex").toString("base64")));
  });

  test("a damaged key file is reported with its path", () => {
    const { dir, cleanup } = tempDir();
    try {
      writeFileSync(join(dir, "secret.key"), "not a key", { mode: 0o600 });
      expect(() => loadSecretKey({ dataDir: dir })).toThrow(SecretKeyError);
      expect(() => loadSecretKey({ dataDir: dir })).toThrow(/secret\.key/);
    } finally {
      cleanup();
    }
  });

  test("a world-readable key file is warned about", () => {
    const { dir, cleanup } = tempDir();
    try {
      writeFileSync(join(dir, "secret.key"), "cd".repeat(32), { mode: 0o644 });
      const warnings: string[] = [];
      loadSecretKey({ dataDir: dir }, (m) => warnings.push(m));
      expect(warnings.join()).toContain("chmod 600");
    } finally {
      cleanup();
    }
  });
});

describe("tokens", () => {
  test("randomToken has the prefix, length and alphabet, and does not repeat", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const t = randomToken("wk_", 32);
      expect(t).toMatch(/^wk_[0-9A-Za-z]{32}$/);
      seen.add(t);
    }
    expect(seen.size).toBe(200);
  });

  test("sha256Hex matches the known vector", () => {
    expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});

function flip(sealed: string, index: number): string {
  const raw = Buffer.from(sealed.slice(3), "base64");
  const i = index < 0 ? raw.length + index : index;
  raw[i] = (raw[i] ?? 0) ^ 0x01;
  return `v1:${raw.toString("base64")}`;
}
