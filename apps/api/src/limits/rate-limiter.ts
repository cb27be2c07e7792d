/**
 * Token buckets keyed by a string (a client address; an account and an address). `take`
 * spends one token and says how long to wait when there is none. Memory stays bounded: past
 * `maxKeys` keys, the least recently used go (forgetting a bucket only ever gives that key a
 * full one). Shared by the HTTP middleware (http/rate-limit.ts) and the password limits
 * (accounts/auth.service.ts), so services need not import from http/.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 10_000,
  ) {}

  /** Spends a token for `key`: 0 when allowed, else the seconds until one is available. */
  take(key: string): number {
    const b = this.level(key);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      this.store(key, b);
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.perSecond));
  }

  /** Seconds until `key` has a token again, without spending one. */
  waitFor(key: string): number {
    const b = this.level(key);
    return b.tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - b.tokens) / this.perSecond));
  }

  private level(key: string): { tokens: number; at: number } {
    const now = this.now();
    const b = this.buckets.get(key);
    if (!b) return { tokens: this.burst, at: now };
    return { tokens: Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond), at: now };
  }

  private store(key: string, b: { tokens: number; at: number }): void {
    this.buckets.delete(key);
    this.buckets.set(key, b);
    // Map iteration is insertion order, and store() re-inserts: the first key is the stalest.
    while (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
  }

  get size(): number {
    return this.buckets.size;
  }
}
