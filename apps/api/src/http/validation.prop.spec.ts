// Property-based fuzzing of every JSON body schema the API reads (studio and accounts):
// any JSON value gives the parsed input or a DomainError('bad-request') whose message names
// the form, never another exception.
import fc from 'fast-check';
import type { z } from 'zod';
import { ChangePasswordInput, SignInInput, SignUpInput } from '../accounts/auth.service';
import { DomainError } from '../errors/domain-error';
import { CreateChannelInput, CreateKeyInput, RevokeKeyInput, RotateKeyInput, ShareLinkInput, UpdateChannelInput } from '../studio/studio.inputs';
import { parseWith } from './validation';

const SCHEMAS: [string, z.ZodType][] = [
  ['channel', CreateChannelInput],
  ['channel changes', UpdateChannelInput],
  ['stream key', CreateKeyInput],
  ['key rotation', RotateKeyInput],
  ['key revocation', RevokeKeyInput],
  ['share link', ShareLinkInput],
  ['sign-up', SignUpInput],
  ['sign-in', SignInInput],
  ['password change', ChangePasswordInput],
];
const FIELDS = ['title', 'slug', 'description', 'visibility', 'label', 'endBroadcast', 'expiresInS', 'email', 'password', 'displayName', 'currentPassword', 'newPassword', '__proto__', 'constructor'];

/** JSON bodies: anything, and objects with the real field names holding odd values. */
const jsonBody = fc.oneof(
  fc.jsonValue(),
  fc.dictionary(
    fc.constantFrom(...FIELDS),
    fc.oneof(fc.jsonValue(), fc.string({ unit: 'binary', maxLength: 300 }), fc.constantFrom(1e308, -0, 59, 60, 2592001, 1.5, 'public', 'private', 'a@b', 'x'.repeat(3000))),
    { maxKeys: 5 },
  ),
  // What JSON.parse makes of a "__proto__" key: an own property, not the prototype.
  fc.constantFrom('{"__proto__":{"title":"x"}}', '{"title":"t","__proto__":null}', '{"constructor":{"prototype":{}}}').map((t) => JSON.parse(t) as unknown),
);

describe('JSON body schemas under fuzzing', () => {
  it('parseWith throws only a bad-request DomainError naming the form', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SCHEMAS), jsonBody, ([what, schema], body) => {
        try {
          parseWith(schema, body, what);
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          expect(err.code).toBe('bad-request');
          expect(err.message.startsWith(`${what}: `)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
