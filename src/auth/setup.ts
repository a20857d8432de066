/**
 * SetupGate guards the first-run setup: while no user exists and no admin comes from the environment, a
 * one-time code is printed in the server log, and only someone who can read that log can create the
 * admin through the dashboard. The code lives in memory only; after setup it is gone for good.
 */
import { randomInt, timingSafeEqual, createHash } from "node:crypto";

// No 0/O, 1/I/L: the code is read from a terminal and typed by hand.
const ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/** normaliseCode makes typing forgiving: case, spaces and dashes do not matter. */
export function normaliseCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, "");
}

/** SetupGate holds at most one live setup code. */
export class SetupGate {
  #digest: Buffer | null = null;

  /** issue creates a new code (replacing any previous one) and returns it for the log. */
  issue(): string {
    let raw = "";
    for (let i = 0; i < 12; i++) raw += ALPHABET[randomInt(ALPHABET.length)];
    this.#digest = createHash("sha256").update(raw).digest();
    return `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8)}`;
  }

  /** pending reports whether a code is waiting to be used. */
  get pending(): boolean {
    return this.#digest !== null;
  }

  /** matches compares in constant time; it does not consume the code. */
  matches(code: string): boolean {
    if (this.#digest === null) return false;
    return timingSafeEqual(createHash("sha256").update(normaliseCode(code)).digest(), this.#digest);
  }

  /** close kills the code once the admin exists. */
  close(): void {
    this.#digest = null;
  }
}
