import { ReadThroughCache } from './read-through-cache';

describe('ReadThroughCache', () => {
  let t = 0;
  const cache = () => new ReadThroughCache<string, string | null>(1000, () => t);
  const flush = () => new Promise((r) => setImmediate(r));
  beforeEach(() => (t = 0));

  it('asks once for reads of a key while its query runs, and again once the value is older than the TTL', async () => {
    const c = cache();
    let asked = 0;
    const load = async () => `row ${++asked}`;
    expect(await Promise.all([c.get('demo', load), c.get('demo', load), c.get('demo', load)])).toEqual(['row 1', 'row 1', 'row 1']);
    t = 999;
    expect(await c.get('demo', load)).toBe('row 1');
    t = 1000;
    expect(await c.get('demo', load)).toBe('row 2');
    expect(await c.get('other', load)).toBe('row 3');
  });

  it('keeps no misses and no failures', async () => {
    const c = cache();
    let asked = 0;
    expect(await c.get('nope', async () => (asked++, null))).toBeNull();
    await flush();
    expect(await c.get('nope', async () => (asked++, 'created since'))).toBe('created since');
    await expect(c.get('down', async () => Promise.reject(new Error('database down')))).rejects.toThrow('database down');
    await flush();
    expect(await c.get('down', async () => 'back')).toBe('back');
    expect(asked).toBe(2);
  });

  it('after clear() the next read asks again, even while an older query still runs; the older one does not come back', async () => {
    const c = cache();
    let answer!: (v: string) => void;
    const before = c.get('demo', () => new Promise((r) => (answer = r)));
    c.clear(); // a write
    const after = c.get('demo', async () => 'after the write');
    answer('before the write');
    expect(await before).toBe('before the write');
    expect(await after).toBe('after the write');
    await flush();
    expect(await c.get('demo', async () => 'asked again')).toBe('after the write');
  });
});
