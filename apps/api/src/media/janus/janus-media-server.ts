import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { CandidatePolicy, isCandidateDenied, parseSdp, preferH264PacketizationMode1, withoutDeniedCandidates } from '@onair/protocol';
import { ONAIR_CONFIG, OnairConfig } from '../../config/onair-config';
import {
  FanoutRequest,
  FanoutResult,
  LayerChoice,
  MediaEvent,
  MediaHealth,
  MediaInventory,
  MediaNegotiationError,
  MediaNotFoundError,
  MediaServer,
  MediaServerUnavailableError,
  NegotiatedTrack,
  PeerRef,
  PublisherRef,
  PublisherStats,
  TrackStats,
  RemoteCandidate,
  RestartIceResult,
  PublishRequest,
  PublishResult,
  ViewerRef,
  WatchRequest,
  WatchResult,
} from '../media-server';
import {
  Janode,
  JanodeHandle,
  JANUS_ERR,
  janusErrorCode,
  JanodeConnection,
  JanodeSession,
  StreamingHandle,
  StreamingPlugin,
  VideoRoomHandle,
  VideoRoomPlugin,
} from './janode';
import { withDeadline } from './deadline';

/** Rooms and mountpoints onair creates carry this description prefix (see reconcile()). */
const OWNER_TAG = 'onair:';
/** Codecs a channel room accepts, in Janus's order of preference (the room's order wins). */
const ROOM_CODECS = { video: ['h264', 'vp8', 'vp9', 'av1', 'h265'], audio: ['opus'] } as const;
/** Host, publisher and guests: room for later multi-host without a new room. */
const ROOM_MAX_PUBLISHERS = 6;
const REQUEST_TIMEOUT_MS = 5000;
/**
 * Janus's no_media_timer (infra/janus/janus.jcfg.template): it reports `receiving: false`
 * once a track has been silent this long, so a track is silent at least this much longer
 * than the time since that report.
 */
const NO_MEDIA_TIMER_MS = 1000;
/** SRTP on the forwarder -> mountpoint leg: AES_CM_128_HMAC_SHA1_80, a 30-byte master key+salt. */
const FORWARD_SRTP_SUITE = 80;
const SRTP_MASTER_LENGTH = 30;
/** Janus drops a PLI to a WebRTC publisher sent within a second of the previous one. */
const KEYFRAME_REQUEST_SPACING_MS = 1100;

/** Fixed payload types for the forward -> mountpoint leg, whatever the publisher negotiated. */
const MOUNTPOINT_FORMATS: Record<string, { pt: number; fmtp?: string }> = {
  opus: { pt: 111, fmtp: 'minptime=10;useinbandfec=1' },
  // The profile-level-id is the publisher's (see mountpointFmtp()); this is the fallback.
  h264: { pt: 96, fmtp: 'profile-level-id=42e01f;packetization-mode=1' },
  vp8: { pt: 96 },
  vp9: { pt: 96 },
  av1: { pt: 96 },
  h265: { pt: 96 },
};

interface PublisherEntry {
  ref: PublisherRef;
  handle: VideoRoomHandle;
  room: string;
  roomCreated: boolean;
  feed: string | number;
  /** Janus's rid_order for this publisher's offers (see ridOrder()). */
  ridOrder: RidOrder;
  mountpointId?: string;
  forwarders: number[];
  mediaTimer?: NodeJS.Timeout;
  /** The video track, once the fan-out started; `layers` > 1 for a simulcast mountpoint. */
  video?: { mid: string; codec: string; layers: number };
  /** When onair last asked this publisher for a keyframe (performance.now()). */
  keyframeRequestedAt?: number;
  keyframeTimer?: NodeJS.Timeout;
  /** What the publisher sends (mids, simulcast layers), as negotiated. */
  tracks: NegotiatedTrack[];
  /** performance.now() of the publish, and of the PeerConnection coming up (webrtcup). */
  publishedAt: number;
  connectedAt?: number;
  /** Each `${mid}/${substream}` Janus reported on -> performance.now() of its `receiving: false`, or null while receiving. */
  media: Map<string, number | null>;
}

/** One media item of a Streaming `create` answer (note the underscores, unlike `info`). */
interface MountpointPorts {
  mid: string;
  port: number;
  rtcp_port?: number;
  port_2?: number;
  port_3?: number;
}

interface ViewerEntry {
  ref: ViewerRef;
  handle: StreamingHandle;
  mountpointId: string;
}

/**
 * MediaServer on the Janus WebRTC Server, through janode over Janus's WebSocket API.
 * One Janus session holds two control handles (VideoRoom, Streaming) and one handle per
 * publisher or viewer PeerConnection. If the connection drops, Janus destroys the session
 * and every handle in it, so the adapter reports 'disconnected' (all media is gone),
 * reconnects with backoff and removes the rooms and mountpoints left behind.
 */
@Injectable()
export class JanusMediaServer implements MediaServer, OnModuleInit, OnApplicationShutdown {
  private readonly log = new Logger('Janus');
  private readonly listeners = new Set<(e: MediaEvent) => void>();
  private readonly publishers = new Map<string, PublisherEntry>();
  private readonly viewers = new Map<string, ViewerEntry>();
  private adminConn?: Promise<JanodeConnection>;
  private conn?: JanodeConnection;
  private session?: JanodeSession;
  private roomCtl?: VideoRoomHandle;
  private streamCtl?: StreamingHandle;
  private stopping = false;
  private reconnectTimer?: NodeJS.Timeout;
  private reconnectDelayMs = 250;
  private connecting?: Promise<void>;
  private lastError = 'not connected yet';

