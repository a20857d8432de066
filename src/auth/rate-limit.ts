/**
 * A small in-memory token bucket, keyed by IP or e-mail, for login and setup attempts. One process
 * serves everything, so memory is the right store; a restart forgets, which only helps the honest.
 */

/** TokenBucket allows `capacity` attempts at once, refilled at one per `refillMs`. */
export class TokenBucket {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    readonly capacity: number,
    readonly refillMs: number,
    // Bounds memory under a flood of distinct keys; the oldest entries go first.
    readonly maxKeys = 10_000,
  ) {}

  /** take spends one token for `key`; when none is left it says how many seconds to wait. */
  take(key: string, now: number): { ok: true } | { ok: false; retryAfterSec: number } {
    const b = this.#buckets.get(key) ?? { tokens: this.capacity, at: now };
    const tokens = Math.min(this.capacity, b.tokens + (now - b.at) / this.refillMs);
    this.#buckets.delete(key); // re-insert to keep Map order = recency
    if (tokens < 1) {
      this.#buckets.set(key, { tokens, at: now });
      return { ok: false, retryAfterSec: Math.max(1, Math.ceil(((1 - tokens) * this.refillMs) / 1000)) };
    }
    this.#buckets.set(key, { tokens: tokens - 1, at: now });
    if (this.#buckets.size > this.maxKeys) {
      const oldest = this.#buckets.keys().next().value;
      if (oldest !== undefined) this.#buckets.delete(oldest);
    }
    return { ok: true };
  }

  /** reset forgets every key (tests). */
  reset(): void {
    this.#buckets.clear();
  }
}

/** LoginLimits are the named buckets for authentication attempts. */
export interface LoginLimits {
  byIp: TokenBucket;
  byEmail: TokenBucket;
}

/** createLoginLimits: 10 attempts per IP then one every 6 s; 5 per e-mail then one every 30 s. */
export function createLoginLimits(): LoginLimits {
  return { byIp: new TokenBucket(10, 6_000), byEmail: new TokenBucket(5, 30_000) };
}
