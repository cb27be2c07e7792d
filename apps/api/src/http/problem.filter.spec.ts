import { Readable } from 'node:stream';
import { json, text } from 'express';
import { NotFoundException } from '@nestjs/common';
import { SdpError } from '@onair/protocol';
import { DomainError, DomainErrorCode } from '../errors/domain-error';
import { MediaNegotiationError, MediaServerUnavailableError } from '../media/media-server';
import { toProblem } from './problem.filter';

describe('toProblem: one mapping from onair errors to HTTP', () => {
  it.each<[DomainErrorCode, number]>([
    ['bad-request', 400],
    ['unauthorized', 401],
    ['not-found', 404],
    ['already-live', 409],
    ['offline', 409],
    ['payload-too-large', 413],
    ['unsupported-media-type', 415],
    ['unprocessable', 422],
    ['precondition-failed', 412],
    ['precondition-required', 428],
    ['rate-limited', 429],
    ['media-unavailable', 503],
    ['over-capacity', 503],
  ])('%s -> %i', (code, status) => {
    const p = toProblem(new DomainError(code, 'why'));
    expect(p.status).toBe(status);
    expect(p.detail).toBe('why');
  });

  it('asks for bearer auth on 401 (RFC 6750)', () => {
    expect(toProblem(new DomainError('unauthorized', 'x')).headers).toEqual({ 'WWW-Authenticate': 'Bearer realm="onair"' });
  });

  it('carries Retry-After', () => {
    expect(toProblem(new DomainError('offline', 'x', 2)).retryAfter).toBe(2);
    expect(toProblem(new MediaServerUnavailableError('down')).retryAfter).toBe(5);
  });

  it.each([
    [new SdpError('SDP offer has no m= lines'), 400],
    [new MediaNegotiationError('no codec'), 422],
    [Object.assign(new Error('too big'), { type: 'entity.too.large', status: 413, limit: 131072 }), 413],
    [Object.assign(new Error('bad charset'), { type: 'entity.parse.failed', status: 400 }), 400],
    [new NotFoundException('Cannot GET /nope'), 404],
  ])('%s', (err, status) => {
    expect(toProblem(err).status).toBe(status);
  });

  // Found by the HTTP fuzz run (test/fuzz.e2e-spec.ts): the body parsers' other errors (a
  // corrupt gzip body, an encoding or charset they can't read, a short body) were 500s.
  it.each<[string, Record<string, string>, string, number]>([
    ['a gzip body that is not gzip', { 'content-type': 'text/plain', 'content-encoding': 'gzip' }, 'hello', 400],
    ['an unknown Content-Encoding', { 'content-type': 'text/plain', 'content-encoding': 'x-unknown' }, 'hello', 415],
    ['a body shorter than its Content-Length', { 'content-type': 'text/plain', 'content-length': '10' }, 'hello', 400],
    ['a JSON body in a charset the parser refuses', { 'content-type': 'application/json; charset=latin1' }, '{}', 415],
  ])('the body parser refusing %s is a 4xx, not a 500', async (_name, headers, body, status) => {
    const req = Object.assign(Readable.from([Buffer.from(body)]), { headers: { 'content-length': String(body.length), ...headers }, method: 'POST', url: '/' });
    const parse = headers['content-type']!.startsWith('application/json') ? json() : text({ type: '*/*' });
    const err = await new Promise<unknown>((resolve) => parse(req as never, {} as never, resolve));
    expect(err).toBeInstanceOf(Error);
    const problem = toProblem(err);
    expect(problem.status).toBe(status);
    expect(problem.detail).toMatch(/^the request body could not be read: /);
  });

  it('hides internals of unexpected errors', () => {
    const p = toProblem(new Error('password=hunter2 at db'));
    expect(p.status).toBe(500);
    expect(p.detail).not.toContain('hunter2');
  });
});
