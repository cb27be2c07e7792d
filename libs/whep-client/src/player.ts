import { whepConnect } from './connect';
import type { WhepConnection, WhepEndReason } from './connection';
import { isWhepError } from './errors';

/**
 * State of a {@link WhepPlayer}:
 * - `'connecting'`: negotiating a session, or waiting for the first frame.
 * - `'live'`: media is playing (or ready to play if autoplay was blocked).
 * - `'offline'`: the channel is not live; the player keeps checking by itself.
 * - `'error'`: something is wrong; `detail` says what. The player keeps retrying unless
 *   the error is permanent (unknown channel, forbidden, no WebRTC).
 */
export type WhepPlayerState = 'offline' | 'connecting' | 'live' | 'error';

/** Options of {@link WhepPlayer}. */
export interface WhepPlayerOptions {
  /** The element to play into. The player sets `srcObject`, `playsInline`, `autoplay` and initially `muted`. */
  video: HTMLVideoElement;
  /** WHEP endpoint URL (see {@link channelWhepEndpoint}). */
  endpoint: string;
  /** Channel name for user-facing messages (e.g. "No channel named demo"). Defaults to the endpoint's last path segment. */
  channelName?: string;
  /** Bearer token for private channels. */
  token?: string;
  /** ICE servers; when omitted, those advertised by the server's `Link` headers are reused on reconnects. */
  iceServers?: RTCIceServer[];
  /**
   * Ask the endpoint for its STUN/TURN servers (`OPTIONS`) before an attempt, so that TURN
   * (whose credentials onair mints only for a live channel and a valid token) is there for the
   * first offer. Default true. Not while polling a channel found offline: those attempts reuse
   * the servers learned from an earlier 201, and a session that then fails to connect is
   * followed by an attempt that asks again.
   */
  discoverIceServers?: boolean;
  /** Called on every state or detail change. `detail` is a human-readable message (mostly for `'error'`). */
  onStateChange?: (state: WhepPlayerState, detail?: string) => void;
  /** Called when the browser refused to start playback even muted; call {@link WhepPlayer.play} from a click. */
  onAutoplayBlocked?: () => void;
  /** Wait before re-checking an offline channel when the server sends no `Retry-After`. Default 2 s. */
  defaultRetryAfterSeconds?: number;
  /** Upper bound for any wait between attempts. Default 10 s. */
  maxRetryAfterSeconds?: number;
}

/** Builds the onair WHEP endpoint of a channel: `${apiBaseUrl}/whep/${channel}`. */
export function channelWhepEndpoint(apiBaseUrl: string, channel: string): string {
  return `${apiBaseUrl.replace(/\/+$/, '')}/whep/${encodeURIComponent(channel)}`;
}

/** What to do after a failed attempt. */
interface RetryPlan {
  state: WhepPlayerState;
  detail?: string;
  /** Seconds to wait before the next attempt; `null` = give up. */
  delaySeconds: number | null;
}

const MIN_RETRY_SECONDS = 1;
/** Sessions shorter than this count as failures for the reconnect backoff. */
const SHORT_SESSION_MS = 10_000;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Keeps a `<video>` element playing a WHEP stream, through the stream going offline and
 * coming back:
 *
 * - tries {@link whepConnect}; on 409 (channel offline) waits `Retry-After` seconds
 *   (default 2, capped at 10) and tries again, in state `'offline'`;
 * - on 404 goes to `'error'` ("No channel named X") and stops;
 * - on network/server errors goes to `'error'` and retries with backoff;
 * - once connected, goes `'live'` when the first frame is there; when the connection ends
 *   (publisher stopped, network lost, media stalled) goes back to `'offline'` and retries.
 *
 * Autoplay: the video is muted before the first `play()` so browsers allow it; offer an
 * unmute control (the player keeps the user's choice across reconnects, falling back to
 * muted if the browser refuses unmuted playback).
 *
 * @example
 * ```ts
 * const player = new WhepPlayer({
 *   video,
 *   endpoint: channelWhepEndpoint('https://api.example.com', 'demo'),
 *   onStateChange: (state, detail) => render(state, detail),
 * });
 * player.start();
 * // on teardown
 * player.stop();
 * ```
 */
export class WhepPlayer {
  private readonly options: WhepPlayerOptions;
  private currentState: WhepPlayerState = 'connecting';
  private currentDetail: string | undefined;
  private controller: AbortController | null = null;
  private current: WhepConnection | null = null;
  private learnedIceServers: RTCIceServer[] | undefined;
  private hasPlayed = false;
  private willRetry = true;

