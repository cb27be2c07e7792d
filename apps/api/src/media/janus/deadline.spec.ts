import { MediaServerUnavailableError } from '../media-server';
import { withDeadline } from './deadline';

/** A request whose outcome the spec decides, like a Janus transaction still in flight. */
function pending<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('withDeadline', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['setImmediate'] }));
  afterEach(() => jest.useRealTimers());

  it('gives the result of a request that answers in time, and releases nothing', async () => {
    const req = pending<string>();
    const released: string[] = [];
    const result = withDeadline(req.promise, 'attach', 5000, (h) => void released.push(h));
    req.resolve('handle-1');
    await expect(result).resolves.toBe('handle-1');
    await tick();
    expect(released).toEqual([]);
  });

  it('times out with a media-unavailable error naming the request, then releases what arrives late', async () => {
    const req = pending<string>();
    const released: string[] = [];
    const result = withDeadline(req.promise, 'create mountpoint', 5000, (m) => void released.push(m));
    const outcome = result.catch((e: unknown) => e);
    jest.advanceTimersByTime(5000);
    const err = await outcome;
    expect(err).toBeInstanceOf(MediaServerUnavailableError);
    expect((err as Error).message).toMatch(/did not answer 'create mountpoint' within 5000 ms/);
    expect(released).toEqual([]);
    req.resolve('mountpoint-c1');
    await tick();
    expect(released).toEqual(['mountpoint-c1']);
  });

  it('waits for an async release (e.g. a detach) and swallows its failure', async () => {
    const req = pending<string>();
    const order: string[] = [];
    const result = withDeadline(req.promise, 'attach', 10, async (h) => {
      order.push(`detaching ${h}`);
      throw new Error('already gone');
    });
    const outcome = result.catch(() => 'timed out');
    jest.advanceTimersByTime(10);
    expect(await outcome).toBe('timed out');
    req.resolve('handle-2');
    await tick();
    await tick();
    expect(order).toEqual(['detaching handle-2']);
  });

  it('a request that fails late releases nothing and raises nothing', async () => {
    const req = pending<string>();
    const released: string[] = [];
    const outcome = withDeadline(req.promise, 'attach', 10, (h) => void released.push(h)).catch(() => 'timed out');
    jest.advanceTimersByTime(10);
    expect(await outcome).toBe('timed out');
    req.reject(new Error('Janus said no'));
    await tick();
    expect(released).toEqual([]);
  });

  it('a request that fails in time reports its own error', async () => {
    const req = pending<string>();
    const result = withDeadline(req.promise, 'attach', 5000, () => undefined);
    req.reject(new Error('427 room exists'));
    await expect(result).rejects.toThrow('427 room exists');
  });
});
