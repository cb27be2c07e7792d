import { formatLinks, iceServerLinks, IceServer, LinkEntry } from '@onair/protocol';
import type { Response } from 'express';
import type { StepTiming } from '../http/step-timer';
import { PatchResult } from './ice-session';

export const TRICKLE_ICE_SDPFRAG = 'application/trickle-ice-sdpfrag';

/**
 * The 201 of a WHIP or WHEP POST (RFC 9725 §4.2): the answer, the session URL, the strong
 * ETag of its ICE session, one Link per STUN/TURN server (§4.6) and per extension.
 */
export function sendSessionCreated(
  res: Response,
  created: { location: string; etag: string; answerSdp: string; iceServers: IceServer[]; extensions?: LinkEntry[]; timings?: StepTiming[] },
): void {
  // Server-Timing (W3C): where the POST's time went, for operators and `npm run bench`, and
  // `total`, from the request reaching onair to this answer (what is not in the steps is HTTP).
  if (created.timings?.length) {
    const receivedAt = res.locals.receivedAt as number | undefined;
    const steps = receivedAt === undefined ? created.timings : [...created.timings, { name: 'total', ms: performance.now() - receivedAt }];
    res.setHeader('Server-Timing', steps.map((t) => `${t.name};dur=${t.ms.toFixed(1)}`).join(', '));
  }
  const links = [...iceServerLinks(created.iceServers), ...(created.extensions ?? [])];
  if (links.length > 0) res.setHeader('Link', formatLinks(links));
  res.setHeader('ETag', created.etag);
  res.setHeader('Accept-Patch', TRICKLE_ICE_SDPFRAG);
  res.location(created.location);
  sendBody(res, 201, 'application/sdp', created.answerSdp);
}

/**
 * Writes a body with exactly this Content-Type. Express's res.send() appends
 * "; charset=utf-8" to text bodies; WHIP/WHEP answers and sdpfrags are `application/sdp` and
 * `application/trickle-ice-sdpfrag` without parameters (strict clients compare the string).
 */
function sendBody(res: Response, status: number, type: string, body: string): void {
  const bytes = Buffer.from(body, 'utf8');
  res.status(status);
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', String(bytes.length));
  res.end(bytes);
}

/** Trickle → 204 without body or ETag (§4.3.2); ICE restart → 200 + sdpfrag + new ETag (§4.3.3). */
export function sendPatchResult(res: Response, result: PatchResult): void {
  if (result.kind === 'trickled') {
    res.status(204).end();
    return;
  }
  res.setHeader('ETag', result.etag);
  sendBody(res, 200, TRICKLE_ICE_SDPFRAG, result.fragment);
}

/**
 * OPTIONS on a WHIP/WHEP endpoint that is not a CORS preflight (those are answered by the
 * CORS middleware): endpoint discovery, with the ICE servers to configure before the offer
 * (TURN only for a client whose key or token was checked: the caller decides).
 */
export function sendEndpointOptions(res: Response, iceServers: IceServer[]): void {
  res.setHeader('Allow', 'POST, OPTIONS, HEAD');
  res.setHeader('Accept-Post', 'application/sdp');
  const links = iceServerLinks(iceServers);
  if (links.length > 0) res.setHeader('Link', formatLinks(links));
  res.status(204).end();
}

export function sendSessionOptions(res: Response): void {
  res.setHeader('Allow', 'PATCH, DELETE, OPTIONS');
  res.setHeader('Accept-Patch', TRICKLE_ICE_SDPFRAG);
  res.status(204).end();
}

/** HEAD on an endpoint: it exists and takes SDP (WHEP §4.2: 200 with application/sdp). */
export function sendEndpointHead(res: Response): void {
  res.setHeader('Accept-Post', 'application/sdp');
  res.status(200);
  res.setHeader('Content-Type', 'application/sdp');
  res.end();
}
