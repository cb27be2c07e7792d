/**
 * The media-server port: the handful of verbs onair needs from a WebRTC media server.
 * The Janus adapter (media/janus) implements it; unit tests use a fake. Nothing Janus- or
 * janode-specific (handles, Janus feed numbers, rooms, mountpoints, jsep, plugin events) crosses this
 * boundary: a channel has a stage its publisher goes live on and a feed its viewers watch.
 */
import type { SdpOffer } from '@onair/protocol';

export type MediaKind = 'audio' | 'video';

/** Opaque reference to a publisher (an ingest PeerConnection) on the media server. */
export interface PublisherRef {
  readonly kind: 'publisher';
  readonly id: string;
}

/** Opaque reference to a viewer (a playback PeerConnection) on the media server. */
export interface ViewerRef {
  readonly kind: 'viewer';
  readonly id: string;
}

export interface NegotiatedTrack {
  mid: string;
  kind: MediaKind;
  /** Lower-case codec name as negotiated, e.g. 'h264', 'opus'. */
  codec: string;
  /**
   * Simulcast encodings (RFC 8853 rids) the publisher sends on this track, largest first
   * (the order OBS and browsers list them in a=simulcast). Absent without simulcast.
   */
  rids?: string[];
  /** The codec's format parameters (a=fmtp) as negotiated, e.g. H.264's profile-level-id. */
  fmtp?: string;
}

/** A remote ICE candidate from a trickle PATCH (RFC 8840), for the section with `mid`. */
export interface RemoteCandidate {
  mid: string;
  /** The a=candidate value, starting with "candidate:". */
  candidate: string;
}

/** Which simulcast layer a viewer receives: index into the track's rids (0 = largest). */
export interface LayerChoice {
  /** Index of the encoding in NegotiatedTrack.rids (0 = the full-size one). */
  encoding: number;
}

export type PeerRef = PublisherRef | ViewerRef;

export interface PublishRequest {
  /** The channel's stage: one per channel, it holds the host (and later guests). */
  stageId: string;
  stageName: string;
  /** The publisher's offer, parsed and checked where it arrived. */
  offer: SdpOffer;
  displayName: string;
}

export interface PublishResult {
  publisher: PublisherRef;
  answerSdp: string;
  tracks: NegotiatedTrack[];
}

export interface FanoutRequest {
  publisher: PublisherRef;
  /** The channel's live feed, the one viewers watch; one per channel. */
  feedId: string;
  name: string;
  tracks: NegotiatedTrack[];
  /** Keep this much of the latest GOP for new viewers (0 = off). */
  keyframeBufferMs: number;
}

export interface FanoutResult {
  /** rids viewers can switch between with selectLayer, largest first; empty if none. */
  selectableLayers: string[];
}

export interface WatchRequest {
  /** The channel's live feed (FanoutRequest.feedId). */
  feedId: string;
  /** The player's offer, parsed and checked where it arrived. */
  offer: SdpOffer;
  /** For a simulcast stream: the layer to start with. */
  layer?: LayerChoice;
}

export interface WatchResult {
  viewer: ViewerRef;
  answerSdp: string;
}

export interface RestartIceResult {
  /** The media server's answer to the restart offer: new ICE credentials and candidates. */
  answerSdp: string;
}

export type MediaGoneReason = 'hangup' | 'media-timeout' | 'media-server-lost' | 'closed';

export type MediaEvent =
  | { type: 'publisher-gone'; publisher: PublisherRef; reason: MediaGoneReason }
  | { type: 'viewer-gone'; viewer: ViewerRef; reason: MediaGoneReason }
  /** The connection to the media server dropped: every publisher and viewer is gone. */
  | { type: 'disconnected' }
  | { type: 'connected' };

/** What the media server sees of one incoming track of a publisher, right now. */
export interface TrackStats {
  mid: string;
  kind: MediaKind;
  codec: string;
  /** Received over the last second, all simulcast layers together. */
  bitrateKbps: number;
  packets: number;
  /** Packets lost on the way in, since the start (from RTCP receiver statistics). */
  packetsLost: number;
  /** Retransmission requests the media server sent the publisher, since the start. */
  nacks: number;
  /** Simulcast layers arriving (1 without simulcast). */
  layers: number;
}

export interface PublisherStats {
  tracks: TrackStats[];
}

export interface MediaHealth {
  ok: boolean;
  latencyMs?: number;
  detail?: string;
}

export interface MediaServer {
  /** Identifies the node (stored with each broadcast). */
  readonly nodeId: string;
  /** True while the media server answers. */
  readonly connected: boolean;

  /**
   * Put a publisher on the stage `stageId` (made on demand) with the client's offer. Refuses
   * with MediaNegotiationError, naming the codecs a channel accepts, an offer of which any
   * media would be dropped: a section the answer rejects, or one accepted with a codec the
   * stage cannot relay (RFC 9725 §4.2: the server must not silently drop media).
   */
  publish(req: PublishRequest): Promise<PublishResult>;
  /**
   * Start the live fan-out of a publisher to the channel's feed. Says which simulcast
   * encodings viewers can choose between (none: one layer is relayed).
   */
  startFanout(req: FanoutRequest): Promise<FanoutResult>;
  /** Attach a viewer to a channel's feed with the player's offer. */
  watch(req: WatchRequest): Promise<WatchResult>;
  /**
   * Release everything a publisher took (its fan-out, the feed and its viewers, its
   * PeerConnection, its stage). Idempotent; never throws for an already-gone publisher.
   */
  closePublisher(publisher: PublisherRef): Promise<void>;
  /** Release a viewer. Idempotent. */
  closeViewer(viewer: ViewerRef): Promise<void>;

  /** Hand trickled remote candidates (and/or the end of them) to a peer's ICE agent. */
  trickle(peer: PeerRef, candidates: RemoteCandidate[], endOfCandidates: boolean): Promise<void>;
  /**
   * Restart ICE with the client's new offer (same media, new ufrag/pwd). On failure the
   * peer keeps its current ICE session.
   */
  restartIce(peer: PeerRef, offerSdp: string): Promise<RestartIceResult>;
  /** Switch a viewer of a simulcast stream to another layer. */
  selectLayer(viewer: ViewerRef, choice: LayerChoice): Promise<void>;
  /**
   * Copies the publisher's video (its largest simulcast layer) as plain RTP to a UDP port on
   * this host's loopback, for onair's own stream probe. Ends with closePublisher.
   */
  tapVideo(publisher: PublisherRef, port: number): Promise<void>;
  /**
   * Whether the publisher has sent no media at all for at least `ms` (a crashed or cut-off
   * encoder): from what the media server already reported, else by watching its incoming
   * packet counters for `ms`. True for a publisher that is gone.
   */
  isPublisherSilent(publisher: PublisherRef, ms: number): Promise<boolean>;
  /** The publisher's incoming media as the media server sees it (studio health). */
  publisherStats(publisher: PublisherRef): Promise<PublisherStats>;

  onEvent(listener: (event: MediaEvent) => void): () => void;
  health(): Promise<MediaHealth>;
}

/** Nest injection token for the MediaServer port. */
export const MEDIA_SERVER = Symbol('MEDIA_SERVER');

export class MediaServerUnavailableError extends Error {
  constructor(detail: string) {
    super(`media server unavailable: ${detail}`);
    this.name = 'MediaServerUnavailableError';
  }
}

/** The media server refused an offer (codec not allowed, bad SDP...). */
export class MediaNegotiationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MediaNegotiationError';
  }
}

/** The feed or stage asked for doesn't exist (any more). */
export class MediaNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MediaNotFoundError';
  }
}
