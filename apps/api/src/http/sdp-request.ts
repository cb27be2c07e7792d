import type { Request } from 'express';
import { DomainError } from '../errors/domain-error';

/** Largest SDP onair reads (offers are a few KiB; simulcast with many candidates stays well below). */
export const MAX_SDP_BYTES = 128 * 1024;

/** Parses a WHIP/WHEP POST at the edge: the content type must be application/sdp (RFC 9725 §4.2). */
export function readSdpBody(req: Request): string {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/sdp') {
    throw new DomainError('unsupported-media-type', `send the SDP offer with "Content-Type: application/sdp" (got ${type ? `"${type}"` : 'none'})`);
  }
  const body: unknown = req.body;
  if (typeof body !== 'string' || body.trim() === '') throw new DomainError('bad-request', 'the request body must be an SDP offer');
  return body;
}

/** The bearer token of an Authorization header (RFC 6750 §2.1), if any. */
export function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const m = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(header);
  if (!m) throw new DomainError('unauthorized', 'the Authorization header must be "Bearer <stream key>"');
  return m[1];
}
