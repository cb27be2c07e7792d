import { Injectable } from '@nestjs/common';
import { DomainError } from '../errors/domain-error';
import { BroadcastRepository } from '../live/broadcast.repository';
import { ChannelEvent, ChannelEvents } from '../live/channel-events';
import { LiveRegistry } from '../live/live-registry';
import { Channel, CHANNEL_SLUG, ChannelVisibility } from './channel';
import { ChannelRepository } from './channel.repository';

export interface ChannelStatus {
  slug: string;
  title: string;
  description: string;
  visibility: ChannelVisibility;
  live: boolean;
  liveSince: string | null;
  viewers: number;
}

/** Read side for viewers: channel pages and the directory of live channels. */
@Injectable()
export class ChannelService {
  constructor(
    private readonly channels: ChannelRepository,
    private readonly broadcasts: BroadcastRepository,
    private readonly live: LiveRegistry,
    private readonly events: ChannelEvents,
  ) {}

  /**
   * Follows a channel's live state: `listener` gets the current state at once (active or
   * inactive, viewer count, layers), then every change. Returns the unsubscribe function.
   * Private channels need a playback token (not yet: 401).
   */
  async follow(slug: string, listener: (e: ChannelEvent) => void): Promise<() => void> {
    const channel = CHANNEL_SLUG.test(slug) ? await this.channels.findBySlug(slug) : null;
    if (!channel) throw new DomainError('not-found', `no channel named "${slug}"`);
    if (channel.visibility === 'private') {
      throw new DomainError('unauthorized', `channel "${channel.slug}" is private: ask its owner for a playback link`);
    }
    const b = this.live.broadcastOnChannel(channel.id);
    if (b?.playable) {
      listener({ type: 'active' });
      listener({ type: 'viewercount', viewercount: b.viewers.size });
      if (b.layers.length > 0) listener({ type: 'layers', layers: b.layers.map((encodingId) => ({ encodingId })) });
    } else {
      listener({ type: 'inactive' });
    }
    return this.events.subscribe(channel.id, listener);
  }

  async status(slug: string): Promise<ChannelStatus> {
    const channel = CHANNEL_SLUG.test(slug) ? await this.channels.findBySlug(slug) : null;
    if (!channel) throw new DomainError('not-found', `no channel named "${slug}"`);
    const [open] = await this.broadcasts.findOpen([channel.id]);
    return this.toStatus(channel, open?.startedAt);
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
