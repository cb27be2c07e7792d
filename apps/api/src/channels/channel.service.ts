import { Injectable } from '@nestjs/common';
import { DomainError } from '../errors/domain-error';
import { BroadcastRepository } from '../live/broadcast.repository';
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
  ) {}

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
