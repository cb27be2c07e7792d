import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { rejectedMids } from '@onair/protocol';
import { Channel } from '../domain/channel';
import { ClientOffer } from '../domain/client-offer';
import { WatchAccess } from '../channels/watch-access';
import { DomainError } from '../errors/domain-error';
import { LayerChoice, MEDIA_SERVER, MediaEvent, MediaNotFoundError, MediaServer } from '../media/media-server';
import { CHANNEL_EVENT_TYPES, ChannelEvent, ChannelEvents, ChannelEventType, layersEvent } from '../live/channel-events';
import { IceSessionService, newIceState, PatchResult } from '../ice/ice-session';
import { LiveBroadcast, LiveRegistry, LiveViewer } from '../live/live-registry';
import { PublisherProfiles } from './publisher-profiles';
import { newSessionId } from '../live/session-id';
import { WhepEventStreams } from './whep-event-streams';
import { WhepSessionCaps } from './whep-session-caps';
import { StepTimer, StepTiming } from '../http/step-timer';

/** How long a player should wait before asking again for an offline channel. */
export const OFFLINE_RETRY_AFTER_S = 2;
/** How long a WHEP POST waits for a broadcast that is building its feed (normally a few ms). */
const GOING_LIVE_WAIT_MS = 3000;

/** A layer request of the WHEP layer extension, already parsed. */
export interface LayerRequest {
  /** The m-line index the request is about (defaults to the video one). */
  mediaId?: string;
  /** The rid of the wanted encoding; absent = back to onair's default choice. */
  encodingId?: string;
}

export interface StartPlaybackResult {
  sessionId: string;
  answerSdp: string;
  etag: string;
  channel: Channel;
  /** The stream's simulcast encodings, largest first, when it has layers. */
  layers?: string[];
  /** Where the time went (Server-Timing): access check, media server, H.264 profile. */
  timings: StepTiming[];
}

/**
 * Why a viewer ended. The media server's loss ends every viewer at once: none is reported one
 * by one, there is nothing left to release there and the broadcasts end with it.
 */
export type ViewerEndReason = 'deleted' | 'hangup' | 'access-revoked' | 'media-server-lost';

/**
 * Playback: viewers attaching to a live channel (WHEP), switching layers and leaving.
 * Every way a viewer ends goes through end(): DELETE, the media server hanging the viewer up
 * (its PeerConnection gone, or its broadcast's fan-out closed), revoked access, and losing
 * the media server.
 */
@Injectable()
export class PlaybackService implements OnModuleInit {
  private readonly log = new Logger('Playback');
  private readonly ending = new Map<string, Promise<void>>();

  constructor(
    @Inject(MEDIA_SERVER) private readonly media: MediaServer,
    private readonly access: WatchAccess,
    private readonly live: LiveRegistry,
    private readonly events: ChannelEvents,
    private readonly iceSessions: IceSessionService,
    private readonly eventStreams: WhepEventStreams,
    private readonly profiles: PublisherProfiles,
    private readonly caps: WhepSessionCaps,
  ) {}

  onModuleInit(): void {
    this.media.onEvent((e) => this.onMediaEvent(e));
  }

  /**
   * Whether the channel has a broadcast viewers can join. One whose WHIP POST has just been
   * answered is still building its feed for a few milliseconds: it is waited for (bounded),
   * as a WHEP POST waits, so a player's discovery right after go-live gets its TURN servers.
   */
  async isLive(channelId: string): Promise<boolean> {
    return (await this.playableBroadcast(channelId)) !== undefined;
  }

