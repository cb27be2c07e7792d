import { randomUUID } from 'node:crypto';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Channel } from '../domain/channel';
import { ClientOffer } from '../domain/client-offer';
import { PublishAccess } from '../channels/publish-access';
import { ONAIR_CONFIG, OnairConfig } from '../config/onair-config';
import { DomainError, unauthorized } from '../errors/domain-error';
import { MEDIA_SERVER, MediaEvent, MediaServer, PublishResult } from '../media/media-server';
import { BroadcastRepository, EndReason, OpenBroadcast } from '../live/broadcast.repository';
import { ChannelEvents, layersEvent } from '../live/channel-events';
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
  /** Where the time went: key check, then broadcast row, key re-check and Janus publish side by side. */
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
  /** The broadcast row being written for a POST (null: the channel had an open row already). */
  private readonly rowWrites = new Map<string, Promise<OpenBroadcast | null>>();
  /** The feed being built after a POST's 201 (settles when Janus has answered, either way). */
  private readonly feedBuilds = new Map<string, Promise<unknown>>();

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

  /**
   * The WHIP POST. After the key check (one query) three things run at once: Janus answers the
   * offer, the broadcast's row is written and the key is checked again. The POST answers once
   * all three have settled, so a failure releases all of it; the fan-out to viewers (the
   * mountpoint, its forwarders) follows the 201 (goLive): an encoder that reconnects waits for
   * Janus's answer and one database round trip, not for the channel's feed being built.
   */
  async start(input: { streamKey?: string; offer: ClientOffer; userAgent?: string }): Promise<StartBroadcastResult> {
    const timer = new StepTimer();
    const { channel, keyId } = await this.access.admit(input.streamKey);
    timer.lap('key');
    const offer = input.offer.accept();
    // Server-Timing gets a "takeover" step only when this POST replaced a silent publisher.
    if (await this.takeOverIfSilent(channel, keyId)) timer.lap('takeover');
    if (!this.media.connected) throw new DomainError('media-unavailable', 'the media server is not reachable; try again shortly', 5);

    // Two POSTs racing (for a takeover, or both first): the one that gets here first takes
    // the channel, the other finds it live. Nothing is awaited from here to addBroadcast.
    if (this.live.broadcastOnChannel(channel.id)) throw alreadyLive(channel, RETRY_OWN_KEY_S);
    const sessionId = newSessionId();
    let settle!: () => void;
    const b: LiveBroadcast = {
      sessionId,
      broadcastId: randomUUID(),
      channel,
      streamKeyId: keyId,
      startedAt: new Date(),
      playable: false,
      goingLive: new Promise<void>((resolve) => (settle = resolve)),
      tracks: [],
      layers: [],
      viewers: new Set<string>(),
      peakViewers: 0,
    };
    // A second POST on the channel, the owner's live quota and a revoke in the studio all see
    // this broadcast from here on.
    this.live.addBroadcast(b);
    const opening = timer.time(
      'db',
      this.broadcasts.open({ id: b.broadcastId, startedAt: b.startedAt, channelId: channel.id, streamKeyId: keyId, mediaNode: this.media.nodeId, userAgent: input.userAgent }),
    );
    // end() waits for the row, so a broadcast ended meanwhile is not left open in the database.
    this.rowWrites.set(sessionId, opening);
    // The key was checked before this broadcast was registered: a revoke (or the owner's live
    // quota filling up) in between is caught by this second check; a revoke after it finds the
    // broadcast registered and not yet playable, and marks it (StudioService.revoke).
    const confirming = timer.time('confirm', this.access.confirm(b));
    const publishing = timer
      .time('publish', this.media.publish({ stageId: channel.id, stageName: channel.slug, offer, displayName: channel.title }))
      .then((published) => {
        b.publisher = published.publisher;
        b.tracks = published.tracks;
        b.ice = newIceState(offer.sdp, offer.iceUfrag);
        return published;
      });
    const [opened, confirmed, published] = await Promise.allSettled([opening, confirming, publishing]);
    this.rowWrites.delete(sessionId);
    try {
      if (this.live.broadcast(sessionId) !== b) {
        // Ended while starting (the media server lost, shutdown): end() ran before Janus had
        // answered, so the publisher it made since is released here (closePublisher is idempotent).
        if (b.publisher) await this.media.closePublisher(b.publisher).catch((err) => this.log.error(`releasing media of ${channel.slug} failed: ${(err as Error).message}`));
        throw new DomainError('media-unavailable', 'the broadcast ended while it was starting (the media server went away or onair is shutting down); try again shortly', 5);
      }
      if (opened.status === 'rejected') throw opened.reason;
      // The row is the channel's lock across API processes (one open broadcast per channel).
      if (!opened.value) throw alreadyLive(channel, RETRY_OWN_KEY_S);
      if (published.status === 'rejected') throw published.reason;
      if (confirmed.status === 'rejected') throw confirmed.reason;
      if (b.revokedWhileStarting) throw unauthorized('this stream key was revoked while the stream was starting: copy the current key from the studio');
    } catch (err) {
      settle();
      await this.end(sessionId, 'publisher-left');
      throw err;
    }
    this.goLive(b, published.value, opened.value)
      .catch((err: unknown) => this.log.error(`${channel.slug}: ${(err as Error).message}`))
      .finally(settle);
    return { sessionId, answerSdp: published.value.answerSdp, etag: b.ice!.etag, channel, timings: timer.steps };
  }

  /**
   * After the 201: the channel's feed (mountpoint + forwarders) is built and the codecs noted
   * on the row, then viewers may join (`playable`; a WHEP POST arriving meanwhile waits for
   * it, bounded). A failure, or the key revoked meanwhile, ends the broadcast through end():
   * the publisher's PeerConnection is closed and the encoder reconnects as after any drop.
   */
  private async goLive(b: LiveBroadcast, published: PublishResult, row: OpenBroadcast): Promise<void> {
    const codec = (kind: string) => published.tracks.find((t) => t.kind === kind)?.codec;
    const noting = this.broadcasts.setCodecs(row.id, { video: codec('video'), audio: codec('audio') }).catch((err: unknown) => {
      this.log.warn(`${b.channel.slug}: codecs not noted on the broadcast: ${(err as Error).message}`);
    });
    const building = this.media.startFanout({
      publisher: published.publisher,
      feedId: b.channel.id,
      name: b.channel.slug,
      tracks: published.tracks,
      keyframeBufferMs: this.config.media.keyframeBufferMs,
    });
    // end() waits for it: a feed finishing after its publisher closed removes itself first.
    this.feedBuilds.set(b.sessionId, building);
    try {
      const fanout = await building.finally(() => this.feedBuilds.delete(b.sessionId));
      await noting;
      if (this.live.broadcast(b.sessionId) !== b) return; // ended meanwhile: end() released the feed with the publisher
      if (b.revokedWhileStarting) {
        this.log.log(`${b.channel.slug}: its stream key was revoked while the stream was starting`);
        await this.end(b.sessionId, 'key-revoked');
        return;
      }
      b.layers = fanout.selectableLayers;
      b.playable = true;
    } catch (err) {
      if (this.live.broadcast(b.sessionId) !== b) return;
      this.log.error(`${b.channel.slug}: the live feed could not be started, ending the broadcast: ${(err as Error).message}`);
      await this.end(b.sessionId, 'media-server-lost');
      return;
    }
    this.probes.start(b).catch((err: unknown) => this.log.warn(`no stream probe for ${b.channel.slug}: ${(err as Error).message}`));
    this.events.publish(b.channel.id, { type: 'active' });
    const layers = layersEvent(b.layers);
    if (layers) this.events.publish(b.channel.id, layers);
    this.log.log(`${b.channel.slug} is live (${published.tracks.map((t) => t.codec + (t.rids ? ` x${t.rids.length} layers` : '')).join('+')})`);
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
    if (now !== undefined && now !== current) throw alreadyLive(channel, RETRY_OWN_KEY_S); // another POST took over first
    if (now === current) this.log.log(`${channel.slug}: the publisher sent nothing for ${TAKEOVER_AFTER_SILENCE_MS} ms; a new POST with its key takes over`);
    // Also when it ended while we looked (another POST's takeover, the publisher leaving): its
    // ending must be over, its row closed, before this POST writes the channel's new row.
    await this.end(current.sessionId, 'media-timeout');
    return now === current;
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
      // A feed still being built for it: once its Janus requests have settled nothing of it is left.
      await this.feedBuilds.get(sessionId)?.catch(() => undefined);
      // A POST still writing the row: end it once it is there (or not at all if it never was).
      await this.rowWrites.get(sessionId)?.catch(() => undefined);
      await this.broadcasts.end(b.broadcastId, reason, b.peakViewers);
      this.log.log(`${b.channel.slug} ended (${reason})`);
    })().finally(() => {
      this.ending.delete(sessionId);
      this.rowWrites.delete(sessionId);
    });
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

