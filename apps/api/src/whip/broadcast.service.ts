import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { codecNames, rejectedMids, SdpError, validateOffer } from '@onair/protocol';
import { Channel } from '../domain/channel';
import { PublishAccess } from '../channels/publish-access';
import { ONAIR_CONFIG, OnairConfig } from '../config/onair-config';
import { DomainError, unauthorized } from '../errors/domain-error';
import { MEDIA_SERVER, MediaEvent, MediaServer } from '../media/media-server';
import { BroadcastRepository, EndReason } from '../live/broadcast.repository';
import { ChannelEvents } from '../live/channel-events';
import { IceSessionService, newIceState, PatchResult } from '../ice/ice-session';
import { LiveBroadcast, LiveRegistry } from '../live/live-registry';
import { newSessionId } from '../live/session-id';
import { StepTimer, StepTiming } from '../http/step-timer';
import { StreamProbes } from '../probes/stream-probes';

/**
 * A POST with the live broadcast's own stream key takes the channel over once the current
 * publisher has sent nothing for this long: a crashed encoder (kill -9, power cut, network
 * gone) must get back on air with a fresh POST at once, which is how OBS reconnects.
 */
export const TAKEOVER_AFTER_SILENCE_MS = 1000;
/** Retry-After of a 409 on a live channel: soon for its own key (the silence may come), later for another. */
const RETRY_OWN_KEY_S = 1;
const RETRY_OTHER_KEY_S = 5;

export interface StartBroadcastResult {
  sessionId: string;
  answerSdp: string;
  etag: string;
  channel: Channel;
  /** Where the time went: key check, broadcast row, Janus publish, fan-out, codec row. */
  timings: StepTiming[];
}

/**
 * Ingest: a publisher going live on a channel (WHIP), and every way a broadcast ends.
 * All endings go through end(): DELETE, the publisher's PeerConnection going away, media
 * timeouts, losing Janus, and shutdown.
 */
