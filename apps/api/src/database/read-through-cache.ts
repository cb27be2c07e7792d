/**
 * A short-lived memo in front of a repository read, for rows read far more often than they
 * change (a channel looked up by slug on every WHEP POST: a storm of 100 viewers otherwise
 * queues 100 identical queries on the connection pool, and Prisma compiles each one).
 *
 * - Reads of one key while its query runs share that query (100 POSTs at once: one query).
 * - The repository that owns the rows clears the cache on every write it makes, so this
 *   process never reads its own writes stale; `ttlMs` bounds how long a write made elsewhere
 *   (another API node, a migration, psql) can go unseen.
 * - Misses (undefined or null) and failures are not kept: the next read asks again.
 */
export class ReadThroughCache<K, V> {
  private readonly entries = new Map<K, { value: Promise<V>; at: number }>();

  constructor(
    private readonly ttlMs: number,
    /** The clock, replaceable in specs. */
    private readonly now: () => number = () => performance.now(),
  ) {}

  get(key: K, load: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.value;
    const entry = { value: load(), at: this.now() };
    this.entries.set(key, entry);
    const forget = () => {
      // Only this load's entry: a clear() meanwhile may have let a newer one in.
      if (this.entries.get(key) === entry) this.entries.delete(key);
    };
    void entry.value.then((v) => v ?? forget(), forget);
    return entry.value;
  }

  /** Forgets everything, including queries still running (their callers still get their answer). */
  clear(): void {
    this.entries.clear();
  }
}
