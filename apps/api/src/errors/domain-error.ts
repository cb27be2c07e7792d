import { SdpError } from '@onair/protocol';

/**
 * Every error onair reports to a client, in one list. The HTTP mapping (status, title,
 * headers) lives in one place too: http/problem.filter.ts. Services throw these; they
 * never see a request or a status code.
 */
export type DomainErrorCode =
  | 'bad-request' // malformed input (bad SDP, bad slug)
  | 'unauthorized' // missing or wrong bearer token
  | 'sign-in-required' // a studio request without a (valid) session cookie
  | 'forbidden' // signed in, but not allowed (a streamer on an admin-only action, a missing CSRF header)
  | 'conflict' // the request clashes with stored state (slug taken, deleting a live channel)
  | 'not-found' // no such channel or session
  | 'already-live' // a second publisher on a live channel
  | 'offline' // WHEP on a channel that is not live
  | 'unsupported-media-type'
  | 'payload-too-large'
  | 'unprocessable' // the media server can't take what the client offered
  | 'precondition-failed' // If-Match names another ETag than the session's (RFC 9725 §4.3.1)
  | 'precondition-required' // a PATCH without If-Match (RFC 9725 §4.3.1, RFC 6585 §3)
  | 'rate-limited' // too many requests from one client address
  | 'over-capacity' // the server holds as many streams/sessions as it is set to (all clients together)
  | 'media-unavailable' // the media server is down or not answering
  | 'database-unavailable'; // Postgres is down or not answering (live media keeps flowing)

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const unauthorized = (msg: string) => new DomainError('unauthorized', msg);
export const notFound = (msg: string) => new DomainError('not-found', msg);

/**
 * Runs a read of SDP the client sent (an offer, a trickle fragment, an ICE restart built
 * from one): its SdpError becomes the client's 400, the message naming the line, after
 * `context` if given. The one place SdpError turns into a DomainError.
 */
export function readClientSdp<T>(read: () => T, context?: string): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof SdpError) throw new DomainError('bad-request', context ? `${context}: ${err.message}` : err.message);
    throw err;
  }
}
