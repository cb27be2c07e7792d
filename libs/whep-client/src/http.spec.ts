import { absoluteUrl, iceServersFromLinkHeader, parseRetryAfter, readProblem, resolveLocation } from './http';

/** A minimal stand-in for `Response` with just what `readProblem` reads. */
function fakeResponse(body: string, contentType?: string) {
  return {
    headers: new Headers(contentType ? { 'content-type': contentType } : {}),
    text: async () => body,
  };
}

describe('iceServersFromLinkHeader', () => {
  it('maps ice-server links to RTCIceServer entries with credentials', () => {
    const header =
      '<stun:stun.example.net>; rel="ice-server", ' +
      '<turn:turn.example.net?transport=udp>; rel="ice-server"; username="user"; credential="pw"; credential-type="password", ' +
      '<https://example.com/other>; rel="alternate"';
    expect(iceServersFromLinkHeader(header)).toEqual([
      { urls: 'stun:stun.example.net' },
      { urls: 'turn:turn.example.net?transport=udp', username: 'user', credential: 'pw' },
    ]);
  });

  it('accepts multi-valued rel and ignores non-ICE URIs', () => {
    expect(iceServersFromLinkHeader('<turns:t.example:443>; rel="preload ice-server", <https://x>; rel="ice-server"')).toEqual([
      { urls: 'turns:t.example:443' },
    ]);
  });

  it('returns an empty list without a header', () => {
    expect(iceServersFromLinkHeader(null)).toEqual([]);
    expect(iceServersFromLinkHeader(undefined)).toEqual([]);
    expect(iceServersFromLinkHeader('')).toEqual([]);
  });

  it('reads quoted strings with separators and escapes, token values, odd spacing and any case of REL', () => {
    const header = '<turn:t.example>;rel=ice-server ;username="a,b;c";credential="p\\"w"  ,<stun:s.example>;REL="ICE-Server"';
    expect(iceServersFromLinkHeader(header)).toEqual([{ urls: 'turn:t.example', username: 'a,b;c', credential: 'p"w' }, { urls: 'stun:s.example' }]);
  });

  it('keeps the first of repeated parameters', () => {
    expect(iceServersFromLinkHeader('<turn:a>; rel="ice-server"; username="first"; username="second"; flag')).toEqual([{ urls: 'turn:a', username: 'first' }]);
  });

  it('leaves out malformed links and uses the good ones', () => {
    expect(iceServersFromLinkHeader('garbage; rel="x", <stun:ok>; rel="ice-server", <turn:no-rel>; username="u", <unterminated')).toEqual([{ urls: 'stun:ok' }]);
  });

  it('takes links already parsed', () => {
    expect(iceServersFromLinkHeader([{ uri: 'turn:t', rel: 'ice-server', params: { username: 'u', credential: 'p' } }])).toEqual([{ urls: 'turn:t', username: 'u', credential: 'p' }]);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 10, 24, 10, 0, 0);

  it('parses delay-seconds', () => {
    expect(parseRetryAfter('2')).toBe(2);
    expect(parseRetryAfter(' 10 ')).toBe(10);
    expect(parseRetryAfter('0')).toBe(0);
  });

  it('parses an HTTP-date relative to now, rounding up and never negative', () => {
    expect(parseRetryAfter('Tue, 24 Nov 2026 10:00:05 GMT', now)).toBe(5);
    expect(parseRetryAfter(new Date(now + 1500).toUTCString(), now)).toBe(1);
    expect(parseRetryAfter('Tue, 24 Nov 2026 09:59:00 GMT', now)).toBe(0);
  });

  it('returns undefined for missing or invalid values', () => {
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('')).toBeUndefined();
    expect(parseRetryAfter('-1')).toBeUndefined();
    expect(parseRetryAfter('1.5')).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('resolveLocation', () => {
  const endpoint = 'https://api.example.com:8080/whep/demo';

  it('resolves absolute-path and relative locations against the endpoint', () => {
    expect(resolveLocation('/whep/demo/sessions/abc', endpoint)).toBe('https://api.example.com:8080/whep/demo/sessions/abc');
    expect(resolveLocation('demo/sessions/abc', endpoint)).toBe('https://api.example.com:8080/whep/demo/sessions/abc');
    expect(resolveLocation('sessions/abc', 'https://api.example.com/whep/demo/')).toBe('https://api.example.com/whep/demo/sessions/abc');
  });

  it('keeps absolute locations', () => {
    expect(resolveLocation('https://media.example.com/s/1', endpoint)).toBe('https://media.example.com/s/1');
  });

  it('returns null when there is no usable location', () => {
    expect(resolveLocation(null, endpoint)).toBeNull();
    expect(resolveLocation('  ', endpoint)).toBeNull();
    expect(resolveLocation('http://[bad', endpoint)).toBeNull();
  });
});

describe('absoluteUrl', () => {
  it('keeps absolute URLs and resolves against an explicit base', () => {
    expect(absoluteUrl('http://127.0.0.1:8080/whep/demo')).toBe('http://127.0.0.1:8080/whep/demo');
    expect(absoluteUrl('/whep/demo', 'http://localhost:3000/watch/demo')).toBe('http://localhost:3000/whep/demo');
  });

  it('throws for a relative URL with no document to resolve against', () => {
    expect(() => absoluteUrl('/whep/demo')).toThrow(/Invalid URL/);
  });
});

describe('readProblem', () => {
  it('reads problem+json fields', async () => {
    const body = JSON.stringify({ type: 'about:blank', title: 'Conflict', status: 409, detail: 'Channel demo is offline', extra: 1 });
    await expect(readProblem(fakeResponse(body, 'application/problem+json; charset=utf-8'))).resolves.toEqual({
      type: 'about:blank',
      title: 'Conflict',
      status: 409,
      detail: 'Channel demo is offline',
    });
  });

  it('accepts application/json and a { message } body', async () => {
    await expect(readProblem(fakeResponse('{"message":"nope","statusCode":404}', 'application/json'))).resolves.toEqual({ detail: 'nope' });
  });

  it('uses a short text/plain body as detail', async () => {
    await expect(readProblem(fakeResponse('  channel offline \n', 'text/plain'))).resolves.toEqual({ detail: 'channel offline' });
  });

  it('returns undefined for empty, invalid or unexpected bodies', async () => {
    await expect(readProblem(fakeResponse('', 'application/problem+json'))).resolves.toBeUndefined();
    await expect(readProblem(fakeResponse('{not json', 'application/problem+json'))).resolves.toBeUndefined();
    await expect(readProblem(fakeResponse('[1,2]', 'application/json'))).resolves.toBeUndefined();
    await expect(readProblem(fakeResponse('<html></html>', 'text/html'))).resolves.toBeUndefined();
    await expect(readProblem(fakeResponse('v=0', undefined))).resolves.toBeUndefined();
  });

  it('never throws when the body cannot be read', async () => {
    const broken = { headers: new Headers({ 'content-type': 'application/problem+json' }), text: () => Promise.reject(new TypeError('used')) };
    await expect(readProblem(broken)).resolves.toBeUndefined();
  });
});
