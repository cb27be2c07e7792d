import { WhepError } from './errors';
import { absoluteUrl, iceServersFromLinkHeader, resolveLocation } from './http';

/**
 * Why a {@link WhepConnection} ended:
 * - `'closed'`: {@link WhepConnection.close} was called.
 * - `'remote-closed'`: the server closed the PeerConnection (e.g. the publisher stopped).
 * - `'failed'`: ICE or DTLS failed.
 * - `'disconnected'`: the connection stayed `disconnected` longer than the grace period.
 * - `'stalled'`: media was flowing, then no video frame/packet arrived for `stallTimeoutMs`.
 * - `'no-media'`: the session was set up but no media arrived within `mediaTimeoutMs`.
 */
export type WhepEndReason = 'closed' | 'remote-closed' | 'failed' | 'disconnected' | 'stalled' | 'no-media';

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

const STATS_INTERVAL_MS = 1000;

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

function authHeaders(token: string | undefined): Record<string, string> {
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/** Best-effort DELETE of a WHEP session; never throws. */
async function deleteResource(url: string, token: string | undefined, keepalive = false): Promise<void> {
  try {
    const response = await fetch(url, { method: 'DELETE', headers: authHeaders(token), cache: 'no-store', keepalive });
    // Drain the body so the connection can be reused; the status does not matter.
    await response.body?.cancel().catch(() => undefined);
  } catch {
    // The server may be gone or the page unloading: nothing useful to do.
  }
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

  const pc = new RTCPeerConnection({ iceServers: options.iceServers ?? [], bundlePolicy: 'max-bundle' });
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

/** @internal Constructor arguments of {@link WhepConnection}. */
export interface WhepConnectionInit {
  pc: RTCPeerConnection;
  stream: MediaStream;
  resourceUrl: string | null;
  iceServers: RTCIceServer[];
  token: string | undefined;
  options: WhepConnectOptions;
}

/**
 * A receive-only WHEP session created by {@link whepConnect}.
 *
 * It watches itself and ends (once) when the PeerConnection fails, is closed by the
 * server, stays disconnected, or media stops flowing; ending releases the server-side
 * session with a DELETE. Use {@link WhepConnection.ended} or `onEnded` to react.
 */
export class WhepConnection {
  /** The remote audio/video, ready for `video.srcObject`. */
  readonly stream: MediaStream;
  /** The underlying PeerConnection (e.g. for `getStats()`). Do not close it directly. */
  readonly peerConnection: RTCPeerConnection;
  /** Absolute URL of the WHEP session (from `Location`), or `null` if the server sent none or it was not exposed via CORS. */
  readonly resourceUrl: string | null;
  /** ICE servers the server advertised in `Link: <...>; rel="ice-server"` headers (maybe empty). */
  readonly iceServers: readonly RTCIceServer[];
  /** Resolves (never rejects) with the reason once the connection has ended. */
  readonly ended: Promise<WhepEndReason>;

  private readonly token: string | undefined;
  private readonly onEnded: ((reason: WhepEndReason) => void) | undefined;
  private readonly disconnectedGraceMs: number;
  private readonly stallTimeoutMs: number;
  private readonly mediaTimeoutMs: number;
  private readonly createdAt = Date.now();
  private resolveEnded!: (reason: WhepEndReason) => void;
  private endReason: WhepEndReason | null = null;
  private releasePromise: Promise<void> | null = null;
  private disconnectedTimer: ReturnType<typeof setTimeout> | undefined;
  private statsTimer: ReturnType<typeof setInterval> | undefined;
  private wasConnected = false;
  private mediaFlowing = false;
  private lastProgressAt = 0;
  private lastCounters = { videoFrames: -1, videoPackets: -1, audioPackets: -1 };
  private readonly cleanups: Array<() => void> = [];

  /** @internal Use {@link whepConnect}. */
  constructor(init: WhepConnectionInit) {
    this.peerConnection = init.pc;
    this.stream = init.stream;
    this.resourceUrl = init.resourceUrl;
    this.iceServers = init.iceServers;
    this.token = init.token;
    this.onEnded = init.options.onEnded;
    this.disconnectedGraceMs = init.options.disconnectedGraceMs ?? 2000;
    this.stallTimeoutMs = init.options.stallTimeoutMs ?? 4000;
    this.mediaTimeoutMs = init.options.mediaTimeoutMs ?? 10000;
    this.ended = new Promise<WhepEndReason>((resolve) => {
      this.resolveEnded = resolve;
    });
    this.watch();
  }

  /** Why the connection ended, or `null` while it is still up. */
  get endedReason(): WhepEndReason | null {
    return this.endReason;
  }

  /** `true` once video (or, for audio-only streams, audio) has been seen arriving. */
  get isMediaFlowing(): boolean {
    return this.mediaFlowing && this.endReason === null;
  }

  /**
   * Closes the PeerConnection and DELETEs the WHEP session. Idempotent: later calls
   * return the same promise. Never rejects (network errors are ignored).
   *
   * @param options.keepalive - send the DELETE with `fetch(..., { keepalive: true })` so it
   *   survives page unload (use from `pagehide`).
   */
  close(options?: { keepalive?: boolean }): Promise<void> {
    this.end('closed', options?.keepalive ?? false);
    return this.releasePromise ?? Promise.resolve();
  }

  private listen<K extends keyof RTCPeerConnectionEventMap>(type: K, fn: (ev: RTCPeerConnectionEventMap[K]) => void): void {
    this.peerConnection.addEventListener(type, fn);
    this.cleanups.push(() => this.peerConnection.removeEventListener(type, fn));
  }

  private watch(): void {
    const pc = this.peerConnection;
    this.listen('connectionstatechange', () => this.onConnectionState());

    // A server closing its side sends a DTLS close_notify: the DTLS transport goes 'closed'.
    const transports = new Set<RTCDtlsTransport>();
    for (const receiver of pc.getReceivers()) if (receiver.transport) transports.add(receiver.transport);
    for (const transport of transports) {
      const onState = () => {
        if (transport.state === 'closed') this.end('remote-closed');
        else if (transport.state === 'failed') this.end('failed');
      };
      transport.addEventListener('statechange', onState);
      this.cleanups.push(() => transport.removeEventListener('statechange', onState));
    }

    // Remote tracks end when the remote side stops them.
    for (const track of this.stream.getTracks()) {
      const onEnded = () => {
        if (this.stream.getTracks().every((t) => t.readyState === 'ended')) this.end('remote-closed');
      };
      track.addEventListener('ended', onEnded);
      this.cleanups.push(() => track.removeEventListener('ended', onEnded));
    }

    this.statsTimer = setInterval(() => void this.checkMedia(), STATS_INTERVAL_MS);
    this.onConnectionState();
  }

  private onConnectionState(): void {
    const state = this.peerConnection.connectionState;
    if (state !== 'disconnected') {
      clearTimeout(this.disconnectedTimer);
      this.disconnectedTimer = undefined;
    }
    switch (state) {
      case 'connected':
        this.wasConnected = true;
        break;
      case 'disconnected':
        this.disconnectedTimer ??= setTimeout(() => this.end('disconnected'), this.disconnectedGraceMs);
        break;
      case 'failed':
        this.end('failed');
        break;
      case 'closed':
        this.end('remote-closed');
        break;
      case 'new':
        // Chrome reports 'new' again once all transports were closed by the remote side.
        if (this.wasConnected) this.end('remote-closed');
        break;
      default:
        break;
    }
  }

  /** Polls inbound-rtp stats to tell "media flowing" from "stalled". */
  private async checkMedia(): Promise<void> {
    if (this.endReason) return;
    let report: RTCStatsReport;
    try {
      report = await this.peerConnection.getStats();
    } catch {
      return;
    }
    if (this.endReason) return;

    let videoSeen = false;
    let videoFrames = 0;
    let videoPackets = 0;
    let audioPackets = 0;
    report.forEach((stat: { type?: string; kind?: string; mediaType?: string; framesDecoded?: number; packetsReceived?: number }) => {
      if (stat.type !== 'inbound-rtp') return;
      const kind = stat.kind ?? stat.mediaType;
      if (kind === 'video') {
        videoSeen = true;
        videoFrames += stat.framesDecoded ?? 0;
        videoPackets += stat.packetsReceived ?? 0;
      } else if (kind === 'audio') {
        audioPackets += stat.packetsReceived ?? 0;
      }
    });

    const last = this.lastCounters;
    // Video decides once it exists; audio only matters for audio-only streams.
    const progressed = videoSeen
      ? videoFrames > last.videoFrames || videoPackets > last.videoPackets
      : audioPackets > last.audioPackets;
    const now = Date.now();
    if (progressed && (videoSeen ? videoFrames + videoPackets > 0 : audioPackets > 0)) {
      this.lastProgressAt = now;
      this.mediaFlowing = true;
    }
    this.lastCounters = { videoFrames, videoPackets, audioPackets };

    if (this.mediaFlowing) {
      if (now - this.lastProgressAt >= this.stallTimeoutMs) this.end('stalled');
    } else if (now - this.createdAt >= this.mediaTimeoutMs) {
      this.end('no-media');
    }
  }

  /** Ends the connection once: stop watching, close the PC, DELETE the session, notify. */
  private end(reason: WhepEndReason, keepalive = false): void {
    if (this.endReason) return;
    this.endReason = reason;
    clearTimeout(this.disconnectedTimer);
    clearInterval(this.statsTimer);
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    try {
      this.peerConnection.close();
    } catch {
      // already closed
    }
    this.releasePromise = this.resourceUrl ? deleteResource(this.resourceUrl, this.token, keepalive) : Promise.resolve();
    this.resolveEnded(reason);
    if (this.onEnded) {
      try {
        this.onEnded(reason);
      } catch (error) {
        setTimeout(() => {
          throw error;
        });
      }
    }
  }
}