  constructor(options: WhepPlayerOptions) {
    this.options = options;
  }

  /** Current state. */
  get state(): WhepPlayerState {
    return this.currentState;
  }

  /** Human-readable detail of the current state, if any. */
  get detail(): string | undefined {
    return this.currentDetail;
  }

  /** The live connection, if any. */
  get connection(): WhepConnection | null {
    return this.current;
  }

  /** `true` between {@link start} and {@link stop} (or a permanent error). */
  get running(): boolean {
    return this.controller !== null;
  }

  /**
   * Whether the player keeps trying by itself in the current state. `false` after a
   * permanent error (unknown channel, forbidden, no WebRTC) or {@link stop}: call
   * {@link start} to try again. Valid inside `onStateChange`.
   */
  get retrying(): boolean {
    return this.controller !== null && !this.controller.signal.aborted && this.willRetry;
  }

  /** Starts (or restarts after {@link stop} or a permanent error) the connect loop. No-op while running. */
  start(): void {
    if (this.controller) return;
    const controller = new AbortController();
    this.controller = controller;
    // Release the server-side session when the page goes away (React cleanups don't run then).
    const onPageHide = () => void this.current?.close({ keepalive: true });
    globalThis.addEventListener?.('pagehide', onPageHide);
    void this.run(controller.signal).finally(() => {
      globalThis.removeEventListener?.('pagehide', onPageHide);
      if (this.controller === controller) this.controller = null;
    });
  }

  /**
   * Stops everything: aborts a pending attempt, closes the connection (DELETE) and
   * detaches the stream from the video. No state change is reported afterwards.
   */
  stop(): Promise<void> {
    this.controller?.abort();
    this.controller = null;
    const connection = this.current;
    this.current = null;
    this.detach();
    return connection ? connection.close() : Promise.resolve();
  }

  /** Resumes playback after the browser blocked autoplay; call it from a user gesture. */
  async play(): Promise<void> {
    await this.options.video.play();
  }

  private setState(state: WhepPlayerState, detail?: string): void {
    if (this.controller?.signal.aborted) return;
    if (state === this.currentState && detail === this.currentDetail) return;
    this.currentState = state;
    this.currentDetail = detail;
    this.options.onStateChange?.(state, detail);
  }

