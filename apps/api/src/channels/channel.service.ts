import { Injectable } from '@nestjs/common';
import type { ChannelStatus } from '@onair/api-types';
import { DomainError } from '../errors/domain-error';
import { BroadcastRepository } from '../live/broadcast.repository';
import { ChannelEvent, ChannelEvents, layersEvent } from '../live/channel-events';
import { GrantedStreams } from '../live/granted-streams';
import { LiveRegistry } from '../live/live-registry';
import { Channel } from '../domain/channel';
import { ChannelRepository } from './channel.repository';
import { WatchAccess } from './watch-access';
import { Thumbnail, ThumbnailService } from '../probes/thumbnails';

/** Read side for viewers: channel pages and the directory of live channels. */
@Injectable()
export class ChannelService {
  constructor(
    private readonly channels: ChannelRepository,
    private readonly broadcasts: BroadcastRepository,
    private readonly live: LiveRegistry,
    private readonly events: ChannelEvents,
    private readonly access: WatchAccess,
    private readonly thumbnails: ThumbnailService,
    private readonly grantedStreams: GrantedStreams,
  ) {}

  /**
   * Follows a channel's live state: `listener` gets the current state at once (active or
   * inactive, viewer count, layers), then every change. Returns the unsubscribe function.
   * Private channels need a playback token; `close` ends the stream when that token is
   * revoked or expires, or when the channel turns private.
   */
  async follow(slug: string, token: string | undefined, listener: (e: ChannelEvent) => void, close: () => void): Promise<() => void> {
    const { channel, grant } = await this.access.admit(slug, token);
    const b = this.live.broadcastOnChannel(channel.id);
    if (b?.playable) {
      listener({ type: 'active' });
      listener({ type: 'viewercount', viewercount: b.viewers.size });
      const layers = layersEvent(b.layers);
      if (layers) listener(layers);
    } else {
      listener({ type: 'inactive' });
    }
    const unsubscribe = this.events.subscribe(channel.id, listener);
    const release = this.grantedStreams.hold(channel.id, grant, close);
    return () => {
      unsubscribe();
      release();
    };
  }

  /** A channel's page data; a private channel needs its playback token. */
  async status(slug: string, token: string | undefined): Promise<ChannelStatus> {
    const channel = await this.access.channel(slug, token);
    const [open] = await this.broadcasts.findOpen([channel.id]);
    return this.toStatus(channel, open?.startedAt);
  }

  async thumbnail(slug: string, token: string | undefined): Promise<Thumbnail> {
    const channel = await this.access.channel(slug, token);
    const still = channel.visibility === 'private' ? undefined : this.thumbnails.get(channel.id);
    if (!still) throw new DomainError('not-found', `no thumbnail of "${channel.slug}" yet: it is taken every 15 s while the channel is live`);
    return still;
  }

  /** Public channels that are live now, newest first. */
  async listLive(): Promise<ChannelStatus[]> {
    const open = await this.broadcasts.findOpen();
    const channels = await this.channels.findByIds(open.map((b) => b.channelId));
    return open.flatMap((b) => {
      const c = channels.find((x) => x.id === b.channelId);
      return c && c.visibility === 'public' ? [this.toStatus(c, b.startedAt)] : [];
    });
  }

  private toStatus(channel: Channel, liveSince: Date | undefined): ChannelStatus {
    return {
      slug: channel.slug,
      title: channel.title,
      description: channel.description,
      visibility: channel.visibility,
      live: liveSince !== undefined,
      liveSince: liveSince?.toISOString() ?? null,
      viewers: this.live.broadcastOnChannel(channel.id)?.viewers.size ?? 0,
    };
  }
}
