import type { Request } from 'express';
import { DomainError } from '../errors/domain-error';
import { readJsonBody } from './sdp-request';

const jsonRequest = (body: unknown) => ({ headers: { 'content-type': 'application/json' }, body }) as unknown as Request;

describe('readJsonBody', () => {
  // Found by the HTTP fuzz run (test/fuzz.e2e-spec.ts): a NUL in a sign-up email or a channel
  // title reached Postgres, which refuses it in text columns: a 500.
  it.each<[string, unknown]>([
    ['a string value', { title: 'a\u0000b' }],
    ['a nested string', { a: [{ b: ['x', 'y\u0000'] }] }],
    ['a key', { 'email\u0000': 'x@example.org' }],
    ['a bare string', '\u0000'],
  ])('refuses a NUL in %s with a 400', (_name, body) => {
    expect(() => readJsonBody(jsonRequest(body), 'channel')).toThrow(DomainError);
    expect(() => readJsonBody(jsonRequest(body), 'channel')).toThrow('the channel holds a NUL character (U+0000), which no field accepts');
  });

  it.each<[string, unknown]>([
    ['an object', { title: 'A show', visibility: 'public' }],
    ['an array', ['active', 'inactive']],
    ['null', null],
    ['other control characters', { title: 'tab\there' }],
  ])('passes %s through', (_name, body) => {
    expect(readJsonBody(jsonRequest(body), 'channel')).toEqual(body);
  });
});
