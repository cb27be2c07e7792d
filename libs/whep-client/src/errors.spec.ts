import { WhepError, isWhepError } from './errors';

function fakeResponse(status: number, headers: Record<string, string>, body = '', statusText = '') {
  return { status, statusText, headers: new Headers(headers), text: async () => body };
}

describe('WhepError.fromResponse', () => {
  it('reads status, Retry-After and the problem detail of a 409', async () => {
    const error = await WhepError.fromResponse(
      fakeResponse(
        409,
        { 'content-type': 'application/problem+json', 'retry-after': '3' },
        JSON.stringify({ type: 'https://onair.dev/problems/channel-offline', title: 'Channel offline', status: 409, detail: 'demo is not live' }),
        'Conflict',
      ),
    );
    expect(error).toBeInstanceOf(WhepError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('WhepError');
    expect(error.code).toBe('http');
    expect(error.status).toBe(409);
    expect(error.retryAfterSeconds).toBe(3);
    expect(error.detail).toBe('demo is not live');
    expect(error.problem?.title).toBe('Channel offline');
    expect(error.message).toBe('WHEP request failed with HTTP 409: demo is not live');
  });

  it('handles a 503 with an HTTP-date Retry-After and no body', async () => {
    const now = Date.UTC(2026, 0, 1, 0, 0, 0);
    const error = await WhepError.fromResponse(
      fakeResponse(503, { 'retry-after': new Date(now + 7000).toUTCString() }, '', 'Service Unavailable'),
      now,
    );
    expect(error.status).toBe(503);
    expect(error.retryAfterSeconds).toBe(7);
    expect(error.detail).toBeUndefined();
    expect(error.message).toBe('WHEP request failed with HTTP 503: Service Unavailable');
  });

  it('leaves retryAfterSeconds undefined when absent', async () => {
    const error = await WhepError.fromResponse(fakeResponse(404, {}, ''));
    expect(error.retryAfterSeconds).toBeUndefined();
    expect(error.message).toBe('WHEP request failed with HTTP 404');
  });
});

describe('isWhepError', () => {
  it('recognises WhepErrors, including structurally identical ones from another bundle copy', () => {
    expect(isWhepError(new WhepError('x', { code: 'network' }))).toBe(true);
    const foreign = Object.assign(new Error('x'), { name: 'WhepError', code: 'http' });
    expect(isWhepError(foreign)).toBe(true);
    expect(isWhepError(new Error('x'))).toBe(false);
    expect(isWhepError('WhepError')).toBe(false);
  });

  it('defaults status to 0 for errors without a response', () => {
    expect(new WhepError('x', { code: 'network' }).status).toBe(0);
  });
});
