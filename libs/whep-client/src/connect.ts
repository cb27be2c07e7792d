/**
 * Setting up a WHEP session (RFC 9725-style offer/answer over HTTP, as WHEP uses it): the
 * receive-only offer, ICE gathering, the POST and the answer. What happens once the session
 * is up (watching it, ending it) is {@link WhepConnection}'s, in connection.ts.
 */
import { WhepConnection, type WhepEndReason } from './connection';
import { WhepError } from './errors';
import { absoluteUrl, iceServersFromLinkHeader, resolveLocation } from './http';
import { authHeaders, deleteResource } from './resource';

/** Options of {@link whepConnect}. */
export interface WhepConnectOptions {
  /** The WHEP endpoint URL, e.g. `https://api.example.com/whep/demo`. Relative URLs resolve against the page. */
  endpoint: string;
  /** Sent as `Authorization: Bearer <token>` on POST and DELETE. */
  token?: string;
  /** Aborts the connection attempt (not an established connection; use {@link WhepConnection.close}). */
  signal?: AbortSignal;
  /** ICE servers for the local PeerConnection (e.g. from a previous session's `Link` headers). */
  iceServers?: RTCIceServer[];
  /**
   * Ask the endpoint for its ICE servers first (`OPTIONS`, RFC 9725 §4.4), with the token, and
   * use the STUN/TURN servers its `Link` headers name beside `iceServers`. A server that mints
   * TURN credentials only for a live channel and a valid token (as onair does) hands them out
   * here, before the offer, which is when the browser needs them. A failed discovery is not an
   * error: the player goes on with `iceServers`.
   */
  discoverIceServers?: boolean;
  /** `'relay'` to connect through TURN only (a test, or a network that blocks the rest). */
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** How long to wait for ICE gathering before sending the offer with what we have. Default 1000 ms. */
  iceGatheringTimeoutMs?: number;
  /** How long `connectionState === 'disconnected'` is tolerated before ending. Default 2000 ms. */
  disconnectedGraceMs?: number;
  /** Once media flowed, end when no video frame or packet arrived for this long. Default 4000 ms. */
  stallTimeoutMs?: number;
  /** End when no media at all arrived this long after the session was created. Default 10000 ms. */
  mediaTimeoutMs?: number;
  /** Called once when the connection ends, for whatever reason (see {@link WhepConnection.ended}). */
  onEnded?: (reason: WhepEndReason) => void;
}

/** The ICE servers an endpoint names on OPTIONS (empty when it names none or can't be reached). */
async function discoverIceServers(endpoint: string, token: string | undefined, signal?: AbortSignal): Promise<RTCIceServer[]> {
  try {
    const res = await fetch(endpoint, { method: 'OPTIONS', headers: authHeaders(token), cache: 'no-store', signal });
    return res.ok ? iceServersFromLinkHeader(res.headers.get('link')) : [];
  } catch {
    return [];
  }
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

/** Resolves when ICE gathering completes, or after `timeoutMs`, whichever comes first. */
function waitForIceGathering(pc: RTCPeerConnection, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      pc.removeEventListener('icegatheringstatechange', onState);
      pc.removeEventListener('icecandidate', onCandidate);
      signal?.removeEventListener('abort', onAbort);
    };
    const done = () => {
      cleanup();
      resolve();
    };
    const onState = () => {
      if (pc.iceGatheringState === 'complete') done();
    };
    const onCandidate = (event: RTCPeerConnectionIceEvent) => {
      if (!event.candidate) done();
    };
    const onAbort = () => {
      cleanup();
      reject(abortReason(signal!));
    };
    const timer = setTimeout(done, timeoutMs);
    pc.addEventListener('icegatheringstatechange', onState);
    pc.addEventListener('icecandidate', onCandidate);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Creates a receive-only WHEP session: builds an offer with one recvonly audio and one
 * recvonly video transceiver, waits (at most `iceGatheringTimeoutMs`) for ICE gathering,
 * POSTs the offer as `application/sdp` and applies the SDP answer. No trickle ICE: the
 * server's answer is expected to carry all of its candidates.
 *
 * @returns the established {@link WhepConnection} (the PeerConnection may still be
 *   connecting; watch {@link WhepConnection.ended} for its end).
 * @throws {@link WhepError} on HTTP errors (`status`, `retryAfterSeconds`, `detail` from
 *   problem+json), network errors (`code: 'network'`, `status: 0`), unusable answers and
 *   missing WebRTC support; the signal's abort reason when aborted.
 *
 * @example
 * ```ts
 * const conn = await whepConnect({ endpoint: 'https://api.example.com/whep/demo' });
 * video.srcObject = conn.stream;
 * conn.ended.then((reason) => console.log('stream ended:', reason));
 * // later
 * await conn.close();
 * ```
 */
export async function whepConnect(options: WhepConnectOptions): Promise<WhepConnection> {
  const { signal, token } = options;
  if (signal?.aborted) throw abortReason(signal);
  if (typeof RTCPeerConnection === 'undefined') {
    throw new WhepError('WebRTC is not supported in this environment', { code: 'unsupported' });
  }
  const endpoint = absoluteUrl(options.endpoint);

  const discovered = options.discoverIceServers ? await discoverIceServers(endpoint, token, signal) : [];
  if (signal?.aborted) throw abortReason(signal);
  const pc = new RTCPeerConnection({
    iceServers: [...(options.iceServers ?? []), ...discovered],
    iceTransportPolicy: options.iceTransportPolicy ?? 'all',
    bundlePolicy: 'max-bundle',
  });
  const stream = new MediaStream();
  pc.addEventListener('track', (event) => {
    if (!stream.getTrackById(event.track.id)) stream.addTrack(event.track);
  });

  let resourceUrl: string | null = null;
  try {
    pc.addTransceiver('audio', { direction: 'recvonly' });
    pc.addTransceiver('video', { direction: 'recvonly' });
    await pc.setLocalDescription(await pc.createOffer());
    await waitForIceGathering(pc, options.iceGatheringTimeoutMs ?? 1000, signal);
    const offer = pc.localDescription?.sdp;
    if (!offer) throw new Error('Could not create an SDP offer');

    let response: Response;
    try {
      response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/sdp', ...authHeaders(token) },
        body: offer,
        cache: 'no-store',
        signal,
      });
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal);
      throw new WhepError(`Could not reach the WHEP endpoint ${endpoint}`, { code: 'network', cause: error });
    }

    if (!response.ok) throw await WhepError.fromResponse(response);

    // Browsers only expose these cross-origin if the API lists them in Access-Control-Expose-Headers.
    resourceUrl = resolveLocation(response.headers.get('location'), endpoint);
    const iceServers = iceServersFromLinkHeader(response.headers.get('link'));

    let answer: string;
    try {
      answer = await response.text();
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal);
      throw new WhepError('Could not read the SDP answer', { code: 'network', status: response.status, cause: error });
    }
    if (signal?.aborted) throw abortReason(signal);
    if (!answer.trimStart().startsWith('v=')) {
      throw new WhepError('The WHEP endpoint did not return an SDP answer', { code: 'invalid-answer', status: response.status });
    }
    try {
      await pc.setRemoteDescription({ type: 'answer', sdp: answer });
    } catch (error) {
      throw new WhepError('The SDP answer was rejected by the browser', { code: 'invalid-answer', status: response.status, cause: error });
    }
    if (signal?.aborted) throw abortReason(signal);

    return new WhepConnection({ pc, stream, resourceUrl, iceServers, token, options });
  } catch (error) {
    pc.close();
    if (resourceUrl) void deleteResource(resourceUrl, token);
    throw error;
  }
}