  readonly nodeId: string;
  readonly acceptedCodecs = ROOM_CODECS;

  constructor(@Inject(ONAIR_CONFIG) private readonly config: OnairConfig) {
    this.nodeId = config.nodeId;
    // janode's own log is noise at normal levels (e.g. "transaction not found" for replies to
    // requests it already settled); the adapter logs what matters.
    Janode.Logger.setLevel(config.logLevel === 'debug' || config.logLevel === 'verbose' ? 'info' : 'none');
  }

  get connected(): boolean {
    return this.session !== undefined && this.roomCtl !== undefined && this.streamCtl !== undefined;
  }

  async onModuleInit(): Promise<void> {
    // Start-up must not fail because Janus is still starting: keep trying in the background.
    await this.connect().catch((err) => {
      this.log.warn(`Janus not reachable at ${this.config.janus.wsUrl} (${errMsg(err)}); retrying`);
      this.scheduleReconnect();
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.reconnectTimer);
    for (const p of [...this.publishers.values()]) await this.closePublisher(p.ref);
    for (const v of [...this.viewers.values()]) await this.closeViewer(v.ref);
    await this.session?.destroy().catch(() => undefined);
    await this.conn?.close().catch(() => undefined);
    await this.adminConn?.then((c) => c.close()).catch(() => undefined);
    this.dropConnection();
  }

  onEvent(listener: (event: MediaEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- connection lifecycle ---------------------------------------------------------

  private connect(): Promise<void> {
    this.connecting ??= this.doConnect().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async doConnect(): Promise<void> {
    const conn = await Janode.connect({
      address: { url: this.config.janus.wsUrl, apisecret: this.config.janus.apiSecret },
      retry_time_secs: 1,
      max_retries: 1,
    });
    try {
      const session = await conn.create(15);
      const roomCtl = await session.attach<VideoRoomHandle>(VideoRoomPlugin);
      const streamCtl = await session.attach<StreamingHandle>(StreamingPlugin);
      const lost = (why: string) => () => this.onConnectionLost(conn, why);
      conn.once(Janode.EVENT.CONNECTION_CLOSED, lost('connection closed'));
      conn.once(Janode.EVENT.CONNECTION_ERROR, lost('connection error'));
      session.once(Janode.EVENT.SESSION_DESTROYED, lost('session destroyed'));
      this.conn = conn;
      this.session = session;
      this.roomCtl = roomCtl;
      this.streamCtl = streamCtl;
      this.reconnectDelayMs = 250;
      await this.reconcile();
      this.log.log(`connected to Janus at ${this.config.janus.wsUrl}`);
      this.emit({ type: 'connected' });
    } catch (err) {
      this.dropConnection();
      await conn.close().catch(() => undefined);
      throw err;
    }
  }

  private onConnectionLost(conn: JanodeConnection, why: string): void {
    if (conn !== this.conn || this.stopping) return;
    this.lastError = why;
    this.log.error(`lost Janus (${why}): every publisher and viewer on it is gone`);
    this.dropConnection();
    this.emit({ type: 'disconnected' });
    this.scheduleReconnect();
  }

  private dropConnection(): void {
    for (const p of this.publishers.values()) {
      clearTimeout(p.mediaTimer);
      clearTimeout(p.keyframeTimer);
    }
    this.publishers.clear();
    this.viewers.clear();
    this.conn = this.session = this.roomCtl = this.streamCtl = undefined;
  }

  private scheduleReconnect(): void {
    if (this.stopping || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect().catch((err) => {
        this.lastError = errMsg(err);
        this.reconnectDelayMs = Math.min(this.reconnectDelayMs * 2, 5000);
        this.scheduleReconnect();
      });
    }, this.reconnectDelayMs);
    this.reconnectTimer.unref();
  }

  /**
   * After (re)connecting nothing of onair's is live on this node any more (the old session
   * and its handles died with the connection), so rooms and mountpoints onair created
   * earlier are leftovers: remove them, or a new broadcast would collide with them.
   */
  private async reconcile(): Promise<void> {
    const rooms = await this.listOwnedRooms();
    for (const room of rooms) await this.destroyRoom(room);
    const mountpoints = await this.listOwnedMountpoints();
    for (const id of mountpoints) await this.destroyMountpoint(id);
    if (rooms.length + mountpoints.length > 0) {
      this.log.warn(`removed ${rooms.length} stale room(s) and ${mountpoints.length} stale mountpoint(s)`);
    }
  }

  private requireConnected(): { session: JanodeSession; roomCtl: VideoRoomHandle; streamCtl: StreamingHandle } {
    if (!this.session || !this.roomCtl || !this.streamCtl) {
      throw new MediaServerUnavailableError(`Janus at ${this.config.janus.wsUrl} is not connected (${this.lastError})`);
    }
    return { session: this.session, roomCtl: this.roomCtl, streamCtl: this.streamCtl };
  }

  private emit(event: MediaEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (err) {
        this.log.error(`media event listener failed: ${errMsg(err)}`);
      }
    }
  }

  // ---- publishers --------------------------------------------------------------------

  async publish(req: PublishRequest): Promise<PublishResult> {
    const { session, roomCtl } = this.requireConnected();
    const roomCreated = await this.ensureRoom(roomCtl, req.roomId, req.roomName);
    let handle: VideoRoomHandle | undefined;
    try {
      handle = await withTimeout(session.attach<VideoRoomHandle>(VideoRoomPlugin), 'attach', REQUEST_TIMEOUT_MS, (late) => late.detach());
      const order = ridOrder(req.offerSdp);
      const joined = await withTimeout(
        handle.joinConfigurePublisher({
          room: req.roomId,
          display: req.displayName,
          jsep: { type: 'offer', sdp: this.screenCandidates(req.offerSdp), rid_order: order },
        }),
        'joinandconfigure',
      );
      const answerSdp = joined.jsep?.sdp;
      if (!answerSdp) throw new MediaNegotiationError('Janus returned no SDP answer for the publisher');
      const ref: PublisherRef = { kind: 'publisher', id: randomUUID() };
      const tracks = negotiatedTracks(answerSdp, req.offerSdp, order);
      const entry: PublisherEntry = {
        ref,
        handle,
        room: req.roomId,
        roomCreated,
        feed: joined.feed,
        ridOrder: order,
        forwarders: [],
        tracks,
        publishedAt: performance.now(),
        media: new Map(),
      };
      this.publishers.set(ref.id, entry);
      this.watchPublisher(entry);
      return { publisher: ref, answerSdp, tracks };
    } catch (err) {
      await handle?.detach().catch(() => undefined);
      if (roomCreated) await this.destroyRoom(req.roomId);
      throw translateError(err, 'publish');
    }
  }

  private watchPublisher(entry: PublisherEntry): void {
    const gone = (reason: 'hangup' | 'media-timeout') => () => {
      if (this.publishers.get(entry.ref.id) !== entry) return;
      this.emit({ type: 'publisher-gone', publisher: entry.ref, reason });
    };
    entry.handle.once(Janode.EVENT.HANDLE_HANGUP, gone('hangup'));
    entry.handle.once(Janode.EVENT.HANDLE_DETACHED, gone('hangup'));
    entry.handle.once(Janode.EVENT.HANDLE_ICE_FAILED, gone('hangup'));
    entry.handle.once(Janode.EVENT.HANDLE_WEBRTCUP, () => (entry.connectedAt = performance.now()));
    // Janus reports `receiving: false` after its no_media_timer; a publisher that stays
    // silent for mediaTimeoutS (network gone, OBS frozen) is ended.
    entry.handle.on(Janode.EVENT.HANDLE_MEDIA, (data: { type?: string; receiving?: boolean; mid?: string; substream?: number }) => {
      if (data.type !== 'video' && data.type !== 'audio') return;
      const key = `${data.mid ?? ''}/${data.substream ?? 0}`;
      entry.media.set(key, data.receiving === false ? performance.now() : null);
      // The media timeout runs while every track (and layer) is silent, not just the one
      // that reported last: a publisher still sending video keeps its broadcast.
      if (reportedSilence(entry.media, performance.now()) === 0) {
        clearTimeout(entry.mediaTimer);
        entry.mediaTimer = undefined;
      } else if (!entry.mediaTimer) {
        entry.mediaTimer = setTimeout(gone('media-timeout'), this.config.media.mediaTimeoutS * 1000);
        entry.mediaTimer.unref();
      }
    });
  }

  /**
   * Whether the publisher has sent nothing for `ms`. Janus's own `receiving: false` reports
   * come 2-3 s after the last packet (its per-second counters lag its no_media_timer), so
   * without one the publisher's packet counters (Admin API handle_info) are read twice, `ms`
   * apart: unchanged means nothing arrived on any track or layer in between. A publisher
   * whose PeerConnection never came up has been silent since it was published.
   */
  async isPublisherSilent(ref: PublisherRef, ms: number): Promise<boolean> {
    const entry = this.publishers.get(ref.id);
    if (!entry) return true;
    if (reportedSilence(entry.media, performance.now()) >= ms) return true;
    if (entry.connectedAt === undefined) {
      const waited = performance.now() - entry.publishedAt;
      if (waited >= ms) return true;
    }
    const before = await this.packetsIn(entry);
    if (before === undefined) return false;
    await new Promise((r) => setTimeout(r, ms));
    if (this.publishers.get(ref.id) !== entry) return true;
    const after = await this.packetsIn(entry);
    return after === before;
  }

  /** Packets received from the publisher so far, all tracks and layers (undefined: unknown). */
  private async packetsIn(entry: PublisherEntry): Promise<number | undefined> {
    const sessionId = this.session?.id;
    if (sessionId === undefined) return undefined;
    try {
      const { info } = await withTimeout((await this.admin()).handleInfo(sessionId, entry.handle.id), 'handle_info', 2000);
      return trackStats(info ?? {}).reduce((n, t) => n + t.packets, 0);
    } catch (err) {
      this.log.warn(`cannot read the publisher's packet counters: ${errMsg(err)}`);
      return undefined;
    }
  }

  /**
   * A mountpoint per channel, fed over loopback by RTP forwarders of the publisher's tracks.
   * A simulcast video track gets a simulcast mountpoint: one port per layer (Janus forwards
   * substream 0, the smallest, to `port`, then `port_2`, `port_3`), and each viewer follows
   * the layer it asks for, switching on the next keyframe of that layer. Video mountpoints
   * take RTCP, so a viewer's keyframe request (on join, on a layer switch) reaches the
   * publisher through the forwarder; the keyframe cache covers publishers that ignore it.
   *
   * The forwarder -> mountpoint leg is SRTP with a fresh key per mountpoint: the mountpoint's
   * ports listen on loopback, where any local user could otherwise inject RTP into a live
   * channel. (RTCP on that leg stays plain: Janus has no SRTCP there; it carries only
   * keyframe requests and receiver reports.)
   */
  async startFanout(req: FanoutRequest): Promise<FanoutResult> {
    const { roomCtl, streamCtl } = this.requireConnected();
    const entry = this.publishers.get(req.publisher.id);
    if (!entry) throw new MediaNotFoundError('the publisher is gone');
    const layered = req.tracks.find((t) => t.kind === 'video' && (t.rids?.length ?? 0) > 1);
    const media = req.tracks.map((t) => {
      const format = MOUNTPOINT_FORMATS[t.codec];
      if (!format) throw new MediaNegotiationError(`onair cannot relay ${t.kind} codec ${t.codec}`);
      // The mountpoint only listens on loopback: nothing but this node's forwarders feeds it.
      const item: Record<string, unknown> = { type: t.kind, mid: t.mid, port: 0, iface: '127.0.0.1', codec: t.codec, pt: format.pt, fmtp: mountpointFmtp(t) };
      if (t.kind === 'video') item.rtcpport = 0;
      if (t === layered) Object.assign(item, { simulcast: true, port2: 0 }, t.rids!.length > 2 ? { port3: 0 } : {});
      return item;
    });
    const srtp = { suite: FORWARD_SRTP_SUITE, crypto: randomBytes(SRTP_MASTER_LENGTH).toString('base64') };
    const create = {
      request: 'create',
      type: 'rtp',
      id: req.mountpointId,
      name: `onair-${req.name}`,
      description: `${OWNER_TAG}${req.name}`,
      is_private: false,
      permanent: false,
      // Mountpoint-level keyframe cache (the per-stream videobufferkf is a dead option). On a
      // simulcast mountpoint Janus keeps the smallest layer's GOP: a new viewer's first
      // frame comes from it, then the viewer moves up on the next keyframe.
      ...(req.keyframeBufferMs > 0 ? { bufferkf_ms: req.keyframeBufferMs } : {}),
      srtpsuite: srtp.suite,
      srtpcrypto: srtp.crypto,
      media,
    };
    // A create that answers after the deadline made a mountpoint nobody owns: remove it.
    const createMountpoint = () =>
      withTimeout(streamCtl.message(create), 'create mountpoint', REQUEST_TIMEOUT_MS, () => this.destroyMountpoint(req.mountpointId));
    try {
      const created = await createMountpoint().catch(async (err: unknown) => {
        // A mountpoint of this channel left behind (a late create, another process's): it
        // holds no viewers of this broadcast, so replace it.
        if (janusErrorCode(err) !== JANUS_ERR.STREAMING_CANT_CREATE || !/already exists/i.test(errMsg(err))) throw err;
        this.log.warn(`mountpoint ${req.mountpointId} was left behind; replacing it`);
        await this.destroyMountpoint(req.mountpointId);
        return createMountpoint();
      });
      entry.mountpointId = req.mountpointId;
      const ports = (created.plugindata?.data?.stream?.ports ?? []) as MountpointPorts[];
      const streams = req.tracks.map((t) => {
        const p = ports.find((x) => x.mid === t.mid);
        if (!p?.port) throw new Error(`mountpoint did not report a port for mid ${t.mid}`);
        const pt = MOUNTPOINT_FORMATS[t.codec].pt;
        return {
          mid: t.mid,
          port: p.port,
          pt,
          ...(p.rtcp_port ? { rtcp_port: p.rtcp_port } : {}),
          ...(t === layered ? { port_2: p.port_2, pt_2: pt, ...(p.port_3 ? { port_3: p.port_3, pt_3: pt } : {}) } : {}),
        };
      });
      const fwd = await withTimeout(
        roomCtl.message({
          request: 'rtp_forward',
          room: entry.room,
          publisher_id: entry.feed,
          host: '127.0.0.1',
          srtp_suite: srtp.suite,
          srtp_crypto: srtp.crypto,
          streams,
        }),
        'rtp_forward',
        REQUEST_TIMEOUT_MS,
        (late) => this.stopForwarders(entry, forwarderIds(late)),
      );
      entry.forwarders = forwarderIds(fwd);
      const video = req.tracks.find((t) => t.kind === 'video');
      if (video) entry.video = { mid: video.mid, codec: video.codec, layers: video === layered ? layered.rids!.length : 1 };
      return { selectableLayers: layered ? [...layered.rids!] : [] };
    } catch (err) {
      throw translateError(err, 'start the live fan-out');
    }
  }

  async closePublisher(ref: PublisherRef): Promise<void> {
    const entry = this.publishers.get(ref.id);
    if (!entry) return;
    this.publishers.delete(ref.id);
    clearTimeout(entry.mediaTimer);
    clearTimeout(entry.keyframeTimer);
    await this.stopForwarders(entry, entry.forwarders);
    if (entry.mountpointId) {
      const mountpointId = entry.mountpointId;
      await this.destroyMountpoint(mountpointId);
      for (const v of [...this.viewers.values()].filter((x) => x.mountpointId === mountpointId)) {
        await this.closeViewer(v.ref);
        this.emit({ type: 'viewer-gone', viewer: v.ref, reason: 'closed' });
      }
    }
    entry.handle.removeAllListeners();
    await entry.handle.detach().catch(() => undefined);
    if (entry.roomCreated || (await this.roomIsEmpty(entry.room))) await this.destroyRoom(entry.room);
  }

  private async stopForwarders(entry: PublisherEntry, streamIds: number[]): Promise<void> {
    for (const streamId of streamIds) {
      await this.roomCtl
        ?.message({ request: 'stop_rtp_forward', room: entry.room, publisher_id: entry.feed, stream_id: streamId })
        .catch((err) => this.log.warn(`stop_rtp_forward ${streamId}: ${errMsg(err)}`));
    }
  }

  /**
   * Drops remote candidates naming addresses Janus must never send connectivity checks to
   * (ONAIR_ICE_DENY_CIDRS): the one place offers and trickled candidates pass on their way
   * to Janus. The client still connects from a real address: Janus learns it from the
   * client's own checks (peer-reflexive).
   */
  private screenCandidates(sdp: string): string {
    const { sdp: screened, dropped } = withoutDeniedCandidates(sdp, this.candidatePolicy);
    if (dropped > 0) this.log.debug(`dropped ${dropped} remote candidate(s) naming a denied address`);
    return screened;
  }

  private get candidatePolicy(): CandidatePolicy {
    return this.config.ice.remoteCandidates;
  }

  // ---- viewers -----------------------------------------------------------------------

  async watch(req: WatchRequest): Promise<WatchResult> {
    const { session } = this.requireConnected();
    let handle: StreamingHandle | undefined;
    try {
      handle = await withTimeout(session.attach<StreamingHandle>(StreamingPlugin), 'attach', REQUEST_TIMEOUT_MS, (late) => late.detach());
      // The Streaming plugin takes the first H.264 payload type of the offer whatever its
      // packetization-mode: put a packetization-mode=1 entry first.
      const offer = preferH264PacketizationMode1(this.screenCandidates(req.offerSdp));
      const res = await withTimeout(handle.watch({ id: req.mountpointId, jsep: { type: 'offer', sdp: offer } }), 'watch');
      const answerSdp = res.jsep?.sdp;
      if (!answerSdp) throw new MediaNegotiationError('Janus returned no SDP answer for the viewer');
      const ref: ViewerRef = { kind: 'viewer', id: randomUUID() };
      const entry: ViewerEntry = { ref, handle, mountpointId: req.mountpointId };
      this.viewers.set(ref.id, entry);
      const gone = () => {
        if (this.viewers.get(ref.id) !== entry) return;
        this.emit({ type: 'viewer-gone', viewer: ref, reason: 'hangup' });
      };
      handle.once(Janode.EVENT.HANDLE_HANGUP, gone);
      handle.once(Janode.EVENT.HANDLE_DETACHED, gone);
      handle.once(Janode.EVENT.HANDLE_ICE_FAILED, gone);
      const feed = this.feeding(req.mountpointId);
      if (feed && (feed.video?.layers ?? 1) > 1) {
        // The keyframe cache holds the smallest layer; the viewer moves to its layer on the
        // next keyframe, asked for here. Best effort: Janus aims for the largest layer anyway.
        if (req.layer) await this.selectLayer(ref, req.layer).catch((err) => this.log.warn(`initial layer: ${errMsg(err)}`));
        else this.requestKeyframe(feed);
      }
      return { viewer: ref, answerSdp };
    } catch (err) {
      await handle?.detach().catch(() => undefined);
      throw translateError(err, 'watch');
    }
  }

  /**
   * Points the viewer at another layer of a simulcast mountpoint. Janus switches on the next
   * keyframe of that layer (the mountpoint asks the publisher for one) and keeps relaying the
   * current layer until then. Encoding 0 is the largest: Janus's substream 2 with three layers.
   */
  async selectLayer(viewer: ViewerRef, choice: LayerChoice): Promise<void> {
    const entry = this.viewers.get(viewer.id);
    if (!entry) throw new MediaNotFoundError('the viewer is gone from the media server');
    const feed = this.feeding(entry.mountpointId);
    const video = feed?.video;
    if (!feed || !video || video.layers < 2) throw new MediaNegotiationError('this stream has no simulcast layers to choose from');
    if (!Number.isInteger(choice.encoding) || choice.encoding < 0 || choice.encoding >= video.layers) {
      throw new MediaNegotiationError(`layer ${choice.encoding} does not exist; the stream has ${video.layers}`);
    }
    const substream = video.layers - 1 - choice.encoding;
    try {
      // janode's configure() has no per-mid form; Janus wants the stream's mid here.
      await withTimeout(entry.handle.message({ request: 'configure', streams: [{ mid: video.mid, substream }] }), 'configure (layer)');
    } catch (err) {
      throw translateError(err, 'switch the layer');
    }
    this.requestKeyframe(feed);
  }

  /**
   * Asks the publisher feeding a mountpoint for a keyframe on every layer. Janus sends a
   * WebRTC publisher at most one PLI a second and silently drops the rest, so requests
   * closer than that are held back and sent once the second has passed (a burst of joins or
   * switches costs one). Publishers that ignore keyframe requests (OBS) switch on their next
   * scheduled keyframe.
   */
  private requestKeyframe(publisher: PublisherEntry): void {
    const mid = publisher.video?.mid;
    if (!mid || publisher.keyframeTimer) return;
    const send = () => {
      publisher.keyframeTimer = undefined;
      publisher.keyframeRequestedAt = performance.now();
      publisher.handle
        .message({ request: 'configure', streams: [{ mid, keyframe: true }] })
        .catch((err) => this.log.warn(`keyframe request: ${errMsg(err)}`));
    };
    const wait = (publisher.keyframeRequestedAt ?? -Infinity) + KEYFRAME_REQUEST_SPACING_MS - performance.now();
    if (wait <= 0) return send();
    publisher.keyframeTimer = setTimeout(send, wait);
    publisher.keyframeTimer.unref();
  }

  /** The publisher whose fan-out feeds this mountpoint. */
  private feeding(mountpointId: string): PublisherEntry | undefined {
    return [...this.publishers.values()].find((p) => p.mountpointId === mountpointId);
  }

  async closeViewer(ref: ViewerRef): Promise<void> {
    const entry = this.viewers.get(ref.id);
    if (!entry) return;
    this.viewers.delete(ref.id);
    entry.handle.removeAllListeners();
    await entry.handle.detach().catch(() => undefined);
  }

  // ---- ICE ---------------------------------------------------------------------------

  async trickle(peer: PeerRef, candidates: RemoteCandidate[], endOfCandidates: boolean): Promise<void> {
    const handle = this.handleOf(peer);
    const usable = candidates.filter((c) => !isCandidateDenied(c.candidate, this.candidatePolicy));
    try {
      if (usable.length > 0) {
        await withTimeout(handle.trickle(usable.map((c) => ({ sdpMid: c.mid, candidate: c.candidate }))), 'trickle');
      }
      if (endOfCandidates) await withTimeout(handle.trickleComplete(), 'trickle');
    } catch (err) {
      throw translateError(err, 'trickle');
    }
  }

  /**
   * A publisher re-offers through `configure`: Janus sees the new ufrag/pwd and restarts ICE;
   * the answer carries its new credentials and candidates. A Streaming viewer cannot re-offer
   * on Janus 1.4 (460 "Already watching", and Janus has restarted ICE by then).
   */
  async restartIce(peer: PeerRef, offerSdp: string): Promise<RestartIceResult> {
    if (peer.kind === 'viewer') throw new MediaNegotiationError('Janus cannot restart ICE for a viewer from the viewer\'s offer');
    try {
      const entry = this.publishers.get(peer.id);
      if (!entry) throw new MediaNotFoundError('the publisher is gone from the media server');
      const res = await withTimeout(
        entry.handle.message({ request: 'configure' }, { type: 'offer', sdp: this.screenCandidates(offerSdp), rid_order: entry.ridOrder } as { type: string; sdp: string }),
        'configure (ICE restart)',
      );
      if (!res.jsep?.sdp) throw new MediaNegotiationError('Janus returned no answer to the ICE restart offer');
      return { answerSdp: res.jsep.sdp };
    } catch (err) {
      throw translateError(err, 'restart ICE');
    }
  }

  private handleOf(peer: PeerRef): JanodeHandle {
    const handle = peer.kind === 'publisher' ? this.publishers.get(peer.id)?.handle : this.viewers.get(peer.id)?.handle;
    if (!handle) throw new MediaNotFoundError(`the ${peer.kind} is gone from the media server`);
    return handle;
  }

  // ---- health and inventory ----------------------------------------------------------

  async health(): Promise<MediaHealth> {
    const conn = this.conn;
    if (!conn || !this.connected) return { ok: false, detail: this.lastError };
    const started = performance.now();
    try {
      await withTimeout(conn.getInfo(), 'info', 2000);
      return { ok: true, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
    } catch (err) {
      return { ok: false, detail: errMsg(err) };
    }
  }

  async inventory(): Promise<MediaInventory> {
    this.requireConnected();
    const rooms = await this.listOwnedRooms();
    const forwarders: Record<string, number> = {};
    for (const room of rooms) {
      const res = await this.roomCtl!.message({ request: 'listforwarders', room });
      const publishers = (res.plugindata?.data?.publishers ?? []) as { forwarders?: unknown[] }[];
      forwarders[room] = publishers.reduce((n, p) => n + (p.forwarders?.length ?? 0), 0);
    }
    return {
      rooms,
      mountpoints: await this.listOwnedMountpoints(),
      forwarders,
      peerHandles: await this.countPeerHandles(),
    };
  }

  /** Handles Janus holds in onair's session, minus the two control handles (Admin API). */
  private async countPeerHandles(): Promise<number> {
    const sessionId = this.session?.id;
    if (sessionId === undefined) return 0;
    const { handles } = await (await this.admin()).listHandles(sessionId);
    return handles.length - 2;
  }

  /**
   * An extra forwarder of the video to 127.0.0.1:port (the largest layer of a simulcast).
   * Plain RTP on purpose, unlike the mountpoint leg: it only feeds onair's own stream probe
   * (a readout and thumbnails), never viewers, so injected packets could at worst skew the
   * readout of that channel.
   */
  async tapVideo(ref: PublisherRef, port: number): Promise<void> {
    const { roomCtl } = this.requireConnected();
    const entry = this.publishers.get(ref.id);
    if (!entry?.video) throw new MediaNotFoundError('the publisher is gone or sends no video');
    try {
      const stream = { mid: entry.video.mid, port, pt: MOUNTPOINT_FORMATS[entry.video.codec]?.pt ?? 96, ...(entry.video.layers > 1 ? { simulcast: true } : {}) };
      const res = await withTimeout(roomCtl.message({ request: 'rtp_forward', room: entry.room, publisher_id: entry.feed, host: '127.0.0.1', streams: [stream] }), 'rtp_forward (probe)');
      for (const f of (res.plugindata?.data?.forwarders ?? []) as { stream_id: number }[]) entry.forwarders.push(f.stream_id);
    } catch (err) {
      throw translateError(err, 'tap the video');
    }
  }

  /**
   * Janus's view of a publisher's incoming media (Admin API handle_info): bitrate over the
   * last second, packets, losses from RTCP, NACKs sent, simulcast layers arriving.
   */
  async publisherStats(ref: PublisherRef): Promise<PublisherStats> {
    const entry = this.publishers.get(ref.id);
    const sessionId = this.session?.id;
    if (!entry || sessionId === undefined) throw new MediaNotFoundError('the publisher is gone from the media server');
    try {
      const { info } = await withTimeout((await this.admin()).handleInfo(sessionId, entry.handle.id), 'handle_info');
      return { tracks: trackStats(info ?? {}) };
    } catch (err) {
      throw translateError(err, 'read the publisher\'s statistics');
    }
  }

  /** One Admin API connection, opened on first use and reopened after it drops. */
  private admin(): Promise<JanodeConnection> {
    this.adminConn ??= Janode.connect({
      is_admin: true,
      address: { url: this.config.janus.adminWsUrl, apisecret: this.config.janus.adminSecret },
      retry_time_secs: 1,
      max_retries: 1,
    }).then(
      (conn) => {
        const reset = () => {
          this.adminConn = undefined;
        };
        conn.once(Janode.EVENT.CONNECTION_CLOSED, reset);
        conn.once(Janode.EVENT.CONNECTION_ERROR, reset);
        return conn;
      },
      (err) => {
        this.adminConn = undefined;
        throw err;
      },
    );
    return this.adminConn;
  }

  // ---- Janus housekeeping ------------------------------------------------------------

  /**
   * Creates the room unless it exists; true when this call created it. A room whose create
   * answered after the deadline is not released: the next publish finds it (427) and joins
   * it, and closePublisher removes a room left empty.
   */
  private async ensureRoom(roomCtl: VideoRoomHandle, room: string, name: string): Promise<boolean> {
    try {
      await withTimeout(
        roomCtl.message({
          request: 'create',
          room,
          description: `${OWNER_TAG}${name}`,
          publishers: ROOM_MAX_PUBLISHERS,
          videocodec: ROOM_CODECS.video.join(','),
          audiocodec: ROOM_CODECS.audio.join(','),
          // Don't ask OBS for keyframes on a timer: it ignores PLI/FIR anyway.
          fir_freq: 0,
          notify_joining: false,
          // Listable, so reconcile() and inventory() see it (only onair's API talks to Janus).
          is_private: false,
          permanent: false,
        }),
        'create room',
      );
      return true;
    } catch (err) {
      if (janusErrorCode(err) === JANUS_ERR.VIDEOROOM_ROOM_EXISTS) return false;
      throw translateError(err, 'create the room');
    }
  }

  private async destroyRoom(room: string): Promise<void> {
    await this.roomCtl?.message({ request: 'destroy', room, permanent: false }).catch((err) => {
      if (janusErrorCode(err) !== JANUS_ERR.VIDEOROOM_NO_SUCH_ROOM) this.log.warn(`destroy room ${room}: ${errMsg(err)}`);
    });
  }

  private async roomIsEmpty(room: string): Promise<boolean> {
    const res = await this.roomCtl?.message({ request: 'listparticipants', room }).catch(() => undefined);
    const participants = (res?.plugindata?.data?.participants ?? []) as unknown[];
    return participants.length === 0;
  }

  private async destroyMountpoint(id: string): Promise<void> {
    await this.streamCtl?.message({ request: 'destroy', id, permanent: false }).catch((err) => {
      if (janusErrorCode(err) !== JANUS_ERR.STREAMING_NO_SUCH_MOUNTPOINT) this.log.warn(`destroy mountpoint ${id}: ${errMsg(err)}`);
    });
  }

  private async listOwnedRooms(): Promise<string[]> {
    const res = await this.roomCtl!.message({ request: 'list' });
    const list = (res.plugindata?.data?.list ?? []) as { room: string | number; description?: string }[];
    return list.filter((r) => r.description?.startsWith(OWNER_TAG)).map((r) => String(r.room));
  }

  private async listOwnedMountpoints(): Promise<string[]> {
    const res = await this.streamCtl!.message({ request: 'list' });
    const list = (res.plugindata?.data?.list ?? []) as { id: string | number; description?: string }[];
    return list.filter((m) => m.description?.startsWith(OWNER_TAG)).map((m) => String(m.id));
  }
}

type RidOrder = 'hml' | 'lmh';

/**
 * Janus maps rids to substreams by their order in the offer, highest quality first unless
 * the jsep says `rid_order: "lmh"`. OBS ("0;1;2", 0 = full size) and browsers following
 * the usual sendEncodings order list the largest first; rid sets named low-first
 * (q/h/f, l/m/h) are the exception.
 */
function ridOrder(offerSdp: string): RidOrder {
  const video = parseSdp(offerSdp).media.find((m) => m.kind === 'video' && m.rids.length > 1);
  const rids = video?.rids.filter((r) => r.direction === 'send').map((r) => r.id.toLowerCase()) ?? [];
  const lowFirst = [['q', 'h', 'f'], ['l', 'm', 'h'], ['q', 'h'], ['h', 'f'], ['l', 'h']];
  return lowFirst.some((names) => names.length === rids.length && names.every((n, i) => n === rids[i])) ? 'lmh' : 'hml';
}

/**
 * The tracks Janus accepted, read from its answer (a rejected m-line has port 0). Janus keeps
 * every accepted rid in offer order; they are reported largest first. The format parameters
 * are the answer's, else the offer's for the same payload type (Janus answers with the
 * offer's payload type).
 */
function negotiatedTracks(answerSdp: string, offerSdp: string, order: RidOrder): NegotiatedTrack[] {
  const offered = parseSdp(offerSdp).media;
  return parseSdp(answerSdp)
    .media.filter((m) => m.port !== 0 && m.codecs.length > 0)
    .map((m) => {
      const rids = m.rids.filter((r) => r.direction === 'recv').map((r) => r.id);
      const codec = m.codecs[0];
      const track: NegotiatedTrack = { mid: m.mid, kind: m.kind, codec: codec.name.toLowerCase() };
      const fmtp = codec.fmtp ?? offered.find((o) => o.mid === m.mid)?.codecs.find((c) => c.pt === codec.pt)?.fmtp;
      if (fmtp) track.fmtp = fmtp;
      if (m.kind === 'video' && rids.length > 1) track.rids = order === 'lmh' ? rids.reverse() : rids;
      return track;
    });
}

/**
 * The mountpoint's format parameters, which Janus writes into every viewer's answer. For
 * H.264 that carries the profile-level-id the publisher negotiated: strict decoders (Safari,
 * hardware ones) refuse a stream whose profile is higher than the one they were told. OBS
 * negotiates 42e01f whatever x264 sends, so the playback side replaces it in each viewer's
 * answer with the profile of the stream's own SPS once the stream probe has read one
 * (live/publisher-profiles.ts); this is what a viewer gets before that.
 */
export function mountpointFmtp(track: NegotiatedTrack): string | undefined {
  const fallback = MOUNTPOINT_FORMATS[track.codec]?.fmtp;
  if (track.codec !== 'h264') return fallback;
  const profile = /(?:^|;)\s*profile-level-id=([0-9a-f]{6})\s*(?:;|$)/i.exec(track.fmtp ?? '')?.[1];
  return profile ? `profile-level-id=${profile.toLowerCase()};packetization-mode=1` : fallback;
}

function forwarderIds(res: { plugindata?: { data?: Record<string, any> } }): number[] {
  return ((res.plugindata?.data?.forwarders ?? []) as { stream_id: number }[]).map((f) => f.stream_id);
}

/** Per-track figures from a handle_info's `webrtc.media` (keyed by mid). */
function trackStats(info: Record<string, unknown>): TrackStats[] {
  type Counters = { packets?: number; bytes_lastsec?: number; nacks?: number };
  type Medium = {
    type?: string;
    codecs?: { codec?: string };
    rtcp?: Record<string, { lost?: number }>;
    stats?: { in?: Counters & Record<string, unknown> };
  };
  const media = ((info.webrtc as { media?: Record<string, Medium> } | undefined)?.media ?? {}) as Record<string, Medium>;
  return Object.entries(media)
    .filter(([, m]) => m.type === 'audio' || m.type === 'video')
    .map(([mid, m]) => {
      const inStats = m.stats?.in ?? {};
      const layers = [inStats, inStats['video-simulcast-1'], inStats['video-simulcast-2']].filter(Boolean) as Counters[];
      const sum = (k: keyof Counters) => layers.reduce((n, l) => n + (Number(l[k]) || 0), 0);
      return {
        mid,
        kind: m.type as 'audio' | 'video',
        codec: m.codecs?.codec ?? '',
        bitrateKbps: Math.round((sum('bytes_lastsec') * 8) / 1000),
        packets: sum('packets'),
        packetsLost: Object.values(m.rtcp ?? {}).reduce((n, r) => n + Math.max(0, Number(r.lost) || 0), 0),
        nacks: sum('nacks'),
        layers: layers.length,
      };
    });
}

function translateError(err: unknown, what: string): Error {
  if (err instanceof MediaNegotiationError || err instanceof MediaNotFoundError || err instanceof MediaServerUnavailableError) {
    return err;
  }
  const code = janusErrorCode(err);
  const msg = errMsg(err).replace(/^\d{3} /, '');
  switch (code) {
    case JANUS_ERR.VIDEOROOM_INVALID_SDP:
    case JANUS_ERR.STREAMING_INVALID_SDP:
    case JANUS_ERR.JSEP_INVALID_SDP:
      return new MediaNegotiationError(`Janus could not ${what} with this SDP: ${msg}`);
    case JANUS_ERR.STREAMING_NO_SUCH_MOUNTPOINT:
    case JANUS_ERR.VIDEOROOM_NO_SUCH_ROOM:
      return new MediaNotFoundError(`nothing to ${what}: ${msg}`);
    default:
      if (code === undefined) return new MediaServerUnavailableError(`could not ${what}: ${msg}`);
      return new Error(`Janus refused to ${what} (${code}): ${msg}`);
  }
}

function errMsg(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function withTimeout<T>(p: Promise<T>, what: string, ms = REQUEST_TIMEOUT_MS, releaseLate?: (late: T) => Promise<unknown> | void): Promise<T> {
  return withDeadline(p, what, ms, releaseLate);
}

/**
 * How long (ms) the publisher has been silent by Janus's `media` reports, `media` holding each
 * reported track/layer ("mid/substream") with the moment it went silent (`receiving: false`),
 * or null while it receives. Only reported streams count: Janus reports `receiving: true` on a
 * stream's first packet, so a simulcast layer the encoder offered but never sent is not waited
 * for (it kept the media timeout from ever starting). 0 while any reported stream receives,
 * or before any report.
 */
export function reportedSilence(media: ReadonlyMap<string, number | null>, now: number): number {
  let latest = -Infinity;
  for (const since of media.values()) {
    if (since === null) return 0;
    latest = Math.max(latest, since);
  }
  return latest === -Infinity ? 0 : now - latest + NO_MEDIA_TIMER_MS;
}