  /** WHEP POST: `token` is the playback token private channels need. */
  async start(input: { slug: string; offer: ClientOffer; token?: string }): Promise<StartPlaybackResult> {
    const timer = new StepTimer();
    const { channel, grant } = await this.access.admit(input.slug, input.token);
    timer.lap('access');
    const offer = input.offer.accept();
    const b = await this.playableBroadcast(channel.id);
    if (!b) throw offline(channel.slug);
    if (!this.media.connected) throw new DomainError('media-unavailable', 'the media server is not reachable; try again shortly', 5);

    const layers = videoLayers(b);
    // A sensible default: the full-size layer (players that want less pick one through the
    // layer extension).
    const layer: LayerChoice | undefined = layers ? { encoding: 0 } : undefined;
    // Looked up alongside the media server's answer: in a broadcast's first moments it waits
    // (bounded) for the stream's first SPS.
    const profile = this.profiles.h264ProfileLevelId(b);
    let watched;
    try {
      watched = await this.media.watch({ feedId: channel.id, offer, layer });
    } catch (err) {
      if (err instanceof MediaNotFoundError) throw offline(channel.slug);
      throw err;
    }
    timer.lap('watch');
    // Until the viewer is registered nothing else will release it in the media server: any
    // refusal (or a throw while its answer is rewritten) releases it here, once.
    let answerSdp: string;
    try {
      if (rejectedMids(watched.answerSdp).length >= offer.media.length) {
        throw new DomainError('unprocessable', `the player supports none of the stream's codecs (${b.tracks.map((t) => t.codec).join(', ')})`);
      }
      // The media server relays the RTP whatever its answer said: only what the player is told changes.
      answerSdp = this.profiles.answerWith(watched.answerSdp, await profile);
      timer.lap('profile');
      // The broadcast may have ended (or been taken over) while the media server answered: its
      // teardown has already released the viewers it knew of.
      if (this.live.broadcastOnChannel(channel.id) !== b) throw offline(channel.slug);
    } catch (err) {
      await this.media.closeViewer(watched.viewer);
      throw err;
    }
    const sessionId = newSessionId();
    const ice = newIceState(offer.sdp, offer.iceUfrag);
    const videoMediaId = String(Math.max(0, offer.media.findIndex((m) => m.kind === 'video')));
    this.live.addViewer({ sessionId, channelId: channel.id, viewer: watched.viewer, ice, layer, videoMediaId, grant });
    this.publishViewerCount(channel.id);
    // Announcing the count lets WatchRevocation judge this viewer at once: a share link
    // revoked (or expired) while Janus answered has ended it already, Janus side included.
    // The player must hear 401, not get a Location for a session that no longer exists.
    if (!this.live.viewer(sessionId)) {
      await this.access.admit(input.slug, input.token); // throws the reason (revoked, expired, now private)
      throw offline(channel.slug); // ended for another reason meanwhile
    }
    return { sessionId, answerSdp, etag: ice.etag, channel, layers, timings: timer.steps };
  }

