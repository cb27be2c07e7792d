import { randomBytes } from 'node:crypto';

/** Session URLs must be unguessable (RFC 9725 §4.2): 128 random bits, URL-safe. */
export function newSessionId(): string {
  return randomBytes(16).toString('base64url');
}

export const SESSION_ID = /^[A-Za-z0-9_-]{22}$/;
