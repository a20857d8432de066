/**
 * Protects the lz-string port (PostHog `compression=lz64`): it must read what the real
 * `LZString.compressToBase64` writes — a vector from PostHog's own capture tests, a hand-worked one, and
 * round trips through the reference compressor in lz-string.fixtures.ts — survive the form decoder's `+` → space, and refuse
 * bombs early and garbage without throwing anything but LzTooLarge.
 */
import { describe, expect, test } from "bun:test";
import { compressToBase64 } from "./lz-string.fixtures.ts";
import { decompressFromBase64, LzTooLarge } from "./lz-string.ts";

const BIG = 4 * 1024 * 1024;

describe("decompressFromBase64", () => {
  test("a hand-worked vector: 'A' is 2 zero bits, 65 in 8 bits LSB first, end code 2 in 3 bits → IJA=", () => {
    expect(compressToBase64("A")).toBe("IJA=");
    expect(decompressFromBase64("IJA=", BIG)).toBe("A");
  });

  // From PostHog/posthog's capture test suite (posthog/api/test/test_capture.py, test_lz64_with_emoji): an
  // array body as posthog-js's LZString.compressToBase64 wrote it, posted to /batch/; the event name is 🤓.
  const POSTHOG_VECTOR =
    "NoKABBYN4EQKYDc4DsAuMBcYaD4NwyLswA0MADgE4D2JcZqAlnAM6bQwAkFzWMAsgIYBjMAHkAymAAaRdgCNKAd0Y0WMAMIALSgFs40tgICuZMilQB9IwBsV61KhIYA9I4CMAJgDsAOgAMvry4YABw+oY4AJnBaFHrqnOjc7t5+foEhoXokfKjqyHw6KhFRMcRschSKNGZIZIx0FMgsQQBspYwCJihm6nB0AOa2LC4+AKw+bR1wXfJ04TlDzSGllnQyKvJwa8ur1TR1DSou/j56dMhKtGaz6wBeAJ4GQagALPJ8buo3I8iLevQFWBczVGIxGAGYPABONxeMGQlzEcJ0Rj0ZACczXbg3OCQgBCyFxAlxAE1iQBBADSAC0ANYAVT4NIAKmDRC4eAA5AwAMUYABkAJIAcQMPCouOeZCCAFotAA1cLNeR6SIIOgCOBXcKHDwjSFBNyQnzA95BZ7SnxuAQjFwuABmYKCAg8bh8MqBYLgzRcIzc0pcfDgfD4Pn9uv1huNPhkwxGegMFy1KmxeIJRNJlNpDOZrPZXN5gpFYpIEqlsoVStOyDo9D4ljMJjtNBMZBsdgcziSxwCwVCPkclgofTOAH5kHAAB6oAC8jirNbodYbcCbxjOfTM4QoWj4Z0Onm7aT70hI8TiG5q+0aiQCzV80nUfEYZkYlkENLMGxkcQoNJYdrrJRSkEegkDMJtsiMTU7TfPouDAUBIGwED6nOaUDAnaVXWGdwYBAABdYhUF/FAVGpKkqTgAUSDuAQ+QACWlVAKQoGQ+VxABRJk3A5YQ+g8eQ+gAKW5NwKQARwAET5EY7gAdTpMwPFQKllQAX2ICg7TtJQEjAMFQmeNSCKAA==";

  test("PostHog's lz64 test vector decodes to its batch, and the reference compressor gives the same text back", () => {
    const text = decompressFromBase64(POSTHOG_VECTOR, BIG)!;
    const body = JSON.parse(text);
    expect(body[0].properties.token).toBe("KZZZeIpycLH-tKobLBET2NOg7wgJF2KqDL5yWU_7tZw");
    expect(body[0].event).toBe("🤓");
    expect(compressToBase64(text)).toBe(POSTHOG_VECTOR);
  });

  test.each([
    ["ascii JSON", JSON.stringify([{ event: "$pageview", distinct_id: "d1", properties: { $current_url: "https://x.test/a?b=1" } }])],
    ["CJK and emoji (16-bit codes, surrogate pairs)", JSON.stringify({ event: "购买", properties: { 名称: "茶叶 🍵", n: 1 } })],
    ["repetitive (dictionary growth past many code widths)", JSON.stringify(Array.from({ length: 400 }, (_, i) => ({ event: "e", i, s: "ab".repeat(i % 17) })))],
  ])("round trip: %s", (_name, text) => {
    expect(decompressFromBase64(compressToBase64(text), BIG)).toBe(text);
  });

  test("a '+' turned into ' ' by form decoding reads as '+'", () => {
    const text = JSON.stringify({ event: "x".repeat(50), distinct_id: "~~~~~~~~~~" });
    const lz = compressToBase64(text);
    expect(lz).toContain("+"); // otherwise this case proves nothing
    expect(decompressFromBase64(new URLSearchParams(`data=${lz}`).get("data")!, BIG)).toBe(text);
  });

  test("a bomb stops at the cap instead of growing with the square of the input", () => {
    const bomb = compressToBase64("A".repeat(1024 * 1024));
    expect(bomb.length).toBeLessThan(16 * 1024);
    expect(() => decompressFromBase64(bomb, 1024)).toThrow(LzTooLarge);
    expect(decompressFromBase64(bomb, 1024 * 1024)!.length).toBe(1024 * 1024);
  });

  test("garbage, truncated and empty input give null, never a throw", () => {
    const lz = compressToBase64(JSON.stringify({ event: "abcdefghij" }));
    expect(decompressFromBase64("", BIG)).toBeNull();
    expect(decompressFromBase64(lz.slice(0, lz.length / 2), BIG)).toBeNull();
    for (const s of ["////", "!!!!", "eyJldmVudCI6ImUifQ==", "😀😀😀"]) {
      expect(() => decompressFromBase64(s, BIG)).not.toThrow();
    }
  });
});
