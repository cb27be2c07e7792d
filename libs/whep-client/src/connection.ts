/**
 * A WHEP session once set up (connect.ts sets it up): it watches the PeerConnection and the
 * media, and ends once, for whatever reason, releasing the server's session.
 */
import type { WhepConnectOptions } from './connect';
import { inboundCounters, mediaProgressed, NO_COUNTERS, type InboundCounters } from './media-progress';
import { deleteResource } from './resource';

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

const STATS_INTERVAL_MS = 1000;

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
  private lastCounters: InboundCounters = NO_COUNTERS;
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

  /** Polls inbound-rtp stats to tell "media flowing" from "stalled" (media-progress.ts reads them). */
  private async checkMedia(): Promise<void> {
    if (this.endReason) return;
    let report: RTCStatsReport;
    try {
      report = await this.peerConnection.getStats();
    } catch {
      return;
    }
    if (this.endReason) return;

    const counters = inboundCounters(report);
    const now = Date.now();
    if (mediaProgressed(counters, this.lastCounters)) {
      this.lastProgressAt = now;
      this.mediaFlowing = true;
    }
    this.lastCounters = counters;

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
