// Property-based fuzzing of the API's request readers: whatever headers and body reach a
// WHIP/WHEP or JSON endpoint, the reader returns a value or throws a DomainError (which
// problem.filter.ts maps to a 4xx), never anything else.
import type { Request } from 'express';
import fc from 'fast-check';
import { DomainError } from '../errors/domain-error';
import { bearerToken, readJsonBody, readPatch, readSdpOffer } from './sdp-request';

const header = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(
    'application/sdp', 'Application/SDP; charset=utf-8', 'application/trickle-ice-sdpfrag', 'application/json', 'application/json; x=y',
    'text/plain', '', ';', ' ; ', 'application/sdp;;;', 'APPLICATION/JSON',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
);
const authorization = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom('Bearer', 'Bearer ', 'bearer abc', 'BEARER a.b-c~d+e/f==', 'Basic dXNlcjpwYXNz', 'Bearer a b', 'Bearer ===', `Bearer ${'a'.repeat(10000)}`, `Bearer ${' '.repeat(10000)}x`),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }).map((s) => `Bearer ${s}`),
);
const body = fc.oneof(fc.constant(undefined), fc.string({ unit: 'binary', maxLength: 100 }), fc.jsonValue(), fc.constant(Buffer.from('v=0')));

const request = fc
  .record({ type: header, auth: authorization, ifMatch: header, length: fc.option(fc.constantFrom('0', '12', 'x', ''), { nil: undefined }), body })
  .map(({ type, auth, ifMatch, length, body }) => {
    const headers: Record<string, string> = {};
    if (type !== undefined) headers['content-type'] = type;
    if (auth !== undefined) headers.authorization = auth;
    if (ifMatch !== undefined) headers['if-match'] = ifMatch;
    if (length !== undefined) headers['content-length'] = length;
    return { headers, body } as unknown as Request;
  });

/** Runs a reader: a DomainError (a 4xx) or a value; each call is fast. */
function onlyDomainError(read: () => unknown): void {
  const started = performance.now();
  try {
    read();
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    expect(err.message.length).toBeGreaterThan(10);
  }
  // Bounded time (a regex blow-up takes seconds; the bound leaves room for a busy machine).
  expect(performance.now() - started).toBeLessThan(1000);
}

describe('request readers under fuzzing', () => {
  it('throw only DomainError, whatever the headers and body', () => {
    fc.assert(
      fc.property(request, (req) => {
        onlyDomainError(() => readSdpOffer(req, 'publisher').accept());
        onlyDomainError(() => readSdpOffer(req, 'player').accept());
        onlyDomainError(() => readPatch(req));
        onlyDomainError(() => bearerToken(req));
        onlyDomainError(() => readJsonBody(req, 'test body'));
        onlyDomainError(() => readJsonBody(req, 'test body', { optional: true }));
      }),
      { numRuns: 1500 },
    );
  });

  it('a bearer token read is exactly the token sent', () => {
    const token = fc.string({ unit: fc.constantFrom(...'abcXYZ019-._~+/'), minLength: 1, maxLength: 60 });
    fc.assert(
      fc.property(token, fc.constantFrom('Bearer', 'bearer', 'BEARER'), fc.integer({ min: 1, max: 3 }), (t, scheme, spaces) => {
        const req = { headers: { authorization: `${scheme}${' '.repeat(spaces)}${t}` } } as unknown as Request;
        expect(bearerToken(req)).toBe(t);
      }),
      { numRuns: 300 },
    );
  });
});