  /**
   * The channel's broadcast once viewers can join it. One whose publisher Janus has just
   * answered (its WHIP POST got 201) is still building its feed for a moment: a player that
   * POSTs right then waits for it, bounded, rather than being told the channel is offline.
   */
  private async playableBroadcast(channelId: string): Promise<LiveBroadcast | undefined> {
    const b = this.live.broadcastOnChannel(channelId);
    if (b && !b.playable && b.goingLive) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([b.goingLive, new Promise<void>((resolve) => (timer = setTimeout(resolve, GOING_LIVE_WAIT_MS)))]);
      clearTimeout(timer);
    }
    const now = this.live.broadcastOnChannel(channelId);
    return now?.playable ? now : undefined;
  }

  /**
   * WHEP PATCH: trickle. ICE restart is refused with 422 (RFC 9725 §4.3.1 lets a session
   * support one of the two): Janus's Streaming plugin takes no new offer from a viewer, and
   * restarting through a Janus-made offer answered on the player's behalf was tried and
   * stopped the media. A player recovers with a new POST instead.
   */
  patch(sessionId: string, input: { ifMatch?: string; body: string }): Promise<PatchResult> {
    const v = this.viewer(sessionId);
    return this.iceSessions.patch(v.viewer, v.ice, {
      ...input,
      cannotRestart: 'this WHEP session cannot restart ICE; POST a new offer to the WHEP endpoint (and DELETE this session) instead',
    });
  }

  /** WHEP layer extension: switch the viewer to another simulcast encoding. */
  async selectLayer(sessionId: string, request: LayerRequest): Promise<void> {
    const v = this.viewer(sessionId);
    const b = this.live.broadcastOnChannel(v.channelId);
    const layers = b ? videoLayers(b) : undefined;
    if (!layers) throw new DomainError('unprocessable', 'this stream has no simulcast layers to choose from');
    if (request.mediaId !== undefined && request.mediaId !== v.videoMediaId) {
      throw new DomainError('unprocessable', `mediaId "${request.mediaId}" has no layers; the video is mediaId "${v.videoMediaId}"`);
    }
    const encoding = request.encodingId === undefined ? 0 : layers.indexOf(request.encodingId);
    if (encoding < 0) {
      throw new DomainError('bad-request', `no layer with encodingId "${request.encodingId}"; this stream has ${layers.map((l) => `"${l}"`).join(', ')}`);
    }
    await this.media.selectLayer(v.viewer, { encoding });
    v.layer = { encoding };
  }

  /** The session's viewer (its channel, its video m-line), for the WHEP extensions. */
  session(sessionId: string): LiveViewer {
    return this.viewer(sessionId);
  }

  /** WHEP events extension: a new event stream for the session with the wanted event types. */
  createEventStream(sessionId: string, wanted: unknown): string {
    const v = this.viewer(sessionId);
    const types = parseEventTypes(wanted);
    const b = this.live.broadcastOnChannel(v.channelId);
    const initial: ChannelEvent[] = [{ type: 'active' }, { type: 'viewercount', viewercount: b?.viewers.size ?? 0 }];
    const layers = b && layersEvent(b.layers);
    if (layers) initial.push(layers);
    return this.eventStreams.create({ sessionId, channelId: v.channelId, types, initial });
  }

  /** WHEP DELETE. */
  async stop(sessionId: string): Promise<void> {
    if (!this.live.viewer(sessionId) && !this.ending.has(sessionId)) throw sessionGone();
    await this.end(sessionId, 'deleted');
  }

  /**
   * Ends a viewer: the one teardown path. Its registration, WHEP event streams and session
   * slot go at once (and the new count is published), then the media server releases it.
   * Idempotent: a second call waits for the first; an unknown session resolves at once.
   * Never rejects (releasing is best effort, like the media server's own closeViewer).
   */
  end(sessionId: string, reason: ViewerEndReason): Promise<void> {
    const pending = this.ending.get(sessionId);
    if (pending) return pending;
    const v = this.live.removeViewer(sessionId);
    if (!v) return Promise.resolve();
    this.eventStreams.destroySession(sessionId);
    this.caps.release(sessionId);
    if (reason === 'media-server-lost') return Promise.resolve();
    this.publishViewerCount(v.channelId);
    const done = this.media
      .closeViewer(v.viewer)
      .catch((err) => this.log.warn(`closing viewer ${sessionId} (${reason}): ${(err as Error).message}`))
      .finally(() => this.ending.delete(sessionId));
    this.ending.set(sessionId, done);
    return done;
  }

  /**
   * Ends the viewers `match` picks, as DELETE would (their event streams close too): used when
   * a share link is revoked or expires, or a channel turns private (whep/watch-revocation.ts).
   */
  async endViewersWhere(match: (v: LiveViewer) => boolean): Promise<number> {
    const ending = this.live.allViewers().filter(match);
    await Promise.all(ending.map((v) => this.end(v.sessionId, 'access-revoked')));
    return ending.length;
  }

  /** Whether any viewer `match` picks is registered. */
  hasViewers(match: (v: LiveViewer) => boolean): boolean {
    return this.live.allViewers().some(match);
  }

  private viewer(sessionId: string): LiveViewer {
    const v = this.live.viewer(sessionId);
    if (!v) throw sessionGone();
    return v;
  }

  private publishViewerCount(channelId: string): void {
    const b = this.live.broadcastOnChannel(channelId);
    if (b) this.events.publish(channelId, { type: 'viewercount', viewercount: b.viewers.size });
  }

  private onMediaEvent(e: MediaEvent): void {
    switch (e.type) {
      case 'disconnected':
        for (const v of this.live.allViewers()) this.end(v.sessionId, 'media-server-lost').catch((err: unknown) => this.log.error(`ending viewer ${v.sessionId}: ${(err as Error).message}`));
        return;
      case 'viewer-gone': {
        const v = this.live.viewerOf(e.viewer.id);
        if (v) this.end(v.sessionId, 'hangup').catch((err: unknown) => this.log.error(`ending viewer ${v.sessionId}: ${(err as Error).message}`));
        return;
      }
      case 'publisher-gone':
      case 'connected':
        return;
    }
  }
}

/** The JSON array of event names a player POSTs; absent or empty means all of them. */
function parseEventTypes(wanted: unknown): ChannelEventType[] {
  if (wanted === undefined || wanted === null || (typeof wanted === 'object' && !Array.isArray(wanted) && Object.keys(wanted).length === 0)) {
    return [...CHANNEL_EVENT_TYPES];
  }
  if (!Array.isArray(wanted) || !wanted.every((w) => typeof w === 'string')) {
    throw new DomainError('bad-request', `send a JSON array of event names, e.g. ["active","inactive"]; onair has ${CHANNEL_EVENT_TYPES.join(', ')}`);
  }
  if (wanted.length === 0) return [...CHANNEL_EVENT_TYPES];
  // Names onair doesn't send (reconnect, scte35...) are left out rather than refused, so a
  // player asking for "everything it knows" still gets what there is.
  const known = CHANNEL_EVENT_TYPES.filter((t) => wanted.includes(t));
  if (known.length === 0) {
    throw new DomainError('unprocessable', `onair sends none of ${wanted.map((u) => `"${u}"`).join(', ')}; it has ${CHANNEL_EVENT_TYPES.join(', ')}`);
  }
  return known;
}

function videoLayers(b: LiveBroadcast): string[] | undefined {
  return b.layers.length > 0 ? b.layers : undefined;
}

function sessionGone(): DomainError {
  return new DomainError('not-found', 'no WHEP session at this URL (it has ended or never existed)');
}

function offline(slug: string): DomainError {
  return new DomainError('offline', `channel "${slug}" is not live right now; try again in a moment`, OFFLINE_RETRY_AFTER_S);
}
