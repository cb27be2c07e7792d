import type { Role } from '@onair/protocol';
import type { Request } from 'express';
import { ClientOffer } from '../domain/client-offer';
import { DomainError } from '../errors/domain-error';

/** Largest SDP onair reads (offers are a few KiB; simulcast with many candidates stays well below). */
export const MAX_SDP_BYTES = 128 * 1024;

function mediaType(req: Request): string {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

function readText(req: Request, type: string, what: string): string {
  const got = mediaType(req);
  if (got !== type) {
    throw new DomainError('unsupported-media-type', `send the ${what} with "Content-Type: ${type}" (got ${got ? `"${got}"` : 'none'})`);
  }
  const body: unknown = req.body;
  if (typeof body !== 'string' || body.trim() === '') throw new DomainError('bad-request', `the request body must be ${what}`);
  return body;
}

/**
 * Parses a WHIP/WHEP POST at the edge: the content type must be application/sdp (RFC 9725
 * §4.2), and the offer is parsed and checked here, once, for a publisher or a player.
 */
export function readSdpOffer(req: Request, role: Role): ClientOffer {
  return ClientOffer.parse(readText(req, 'application/sdp', 'an SDP offer'), role);
}

/** A WHIP/WHEP session PATCH (RFC 9725 §4.3.1): a trickle-ice-sdpfrag body and its If-Match. */
export function readPatch(req: Request): { ifMatch?: string; body: string } {
  if (mediaType(req) === 'application/sdp') {
    // WHEP's server-offer mode PATCHes an SDP answer; onair always answers the player's offer.
    throw new DomainError('unsupported-media-type', 'onair answers the player\'s offer, so there is no SDP answer to PATCH; send application/trickle-ice-sdpfrag for trickle or ICE restart');
  }
  const body = readText(req, 'application/trickle-ice-sdpfrag', 'a trickle-ice-sdpfrag fragment (RFC 8840)');
  return { ifMatch: req.headers['if-match'], body };
}

/** The bearer token of an Authorization header (RFC 6750 §2.1), if any. */
export function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const m = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(header);
  if (!m) throw new DomainError('unauthorized', 'the Authorization header must be "Bearer <stream key>"');
  return m[1];
}

/**
 * A JSON request body (studio, accounts, the WHEP extensions) after the content-type check;
 * with `optional`, a request without any body reads as `{}`.
 */
export function readJsonBody(req: Request, what: string, opts: { optional?: boolean } = {}): unknown {
  if (opts.optional && !req.headers['content-type'] && (req.headers['content-length'] ?? '0') === '0') return {};
  if (mediaType(req) !== 'application/json') {
    throw new DomainError('unsupported-media-type', `send the ${what} as "Content-Type: application/json"`);
  }
  const body = req.body as unknown;
  // Postgres text refuses U+0000 (the insert fails) and so does Janus's JSON parser: no field
  // onair takes can hold it, so refuse it here, once, instead of failing deep inside.
  if (holdsNul(body)) throw new DomainError('bad-request', `the ${what} holds a NUL character (U+0000), which no field accepts`);
  return body;
}

/** Whether a parsed JSON value has U+0000 in any string or key (bodies are capped at 16 KiB). */
function holdsNul(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const v = pending.pop();
    if (typeof v === 'string') {
      if (v.includes('\0')) return true;
    } else if (Array.isArray(v)) {
      pending.push(...v);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        if (k.includes('\0')) return true;
        pending.push(child);
      }
    }
  }
  return false;
}
