/**
 * The slice of janode 1.8 that the adapter uses, typed here because janode ships no
 * declarations. janode is an ES module; Node >= 20.19 can require() it, and jest turns it
 * into CommonJS (see jest.preset.js), so the default export may or may not be unwrapped.
 * Only the adapter (media/janus) may import this file, and the tests and benches that look
 * at Janus from outside.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- janode is loaded with require() (see above) */

export interface JanodeEmitter {
  on(event: string, listener: (data: any) => void): this;
  once(event: string, listener: (data: any) => void): this;
  removeAllListeners(event?: string): this;
}

export interface JanusMessage {
  janus: string;
  plugindata?: { plugin: string; data: Record<string, any> };
  jsep?: { type: string; sdp: string };
  [key: string]: unknown;
}

export interface JanodeHandle extends JanodeEmitter {
  readonly id: number;
  message(body: Record<string, unknown>, jsep?: { type: string; sdp: string }): Promise<JanusMessage>;
  detach(): Promise<void>;
  hangup(): Promise<void>;
  /** Janus core `trickle`: one candidate object, or an array (sent as `candidates`). */
  trickle(candidate: JanusCandidate | JanusCandidate[]): Promise<unknown>;
  trickleComplete(): Promise<unknown>;
}

export interface JanusCandidate {
  sdpMid: string;
  candidate: string;
}

export interface VideoRoomHandle extends JanodeHandle {
  joinConfigurePublisher(params: {
    room: string;
    display?: string;
    audio?: boolean;
    video?: boolean;
    /** Janus also reads `rid_order` ("hml" | "lmh") from the jsep of a simulcast offer. */
    jsep: { type: 'offer'; sdp: string; rid_order?: 'hml' | 'lmh' };
  }): Promise<{ feed: string | number; jsep?: { type: string; sdp: string } }>;
}

export interface StreamingHandle extends JanodeHandle {
  watch(params: { id: string; jsep: { type: 'offer'; sdp: string } }): Promise<{
    status: string;
    jsep?: { type: string; sdp: string };
  }>;
}

export interface JanodeSession extends JanodeEmitter {
  readonly id: number;
  attach<H extends JanodeHandle>(plugin: PluginDescriptor): Promise<H>;
  destroy(): Promise<void>;
}

export interface JanodeConnection extends JanodeEmitter {
  create(keepAliveSecs?: number): Promise<JanodeSession>;
  getInfo(): Promise<Record<string, unknown>>;
  close(): Promise<void>;
  listSessions(): Promise<{ sessions: number[] }>;
  listHandles(sessionId: number): Promise<{ handles: number[] }>;
  handleInfo(sessionId: number, handleId: number): Promise<{ info?: Record<string, unknown> }>;
}

export interface PluginDescriptor {
  id: string;
  Handle: unknown;
  EVENT: Record<string, string>;
}

interface JanodeModule {
  connect(config: {
    address: { url: string; apisecret?: string } | { url: string; apisecret?: string }[];
    retry_time_secs?: number;
    max_retries?: number;
    is_admin?: boolean;
  }): Promise<JanodeConnection>;
  Logger: { setLevel(level: string): string };
  EVENT: {
    CONNECTION_CLOSED: string;
    CONNECTION_ERROR: string;
    SESSION_DESTROYED: string;
    HANDLE_DETACHED: string;
    HANDLE_HANGUP: string;
    HANDLE_MEDIA: string;
    HANDLE_WEBRTCUP: string;
    HANDLE_ICE_FAILED: string;
  };
}

function unwrapDefault<T>(mod: any): T {
  return (mod && mod.default) || mod;
}

export const Janode = unwrapDefault<JanodeModule>(require('janode'));
export const VideoRoomPlugin = unwrapDefault<PluginDescriptor>(require('janode/plugins/videoroom'));
export const StreamingPlugin = unwrapDefault<PluginDescriptor>(require('janode/plugins/streaming'));

/** janode's errors carry Janus's numeric error code in `_code` for plugin errors. */
export function janusErrorCode(error: unknown): number | undefined {
  if (error && typeof error === 'object') {
    const code = (error as { _code?: unknown })._code;
    if (typeof code === 'number') return code;
    const m = /^(\d{3}) /.exec((error as Error).message ?? '');
    if (m) return Number(m[1]);
  }
  return undefined;
}

/** Janus plugin error codes onair reacts to (janus_videoroom.c / janus_streaming.c). */
export const JANUS_ERR = {
  VIDEOROOM_NO_SUCH_ROOM: 426,
  VIDEOROOM_ROOM_EXISTS: 427,
  VIDEOROOM_NO_SUCH_FEED: 428,
  VIDEOROOM_INVALID_SDP: 437,
  STREAMING_NO_SUCH_MOUNTPOINT: 455,
  /** Also "A stream with the provided ID already exists". */
  STREAMING_CANT_CREATE: 456,
  STREAMING_INVALID_SDP: 461,
  /** Janus core JANUS_ERROR_JSEP_INVALID_SDP: its own SDP parser refused the offer. */
  JSEP_INVALID_SDP: 465,
} as const;
