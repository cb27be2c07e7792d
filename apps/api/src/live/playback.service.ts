import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { preferH264PacketizationMode1, rejectedMids, SdpError, validateOffer } from '@onair/protocol';
import { CHANNEL_SLUG } from '../channels/channel';
import { ChannelRepository } from '../channels/channel.repository';
import { DomainError } from '../errors/domain-error';
import { MEDIA_SERVER, MediaEvent, MediaNotFoundError, MediaServer } from '../media/media-server';
import { LiveRegistry } from './live-registry';
import { newSessionId } from './session-id';

/** How long a player should wait before asking again for an offline channel. */
export const OFFLINE_RETRY_AFTER_S = 2;

/** Playback: viewers attaching to a live channel (WHEP) and leaving it. */
@Injectable()
export class PlaybackService implements OnModuleInit {
  private readonly log = new Logger('Playback');

  constructor(
    @Inject(MEDIA_SERVER) private readonly media: MediaServer,
    private readonly channels: ChannelRepository,
    private readonly live: LiveRegistry,
  ) {}

  onModuleInit(): void {
    this.media.onEvent((e) => this.onMediaEvent(e));
  }

  async start(input: { slug: string; offerSdp: string }): Promise<{ sessionId: string; answerSdp: string }> {
    if (!CHANNEL_SLUG.test(input.slug)) throw new DomainError('not-found', `no channel named "${input.slug}"`);
    const channel = await this.channels.findBySlug(input.slug);
    if (!channel) throw new DomainError('not-found', `no channel named "${input.slug}"`);
    if (channel.visibility === 'private') {
      throw new DomainError('unauthorized', `channel "${channel.slug}" is private: ask its owner for a playback link`);
    }
    let offered: number;
    try {
      offered = validateOffer(input.offerSdp, 'player').media.length;
    } catch (err) {
      if (err instanceof SdpError) throw new DomainError('bad-request', err.message);
      throw err;
    }
    const b = this.live.broadcastOnChannel(channel.id);
    if (!b?.playable) throw offline(channel.slug);
    if (!this.media.connected) throw new DomainError('media-unavailable', 'the media server is not reachable; try again shortly', 5);

    // Janus's Streaming plugin takes the first H.264 payload type of the offer whatever its
    // packetization-mode; put a packetization-mode=1 entry first.
    const offerSdp = preferH264PacketizationMode1(input.offerSdp);
    let watched;
    try {
      watched = await this.media.watch({ mountpointId: channel.id, offerSdp });
    } catch (err) {
      if (err instanceof MediaNotFoundError) throw offline(channel.slug);
      throw err;
    }
    if (rejectedMids(watched.answerSdp).length >= offered) {
      await this.media.closeViewer(watched.viewer);
      throw new DomainError('unprocessable', 'the player supports none of the stream\'s codecs');
    }
    const sessionId = newSessionId();
    this.live.addViewer({ sessionId, channelId: channel.id, viewer: watched.viewer });
    return { sessionId, answerSdp: watched.answerSdp };
  }

  /** WHEP DELETE. */
  async stop(sessionId: string): Promise<void> {
    const v = this.live.removeViewer(sessionId);
    if (!v) throw new DomainError('not-found', 'no WHEP session at this URL (it has ended or never existed)');
    await this.media.closeViewer(v.viewer);
  }

  private onMediaEvent(e: MediaEvent): void {
    if (e.type !== 'viewer-gone') return;
    const v = this.live.viewerOf(e.viewer.id);
    if (!v) return;
    this.live.removeViewer(v.sessionId);
    this.media.closeViewer(v.viewer).catch((err) => this.log.warn(`closing viewer: ${(err as Error).message}`));
  }
}

function offline(slug: string): DomainError {
  return new DomainError('offline', `channel "${slug}" is not live right now; try again in a moment`, OFFLINE_RETRY_AFTER_S);
}