@Injectable()
export class BroadcastService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly log = new Logger('Broadcasts');
  private readonly ending = new Map<string, Promise<void>>();

  constructor(
    @Inject(MEDIA_SERVER) private readonly media: MediaServer,
    @Inject(ONAIR_CONFIG) private readonly config: OnairConfig,
    private readonly access: PublishAccess,
    private readonly broadcasts: BroadcastRepository,
    private readonly live: LiveRegistry,
    private readonly events: ChannelEvents,
    private readonly iceSessions: IceSessionService,
    private readonly probes: StreamProbes,
  ) {}

  async onModuleInit(): Promise<void> {
    this.media.onEvent((e) => this.onMediaEvent(e));
    // A broadcast left open by an earlier process died with that process's Janus session.
    const stale = await this.broadcasts.endAllOnNode(this.media.nodeId, 'media-server-lost');
    if (stale > 0) this.log.warn(`ended ${stale} broadcast(s) left open by an earlier run`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.live.allBroadcasts().map((b) => this.end(b.sessionId, 'shutdown')));
  }

  async start(input: { streamKey?: string; offerSdp: string; userAgent?: string }): Promise<StartBroadcastResult> {
    const timer = new StepTimer();
    const { channel, keyId } = await this.access.admit(input.streamKey);
    timer.lap('key');
    const offer = parseOffer(input.offerSdp);
    // Server-Timing gets a "takeover" step only when this POST replaced a silent publisher.
    if (await this.takeOverIfSilent(channel, keyId)) timer.lap('takeover');
    if (!this.media.connected) throw new DomainError('media-unavailable', 'the media server is not reachable; try again shortly', 5);

    const opened = await this.broadcasts.open({
      channelId: channel.id,
      streamKeyId: keyId,
      mediaNode: this.media.nodeId,
      userAgent: input.userAgent,
    });
    if (!opened) throw alreadyLive(channel, RETRY_OWN_KEY_S);
    timer.lap('db');
    const sessionId = newSessionId();
    const b: LiveBroadcast = {
      sessionId,
      broadcastId: opened.id,
      channel,
      streamKeyId: keyId,
      startedAt: opened.startedAt,
      playable: false,
      tracks: [],
      layers: [],
      viewers: new Set<string>(),
      peakViewers: 0,
    };
    this.live.addBroadcast(b);
    try {
      const published = await this.media.publish({
        roomId: channel.id,
        roomName: channel.slug,
        offerSdp: input.offerSdp,
        displayName: channel.title,
      });
      timer.lap('publish');
      b.publisher = published.publisher;
      b.tracks = published.tracks;
      b.ice = newIceState(input.offerSdp, offer.iceUfrag!);
      // RFC 9725 §4.2: the server must not silently drop media the client sends.
      // Janus may also "accept" a section with a codec the room doesn't relay (seen with
      // PCMU audio in an Opus room): that is as lost as a rejected one.
      const accepted: Record<string, readonly string[]> = this.media.acceptedCodecs;
      const rejected = [
        ...rejectedMids(published.answerSdp).map((r) => r.mid),
        ...published.tracks.filter((t) => !accepted[t.kind].includes(t.codec)).map((t) => t.mid),
      ];
      const lost = offer.media.filter((m) => rejected.includes(m.mid));
      if (lost.length > 0) {
        const had = lost.map((m) => `${m.kind} ${codecNames(m).join('/') || 'with no codec'}`).join(', ');
        throw new DomainError(
          'unprocessable',
          `this channel accepts video ${this.media.acceptedCodecs.video.join(', ')} and audio ${this.media.acceptedCodecs.audio.join(', ')}; the offer had ${had}`,
        );
      }
      const fanout = await this.media.startFanout({
        publisher: published.publisher,
        mountpointId: channel.id,
        name: channel.slug,
        tracks: published.tracks,
        keyframeBufferMs: this.config.media.keyframeBufferMs,
      });
      timer.lap('fanout');
      b.layers = fanout.selectableLayers;
      // The key was checked before Janus answered: a revoke (or the owner's live quota filling
      // up) meanwhile ends this broadcast, before any viewer could join it or any feed heard
      // it was active. A revoke landing during the check itself finds the broadcast not yet
      // playable and marks it (StudioService.revoke); from `playable` on, a revoke sees it live.
      await this.access.confirm(b);
      if (b.revokedWhileStarting) throw unauthorized('this stream key was revoked while the stream was starting: copy the current key from the studio');
      b.playable = true;
      const codec = (kind: string) => published.tracks.find((t) => t.kind === kind)?.codec;
      await this.broadcasts.setCodecs(opened.id, { video: codec('video'), audio: codec('audio') });
      timer.lap('record');
      this.probes.start(b).catch((err: unknown) => this.log.warn(`no stream probe for ${channel.slug}: ${(err as Error).message}`));
      this.events.publish(channel.id, { type: 'active' });
      if (b.layers.length > 0) this.events.publish(channel.id, { type: 'layers', layers: b.layers.map((encodingId) => ({ encodingId })) });
      this.log.log(`${channel.slug} is live (${published.tracks.map((t) => t.codec + (t.rids ? ` x${t.rids.length} layers` : '')).join('+')})`);
      return { sessionId, answerSdp: published.answerSdp, etag: b.ice.etag, channel, timings: timer.steps };
    } catch (err) {
      await this.end(sessionId, 'publisher-left');
      throw err;
    }
  }

  /**
   * A channel already live refuses a second publisher (409 + Retry-After), except the live
   * broadcast's own key once its publisher has gone silent: that broadcast is ended through
   * the one teardown path and this request goes on to start the new one.
   */
  private async takeOverIfSilent(channel: Channel, keyId: string): Promise<boolean> {
    const current = this.live.broadcastOnChannel(channel.id);
    if (!current) return false;
    if (current.streamKeyId !== keyId) throw alreadyLive(channel, RETRY_OTHER_KEY_S);
    // Still starting (no publisher yet): that POST is in flight, not a crashed encoder.
    if (!current.publisher || !(await this.media.isPublisherSilent(current.publisher, TAKEOVER_AFTER_SILENCE_MS))) {
      throw alreadyLive(channel, RETRY_OWN_KEY_S);
    }
    const now = this.live.broadcastOnChannel(channel.id);
    if (now === undefined) return false; // it ended while we looked
    if (now !== current) throw alreadyLive(channel, RETRY_OWN_KEY_S); // another POST took over first
    this.log.log(`${channel.slug}: the publisher sent nothing for ${TAKEOVER_AFTER_SILENCE_MS} ms; a new POST with its key takes over`);
    await this.end(current.sessionId, 'media-timeout');
    // Two POSTs racing for the takeover: the one that got here second finds the other live.
    if (this.live.broadcastOnChannel(channel.id)) throw alreadyLive(channel, RETRY_OWN_KEY_S);
    return true;
  }

  /** Ends a broadcast: the one teardown path. Idempotent; resolves when everything is released. */
  end(sessionId: string, reason: EndReason): Promise<void> {
    const pending = this.ending.get(sessionId);
    if (pending) return pending;
    const b = this.live.removeBroadcast(sessionId);
    if (!b) return Promise.resolve();
    if (b.playable) this.events.publish(b.channel.id, { type: 'inactive' });
    this.probes.stop(b.channel.id, b.sessionId);
    const done = (async () => {
      try {
        if (b.publisher) await this.media.closePublisher(b.publisher);
      } catch (err) {
        this.log.error(`releasing media of ${b.channel.slug} failed: ${(err as Error).message}`);
      }
      await this.broadcasts.end(b.broadcastId, reason, b.peakViewers);
      this.log.log(`${b.channel.slug} ended (${reason})`);
    })().finally(() => this.ending.delete(sessionId));
    this.ending.set(sessionId, done);
    return done;
  }

  /** WHIP PATCH: trickle candidates or an ICE restart (RFC 9725 §4.3). */
  async patch(sessionId: string, input: { ifMatch?: string; body: string }): Promise<PatchResult> {
    const b = this.live.broadcast(sessionId);
    if (!b?.publisher || !b.ice) throw new DomainError('not-found', 'no live WHIP session at this URL (it has ended or never existed)');
    return this.iceSessions.patch(b.publisher, b.ice, input);
  }

  /** WHIP DELETE. */
  async stop(sessionId: string): Promise<void> {
    if (!this.live.broadcast(sessionId) && !this.ending.has(sessionId)) {
      throw new DomainError('not-found', 'no live WHIP session at this URL (it has ended or never existed)');
    }
    await this.end(sessionId, 'publisher-left');
  }

  private onMediaEvent(e: MediaEvent): void {
    switch (e.type) {
      case 'publisher-gone': {
        const b = this.live.broadcastOfPublisher(e.publisher.id);
        if (b) void this.end(b.sessionId, e.reason === 'media-timeout' ? 'media-timeout' : 'publisher-left').catch((err) => this.log.error(err));
        return;
      }
      case 'disconnected':
        for (const b of this.live.allBroadcasts()) void this.end(b.sessionId, 'media-server-lost').catch((err) => this.log.error(err));
        return;
      case 'viewer-gone':
      case 'connected':
        return;
    }
  }
}

function alreadyLive(channel: Channel, retryAfterS: number): DomainError {
  return new DomainError(
    'already-live',
    `channel "${channel.slug}" is already live from another publisher, which is still sending; stop that stream first. ` +
      `A POST with the live broadcast's own stream key takes over once its publisher has sent nothing for ${TAKEOVER_AFTER_SILENCE_MS / 1000} s`,
    retryAfterS,
  );
}

function parseOffer(sdp: string) {
  try {
    return validateOffer(sdp, 'publisher');
  } catch (err) {
    if (err instanceof SdpError) throw new DomainError('bad-request', err.message);
    throw err;
  }
}

