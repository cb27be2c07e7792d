/**
 * Sets of values grouped by key (listeners per channel, streams per session): `add` returns
 * the release, and a key whose set is empty is forgotten, so the map never keeps dead keys.
 */
export class KeyedSets<K, V> {
  private readonly sets = new Map<K, Set<V>>();

  add(key: K, value: V): () => void {
    let set = this.sets.get(key);
    if (!set) this.sets.set(key, (set = new Set()));
    set.add(value);
    return () => {
      set.delete(value);
      if (set.size === 0 && this.sets.get(key) === set) this.sets.delete(key);
    };
  }

  get(key: K): ReadonlySet<V> {
    return this.sets.get(key) ?? new Set();
  }

  /** Removes the key's whole set and returns what it held. */
  take(key: K): V[] {
    const set = this.sets.get(key);
    this.sets.delete(key);
    return [...(set ?? [])];
  }

  get size(): number {
    let n = 0;
    for (const set of this.sets.values()) n += set.size;
    return n;
  }
}