  private get channelName(): string {
    if (this.options.channelName) return this.options.channelName;
    try {
      const path = new URL(this.options.endpoint, 'http://x').pathname.replace(/\/+$/, '');
      return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1)) || this.options.endpoint;
    } catch {
      return this.options.endpoint;
    }
  }

  private async run(signal: AbortSignal): Promise<void> {
    const maxWait = this.options.maxRetryAfterSeconds ?? 10;
    const clampWait = (seconds: number) => Math.min(maxWait, Math.max(MIN_RETRY_SECONDS, seconds));
    /** Consecutive failed attempts other than "offline" (drives the backoff). */
    let errors = 0;
    /** Consecutive sessions that died within {@link SHORT_SESSION_MS}. */
    let shortSessions = 0;
    this.willRetry = true;
    this.setState('connecting');

    /** The last attempt found the channel offline (409): polling it again asks for no ICE servers. */
    let offline = false;
    while (!signal.aborted) {
      let connection: WhepConnection;
      // Discovery costs a request (and a token of onair's per-address bucket): not on every
      // poll of an offline channel, where the servers learned from an earlier 201 are reused.
      const discover = (this.options.discoverIceServers ?? true) && !offline;
      try {
        connection = await whepConnect({
          endpoint: this.options.endpoint,
          token: this.options.token,
          iceServers: this.options.iceServers ?? (discover ? undefined : this.learnedIceServers),
          discoverIceServers: discover,
          signal,
        });
      } catch (error) {
        if (signal.aborted) return;
        offline = isWhepError(error) && error.code === 'http' && error.status === 409;
        errors = offline ? 0 : errors + 1;
        const plan = this.planRetry(error, errors);
        this.willRetry = plan.delaySeconds !== null;
        this.setState(plan.state, plan.detail);
        if (plan.delaySeconds === null) return;
        await sleep(clampWait(plan.delaySeconds) * 1000, signal);
        continue;
      }
      if (signal.aborted) {
        void connection.close();
        return;
      }

      errors = 0;
      offline = false;
      if (!this.options.iceServers && connection.iceServers.length) this.learnedIceServers = [...connection.iceServers];
      this.setState('connecting');
      const startedAt = Date.now();
      const { reason, wasLive } = await this.runConnection(connection, signal);
      if (signal.aborted) return;

      if (wasLive || reason === 'no-media' || reason === 'remote-closed') {
        this.setState('offline');
      } else {
        this.setState('error', "Couldn't establish a media connection to the stream server. Retrying…");
      }
      // Reconnect right away after a healthy session; back off when sessions keep dying young.
      shortSessions = Date.now() - startedAt < SHORT_SESSION_MS ? shortSessions + 1 : 0;
      await sleep(shortSessions === 0 ? 500 : clampWait(2 ** (shortSessions - 1)) * 1000, signal);
    }
  }

  /** Decides state and wait after a failed {@link whepConnect}. */
  private planRetry(error: unknown, errors: number): RetryPlan {
    const backoff = Math.min(this.options.maxRetryAfterSeconds ?? 10, 2 ** Math.min(Math.max(errors, 1), 4));
    if (!isWhepError(error)) {
      return { state: 'error', detail: 'Could not start playback. Retrying…', delaySeconds: backoff };
    }
    switch (error.code) {
      case 'unsupported':
        return { state: 'error', detail: "This browser can't play live streams (WebRTC is not available).", delaySeconds: null };
      case 'network':
        return { state: 'error', detail: "Can't reach the stream server. Retrying…", delaySeconds: backoff };
      case 'invalid-answer':
        return { state: 'error', detail: 'The stream server sent an invalid answer. Retrying…', delaySeconds: backoff };
      case 'http':
        break;
    }
    const status = error.status;
    if (status === 409) {
      return { state: 'offline', delaySeconds: error.retryAfterSeconds ?? this.options.defaultRetryAfterSeconds ?? 2 };
    }
    if (status === 404) return { state: 'error', detail: `No channel named ${this.channelName}`, delaySeconds: null };
    if (status === 401 || status === 403) {
      return { state: 'error', detail: error.detail ?? 'You are not allowed to watch this channel.', delaySeconds: null };
    }
    if (status === 429 || status >= 500) {
      return {
        state: 'error',
        detail: error.detail ?? 'The stream server is temporarily unavailable. Retrying…',
        delaySeconds: error.retryAfterSeconds ?? backoff,
      };
    }
    return { state: 'error', detail: error.detail ?? `The stream server refused the request (HTTP ${status}).`, delaySeconds: null };
  }

  /** Attaches a connection to the video and waits until it ends (or the player stops). */
  private async runConnection(connection: WhepConnection, signal: AbortSignal): Promise<{ reason: WhepEndReason | 'stopped'; wasLive: boolean }> {
    const video = this.options.video;
    this.current = connection;
    let wasLive = false;

    const goLive = () => {
      if (wasLive || connection.endedReason || signal.aborted) return;
      wasLive = true;
      this.setState('live');
    };
    const onData = () => {
      if (video.readyState >= 2 /* HAVE_CURRENT_DATA */) goLive();
    };
    const events = ['loadeddata', 'playing', 'resize', 'canplay'] as const;
    for (const type of events) video.addEventListener(type, onData);

    video.playsInline = true;
    video.autoplay = true;
    if (!this.hasPlayed) video.muted = true;
    video.srcObject = connection.stream;
    this.hasPlayed = true;
    void this.startPlayback(video, signal);

    const stopped = new Promise<'stopped'>((resolve) => {
      if (signal.aborted) resolve('stopped');
      signal.addEventListener('abort', () => resolve('stopped'), { once: true });
    });
    const reason = await Promise.race([connection.ended, stopped]);

    for (const type of events) video.removeEventListener(type, onData);
    if (this.current === connection) {
      this.current = null;
      this.detach();
    }
    void connection.close();
    return { reason, wasLive };
  }

  private async startPlayback(video: HTMLVideoElement, signal: AbortSignal): Promise<void> {
    try {
      await video.play();
    } catch (error) {
      if (signal.aborted || (error as { name?: string })?.name !== 'NotAllowedError') return;
      if (!video.muted) {
        // Unmuted autoplay refused (no user activation yet): fall back to muted.
        video.muted = true;
        try {
          await video.play();
          return;
        } catch {
          // fall through
        }
      }
      if (!signal.aborted) this.options.onAutoplayBlocked?.();
    }
  }

  private detach(): void {
    const video = this.options.video;
    if (video.srcObject) video.srcObject = null;
  }
}
