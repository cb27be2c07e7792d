import { randomBytes } from 'node:crypto';
import { DomainError } from '../errors/domain-error';

/** Session URLs must be unguessable (RFC 9725 §4.2): 128 random bits, URL-safe. */
export function newSessionId(): string {
  return randomBytes(16).toString('base64url');
}

export const SESSION_ID = /^[A-Za-z0-9_-]{22}$/;

/** The session id of a WHIP/WHEP session URL; a malformed one is 404 like an unknown one. */
export function parseSessionId(id: string, protocol: 'WHIP' | 'WHEP'): string {
  if (!SESSION_ID.test(id)) throw new DomainError('not-found', `no ${protocol} session at this URL`);
  return id;
}
